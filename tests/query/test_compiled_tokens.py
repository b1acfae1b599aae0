"""The compiled batch tokenizer gives what `tokens.py` (the spec) gives: the same tokens for
ASCII chunks, and the same elements at the same positions for any text, across batches."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.byte_table import ByteTable, find_key, place_keys
from hubbub.query import features
from hubbub.query.compiled_tokens import split_tokens
from hubbub.query.features import FeatureIndex
from hubbub.query.tokens import raw_tokens, tokenize
from tests.query.corpus import airline_posts
from tests.realdata import semeval_tweets

#: Pieces that exercise every rule: URLs (and near misses), signs, inner apostrophes and dots,
#: hyphens, underscores, control and separator characters, Unicode spaces, accents, emoji.
PIECES = [
    "http://t.co/x",
    "https://a.b/c).",
    "https://",
    "http:/",
    "www.",
    "www.x,",
    "Www.x",
    "HTTP://x",
    "#",
    "@",
    "#Nike",
    "@nike_",
    "#_x",
    "don't",
    "u.s.",
    "a.",
    "'",
    "’",
    "-",
    "_",
    "on-hold",
    "Run",
    "runner",
    "1st",
    "\x01",
    "\x7f",
    "$",
    ":",
    "/",
    " ",
    "\t",
    "\n",
    "\x1c",
    "\u00a0",
    "\u2028",
    "\u3000",
    "café",
    "É",
    "e\u0301",
    "😀",
    "日本",
]


def _expected_tokens(text: str) -> list[str | None]:
    """`raw_tokens` chunk by chunk, None for a non-ASCII chunk (left to Python)."""
    out: list[str | None] = []
    for chunk in text.split():
        out.extend(raw_tokens(chunk) if chunk.isascii() else [None])
    return out


def _real_texts(shared_data: Path) -> list[str]:
    airline = [p["text"] for p in airline_posts(shared_data, 100_000)]
    return airline + [t for _, _, t in semeval_tweets(shared_data)][:20_000]


def test_ascii_chunks_tokenize_like_the_regex_on_real_posts(shared_data: Path) -> None:
    texts = _real_texts(shared_data)
    found = split_tokens(pa.array(texts))
    assert found == [_expected_tokens(t) for t in texts]
    tokens = [t for text in found for t in text if t is not None]
    # The real posts hold every kind of token the compiled code handles itself.
    for pattern in [r"https?://\S+", r"#\w+", r"@\w+", r"\w+'\w+", r"\w+\.\w+"]:
        assert sum(1 for t in tokens if re.fullmatch(pattern, t)) > 20, pattern
    assert sum(1 for text in found for t in text if t is None) > 100  # and non-ASCII chunks


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), max_size=5))
def test_ascii_chunks_tokenize_like_the_regex_on_odd_text(texts: list[str]) -> None:
    assert split_tokens(pa.array(texts, pa.string())) == [_expected_tokens(t) for t in texts]


def _index(words: list[str], prefixes: list[str]) -> FeatureIndex:
    index = FeatureIndex()
    for word in words:
        index.element(word)
    for prefix in prefixes:
        index.element("\x00" + prefix)
    index.freeze()
    return index


def _expected_elements(
    index: FeatureIndex, texts: list[str | None]
) -> tuple[list[int], list[tuple[int, int]]]:
    """(document, (position, element) pairs) from `tokens.tokenize` and the element rules:
    a folded token is an element, so is a hashtag's bare word, and a word starting with a
    registered prefix provides that prefix."""
    words = {e: f for e, f in index.elements.items() if not e.startswith("\x00")}
    prefixes = {e[1:]: f for e, f in index.elements.items() if e.startswith("\x00")}
    document: list[int] = []
    pairs: list[tuple[int, int]] = []
    for k, text in enumerate(texts):
        for token in tokenize(text).folded:
            forms = [token, token[1:]] if token.startswith("#") else [token]
            found = {words[f] for f in forms if f in words}
            found |= {
                prefixes[f[:n]] for f in forms for n in range(len(f) + 1) if f[:n] in prefixes
            }
            pairs.extend((len(document), e) for e in sorted(found))
            document.append(k)
        document.append(-1)
    return document, pairs


def _elements(
    index: FeatureIndex, texts: list[str | None]
) -> tuple[list[int], list[tuple[int, int]]]:
    document, position, element = index.elements_at(pa.array(texts, pa.string()))
    return document.tolist(), list(zip(position.tolist(), element.tolist(), strict=True))


def test_elements_at_each_position_are_the_spec_s_on_real_posts(shared_data: Path) -> None:
    texts: list[str | None] = [*_real_texts(shared_data)[:12_000], None, ""]
    rng = random.Random(3)
    folded = sorted({t for text in texts[:3000] for t in tokenize(text).folded})
    words = rng.sample(folded, 3000)  # words, hashtags, mentions, URLs, emoji, accented words
    words += [w.lstrip("#") for w in folded if w.startswith("#")][:200]
    prefixes = sorted({w[:n] for w in rng.sample(folded, 400) for n in (1, 3, 5) if len(w) > n})
    index = _index(words, prefixes)
    expected = _expected_elements(index, texts)
    assert _elements(index, texts) == expected
    assert len(expected[1]) > 50_000
    # Among them non-ASCII tokens (Python's path) and prefix matches (the compiled one).
    non_ascii = {index.elements[w] for w in words if not w.isascii()}
    assert sum(1 for _, e in expected[1] if e in non_ascii) > 20
    assert sum(1 for _, e in expected[1] if index.names[e].startswith("\x00")) > 1000


def test_chunks_seen_before_give_the_same_elements(shared_data: Path) -> None:
    """The non-ASCII chunks a tokenizer remembers only save work, whatever came before."""
    texts: list[str | None] = list(_real_texts(shared_data)[:6000])
    words = ["café", "😀", "that’s", "nike", "#united", "united", "delayed", "👍"]
    streaming, fresh = _index(words, ["fli", "caf", "✈"]), _index(words, ["fli", "caf", "✈"])
    for start in range(0, 4000, 1000):
        _elements(streaming, texts[start : start + 2000])
    assert _elements(streaming, texts[3000:]) == _elements(fresh, texts[3000:])
    assert _elements(fresh, texts[3000:]) == _expected_elements(fresh, texts[3000:])


def test_forgetting_the_chunks_seen_changes_nothing(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `_VOCABULARY_SIZE` non-ASCII chunks the tokenizer forgets them all (made small
    here, so that it happens between every batch)."""
    texts: list[str | None] = list(_real_texts(shared_data)[:3000])
    words = ["café", "😀", "that’s", "nike", "#united", "united"]
    expected = [_elements(_index(words, ["caf"]), texts[i : i + 500]) for i in range(0, 3000, 500)]
    monkeypatch.setattr(features, "_VOCABULARY_SIZE", 5)
    index = _index(words, ["caf"])
    found = []
    for i in range(0, 3000, 500):
        batch = texts[i : i + 500]
        found.append(_elements(index, batch))
        chunks = {c for text in batch for c in (text or "").split() if not c.isascii()}
        assert index._tokenizer.chunks_seen == len(chunks) > 5  # the others were forgotten
    assert found == expected


