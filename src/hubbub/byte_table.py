"""A table of distinct byte strings, looked up from compiled code (numba).

Open addressing on 64-bit FNV-1a hashes, at most half full; a hit is confirmed byte by byte, so
a hash collision never gives a false match. Used by the matcher's tokenizer (its elements and
prefixes) and by the NDJSON key scan (hubbub's field names).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from hubbub.compiled import compiled, inlined

IntArray = npt.NDArray[np.int64]
ByteArray = npt.NDArray[np.uint8]

FNV_OFFSET: Final = np.uint64(14695981039346656037)
FNV_PRIME: Final = np.uint64(1099511628211)


@inlined
def fnv_hash(data: ByteArray, start: int, end: int) -> np.uint64:
    """64-bit FNV-1a of data[start:end]."""
    h = FNV_OFFSET
    for i in range(start, end):
        h = (h ^ np.uint64(data[i])) * FNV_PRIME
    return h


@inlined
def find_key(
    slots: IntArray,
    hashes: npt.NDArray[np.uint64],
    starts: IntArray,
    lengths: IntArray,
    arena: ByteArray,
    h: np.uint64,
    data: ByteArray,
    start: int,
    end: int,
) -> int:
    """The id of key data[start:end] (hash h) in an open-addressing table, or -1."""
    mask = len(slots) - 1
    i = np.int64(h & np.uint64(mask))
    size = end - start
    while True:
        key = slots[i]
        if key < 0:
            return -1
        if hashes[key] == h and lengths[key] == size:
            offset = starts[key]
            same = True
            for j in range(size):
                if arena[offset + j] != data[start + j]:
                    same = False
                    break
            if same:
                return int(key)
        i = (i + 1) & mask


@compiled
def place_keys(slots: IntArray, hashes: npt.NDArray[np.uint64], first: int, last: int) -> None:
    """Put keys first..last-1 (distinct, not yet placed) in their slots."""
    mask = len(slots) - 1
    for key in range(first, last):
        i = np.int64(hashes[key] & np.uint64(mask))
        while slots[i] >= 0:
            i = (i + 1) & mask
        slots[i] = key


@compiled
def hash_keys(arena: ByteArray, starts: IntArray, lengths: IntArray) -> npt.NDArray[np.uint64]:
    out = np.empty(len(starts), np.uint64)
    for k in range(len(starts)):
        out[k] = fnv_hash(arena, starts[k], starts[k] + lengths[k])
    return out


class ByteTable:
    """Distinct byte strings -> ids 0, 1, ... in the order added; looked up in compiled code."""

    def __init__(self, keys: Sequence[bytes] = ()) -> None:
        self.count = 0
        self.arena: ByteArray = np.zeros(0, np.uint8)
        self.starts: IntArray = np.zeros(0, np.int64)
        self.lengths: IntArray = np.zeros(0, np.int64)
        self.hashes: npt.NDArray[np.uint64] = np.zeros(0, np.uint64)
        self.slots: IntArray = np.full(8, -1, np.int64)
        self.add(keys)

    def arrays(self) -> tuple[IntArray, npt.NDArray[np.uint64], IntArray, IntArray, ByteArray]:
        return self.slots, self.hashes, self.starts, self.lengths, self.arena

    def find(self, key: bytes) -> int:
        """The id of `key`, or -1 (the kernels look keys up themselves, without this)."""
        data = np.frombuffer(key, np.uint8)
        h = hash_keys(data, np.zeros(1, np.int64), np.array([len(key)], np.int64))[0]
        return int(find_key(*self.arrays(), h, data, 0, len(key)))

    def add(self, keys: Sequence[bytes]) -> None:
        """Add keys that are not in the table yet (and distinct)."""
        if not keys:
            return
        lengths = np.fromiter(map(len, keys), np.int64, len(keys))
        starts = len(self.arena) + np.cumsum(lengths) - lengths
        self.arena = np.concatenate([self.arena, np.frombuffer(b"".join(keys), np.uint8)])
        self.starts = np.concatenate([self.starts, starts])
        self.lengths = np.concatenate([self.lengths, lengths])
        self.hashes = np.concatenate([self.hashes, hash_keys(self.arena, starts, lengths)])
        first, self.count = self.count, self.count + len(keys)
        if 2 * self.count > len(self.slots):  # at most half full: probes stay short
            size = len(self.slots)
            while 2 * self.count > size:
                size *= 2
            self.slots = np.full(size, -1, np.int64)
            first = 0
        place_keys(self.slots, self.hashes, first, self.count)
