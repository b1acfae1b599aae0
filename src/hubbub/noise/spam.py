"""Spam probability for posts and comments: a logistic regression over hashed word 1-2-grams
and character 4-grams, trained here on the YouTube Spam Collection (training/train_spam.py)
and shipped as a small weight file.

Hashing means no vocabulary to ship or to go stale. Each block of features (words, characters)
is a count vector scaled by 1/sqrt(number of n-grams in the text), so a text's logit is a
per-text sum of looked-up weights: `np.bincount` over the whole batch, no sparse matrix and no
Python loop per text (tokens.py does the hashing, shared with near-duplicate detection).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from hubbub.noise.tokens import Tokens, clean, mix

MODEL_PATH: Final = Path(__file__).with_name("spam_model.npz")
MODEL_NAME: Final = "hubbub-spam-lr-2"
BITS: Final = 18  # 2**18 buckets per block
BLOCKS: Final = 2  # words (1- and 2-grams), then character 4-grams
_PAIR: Final = np.uint64(0x9E3779B97F4A7C15)
_BATCH: Final = 10_000  # texts tokenised at once: bounds memory on large stores


def feature_columns(tokens: Tokens) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """(text, column) of every n-gram, per block; columns of block k start at k * 2**BITS."""
    words, doc = tokens.word_hashes, tokens.word_doc
    same = doc[1:] == doc[:-1]
    with np.errstate(over="ignore"):
        pairs = mix(words[:-1][same] * _PAIR + words[1:][same])
    word_hashes = np.concatenate([words, pairs])
    word_docs = np.concatenate([doc, doc[:-1][same]])
    chars, char_docs = tokens.char_grams(4)
    shift = np.uint64(64 - BITS)
    return [
        (word_docs, (word_hashes >> shift).astype(np.int64)),
        (char_docs, (chars >> shift).astype(np.int64) + (1 << BITS)),
    ]


def features(texts: list[str]) -> Any:
    """The model's input as a sparse matrix (for training; scoring never builds it)."""
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

    tokens = Tokens.of([clean(t) for t in texts])
    rows, cols, values = [], [], []
    for doc, col in feature_columns(tokens):
        counts = np.bincount(doc, minlength=tokens.size)
        rows.append(doc)
        cols.append(col)
        values.append(1.0 / np.sqrt(counts[doc]))
    return csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
        shape=(tokens.size, BLOCKS << BITS),
    )


@lru_cache(maxsize=1)
def _weights() -> tuple[npt.NDArray[np.float64], float]:
    data = np.load(MODEL_PATH)
    return data["coef"].astype(np.float64), float(data["intercept"])


def spam_from_tokens(tokens: Tokens) -> npt.NDArray[np.float64]:
    """P(spam) for each text of an already tokenised batch."""
    coef, intercept = _weights()
    logits: npt.NDArray[np.float64] = np.full(tokens.size, intercept)
    for doc, col in feature_columns(tokens):
        counts = np.bincount(doc, minlength=tokens.size)
        sums = np.bincount(doc, weights=coef[col], minlength=tokens.size)
        logits += sums / np.sqrt(np.maximum(counts, 1))
    probabilities: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-logits))
    return probabilities


def spam_probability(texts: list[str]) -> npt.NDArray[np.float64]:
    """P(spam) for each text."""
    parts = [
        spam_from_tokens(Tokens.of([clean(t) for t in texts[i : i + _BATCH]]))
        for i in range(0, len(texts), _BATCH)
    ]
    return np.concatenate(parts) if parts else np.zeros(0)
