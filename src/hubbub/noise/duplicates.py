"""Near-duplicate texts: MinHash over word 3-shingles with LSH banding, then connected components.

Texts are normalised first (links, mentions, a leading "RT" and punctuation dropped, lower case),
so retweet chains and copy-paste campaigns that differ only in a link or a handle hash the same.
Exact copies (the same word sequence) are collapsed before any MinHash work. Two texts whose
shingle sets have a Jaccard similarity of about 0.8 or more share a band with high probability
(16 bands of 4 rows: P(candidate) = 1 - (1 - s^4)^16); a candidate pair joins a cluster only if
its shingle sets really overlap (Jaccard >= 0.5), computed exactly.

Everything runs on numpy arrays over the whole batch (tokens.py hashes the words): signatures are
vectorised multiply-shift hashes, LSH buckets are found by sorting band keys, and clusters are the
connected components of the confirmed pairs (scipy), so no Python loop runs per text or per pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from hubbub.noise.tokens import I64, LINK_WORD, U64, Tokens, clean, mix, word_hash

_PERMUTATIONS: Final = 64
_BANDS: Final = 16
_ROWS: Final = _PERMUTATIONS // _BANDS
_rng = np.random.default_rng(20240501)
# Multiply-shift hashing (Dietzfelbinger et al.): h(x) = (a*x + b mod 2**64) >> 32, a odd.
_A: Final = _rng.integers(0, 1 << 63, _PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B: Final = _rng.integers(0, 1 << 63, _PERMUTATIONS, dtype=np.uint64)
MIN_JACCARD: Final = 0.5
_BUCKET_CHECKS: Final = 20  # a text is compared with at most this many earlier texts per bucket
_SHINGLE: Final = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))
_CHUNK: Final = 1 << 12  # shingles hashed at once (x 64 permutations): stays in cache
_BATCH: Final = 10_000  # texts tokenised at once: bounds memory
_MENTION: Final = ord("@")


@dataclass(frozen=True)
class Batch:
    """One batch's shingles: (hash, text) of each shingle, grouped by text; a hash of each
    text's whole word sequence (0: nothing left after normalising); each text's signature."""

    hashes: U64
    docs: I64
    whole: U64
    signature: npt.NDArray[np.uint32]


@dataclass(frozen=True)
class Shingles:
    """Each distinct normalised text's shingle hashes (CSR layout) and MinHash signature, and
    which distinct text every input text is (-1: nothing left after normalising)."""

    distinct_of: I64
    offsets: I64
    values: U64
    signature: npt.NDArray[np.uint32]

    @property
    def count(self) -> int:
        return len(self.offsets) - 1


def kept_words(tokens: Tokens) -> tuple[U64, I64]:
    """Word hashes and texts after dropping mentions, link markers and a leading "rt"."""
    starts, doc = tokens.word_starts, tokens.word_doc
    mention = tokens.codes[np.maximum(starts - 1, 0)] == _MENTION
    first = np.ones(len(doc), dtype=bool)
    first[1:] = doc[1:] != doc[:-1]
    keep = ~mention & (tokens.word_hashes != _LINK) & ~(first & (tokens.word_hashes == _RT))
    return tokens.word_hashes[keep], doc[keep]


def shingle_hashes(tokens: Tokens) -> tuple[U64, I64, U64]:
    """(shingle hash, text) of each word 3-shingle, and a hash of each text's whole word sequence
    (0 for a text with no words). A text of one or two words is one shingle."""
    words, doc = kept_words(tokens)
    n = len(words)
    with np.errstate(over="ignore"):
        second = np.zeros(n, dtype=np.uint64)
        third = np.zeros(n, dtype=np.uint64)
        has2 = np.zeros(n, dtype=bool)
        has3 = np.zeros(n, dtype=bool)
        has2[:-1] = doc[1:] == doc[:-1]
        has3[:-2] = doc[2:] == doc[:-2]
        second[:-1] = np.where(has2[:-1], words[1:], 0)
        third[:-2] = np.where(has3[:-2], words[2:], 0)
        hashes = mix(words * _SHINGLE[0] + second * _SHINGLE[1] + third)
        first = np.ones(n, dtype=bool)
        first[1:] = doc[1:] != doc[:-1]
        keep = has3 | (first & ~has3)  # every full shingle, or a short text's only one
        # The whole sequence: a sum of position-mixed word hashes (order matters, cheap).
        position = np.arange(n) - np.flatnonzero(first)[np.cumsum(first) - 1]
        whole = np.zeros(tokens.size, dtype=np.uint64)
        np.add.at(whole, doc, mix(words + mix(position.astype(np.uint64))))
    whole[np.bincount(doc, minlength=tokens.size) == 0] = 0
    return hashes[keep], doc[keep], whole


def batch(tokens: Tokens) -> Batch:
    """Everything near-duplicate detection needs from one tokenised batch; only the LSH step
    (`cluster_shingles`) needs all batches at once."""
    hashes, docs, whole = shingle_hashes(tokens)
    signature = np.zeros((tokens.size, _PERMUTATIONS), dtype=np.uint32)
    present = np.flatnonzero(np.bincount(docs, minlength=tokens.size))
    offsets = np.searchsorted(docs, np.append(present, tokens.size))
    signature[present] = signatures(hashes, offsets)
    return Batch(hashes, docs, whole, signature)


def signatures(values: U64, offsets: I64) -> npt.NDArray[np.uint32]:
    """The MinHash signature (64 values) of each text whose shingles are values[offsets[k]:
    offsets[k + 1]] (none empty)."""
    count = len(offsets) - 1
    out = np.empty((count, _PERMUTATIONS), dtype=np.uint32)
    done = 0
    while done < count:
        # Whole texts per chunk, so each text's minimum is taken in one place.
        last = int(np.searchsorted(offsets, offsets[done] + _CHUNK, "right")) - 1
        last = min(max(last, done + 1), count)
        lo, hi = int(offsets[done]), int(offsets[last])
        with np.errstate(over="ignore"):
            # Permutations along rows: reduceat then runs over contiguous memory.
            hashed = (_A[:, None] * values[None, lo:hi] + _B[:, None]) >> np.uint64(32)
        out[done:last] = np.minimum.reduceat(
            hashed.astype(np.uint32), offsets[done:last] - lo, axis=1
        ).T
        done = last
    return out


def collect(batches: list[Batch]) -> Shingles:
    """Join consecutive batches, collapsing exact copies into one distinct text."""
    if not batches:
        empty = np.zeros(0, dtype=np.int64)
        return Shingles(
            empty,
            np.zeros(1, dtype=np.int64),
            empty.astype(np.uint64),
            np.zeros((0, _PERMUTATIONS), dtype=np.uint32),
        )
    whole = np.concatenate([b.whole for b in batches])
    starts = np.cumsum([0] + [len(b.whole) for b in batches[:-1]])
    doc_all = np.concatenate([b.docs + start for b, start in zip(batches, starts, strict=True)])
    hash_all = np.concatenate([b.hashes for b in batches])
    distinct_of = np.full(len(whole), -1, dtype=np.int64)
    present = np.flatnonzero(whole != 0)
    # np.unique sorts by hash; distinct texts are re-numbered by first appearance so that
    # "earlier" keeps meaning earlier in the input.
    _, first_at, inverse = np.unique(whole[present], return_index=True, return_inverse=True)
    order = np.argsort(first_at, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    distinct_of[present] = rank[inverse.ravel()]
    representative = present[first_at[order]]  # the first text of each distinct text
    stands_for = np.zeros(len(whole), dtype=bool)
    stands_for[representative] = True
    mine = stands_for[doc_all]
    # Representatives come in input order, so their shingles are already grouped by owner.
    owner, values = distinct_of[doc_all[mine]], hash_all[mine]
    offsets = np.searchsorted(owner, np.arange(len(order) + 1)).astype(np.int64)
    signature = np.concatenate([b.signature for b in batches])[representative]
    return Shingles(distinct_of, offsets, values, signature)


def candidate_pairs(signature: npt.NDArray[np.uint32]) -> I64:
    """Pairs (earlier, later) of distinct texts sharing an LSH bucket, as rows of an (m, 2) array.

    A band's 4 rows are two uint64 words, hashed into one bucket key; sorting the keys (stable,
    so each bucket lists texts in input order) finds the buckets, and each text is paired with
    the first few texts of its bucket."""
    count = len(signature)
    if count < 2:
        return np.zeros((0, 2), dtype=np.int64)
    words = np.ascontiguousarray(signature).view(np.uint64).reshape(count, _BANDS, _ROWS // 2)
    with np.errstate(over="ignore"):
        keys = mix(words[:, :, 0] * _SHINGLE[0] + words[:, :, 1])
    found = []
    for band in range(_BANDS):
        text = np.argsort(keys[:, band], kind="stable")
        key = keys[text, band]
        group_start = np.ones(count, dtype=bool)
        group_start[1:] = key[1:] != key[:-1]
        begin = np.flatnonzero(group_start)[np.cumsum(group_start) - 1]
        checks = np.minimum(np.arange(count) - begin, _BUCKET_CHECKS)
        later = np.repeat(text, checks)
        earlier = text[np.repeat(begin, checks) + _ranges(checks)]
        found.append(earlier * count + later)
    pairs = np.unique(np.concatenate(found))
    return np.column_stack([pairs // count, pairs % count])


def _ranges(lengths: I64) -> I64:
    """0..n-1 for each n in lengths, concatenated."""
    total = int(lengths.sum())
    ends = np.cumsum(lengths)
    return np.arange(total) - np.repeat(ends - lengths, lengths)


def jaccard(sets: Shingles, pairs: I64) -> npt.NDArray[np.float64]:
    """The exact Jaccard similarity of each pair's shingle sets."""
    if len(pairs) == 0:
        return np.zeros(0)
    sizes = np.diff(sets.offsets)
    a, b = pairs[:, 0], pairs[:, 1]
    numbers = np.arange(len(pairs))
    pair = np.concatenate([np.repeat(numbers, sizes[a]), np.repeat(numbers, sizes[b])])
    side = np.repeat(np.array([0, 1], dtype=np.uint64), [sizes[a].sum(), sizes[b].sum()])
    where = np.concatenate(
        [
            np.repeat(sets.offsets[a], sizes[a]) + _ranges(sizes[a]),
            np.repeat(sets.offsets[b], sizes[b]) + _ranges(sizes[b]),
        ]
    )
    values = sets.values[where]
    # Sets, not lists: a shingle repeated in one text counts once. Each (pair, side, value) is
    # keyed as one 64-bit value: the value xor a hash of the pair and side.
    _, once = np.unique(
        values ^ mix(pair.astype(np.uint64) * np.uint64(2) + side), return_index=True
    )
    pair, values, side = pair[once], values[once], side[once]
    size_a = np.bincount(pair[side == 0], minlength=len(pairs))
    size_b = np.bincount(pair[side == 1], minlength=len(pairs))
    keys = values ^ mix(pair.astype(np.uint64))
    order = np.argsort(keys)
    twice = np.flatnonzero(keys[order][1:] == keys[order][:-1])  # in both sets
    both = np.bincount(pair[order][twice], minlength=len(pairs))
    return both / (size_a + size_b - both)


def cluster_shingles(sets: Shingles) -> I64:
    """A cluster number per text: the index of the cluster's first text (a text with no
    near-duplicate is its own cluster)."""
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

    pairs = candidate_pairs(sets.signature)
    pairs = pairs[jaccard(sets, pairs) >= MIN_JACCARD]
    edges = coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])),
        shape=(sets.count, sets.count),
    )
    _, component = connected_components(edges, directed=False)
    labels = np.arange(len(sets.distinct_of), dtype=np.int64)
    present = np.flatnonzero(sets.distinct_of >= 0)
    group = component[sets.distinct_of[present]]
    first = np.full(int(group.max()) + 1 if len(group) else 0, len(labels), dtype=np.int64)
    np.minimum.at(first, group, present)
    labels[present] = first[group]
    return labels


def cluster(texts: list[str | None]) -> I64:
    """A cluster number per text (see `cluster_shingles`)."""
    batches = [
        batch(Tokens.of([clean(t) for t in texts[i : i + _BATCH]]))
        for i in range(0, len(texts), _BATCH)
    ]
    return cluster_shingles(collect(batches))


_LINK: Final = word_hash(LINK_WORD)
_RT: Final = word_hash("rt")
