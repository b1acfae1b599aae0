"""The compiled part of `json_keys` (numba): imported only when a chunk is scanned."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from hubbub.compiled import compiled, inlined
from hubbub.json_keys import (
    ARRAY,
    BOOLEAN,
    CHECK_PADDED,
    ESCAPED_KEY,
    INTEGER,
    MIXED_ARRAY,
    NOT_ISO,
    NULL,
    NUMBER,
    OBJECT,
    PADDED,
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


@inlined
def _digit(c: int) -> bool:
    return 48 <= c <= 57


@inlined
def _hour(a: int, b: int) -> bool:
    """00-23"""
    return (48 <= a <= 49 and 48 <= b <= 57) or (a == 50 and 48 <= b <= 51)


@inlined
def _sixty(a: int, b: int) -> bool:
    """00-59"""
    return 48 <= a <= 53 and 48 <= b <= 57


@inlined
def _iso_time(data: ByteArray, s: int, e: int) -> bool:
    """`data[s:e]` fully matches native_ndjson._ISO_TIME, written out as steps:
    [1-9]ddd-dd-dd, then optionally [T ]HH:MM, optionally :SS with .d{1,6}, then optionally
    Z or [+-]HH with an optional [:]MM."""
    if e - s < 10:
        return False
    if not (49 <= data[s] <= 57 and _digit(data[s + 1]) and _digit(data[s + 2])):
        return False
    if not (_digit(data[s + 3]) and data[s + 4] == 45 and _digit(data[s + 5])):
        return False
    if not (_digit(data[s + 6]) and data[s + 7] == 45):
        return False
    if not (_digit(data[s + 8]) and _digit(data[s + 9])):
        return False
    p = s + 10
    if p == e:
        return True
    if (data[p] != 84 and data[p] != 32) or e - p < 6:  # 'T' or ' ', then HH:MM
        return False
    if not (_hour(data[p + 1], data[p + 2]) and data[p + 3] == 58):
        return False
    if not _sixty(data[p + 4], data[p + 5]):
        return False
    p += 6
    if p < e and data[p] == 58:  # :SS
        if e - p < 3 or not _sixty(data[p + 1], data[p + 2]):
            return False
        p += 3
        if p < e and data[p] == 46:  # .d{1,6}
            q = p + 1
            while q < e and q - p <= 6 and _digit(data[q]):
                q += 1
            if q == p + 1:
                return False
            p = q
    if p == e:
        return True
    if data[p] == 90:  # Z
        return p + 1 == e
    if (data[p] != 43 and data[p] != 45) or e - p < 3 or not _hour(data[p + 1], data[p + 2]):
        return False
    p += 3
    if p == e:
        return True
    if data[p] == 58:
        p += 1
    return e - p == 2 and _sixty(data[p], data[p + 1])


@inlined
def _wide_trim_char(data: ByteArray, k: int) -> bool:
    """Whether the three bytes at k are U+FEFF or U+200B in UTF-8."""
    a, b, c = int(data[k]), int(data[k + 1]), int(data[k + 2])
    return (a == 0xEF and b == 0xBB and c == 0xBF) or (a == 0xE2 and b == 0x80 and c == 0x8B)


@inlined
def _padded(data: ByteArray, s: int, e: int, escape_end: int) -> bool:
    """May the string value `data[s:e]` start or end with one of TRIM_CHARS? A space or a
    control byte, a \\t \\r \\n or \\u escape (`escape_end`: where the last one in it ends),
    or U+FEFF or U+200B, first or last."""
    if e <= s:
        return False
    if data[s] <= 32 or data[e - 1] <= 32 or escape_end == e:
        return True
    if data[s] == 92 and s + 1 < e:
        c = data[s + 1]
        if c == 116 or c == 114 or c == 110 or c == 117:
            return True
    return e - s >= 3 and (_wide_trim_char(data, s) or _wide_trim_char(data, e - 3))


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
    checks: IntArray,
    marked: IntArray,
    marked_at: IntArray,
) -> IntArray:
    fields = len(starts)
    seen = np.zeros(fields + 2, np.int64)  # then the escaped-key bit, then len(marked) used
    line = 0  # newlines passed (outside strings, the only place valid JSON has them)
    line_start = 0
    count = 0  # lines marked
    n = len(data)
    i = 0
    key_start = 0  # first byte of the last string
    key_end = 0  # its closing quote
    escaped = False
    pending = -1  # the field whose string value the next string is (if it is checked)
    escape_end = -1  # where the last whitespace or \u escape of this string ends
    while i < n:
        b = data[i]
        if b == 34:  # '"': a string; skip to its end
            key_start = i + 1
            escaped = False
            escape_end = -1
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
                    if i + 1 < n:
                        e = data[i + 1]
                        if e == 116 or e == 114 or e == 110:  # \t \r \n
                            escape_end = i + 2
                        elif e == 117:  # \uXXXX
                            escape_end = i + 6
                    i += 2
                    continue
                if c == 34:
                    break
                i += 1
            key_end = i
            if pending >= 0:
                bit = 0
                if checks[pending] == CHECK_PADDED:
                    if _padded(data, key_start, min(key_end, n), escape_end):
                        bit = PADDED
                elif escaped or not _iso_time(data, key_start, min(key_end, n)):
                    bit = NOT_ISO
                if bit:
                    seen[pending] |= bit
                    if count < len(marked) and (count == 0 or marked[count - 1] != line):
                        marked[count] = line
                        marked_at[count] = line_start
                        count += 1
                pending = -1
            i += 1
            continue
        if b != 58:  # not ':'
            if b == 10:
                line += 1
                line_start = i + 1
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
            if checks[field]:
                pending = field
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
    seen[fields + 1] = count
    return seen
