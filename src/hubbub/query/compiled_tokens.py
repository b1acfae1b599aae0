"""The batch matcher's tokenizer in compiled code (numba), over Arrow's UTF-8 buffers.

`tokens.py` is the spec; this computes, for a whole batch of texts, which elements (feature
ids of `features.py`) each token position provides, with Python running only for non-ASCII
chunks it has not seen before. It relies on what `tokens.raw_tokens` documents: a text's
tokens are the tokens of its whitespace-separated chunks, in order.

- Texts are split at whitespace: the characters of `str.isspace`, which are also the `\\s`
  of the token regex (listed at import, not written out here).
- A chunk of ASCII bytes (nearly all of a real stream) is tokenized here with the token
  regex's rules for ASCII - URL, `#`/`@` sign, word with inner `'` and `.`, one-character
  symbol, else a separator - its character classes read from the regex itself at import.
  Each token's folded form (a URL without its trailing punctuation, lower-cased) is looked
  up in byte-keyed hash tables of the elements and of the wildcard prefixes. Keys are
  compared byte by byte after the hash matches, so a hash collision never makes a false hit.
- Any other chunk is tokenized and folded by `tokens.py` in Python the first time it is seen;
  the elements of its tokens are then kept in a chunk table keyed by its bytes (the same kind
  of hash table), so a repeated chunk costs a lookup.

tests/query/test_compiled_tokens.py checks the tokens against `raw_tokens` and the elements
against `tokens.tokenize` on real posts and on generated odd text.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hubbub.query.tokens import token_pattern

IntArray = npt.NDArray[np.int64]
ByteArray = npt.NDArray[np.uint8]
Function = TypeVar("Function", bound=Callable[..., Any])


def _compiled(function: Function) -> Function:
    """numba's `njit`, typed (cached on disk: compiling takes seconds, loading milliseconds)."""
    return cast(Function, numba.njit(cache=True, nogil=True)(function))


# ASCII character classes, as the token regex sees them (bit flags in one lookup table).
_ALNUM: Final = 1  # [^\W_]: starts a word, follows a sign or an inner ' or .
_WORD: Final = 2  # \w: continues a word
_SYMBOL: Final = 4  # a token of its own (the regex's last alternative: control characters)
_SPACE: Final = 8  # separates chunks
_TRAILER: Final = 16  # stripped from the end of a URL (`tokens.clean_token`)


def _ascii_classes() -> ByteArray:
    table = np.zeros(128, np.uint8)
    for code in range(128):
        char = chr(code)
        if re.fullmatch(r"[^\W_]", char):
            table[code] |= _ALNUM
        if re.fullmatch(r"\w", char):
            table[code] |= _WORD
        if char.isspace():
            table[code] |= _SPACE
        elif not table[code] & _WORD and token_pattern().fullmatch(char):
            table[code] |= _SYMBOL
        if char in ".,;:!?)]}'\"":
            table[code] |= _TRAILER
    return table


CLASSES: Final = _ascii_classes()
#: Code points above ASCII that `str.isspace` (and the regex's `\s`) calls whitespace.
SPACES: Final = np.array([c for c in range(128, sys.maxunicode + 1) if chr(c).isspace()], np.int64)

_FNV_OFFSET: Final = np.uint64(14695981039346656037)
_FNV_PRIME: Final = np.uint64(1099511628211)


@_compiled
def _hash(data: ByteArray, start: int, end: int) -> np.uint64:
    """64-bit FNV-1a of data[start:end]."""
    h = _FNV_OFFSET
    for i in range(start, end):
        h = (h ^ np.uint64(data[i])) * _FNV_PRIME
    return h


