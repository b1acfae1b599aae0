"""Enrichment: language, entities, sentiment and emotion, each a batch function over Arrow.

Every enricher takes a table of posts (`POST_SCHEMA` or `IMPORT_SCHEMA` columns; missing
columns are treated as null) and returns it with its columns added or filled. `enrich` runs
the default set in order (language first: sentiment needs to know the post is English).

    table = enrich(table)                       # language, entities, sentiment (fast)
    table = enrich(table, only={"sentiment"}, sentiment_model="accurate")
    enrich_stored(store, since=datetime(2026, 1, 1, tzinfo=UTC))   # re-run over stored posts
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Final

import pyarrow as pa

from hubbub.enrich._columns import column_or_nulls, set_column
from hubbub.enrich.entities import enrich_entities
from hubbub.enrich.language import detect_language, enrich_language
from hubbub.enrich.sentiment import classify, classify_emotion, enrich_emotion, enrich_sentiment
from hubbub.enrich.stored import enrich_stored
from hubbub.errors import HubbubError

_STRINGS = pa.list_(pa.string())

#: Columns enrichment adds to a post (the store keeps them on `posts`). `sentiment` and
#: `sentiment_score` are also in `model.LABEL_SCHEMA`: a file may bring its own labels.
ENRICHMENT_SCHEMA: Final = pa.schema(
    [
        pa.field("lang_confidence", pa.float64()),  # null when lang was platform-given
        pa.field("cashtags", _STRINGS),  # upper case, without `$`
        pa.field("emoji", _STRINGS),
        pa.field("sentiment", pa.string()),  # negative | neutral | positive | null
        pa.field("sentiment_score", pa.float64()),  # P(positive) - P(negative), -1..+1
        pa.field("sentiment_model", pa.string()),  # e.g. hubbub-sentiment-fast-2; null = given
        pa.field("emotion", pa.string()),  # anger | joy | optimism | sadness | null
        pa.field("emotion_score", pa.float64()),  # probability of that emotion
    ]
)

#: Enricher names, in the order they run.
ENRICHERS: Final = ("language", "entities", "sentiment", "emotion")
#: What `enrich` runs when `only` is None with the fast tier; the accurate tier adds emotion.
DEFAULT_ENRICHERS: Final = frozenset({"language", "entities", "sentiment"})


def _steps(sentiment_model: str) -> dict[str, Callable[[pa.Table], pa.Table]]:
    return {
        "language": enrich_language,
        "entities": enrich_entities,
        "sentiment": partial(enrich_sentiment, tier=sentiment_model),
        "emotion": enrich_emotion,
    }


def check_only(
    only: set[str] | frozenset[str] | None, sentiment_model: str = "fast"
) -> frozenset[str]:
    """The enrichers to run; an unknown name is a user error."""
    if only is None:
        extra = {"emotion"} if sentiment_model == "accurate" else set()
        return DEFAULT_ENRICHERS | extra
    unknown = set(only) - set(ENRICHERS)
    if unknown:
        raise HubbubError(
            f"unknown enricher {', '.join(sorted(unknown))}", f"choose from {', '.join(ENRICHERS)}"
        )
    if only & {"sentiment", "emotion"}:
        # Both need to know a post is English; language only fills a missing `lang`, so
        # running it along never overrides what a platform said.
        return frozenset(only) | {"language"}
    return frozenset(only)


def enrich(
    table: pa.Table, only: set[str] | frozenset[str] | None = None, *, sentiment_model: str = "fast"
) -> pa.Table:
    """The table with enrichment columns filled; every ENRICHMENT_SCHEMA column is present."""
    chosen = check_only(only, sentiment_model)
    steps = _steps(sentiment_model)
    for name in ENRICHERS:
        if name in chosen:
            table = steps[name](table)
    for field in ENRICHMENT_SCHEMA:
        table = set_column(table, field.name, column_or_nulls(table, field.name, field.type))
    return table


__all__ = [
    "DEFAULT_ENRICHERS",
    "ENRICHERS",
    "ENRICHMENT_SCHEMA",
    "classify",
    "classify_emotion",
    "detect_language",
    "enrich",
    "enrich_emotion",
    "enrich_entities",
    "enrich_language",
    "enrich_sentiment",
    "enrich_stored",
]
