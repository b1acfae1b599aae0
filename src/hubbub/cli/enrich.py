"""`hubbub classify`, `hubbub eval` and `hubbub enrich`: sentiment from the command line."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from hubbub.cli.common import fail, open_store, out_console

classify_app = typer.Typer(
    help="Label texts given one per line (no database needed).", no_args_is_help=True
)
eval_app = typer.Typer(help="Measure a model against a labelled file.", no_args_is_help=True)

ModelOpt = Annotated[str, typer.Option("--model", "-m", help="fast (default) or accurate.")]


@classify_app.command("sentiment")
def classify_sentiment(
    file: Annotated[str, typer.Argument(help="Text file, one text per line; - reads stdin.")] = "-",
    model: ModelOpt = "fast",
    json_: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Print negative, neutral or positive for each input line (--json adds the score).

    Lines are taken as English: the models know no other language (`hubbub enrich` checks
    each post's language and leaves non-English posts without sentiment).
    """
    from hubbub.enrich.sentiment import classify

    lines = _read_lines(file)
    labels, scores = classify(lines, model)
    out = sys.stdout
    for label, score in zip(labels, scores.tolist(), strict=True):
        if json_:
            out.write(json.dumps({"label": label, "score": round(score, 4), "model": model}) + "\n")
        else:
            out.write(label + "\n")


@eval_app.command("sentiment")
def eval_sentiment(
    file: Annotated[
        Path, typer.Argument(help="CSV/TSV, TweetEval *_text.txt or VADER *_GroundTruth.txt.")
    ],
    text_col: Annotated[str, typer.Option("--text-col", help="Text column (CSV/TSV).")] = "text",
    label_col: Annotated[
        str, typer.Option("--label-col", help="Gold label column (CSV/TSV).")
    ] = "label",
    model: Annotated[str, typer.Option("--model", "-m", help="fast, accurate or vader.")] = "fast",
    fmt: Annotated[
        str, typer.Option("--format", help="auto, csv, tsv, tweeteval or vader.")
    ] = "auto",
) -> None:
    """Accuracy, macro-recall, macro-F1 and the confusion matrix of a model on a labelled file."""
    from hubbub.enrich.evalfile import read_labelled
    from hubbub.enrich.metrics import score
    from hubbub.model import SENTIMENT_LABELS

    texts, gold = read_labelled(file, fmt, text_col, label_col)
    unknown = sorted(set(gold) - set(SENTIMENT_LABELS))
    if unknown:
        raise fail(
            f"labels {', '.join(unknown[:5])} are not negative/neutral/positive",
            "use label names or -1/0/1",
        )
    predicted = _predict(texts, model)
    s = score(gold, predicted, SENTIMENT_LABELS)
    out_console.print(
        f"{file.name}: {s.n:,} texts, model {model}\n"
        f"accuracy      {s.accuracy:.4f}\nmacro-recall  {s.macro_recall:.4f}\n"
        f"macro-F1      {s.macro_f1:.4f}\n\n{s.table()}",
        highlight=False,
        markup=False,
    )


def enrich_command(
    ctx: typer.Context,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="language, entities, sentiment, emotion or embeddings (repeatable).",
        ),
    ] = None,
    since: Annotated[
        datetime | None, typer.Option("--since", help="Only posts created on or after (UTC).")
    ] = None,
    model: ModelOpt = "fast",
    embedding_model: Annotated[
        str,
        typer.Option(
            "--embedding-model",
            help="For --only embeddings: static (default) or minilm (the `embeddings` extra).",
        ),
    ] = "static",
) -> None:
    """Re-run enrichment over stored posts (default: language, entities, sentiment; with
    --model accurate also emotion). `--only embeddings` fills the embedding cache used by
    `hubbub similar`: only posts without a vector of that model are computed."""
    from hubbub.enrich import enrich_stored
    from hubbub.enrich.embedding_cache import embed_stored
    from hubbub.enrich.embeddings import embedding_model as model_of

    when = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
    chosen = set(only) if only else None
    embeddings = chosen is not None and "embeddings" in chosen
    if chosen is not None:
        chosen.discard("embeddings")
    with open_store(ctx) as store:
        if chosen is None or chosen:
            n = enrich_stored(store, chosen, when, sentiment_model=model)
            out_console.print(f"{n:,} posts enriched", highlight=False)
        if embeddings:
            name = model_of(embedding_model).name
            n = embed_stored(store, embedding_model, when)
            out_console.print(f"{n:,} posts embedded ({name})", highlight=False)


def _predict(texts: list[str], model: str) -> list[str]:
    if model == "vader":
        from hubbub.enrich.vader import vader_classify

        return vader_classify(texts)[0]
    from hubbub.enrich.sentiment import classify

    return classify(texts, model)[0]


def _read_lines(file: str) -> list[str]:
    if file == "-":
        return sys.stdin.read().splitlines()
    path = Path(file)
    if not path.exists():
        raise fail(f"no such file: {file}", "give a text file, or - for stdin")
    return path.read_text(encoding="utf-8").splitlines()


def register(app: typer.Typer) -> None:
    app.add_typer(classify_app, name="classify")
    app.add_typer(eval_app, name="eval")
    app.command("enrich")(enrich_command)
