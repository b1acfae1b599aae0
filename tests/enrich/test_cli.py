from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from hubbub.cli.common import State
from hubbub.cli.enrich import register
from hubbub.store import Store

from .test_stored import stored


def make_app(db: Path) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _db(ctx: typer.Context) -> None:
        state = State()
        state.db = str(db)
        ctx.obj = state

    register(app)
    return app


def test_classify_lines_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    app = make_app(tmp_path / "x.duckdb")
    lines = "I love it so much!\nthis is awful, I hate it\n"
    result = runner.invoke(app, ["classify", "sentiment", "-"], input=lines)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["positive", "negative"]
    result = runner.invoke(
        app, ["classify", "sentiment", "--json", "--model", "accurate"], input=lines
    )
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["label"] for r in rows] == ["positive", "negative"]
    assert rows[0]["score"] > 0 > rows[1]["score"]


def test_eval_tweeteval_and_vader_files(tmp_path: Path, shared_data: Path) -> None:
    runner = CliRunner()
    app = make_app(tmp_path / "x.duckdb")
    val = shared_data / "tweeteval" / "sentiment" / "val_text.txt"
    result = runner.invoke(app, ["eval", "sentiment", str(val), "--model", "fast"])
    assert result.exit_code == 0, result.output
    assert "2,000 texts" in result.output
    recall = float(result.output.split("macro-recall")[1].split()[0])
    assert recall > 0.65
    assert "gold \\ pred" in result.output
    amazon = shared_data / "vader_groundtruth" / "amazonReviewSnippets_GroundTruth.txt"
    result = runner.invoke(app, ["eval", "sentiment", str(amazon), "--model", "vader"])
    assert result.exit_code == 0, result.output
    assert "3,708 texts" in result.output


def test_eval_csv_with_named_columns(tmp_path: Path, shared_data: Path) -> None:
    rows = (shared_data / "semeval2017_task4A_trainpool" / "twitter-2015train-A.tsv").read_text()
    csv_file = tmp_path / "tweets.tsv"
    body = ["tweet\tpolarity"] + [
        f"{p[2]}\t{p[1]}" for p in (line.split("\t") for line in rows.splitlines()) if len(p) == 3
    ]
    csv_file.write_text("\n".join(body) + "\n")
    runner = CliRunner()
    app = make_app(tmp_path / "x.duckdb")
    ok = runner.invoke(
        app, ["eval", "sentiment", str(csv_file), "--text-col", "tweet", "--label-col", "polarity"]
    )
    assert ok.exit_code == 0, ok.output
    assert "489 texts" in ok.output
    bad = runner.invoke(app, ["eval", "sentiment", str(csv_file), "--text-col", "body"])
    assert bad.exit_code != 0
    assert "has no column 'body'" in str(bad.exception) or "body" in bad.output


def test_enrich_command_over_the_store(
    tmp_path: Path, sentiment_val: tuple[list[str], list[str]]
) -> None:
    db = tmp_path / "s.duckdb"
    stored(db, sentiment_val[0][:50]).close()
    result = CliRunner().invoke(make_app(db), ["enrich", "--only", "sentiment"])
    assert result.exit_code == 0, result.output
    assert "50 posts enriched" in result.output
    with Store(db) as store:
        row = store.one("SELECT count(lang), count(sentiment), count(hashtags) FROM posts")
    assert row is not None
    assert row[0] > 45 and row[1] == row[0]  # --only sentiment also fills the missing lang
    assert row[2] == 0  # entities were not asked for
