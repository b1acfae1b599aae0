"""The compiled part of `id_hashes` (numba): imported only when a large batch is checked."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from hubbub.compiled import compiled

UIntArray = npt.NDArray[np.uint64]

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_EMPTY = np.uint64(0)


@compiled
def hash_strings(offsets: npt.NDArray[np.int32], data: npt.NDArray[np.uint8], out: UIntArray) -> None:
    """64-bit FNV-1a of each string `data[offsets[k]:offsets[k + 1]]` into `out[k]`, never 0
    (0 marks an empty slot in the tables below)."""
    for k in range(len(out)):
        h = _FNV_OFFSET
        for j in range(offsets[k], offsets[k + 1]):
            h = (h ^ np.uint64(data[j])) * _FNV_PRIME
        out[k] = h if h != _EMPTY else np.uint64(1)


@compiled
def _table_of(hashes: UIntArray) -> tuple[UIntArray, bool]:
    """An open-addressing set of `hashes` (at most half full), and whether one repeated."""
    size = 1 << max(4, int(np.ceil(np.log2(max(len(hashes), 1) * 2 + 1))))
    table = np.zeros(size, np.uint64)
    mask = np.uint64(size - 1)
    repeated = False
    for h in hashes:
        slot = h & mask
        while table[slot] != _EMPTY and table[slot] != h:
            slot = (slot + np.uint64(1)) & mask
        if table[slot] == h:
            repeated = True
        table[slot] = h
    return table, repeated


@compiled
def any_repeated(hashes: UIntArray) -> bool:
    return _table_of(hashes)[1]


@compiled
def any_common(hashes: UIntArray, others: UIntArray) -> bool:
    table, _ = _table_of(others)
    mask = np.uint64(len(table) - 1)
    for h in hashes:
        slot = h & mask
        while table[slot] != _EMPTY:
            if table[slot] == h:
                return True
            slot = (slot + np.uint64(1)) & mask
    return False