def test_prefixes_of_any_length_including_none() -> None:
    """Prefixes shorter and longer than the first-bytes filter's, and the empty prefix (a
    word starting with anything)."""
    texts: list[str | None] = ["Running runners run RUN #runway r", "rerun"]
    for prefixes in (["r", "run", "runn", "runners"], ["runways"], [""], ["ru", "x" * 80]):
        index = _index(["run", "runway"], prefixes)
        assert _elements(index, texts) == _expected_elements(index, texts)


def test_a_slice_of_an_array_is_its_texts_only() -> None:
    """Arrow slices share their parent's buffers: only the slice's texts are read."""
    texts: list[str | None] = ["nike café", "Running #nike", None, "", "café run 😀"]
    index = _index(["nike", "cafe", "😀"], ["run"])
    document, position, element = index.elements_at(pa.array(texts, pa.string()).slice(1, 3))
    assert (document.tolist(), list(zip(position.tolist(), element.tolist(), strict=True))) == (
        _expected_elements(index, texts[1:4])
    )
    assert document.tolist() == [0, 0, -1, -1, -1]


def test_byte_table_compares_keys_not_only_hashes() -> None:
    """Keys are found by their bytes; two keys with the same hash (a collision, forced here
    by storing one hash for both) are still told apart."""
    keys = [f"key{i}".encode() for i in range(100)] + ["café".encode(), b""]
    table = ByteTable(keys)
    assert [table.find(k) for k in keys] == list(range(len(keys)))
    assert table.find(b"key100") == -1 and table.find(b"caf") == -1
    table.hashes[1] = table.hashes[0]
    table.slots[:] = -1
    place_keys(table.slots, table.hashes, 0, table.count)
    same = table.hashes[0]
    for key, expected in [(keys[0], 0), (keys[1], 1), (b"key2", -1)]:
        data = np.frombuffer(key, np.uint8)
        assert find_key(*table.arrays(), same, data, 0, len(key)) == expected