@_compiled
def _find(
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


@_compiled
def _place(slots: IntArray, hashes: npt.NDArray[np.uint64], first: int, last: int) -> None:
    """Put keys first..last-1 (distinct, not yet placed) in their slots."""
    mask = len(slots) - 1
    for key in range(first, last):
        i = np.int64(hashes[key] & np.uint64(mask))
        while slots[i] >= 0:
            i = (i + 1) & mask
        slots[i] = key


@_compiled
def _hashes(arena: ByteArray, starts: IntArray, lengths: IntArray) -> npt.NDArray[np.uint64]:
    out = np.empty(len(starts), np.uint64)
    for k in range(len(starts)):
        out[k] = _hash(arena, starts[k], starts[k] + lengths[k])
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

    def add(self, keys: Sequence[bytes]) -> None:
        """Add keys that are not in the table yet (and distinct)."""
        if not keys:
            return
        lengths = np.fromiter(map(len, keys), np.int64, len(keys))
        starts = len(self.arena) + np.cumsum(lengths) - lengths
        self.arena = np.concatenate([self.arena, np.frombuffer(b"".join(keys), np.uint8)])
        self.starts = np.concatenate([self.starts, starts])
        self.lengths = np.concatenate([self.lengths, lengths])
        self.hashes = np.concatenate([self.hashes, _hashes(self.arena, starts, lengths)])
        first, self.count = self.count, self.count + len(keys)
        if 2 * self.count > len(self.slots):  # at most half full: probes stay short
            size = len(self.slots)
            while 2 * self.count > size:
                size *= 2
            self.slots = np.full(size, -1, np.int64)
            first = 0
        _place(self.slots, self.hashes, first, self.count)


@_compiled
def _decode(data: ByteArray, i: int, end: int) -> tuple[int, int]:
    """(code point, byte length) of the UTF-8 character at data[i]; (-1, 1) for a byte that
    starts none (Arrow strings are valid UTF-8: this only keeps scans in bounds)."""
    b = data[i]
    if b < 0xC0:
        return -1, 1
    if b < 0xE0:
        size, code = 2, b & 0x1F
    elif b < 0xF0:
        size, code = 3, b & 0x0F
    else:
        size, code = 4, b & 0x07
    if i + size > end:
        return -1, 1
    for j in range(1, size):
        code = (code << 6) | (data[i + j] & 0x3F)
    return int(code), size


@_compiled
def _char_at(
    data: ByteArray, i: int, end: int, classes: ByteArray, spaces: IntArray
) -> tuple[int, bool]:
    """(byte length, is whitespace) of the character at data[i]."""
    b = data[i]
    if b < 128:
        return 1, bool(classes[b] & _SPACE)
    code, size = _decode(data, i, end)
    where = np.searchsorted(spaces, code)
    return size, bool(where < len(spaces) and spaces[where] == code)


@_compiled
def _next_chunk(
    data: ByteArray, i: int, end: int, classes: ByteArray, spaces: IntArray
) -> tuple[int, int, bool]:
    """(start, end, all ASCII) of the first chunk at or after data[i]; start == end: none."""
    while i < end:
        size, space = _char_at(data, i, end, classes, spaces)
        if not space:
            break
        i += size
    start, ascii = i, True
    while i < end:
        if data[i] < 128:
            if classes[data[i]] & _SPACE:
                break
            i += 1
        else:
            size, space = _char_at(data, i, end, classes, spaces)
            if space:
                break
            ascii = False
            i += size
    return start, i, ascii


@_compiled
def _starts_with(data: ByteArray, i: int, end: int, text: bytes) -> bool:
    if i + len(text) > end:
        return False
    for j in range(len(text)):  # noqa: SIM110 (numba compiles no generator expression)
        if data[i + j] != text[j]:
            return False
    return True


@_compiled
def _ascii_token(data: ByteArray, i: int, end: int, classes: ByteArray) -> tuple[int, int, bool]:
    """(start, end, is a URL) of the first token at or after data[i] in an ASCII chunk ending
    at `end`, by the token regex's alternatives in its order; start == end: none left."""
    while i < end:
        c = data[i]
        # (?:https?://|www\.)\S+ - a chunk has no whitespace: the URL is the rest of it.
        if c == 104:  # h
            if (_starts_with(data, i, end, b"https://") and i + 8 < end) or (
                _starts_with(data, i, end, b"http://") and i + 7 < end
            ):
                return i, end, True
        elif c == 119 and _starts_with(data, i, end, b"www.") and i + 4 < end:  # w
            return i, end, True
        kind = classes[c]
        if (c == 35 or c == 64) and i + 1 < end and classes[data[i + 1]] & _ALNUM:  # [#@]
            j = i + 2
            while j < end and classes[data[j]] & _WORD:
                j += 1
            return i, j, False
        if kind & _ALNUM:  # [^\W_]\w*+(?:['.][^\W_]\w*+)*+
            j = i + 1
            while True:
                while j < end and classes[data[j]] & _WORD:
                    j += 1
                if (
                    j + 1 < end
                    and (data[j] == 39 or data[j] == 46)
                    and classes[data[j + 1]] & _ALNUM
                ):
                    j += 2
                else:
                    break
            return i, j, False
        if kind & _SYMBOL:
            return i, i + 1, False
        i += 1
    return end, end, False


@_compiled
def _ascii_tokens_of(
    offsets: npt.NDArray[np.int32], data: ByteArray, classes: ByteArray, spaces: IntArray
) -> tuple[IntArray, IntArray]:
    """(start, end) of every token of every ASCII chunk, chunk by chunk (tests compare them
    with the regex); non-ASCII chunks give one span with start = -1 - chunk start."""
    starts = np.empty(len(data) + 1, np.int64)
    ends = np.empty(len(data) + 1, np.int64)
    n = 0
    for k in range(len(offsets) - 1):
        i, stop = offsets[k], offsets[k + 1]
        while True:
            start, i, ascii = _next_chunk(data, i, stop, classes, spaces)
            if start == i:
                break
            if not ascii:
                starts[n], ends[n] = -1 - start, i
                n += 1
                continue
            j = start
            while True:
                s, j, _ = _ascii_token(data, j, i, classes)
                if s == j:
                    break
                starts[n], ends[n] = s, j
                n += 1
    return starts[:n], ends[:n]


@_compiled
def _unknown_chunks(
    offsets: npt.NDArray[np.int32],
    data: ByteArray,
    classes: ByteArray,
    spaces: IntArray,
    slots: IntArray,
    hashes: npt.NDArray[np.uint64],
    starts: IntArray,
    lengths: IntArray,
    arena: ByteArray,
) -> tuple[IntArray, IntArray]:
    """(start, end) of each distinct non-ASCII chunk of the texts not in the chunk table,
    in order of first occurrence."""
    found_start = np.empty(16, np.int64)
    found_end = np.empty(16, np.int64)
    found_hash = np.empty(16, np.uint64)
    n = 0
    for k in range(len(offsets) - 1):
        i, stop = offsets[k], offsets[k + 1]
        while True:
            start, i, ascii = _next_chunk(data, i, stop, classes, spaces)
            if start == i:
                break
            if ascii:
                continue
            h = _hash(data, start, i)
            if _find(slots, hashes, starts, lengths, arena, h, data, start, i) >= 0:
                continue
            if n == len(found_start):
                found_start = np.concatenate((found_start, np.empty(n, np.int64)))
                found_end = np.concatenate((found_end, np.empty(n, np.int64)))
                found_hash = np.concatenate((found_hash, np.empty(n, np.uint64)))
            found_start[n], found_end[n], found_hash[n] = start, i, h
            n += 1
    # Distinct ones: a table of the occurrences themselves (keys are spans of `data`).
    size = 8
    while size < 2 * n:
        size *= 2
    seen = np.full(size, -1, np.int64)
    keep = np.zeros(n, np.bool_)
    spans = found_end[:n] - found_start[:n]
    for k in range(n):
        if (
            _find(
                seen,
                found_hash,
                found_start,
                spans,
                data,
                found_hash[k],
                data,
                found_start[k],
                found_end[k],
            )
            < 0
        ):
            _place(seen, found_hash, k, k + 1)
            keep[k] = True
    return found_start[:n][keep], found_end[:n][keep]


@_compiled
def _add_features(
    form_start: int,
    form_end: int,
    folded: ByteArray,
    elements: tuple[IntArray, npt.NDArray[np.uint64], IntArray, IntArray, ByteArray],
    element_ids: IntArray,
    prefixes: tuple[IntArray, npt.NDArray[np.uint64], IntArray, IntArray, ByteArray],
    prefix_ids: IntArray,
    prefix_lengths: npt.NDArray[np.bool_],
    found: IntArray,
    n: int,
) -> int:
    """Append to found[n:] the element and the prefixes that folded[form_start:form_end] is
    or starts with; returns the new count. One pass: FNV-1a hashes every prefix on the way."""
    h = _FNV_OFFSET
    longest = min(form_end - form_start, len(prefix_lengths) - 1)
    if len(prefix_lengths) and prefix_lengths[0]:
        key = _find(*prefixes, h, folded, form_start, form_start)
        if key >= 0:
            found[n] = prefix_ids[key]
            n += 1
    for length in range(1, form_end - form_start + 1):
        h = (h ^ np.uint64(folded[form_start + length - 1])) * _FNV_PRIME
        if length <= longest and prefix_lengths[length]:
            key = _find(*prefixes, h, folded, form_start, form_start + length)
            if key >= 0:
                found[n] = prefix_ids[key]
                n += 1
    key = _find(*elements, h, folded, form_start, form_end)
    if key >= 0:
        found[n] = element_ids[key]
        n += 1
    return n


@_compiled
def _features(
    offsets: npt.NDArray[np.int32],
    data: ByteArray,
    classes: ByteArray,
    spaces: IntArray,
    elements: tuple[IntArray, npt.NDArray[np.uint64], IntArray, IntArray, ByteArray],
    element_ids: IntArray,
    prefixes: tuple[IntArray, npt.NDArray[np.uint64], IntArray, IntArray, ByteArray],
    prefix_ids: IntArray,
    prefix_lengths: npt.NDArray[np.bool_],
    chunks: tuple[IntArray, npt.NDArray[np.uint64], IntArray, IntArray, ByteArray],
    chunk_tokens: IntArray,
    token_features: IntArray,
    features: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """(document, position, feature): the text each token position belongs to (-1 for the
    separator put after each text's tokens), and every (position, feature) the tokens
    provide, by position then feature. Every non-ASCII chunk must be in the chunk table,
    whose chunk k has tokens chunk_tokens[k]..chunk_tokens[k + 1] - 1, and token t the
    features features[token_features[t]:token_features[t + 1]]."""
    document = np.empty(len(data) + len(offsets), np.int64)
    position = np.empty(1024, np.int64)
    feature = np.empty(1024, np.int64)
    folded = np.empty(64, np.uint8)
    found = np.empty(2 * 64 + 8, np.int64)
    p = 0  # token positions so far
    n = 0  # (position, feature) pairs so far
    for k in range(len(offsets) - 1):
        i, stop = offsets[k], offsets[k + 1]
        while True:
            start, i, ascii = _next_chunk(data, i, stop, classes, spaces)
            if start == i:
                break
            if not ascii:
                chunk = _find(*chunks, _hash(data, start, i), data, start, i)
                assert chunk >= 0, "non-ASCII chunks are registered before"
                for t in range(chunk_tokens[chunk], chunk_tokens[chunk + 1]):
                    document[p] = k
                    count = token_features[t + 1] - token_features[t]
                    if n + count > len(position):
                        position = np.concatenate((position, np.empty(n + count, np.int64)))
                        feature = np.concatenate((feature, np.empty(n + count, np.int64)))
                    for f in range(token_features[t], token_features[t + 1]):
                        position[n], feature[n] = p, features[f]
                        n += 1
                    p += 1
                continue
            j = start
            while True:
                s, j, url = _ascii_token(data, j, i, classes)
                if s == j:
                    break
                document[p] = k
                e = j
                if url:
                    while e > s and classes[data[e - 1]] & _TRAILER:
                        e -= 1
                if e - s > len(folded):
                    folded = np.empty(2 * (e - s), np.uint8)
                    found = np.empty(4 * (e - s) + 8, np.int64)
                for x in range(e - s):
                    c = data[s + x]
                    folded[x] = c + 32 if 65 <= c <= 90 else c
                m = _add_features(
                    0,
                    e - s,
                    folded,
                    elements,
                    element_ids,
                    prefixes,
                    prefix_ids,
                    prefix_lengths,
                    found,
                    0,
                )
                if folded[0] == 35:  # a hashtag also provides its bare word's elements
                    m = _add_features(
                        1,
                        e - s,
                        folded,
                        elements,
                        element_ids,
                        prefixes,
                        prefix_ids,
                        prefix_lengths,
                        found,
                        m,
                    )
                if m:
                    found[:m].sort()
                    if n + m > len(position):
                        position = np.concatenate((position, np.empty(n + m, np.int64)))
                        feature = np.concatenate((feature, np.empty(n + m, np.int64)))
                    for x in range(m):
                        if x == 0 or found[x] != found[x - 1]:
                            position[n], feature[n] = p, found[x]
                            n += 1
                p += 1
        document[p] = -1
        p += 1
    return document[:p], position[:n], feature[:n]


def utf8_buffers(texts: pa.Array) -> tuple[npt.NDArray[np.int32], ByteArray]:
    """The offsets and bytes of a string array without nulls (zero copy)."""
    _, offsets, data = texts.buffers()
    starts = np.frombuffer(offsets, np.int32)[texts.offset : texts.offset + len(texts) + 1]
    values = np.zeros(0, np.uint8) if data is None else np.frombuffer(data, np.uint8)
    return starts, values


def ascii_token_spans(texts: pa.Array) -> tuple[IntArray, IntArray]:
    """See `_ascii_tokens_of` (for tests: the tokens the compiled code finds)."""
    offsets, data = utf8_buffers(texts)
    return cast(tuple[IntArray, IntArray], _ascii_tokens_of(offsets, data, CLASSES, SPACES))


class CompiledTokenizer:
    """Element features of every token position of a batch (see the module docstring).

    `elements` maps folded words to feature ids, `prefixes` wildcard prefixes to feature ids;
    `non_ascii` gives, for a non-ASCII chunk, the feature ids of each of its tokens (sorted,
    distinct): the Python path of `features.py`."""

    def __init__(
        self,
        elements: dict[str, int],
        prefixes: dict[str, int],
        non_ascii: Callable[[str], list[list[int]]],
    ) -> None:
        words = list(elements)
        self._elements = ByteTable([w.encode() for w in words])
        self._element_ids = np.array([elements[w] for w in words], np.int64)
        starts = list(prefixes)
        self._prefixes = ByteTable([s.encode() for s in starts])
        self._prefix_ids = np.array([prefixes[s] for s in starts], np.int64)
        self._prefix_lengths = np.zeros(
            max((len(s.encode()) for s in starts), default=-1) + 1, np.bool_
        )
        for start in starts:
            self._prefix_lengths[len(start.encode())] = True
        self._non_ascii = non_ascii
        self.reset()

    def reset(self) -> None:
        """Forget the non-ASCII chunks seen (only saves work)."""
        self._chunks = ByteTable()
        self._chunk_tokens: IntArray = np.zeros(1, np.int64)
        self._token_features: IntArray = np.zeros(1, np.int64)
        self._features: IntArray = np.zeros(0, np.int64)

    @property
    def chunks_seen(self) -> int:
        return self._chunks.count

    def _learn(self, offsets: npt.NDArray[np.int32], data: ByteArray) -> None:
        """Tokenize, in Python, the non-ASCII chunks of a batch not seen before."""
        starts, ends = _unknown_chunks(offsets, data, CLASSES, SPACES, *self._chunks.arrays())
        if not len(starts):
            return
        keys = [data[s:e].tobytes() for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
        rows = [self._non_ascii(key.decode()) for key in keys]
        tokens = np.fromiter(map(len, rows), np.int64, len(rows))
        per_token = [r for row in rows for r in row]
        counts = np.fromiter(map(len, per_token), np.int64, len(per_token))
        values = np.fromiter((f for r in per_token for f in r), np.int64, int(counts.sum()))
        self._chunks.add(keys)
        self._chunk_tokens = np.concatenate(
            [self._chunk_tokens, self._chunk_tokens[-1] + np.cumsum(tokens)]
        )
        self._token_features = np.concatenate(
            [self._token_features, self._token_features[-1] + np.cumsum(counts)]
        )
        self._features = np.concatenate([self._features, values])

    def features(self, texts: pa.Array) -> tuple[IntArray, IntArray, IntArray]:
        """(document, position, feature) of a string array without nulls: see `_features`."""
        offsets, data = utf8_buffers(texts)
        self._learn(offsets, data)
        return cast(
            tuple[IntArray, IntArray, IntArray],
            _features(
                offsets,
                data,
                CLASSES,
                SPACES,
                self._elements.arrays(),
                self._element_ids,
                self._prefixes.arrays(),
                self._prefix_ids,
                self._prefix_lengths,
                self._chunks.arrays(),
                self._chunk_tokens,
                self._token_features,
                self._features,
            ),
        )
