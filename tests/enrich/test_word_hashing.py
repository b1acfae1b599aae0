"""The compiled word 1-2-gram hashing behind the fast sentiment tier (enrich/word_hashing.py).

The kernel's token rules are checked through what they imply: texts that should tokenize
alike get identical feature rows, texts that should not get different ones.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from hubbub.enrich import word_hashing
from hubbub.enrich.sentiment import load_model

BITS = 18


def rows(*texts: str) -> list[tuple[tuple[int, ...], tuple[float, ...]]]:
    x = word_hashing.features(word_hashing.prepare(list(texts)), BITS)
    return [
        (tuple(x[i].indices.tolist()), tuple(np.round(x[i].data, 6).tolist()))
        for i in range(len(texts))
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("I LOVE it", "i love it"),  # case
        ("soooooo good", "soo good"),  # a third repeat adds nothing
        ("wow!!!!!", "wow!!"),
        ("thanks @bob", "thanks @alice_99"),  # any handle is @user
        ("see http://t.co/x1", "see https://example.com/a/b?c=d"),  # any link is http
        ("see www.example.com", "see http://t.co/x1"),
        ("“great” day…", "great day"),  # Unicode quotes and ellipsis separate
        ("great, day.", "great day"),
        ("😂😂", "😂 😂"),  # each pictograph is a token
        ("👍🏽", "👍"),  # a skin tone changes nothing
        ("❤️", "❤"),  # nor does a variation selector
        ("it&amp;s", "it&s"),  # HTML entities are decoded
        ("don\\u2019t", "don’t"),  # and literal escapes
        ("Straße", "straße"),
    ],
)
def test_texts_that_tokenize_alike_get_the_same_features(a: str, b: str) -> None:
    first, second = rows(a, b)
    assert first == second


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("#great", "great"),  # a hashtag is its own token
        ("don't", "don t"),  # apostrophes stay inside words
        ("not good", "good not"),  # bigrams keep the order
        ("café", "cafe"),  # accents are kept (they are letters)
        (":)", ":("),  # emoticons
        ("good!", "good?"),
        ("😂", "😭"),
        ("nikelab", "nike lab"),
    ],
)
def test_texts_that_differ_get_different_features(a: str, b: str) -> None:
    first, second = rows(a, b)
    assert first != second


def test_rows_are_unit_length_and_empty_texts_are_empty() -> None:
    x = word_hashing.features(word_hashing.prepare(["a b c a", "", None, "...", "ok"]), BITS)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    assert np.allclose(norms[[0, 4]], 1.0)
    assert x[1].nnz == x[2].nnz == x[3].nnz == 0
    # "a b c a": a (twice), b, c, and the bigrams a_b, b_c, c_a
    assert x[0].nnz == 6 and sorted(np.round(x[0].data * 3, 4)) == [1, 1, 1, 1, 1, 2]


def test_fused_scores_equal_the_feature_matrix_product(
    sentiment_val: tuple[list[str], list[str]],
) -> None:
    model = load_model("sentiment_fast")
    prepared = word_hashing.prepare(sentiment_val[0])
    fused = word_hashing.scores(prepared, BITS, model.weights, model.bias)
    product = word_hashing.features(prepared, BITS) @ model.weights + model.bias
    assert np.allclose(fused, product, atol=1e-5)


def test_sliced_and_chunked_arrays_read_their_own_rows(
    sentiment_val: tuple[list[str], list[str]],
) -> None:
    texts = sentiment_val[0][:200]
    whole = word_hashing.features(word_hashing.prepare(texts), BITS)
    sliced = word_hashing.features(word_hashing.prepare(pa.array(texts).slice(50, 100)), BITS)
    assert (sliced != whole[50:150]).nnz == 0
    chunked = pa.chunked_array([pa.array(texts[:70]), pa.array(texts[70:])])
    assert (word_hashing.features(word_hashing.prepare(chunked), BITS) != whole).nnz == 0
