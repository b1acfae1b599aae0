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

from hubbub.enrich._columns import column_or_nulls, post_texts, set_column
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


def classify(texts: Sequence[str], tier: str = "fast") -> tuple[list[str], FloatArray]:
    """Labels and scores (P(pos) - P(neg)) for texts, whatever their language."""
    model = sentiment_model(tier)
    proba = model.proba(texts)
    labels = [model.labels[i] for i in proba.argmax(axis=1)]
    pos, neg = model.labels.index("positive"), model.labels.index("negative")
    return labels, proba[:, pos] - proba[:, neg]


def classify_emotion(texts: Sequence[str]) -> tuple[list[str], FloatArray]:
    """Emotion label (anger, joy, optimism, sadness) and its probability."""
    model = load_model("emotion")
    proba = model.proba(texts)
    best = proba.argmax(axis=1)
    return [model.labels[i] for i in best], proba[np.arange(len(best)), best]


def is_supported(lang: str | None) -> bool:
    """True for the languages the models were trained on (`en`, `en-GB`, `en_US` ...)."""
    return lang is not None and lang.replace("_", "-").split("-")[0].lower() in SUPPORTED_LANGS


def _todo(table: pa.Table, label_col: str, model_col: str) -> list[int]:
    """Rows in a supported language whose label is null or was set by a model (re-runnable)."""
    langs = column_or_nulls(table, "lang", pa.string()).to_pylist()
    labels = column_or_nulls(table, label_col, pa.string()).to_pylist()
    models = column_or_nulls(table, model_col, pa.string()).to_pylist()
    return [
        i
        for i, (lang, label, model) in enumerate(zip(langs, labels, models, strict=True))
        if is_supported(lang) and (label is None or model is not None)
    ]


def enrich_sentiment(table: pa.Table, tier: str = "fast") -> pa.Table:
    """Fill sentiment, sentiment_score and sentiment_model for English posts."""
    model = sentiment_model(tier)
    labels = column_or_nulls(table, "sentiment", pa.string()).to_pylist()
    scores = column_or_nulls(table, "sentiment_score", pa.float64()).to_pylist()
    models = column_or_nulls(table, "sentiment_model", pa.string()).to_pylist()
    supported = [is_supported(x) for x in column_or_nulls(table, "lang", pa.string()).to_pylist()]
    for i, ok in enumerate(supported):
        if not ok and models[i] is not None:  # a model label on a post now known not English
            labels[i] = scores[i] = models[i] = None
    rows = _todo(table, "sentiment", "sentiment_model")
    if rows:
        texts = post_texts(table)
        new_labels, new_scores = classify([texts[i] for i in rows], tier)
        for i, label, score in zip(rows, new_labels, new_scores.tolist(), strict=True):
            labels[i], scores[i], models[i] = label, round(score, 4), model.name
    table = set_column(table, "sentiment", pa.array(labels, pa.string()))
    table = set_column(table, "sentiment_score", pa.array(scores, pa.float64()))
    return set_column(table, "sentiment_model", pa.array(models, pa.string()))


def enrich_emotion(table: pa.Table) -> pa.Table:
    """Fill emotion and emotion_score for English posts (the accurate tier's extra)."""
    emotions = column_or_nulls(table, "emotion", pa.string()).to_pylist()
    scores = column_or_nulls(table, "emotion_score", pa.float64()).to_pylist()
    langs = column_or_nulls(table, "lang", pa.string()).to_pylist()
    rows = [i for i, lang in enumerate(langs) if is_supported(lang)]
    for i, lang in enumerate(langs):
        if not is_supported(lang):
            emotions[i] = scores[i] = None
    if rows:
        texts = post_texts(table)
        new, new_scores = classify_emotion([texts[i] for i in rows])
        for i, label, score in zip(rows, new, new_scores.tolist(), strict=True):
            emotions[i], scores[i] = label, round(score, 4)
    table = set_column(table, "emotion", pa.array(emotions, pa.string()))
    return set_column(table, "emotion_score", pa.array(scores, pa.float64()))
