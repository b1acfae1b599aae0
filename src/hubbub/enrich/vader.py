"""VADER, the rule-based baseline every sentiment figure is compared with (optional dependency)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Final

from hubbub.errors import HubbubError

#: The thresholds VADER's authors recommend on the compound score.
COMPOUND_THRESHOLD: Final = 0.05


@cache
def _analyzer() -> Any:
    try:
        from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
            SentimentIntensityAnalyzer,
        )
    except ImportError:
        raise HubbubError(
            "the VADER baseline needs the vaderSentiment package", "pip install vaderSentiment"
        ) from None
    return SentimentIntensityAnalyzer()


def vader_scores(texts: Sequence[str]) -> list[dict[str, float]]:
    """VADER's neg/neu/pos/compound scores of each text."""
    analyzer = _analyzer()
    return [analyzer.polarity_scores(t) for t in texts]


def vader_classify(texts: Sequence[str]) -> tuple[list[str], list[float]]:
    """Labels from VADER's compound score (+-0.05) and the compound scores themselves."""
    analyzer = _analyzer()
    compounds = [float(analyzer.polarity_scores(t)["compound"]) for t in texts]
    labels = [
        "positive"
        if c >= COMPOUND_THRESHOLD
        else "negative"
        if c <= -COMPOUND_THRESHOLD
        else "neutral"
        for c in compounds
    ]
    return labels, compounds
