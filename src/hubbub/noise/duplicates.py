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

from hubbub.noise.tokens import I64, U64, LINK_WORD, Tokens, clean, mix, word_hash

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
_CHUNK: Final = 1 << 16  # shingles hashed at once (x 64 permutations): bounds memory
_BATCH: Final = 20_000
_MENTION: Final = ord("@")


@dataclass(frozen=True)
class Shingles:
    """Each distinct normalised text's sorted, distinct word 3-shingle hashes (CSR layout), and
    which distinct text every input text is (-1: nothing left after normalising)."""

    distinct_of: I64
    offsets: I64
    values: U64

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


def collect(batches: list[tuple[U64, I64, U64]]) -> Shingles:
    """Join `shingle_hashes` of consecutive batches, collapsing exact copies."""
    hashes, docs, wholes, done = [], [], [], 0
    for h, d, w in batches:
        hashes.append(h)
        docs.append(d + done)
        wholes.append(w)
        done += len(w)
    whole = np.concatenate(wholes) if wholes else np.zeros(0, dtype=np.uint64)
    distinct_of = np.full(len(whole), -1, dtype=np.int64)
    present = np.flatnonzero(whole != 0)
    # np.unique sorts by hash; distinct texts are re-numbered by first appearance so that
    # "earlier" keeps meaning earlier in the input.
    _, first_at, inverse = np.unique(whole[present], return_index=True, return_inverse=True)
    order = np.argsort(first_at, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    distinct_of[present] = rank[inverse.ravel()]
    stands_for = np.zeros(len(whole), dtype=bool)  # the first text of each distinct text
    stands_for[present[first_at]] = True
    hash_all = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
    doc_all = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
    mine = stands_for[doc_all]
    owner, values = distinct_of[doc_all[mine]], hash_all[mine]
    by_owner = np.lexsort((values, owner))
    owner, values = owner[by_owner], values[by_owner]
    fresh = np.ones(len(values), dtype=bool)
    fresh[1:] = (owner[1:] != owner[:-1]) | (values[1:] != values[:-1])
    owner, values = owner[fresh], values[fresh]
    offsets = np.searchsorted(owner, np.arange(len(order) + 1)).astype(np.int64)
    return Shingles(distinct_of=distinct_of, offsets=offsets, values=values)


def signatures(sets: Shingles) -> npt.NDArray[np.uint32]:
    """The MinHash signature (64 values) of each distinct text."""
    out = np.empty((sets.count, _PERMUTATIONS), dtype=np.uint32)
    starts = sets.offsets[:-1]
    done = 0
    while done < sets.count:
        # Whole texts per chunk, so each text's minimum is taken in one place.
        last = int(np.searchsorted(sets.offsets, sets.offsets[done] + _CHUNK, "right")) - 1
        last = min(max(last, done + 1), sets.count)
        lo, hi = int(sets.offsets[done]), int(sets.offsets[last])
        with np.errstate(over="ignore"):
            # Permutations along rows: reduceat then runs over contiguous memory.
            hashed = ((_A[:, None] * sets.values[None, lo:hi] + _B[:, None]) >> np.uint64(32))
        out[done:last] = np.minimum.reduceat(
            hashed.astype(np.uint32), starts[done:last] - lo, axis=1
        ).T
        done = last
    return out


def candidate_pairs(signature: npt.NDArray[np.uint32]) -> I64:
    """Pairs (earlier, later) of distinct texts sharing an LSH bucket, as rows of an (m, 2) array."""
    count = len(signature)
    if count < 2:
        return np.zeros((0, 2), dtype=np.int64)
    rows = signature.astype(np.uint64).reshape(count, _BANDS, _ROWS)
    with np.errstate(over="ignore"):
        keys = np.zeros((count, _BANDS), dtype=np.uint64)
        for r in range(_ROWS):
            keys = mix(keys * _SHINGLE[0] + rows[:, :, r])
        keys = mix(keys + np.arange(_BANDS, dtype=np.uint64))  # a bucket belongs to one band
    flat = keys.ravel()
    text = np.repeat(np.arange(count), _BANDS)
    order = np.lexsort((text, flat))  # buckets, each in input order
    flat, text = flat[order], text[order]
    group_start = np.ones(len(flat), dtype=bool)
    group_start[1:] = flat[1:] != flat[:-1]
    begin = np.flatnonzero(group_start)[np.cumsum(group_start) - 1]
    rank = np.arange(len(flat)) - begin
    checks = np.minimum(rank, _BUCKET_CHECKS)
    later = np.repeat(np.arange(len(flat)), checks)
    earlier = np.repeat(begin, checks) + _ranges(checks)
    pairs = np.unique(text[earlier] * count + text[later])
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
    pair = np.concatenate([np.repeat(np.arange(len(pairs)), sizes[a]),
                           np.repeat(np.arange(len(pairs)), sizes[b])])
    where = np.concatenate([np.repeat(sets.offsets[a], sizes[a]) + _ranges(sizes[a]),
                            np.repeat(sets.offsets[b], sizes[b]) + _ranges(sizes[b])])
    # Each set has distinct values, so a (pair, value) seen twice is in both sets. One 64-bit
    # key per (pair, value) pair: the value xor a hash of the pair number.
    keys = sets.values[where] ^ mix(pair.astype(np.uint64))
    order = np.argsort(keys)
    keys = keys[order]
    twice = np.flatnonzero(keys[1:] == keys[:-1])
    both = np.bincount(pair[order][twice], minlength=len(pairs))
    return both / (sizes[a] + sizes[b] - both)


def cluster_shingles(sets: Shingles) -> I64:
    """A cluster number per text: the index of the cluster's first text (a text with no
    near-duplicate is its own cluster)."""
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

    pairs = candidate_pairs(signatures(sets))
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
        shingle_hashes(Tokens.of([clean(t) for t in texts[i : i + _BATCH]]))
        for i in range(0, len(texts), _BATCH)
    ]
    return cluster_shingles(collect(batches))


_LINK: Final = word_hash(LINK_WORD)
_RT: Final = word_hash("rt")
