"""Near-duplicate texts: MinHash over word 3-shingles with LSH banding, then union-find.

Texts are normalised first (lower case, links, mentions, a leading "RT" and punctuation
removed), so retweet chains and copy-paste campaigns that differ only in a link or a handle
hash the same. Two texts whose shingle sets have a Jaccard similarity of about 0.8 or more
share a band with high probability (16 bands of 4 rows: P(candidate) = 1 - (1 - s^4)^16);
a candidate pair joins a cluster only if its shingle sets really overlap (Jaccard >= 0.5).
"""

from __future__ import annotations

import re
import zlib
from typing import Final

import numpy as np
import numpy.typing as npt

_PRIME: Final = (1 << 61) - 1
_PERMUTATIONS: Final = 64
_BANDS: Final = 16
_ROWS: Final = _PERMUTATIONS // _BANDS
_rng = np.random.default_rng(20240501)
_A: Final = _rng.integers(1, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_B: Final = _rng.integers(0, _PRIME, _PERMUTATIONS, dtype=np.uint64)
MIN_JACCARD: Final = 0.5
_BUCKET_CHECKS: Final = 20  # compare with at most this many earlier texts per bucket
_NOISE: Final = re.compile(r"https?://\S+|www\.\S+|@\w+|^rt\b|[^\w\s#]", re.UNICODE)


def normalise(text: str | None) -> str:
    return " ".join(_NOISE.sub(" ", (text or "").lower()).split())


def shingles(words: list[str], size: int = 3) -> list[int]:
    if len(words) < size:
        return [zlib.crc32(" ".join(words).encode())] if words else []
    return [
        zlib.crc32(" ".join(words[i : i + size]).encode()) for i in range(len(words) - size + 1)
    ]


def signature(hashes: list[int]) -> npt.NDArray[np.uint64]:
    x = np.array(hashes, dtype=np.uint64)[:, None]
    # (a*x + b) mod p, computed in uint64 with wrap-around: a cheap universal-ish hash family.
    hashed: npt.NDArray[np.uint64] = ((x * _A + _B) % np.uint64(_PRIME)).min(axis=0)
    return hashed


def cluster(texts: list[str | None]) -> npt.NDArray[np.int64]:
    """A cluster number per text (texts with no near-duplicate get their own number)."""
    n = len(texts)
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    exact: dict[str, int] = {}
    buckets: dict[tuple[int, bytes], list[int]] = {}
    sets: dict[int, frozenset[int]] = {}
    for i, text in enumerate(texts):
        norm = normalise(text)
        if not norm:
            continue
        first = exact.setdefault(norm, i)
        if first != i:
            union(first, i)
            continue  # an exact copy: no need to hash it again
        hashes = shingles(norm.split())
        if not hashes:
            continue
        sig = signature(hashes)
        mine = sets[i] = frozenset(hashes)
        checked: set[int] = set()
        for band in range(_BANDS):
            key = (band, sig[band * _ROWS : (band + 1) * _ROWS].tobytes())
            bucket = buckets.setdefault(key, [])
            for other in bucket[:_BUCKET_CHECKS]:
                if other in checked:
                    continue
                checked.add(other)
                theirs = sets[other]
                # LSH only proposes; the real Jaccard similarity decides (short texts collide).
                if len(mine & theirs) >= MIN_JACCARD * len(mine | theirs):
                    union(other, i)
            bucket.append(i)
    return np.array([find(i) for i in range(n)], dtype=np.int64)
