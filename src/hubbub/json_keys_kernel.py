"""The compiled part of `json_keys` (numba): imported only when a chunk is scanned."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from hubbub.compiled import compiled, inlined
from hubbub.json_keys import (
    ARRAY,
    BOOLEAN,
    ESCAPED_KEY,
    INTEGER,
    MIXED_ARRAY,
    NULL,
    NUMBER,
    OBJECT,
    SLOTS,
    STRING,
)

IntArray = npt.NDArray[np.int64]
ByteArray = npt.NDArray[np.uint8]


@inlined
def slot(data: ByteArray, start: int, end: int, shifts: IntArray) -> int:
    """A cheap hash of a key: its length and three of its bytes (see KeyScanner)."""
    size = end - start
    if size <= 0:
        return 0
    first, middle, last = int(data[start]), int(data[start + size // 2]), int(data[end - 1])
    mixed = size ^ (first << shifts[0]) ^ (middle << shifts[1]) ^ (last << shifts[2])
    return int(mixed & (SLOTS - 1))


@inlined
def _number_kind(data: ByteArray, j: int) -> int:
    digits = 0
    n = len(data)
    while j < n:
        c = data[j]
        if 48 <= c <= 57:
            digits += 1
        elif c == 46 or c == 101 or c == 69:  # . e E
            return NUMBER
        elif c != 45 and c != 43:  # - +
            break
        j += 1
    return INTEGER if 0 < digits <= 18 else NUMBER


@inlined
def _array_kind(data: ByteArray, j: int) -> int:
    """ARRAY if the array starting at data[j] (just after '[') holds only strings."""
    n = len(data)
    while j < n:
        c = data[j]
        if c == 32 or c == 9 or c == 13 or c == 10 or c == 44:  # whitespace, ','
            j += 1
        elif c == 93:  # ']'
            return ARRAY
        elif c == 34:
            j += 1
            while j < n and data[j] != 34:
                j += 2 if data[j] == 92 else 1
            j += 1
        else:
            return MIXED_ARRAY
    return MIXED_ARRAY


_ONES: Final = np.uint64(0x0101010101010101)
_HIGHS: Final = np.uint64(0x8080808080808080)
_QUOTES: Final = np.uint64(0x2222222222222222)  # '"' in every byte
_BACKSLASHES: Final = np.uint64(0x5C5C5C5C5C5C5C5C)


@inlined
def _plain_word(word: np.uint64) -> bool:
    """True if none of the word's 8 bytes is a quote or a backslash (the zero-byte test on
    word XOR pattern: a byte becomes zero exactly where it matched)."""
    q = word ^ _QUOTES
    b = word ^ _BACKSLASHES
    return bool(((q - _ONES) & ~q & _HIGHS) | ((b - _ONES) & ~b & _HIGHS) == np.uint64(0))


@compiled
def scan(
    data: ByteArray,
    words: npt.NDArray[np.uint64],
    lead: int,
    slots: IntArray,
    shifts: IntArray,
    starts: IntArray,
    lengths: IntArray,
    arena: ByteArray,
) -> IntArray:
    fields = len(starts)
    seen = np.zeros(fields + 1, np.int64)
    n = len(data)
    i = 0
    key_start = 0  # first byte of the last string
    key_end = 0  # its closing quote
    escaped = False
    while i < n:
        b = data[i]
        if b == 34:  # '"': a string; skip to its end
            key_start = i + 1
            escaped = False
            i += 1
            while i < n:
                # Inside a string, 8 bytes at a time while none can end it (most of a text);
                # `words` is `data[lead:]` read as aligned 8-byte words.
                while (
                    ((i - lead) & 7) == 0
                    and 0 <= (i - lead) >> 3 < len(words)
                    and _plain_word(words[(i - lead) >> 3])
                ):
                    i += 8
                if i >= n:
                    break
                c = data[i]
                if c == 92:  # backslash: the next byte is escaped
                    escaped = True
                    i += 2
                    continue
                if c == 34:
                    break
                i += 1
            key_end = i
            i += 1
            continue
        if b != 58:  # not ':'
            i += 1
            continue
        # The string that ended last is a key; which field is it?
        if escaped:
            seen[fields] |= ESCAPED_KEY
            i += 1
            continue
        i += 1
        field = slots[slot(data, key_start, key_end, shifts)]
        if field < 0 or lengths[field] != key_end - key_start:
            continue
        same = True
        for k in range(lengths[field]):
            if arena[starts[field] + k] != data[key_start + k]:
                same = False
                break
        if not same:
            continue
        j = i
        while j < n and (data[j] == 32 or data[j] == 9 or data[j] == 13 or data[j] == 10):
            j += 1
        if j >= n:
            break
        c = data[j]
        if c == 34:
            seen[field] |= STRING
        elif c == 123:
            seen[field] |= OBJECT
        elif c == 116 or c == 102:
            seen[field] |= BOOLEAN
        elif c == 110:
            seen[field] |= NULL
        elif c == 91:
            seen[field] |= _array_kind(data, j + 1)
        else:
            seen[field] |= _number_kind(data, j)
    return seen
