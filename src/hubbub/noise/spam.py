"""Spam probability for posts and comments: a logistic regression over hashed word and character
n-grams, trained here on the YouTube Spam Collection (training/train_spam.py) and shipped as a
small weight file. Hashing means no vocabulary to ship or to go stale; scoring is one sparse
matrix product, vectorised over a batch.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

MODEL_PATH: Final = Path(__file__).with_name("spam_model.npz")
MODEL_NAME: Final = "hubbub-spam-lr-1"
_TAG: Final = re.compile(r"<[^>]{0,200}>")
_URL: Final = re.compile(r"https?://\S+|www\.\S+")


def clean(text: str | None) -> str:
    """What the model reads: HTML removed, links reduced to a marker (their presence matters,
    not their exact address)."""
    text = html.unescape(_TAG.sub(" ", text or "")).replace("\ufeff", " ")
    return _URL.sub(" httplink ", text.lower())


def vectorizers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer  # type: ignore[import-untyped]

    words = HashingVectorizer(
        n_features=2**18,
        ngram_range=(1, 2),
        alternate_sign=False,
        norm="l2",
        token_pattern=r"(?u)\b\w+\b",
    )
    chars = HashingVectorizer(
        n_features=2**18, analyzer="char_wb", ngram_range=(4, 4), alternate_sign=False, norm="l2"
    )
    return words, chars


def features(texts: list[str]) -> Any:
    from scipy.sparse import hstack  # type: ignore[import-untyped]

    words, chars = vectorizers()
    cleaned = [clean(t) for t in texts]
    return hstack([words.transform(cleaned), chars.transform(cleaned)]).tocsr()


@lru_cache(maxsize=1)
def _weights() -> tuple[npt.NDArray[np.float32], float]:
    data = np.load(MODEL_PATH)
    return data["coef"].astype(np.float32), float(data["intercept"])


def spam_probability(texts: list[str]) -> npt.NDArray[np.float64]:
    """P(spam) for each text."""
    if not texts:
        return np.zeros(0)
    coef, intercept = _weights()
    logits = features(texts) @ coef + intercept
    return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))
