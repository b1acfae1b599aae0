"""Sentiment (negative / neutral / positive) and emotion, from the shipped linear models.

Tiers: `fast` (logistic regression over hashed word 1-2-grams, every post on import) and
`accurate` (a Crammer-Singer multi-class linear SVM over word 1-3-grams, character 2-5-grams,
VADER's four lexicon scores and AFINN / Pattern word-list features; needs the vaderSentiment
package, the word lists travel in the model file). `sentiment_score` is P(positive) - P(negative),
in -1..+1 like VADER's compound (for the SVM, a softmax of its margins: a ranking, not a
calibrated probability). The models are English only:
posts whose `lang` is anything else get null sentiment, never a guess. A sentiment that came
with the post (no `sentiment_model`) is kept as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hubbub.enrich._columns import column_or_nulls, post_text_array, set_column
from hubbub.enrich._linear import FloatArray, LinearModel
from hubbub.errors import HubbubError

Tier = Literal["fast", "accurate"]
TIERS: Final = ("fast", "accurate")
SUPPORTED_LANGS: Final = frozenset({"en"})
MODELS_DIR: Final = Path(__file__).with_name("models")


@cache
def load_model(name: str) -> LinearModel:
    """A shipped model by file stem (`sentiment_fast`, `sentiment_accurate`, `emotion`)."""
    path = MODELS_DIR / f"{name}.npz"
    if not path.exists():
        raise HubbubError(
            f"model file {path} is missing", "reinstall hubbub or run training/train_sentiment.py"
        )
    return LinearModel.load(path)


def sentiment_model(tier: str) -> LinearModel:
    if tier not in TIERS:
        raise HubbubError(f"unknown sentiment model {tier!r}", "use fast or accurate")
    return load_model(f"sentiment_{tier}")


def classify(texts: Sequence[str] | pa.Array, tier: str = "fast") -> tuple[list[str], FloatArray]:
    """Labels and scores (P(pos) - P(neg)) for texts, whatever their language."""
    labels, scores = _classify_arrow(texts, tier)
    return labels.to_pylist(), scores


def _classify_arrow(texts: Sequence[str] | pa.Array, tier: str) -> tuple[pa.Array, FloatArray]:
    model = sentiment_model(tier)
    proba = model.proba(texts if isinstance(texts, pa.Array) else list(texts))
    labels = pa.array(model.labels, pa.string()).take(pa.array(proba.argmax(axis=1)))
    pos, neg = model.labels.index("positive"), model.labels.index("negative")
    return labels, proba[:, pos] - proba[:, neg]


def classify_emotion(texts: Sequence[str] | pa.Array) -> tuple[list[str], FloatArray]:
    """Emotion label (anger, joy, optimism, sadness) and its probability."""
    model = load_model("emotion")
    proba = model.proba(texts)
    best = proba.argmax(axis=1)
    return [model.labels[i] for i in best], proba[np.arange(len(best)), best]


def supported_mask(langs: pa.Array) -> pa.Array:
    """For each language code, whether the models were trained on it (`en`, `en-GB`, `en_US`
    ...; null: False)."""
    pattern = "^(?:" + "|".join(sorted(SUPPORTED_LANGS)) + ")(?:[-_]|$)"
    return pc.fill_null(pc.match_substring_regex(langs, pattern, ignore_case=True), False)


def enrich_sentiment(table: pa.Table, tier: str = "fast") -> pa.Table:
    """Fill sentiment, sentiment_score and sentiment_model for English posts.

    Re-runnable: a label a model set is replaced, a label that came with the post stays, and
    a model label on a post now known not to be English is removed. All in Arrow: only the
    classifier's kernel looks at each post.
    """
    model = sentiment_model(tier)
    labels = column_or_nulls(table, "sentiment", pa.string())
    scores = column_or_nulls(table, "sentiment_score", pa.float64())
    models = column_or_nulls(table, "sentiment_model", pa.string())
    supported = supported_mask(column_or_nulls(table, "lang", pa.string()))
    by_model = pc.is_valid(models)
    todo = pc.and_(supported, pc.or_(pc.is_null(labels), by_model))
    stale = pc.and_(pc.invert(supported), by_model)
    rows = np.flatnonzero(todo.to_numpy(zero_copy_only=False))
    if len(rows):
        new_labels, new_scores = _classify_arrow(post_text_array(table).take(pa.array(rows)), tier)
        labels = pc.replace_with_mask(labels, todo, new_labels)
        scores = pc.replace_with_mask(
            scores, todo, pa.array(np.round(new_scores.astype(np.float64), 4))
        )
        models = pc.replace_with_mask(models, todo, pa.array([model.name] * len(rows), pa.string()))
    if pc.any(stale).as_py():
        labels = pc.if_else(stale, pa.scalar(None, pa.string()), labels)
        scores = pc.if_else(stale, pa.scalar(None, pa.float64()), scores)
        models = pc.if_else(stale, pa.scalar(None, pa.string()), models)
    table = set_column(table, "sentiment", labels)
    table = set_column(table, "sentiment_score", scores)
    return set_column(table, "sentiment_model", models)


def enrich_emotion(table: pa.Table) -> pa.Table:
    """Fill emotion and emotion_score for English posts (the accurate tier's extra); other
    posts get none."""
    supported = supported_mask(column_or_nulls(table, "lang", pa.string()))
    emotions = pa.nulls(table.num_rows, pa.string())
    scores = pa.nulls(table.num_rows, pa.float64())
    rows = np.flatnonzero(supported.to_numpy(zero_copy_only=False))
    if len(rows):
        new, new_scores = classify_emotion(post_text_array(table).take(pa.array(rows)))
        emotions = pc.replace_with_mask(emotions, supported, pa.array(new, pa.string()))
        rounded = pa.array(np.round(new_scores.astype(np.float64), 4))
        scores = pc.replace_with_mask(scores, supported, rounded)
    table = set_column(table, "emotion", emotions)
    return set_column(table, "emotion_score", scores)
