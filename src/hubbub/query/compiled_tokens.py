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
from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hubbub.byte_table import FNV_OFFSET, FNV_PRIME, ByteTable, find_key, fnv_hash, place_keys
from hubbub.compiled import compiled, inlined
from hubbub.query.tokens import clean_token, token_pattern

IntArray = npt.NDArray[np.int64]
ByteArray = npt.NDArray[np.uint8]
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
        if clean_token("http://x" + char) == "http://x":
            table[code] |= _TRAILER
    return table


CLASSES: Final = _ascii_classes()
#: Code points above ASCII that `str.isspace` (and the regex's `\s`) calls whitespace.
SPACES: Final = np.array([c for c in range(128, sys.maxunicode + 1) if chr(c).isspace()], np.int64)


@inlined
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


@compiled
def _split(
    offsets: npt.NDArray[np.int32], data: ByteArray, classes: ByteArray, spaces: IntArray
) -> tuple[IntArray, IntArray, IntArray, npt.NDArray[np.bool_]]:
    """The whitespace-separated chunks of every text: (first chunk of each text, then the
    total: len(offsets) of them; start, end and is-ASCII of each chunk).

    One flat loop (the other kernels loop over its arrays): a scan through helper calls
    that return tuples measured several times slower, even inlined."""
    first = np.empty(len(offsets), np.int64)
    most = len(data) // 2 + len(offsets)  # chunks need a byte each, and a space between
    starts = np.empty(most, np.int64)
    ends = np.empty(most, np.int64)
    ascii = np.empty(most, np.bool_)
    n = 0
    for k in range(len(offsets) - 1):
        first[k] = n
        i, stop = int(offsets[k]), int(offsets[k + 1])
        inside = False
        while i < stop:
            b = data[i]
            size = 1
            if b < 128:
                space = classes[b] & _SPACE != 0
            else:
                code, size = _decode(data, i, stop)
                where = np.searchsorted(spaces, code)
                space = where < len(spaces) and spaces[where] == code
            if space:
                if inside:
                    ends[n] = i
                    n += 1
                    inside = False
            else:
                if not inside:
                    starts[n], ascii[n] = i, True
                    inside = True
                if b >= 128:
                    ascii[n] = False
            i += size
        if inside:
            ends[n] = stop
            n += 1
    first[len(offsets) - 1] = n
    return first, starts[:n], ends[:n], ascii[:n]


@inlined
def _url_at(data: ByteArray, i: int, end: int) -> bool:
    """Whether `https://`, `http://` or `www.` and at least one more byte start at data[i]."""
    if data[i] == 119:
        return bool(i + 4 < end and data[i + 1] == 119 and data[i + 2] == 119 and data[i + 3] == 46)
    if i + 7 >= end or data[i + 1] != 116 or data[i + 2] != 116 or data[i + 3] != 112:
        return False
    if data[i + 4] == 115:
        i += 1
        if i + 7 >= end:
            return False
    return bool(data[i + 4] == 58 and data[i + 5] == 47 and data[i + 6] == 47)


@compiled
def _ascii_tokens(
    data: ByteArray,
    starts: IntArray,
    ends: IntArray,
    ascii: npt.NDArray[np.bool_],
    classes: ByteArray,
) -> tuple[IntArray, IntArray, IntArray, npt.NDArray[np.bool_]]:
    r"""The tokens of the ASCII chunks: (first token of each chunk, then the total; start,
    end and is-URL of each token). Non-ASCII chunks get none here.

    The token regex's alternatives, tried in its order at each position of a chunk:
    `(?:https?://|www\.)\S+` (a chunk has no whitespace: a URL is the rest of it), then
    `[#@][^\W_]\w*`, then `[^\W_]\w*+(?:['.][^\W_]\w*+)*+`, then one symbol character;
    a position where none matches separates tokens."""
    first = np.empty(len(starts) + 1, np.int64)
    size = len(data) // 2 + 1 if len(starts) == 0 else ends[-1] - starts[0] + 1
    token_start = np.empty(size, np.int64)
    token_end = np.empty(size, np.int64)
    url = np.zeros(size, np.bool_)
    n = 0
    for c in range(len(starts)):
        first[c] = n
        if not ascii[c]:
            continue
        i, end = starts[c], ends[c]
        while i < end:
            b = data[i]
            j = i  # the token's end; i: none here
            if (b == 104 or b == 119) and _url_at(data, i, end):
                j = end
                url[n] = True
            elif (b == 35 or b == 64) and i + 1 < end and classes[data[i + 1]] & _ALNUM:
                j = i + 2
                while j < end and classes[data[j]] & _WORD:
                    j += 1
            elif classes[b] & _ALNUM:
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
            elif classes[b] & _SYMBOL:
                j = i + 1
            if j == i:
                i += 1
                continue
            token_start[n], token_end[n] = i, j
            n += 1
            i = j
    first[len(starts)] = n
    return first, token_start[:n], token_end[:n], url[:n]


@compiled
def _unknown_chunks(
    data: ByteArray,
    starts: IntArray,
    ends: IntArray,
    ascii: npt.NDArray[np.bool_],
    slots: IntArray,
    hashes: npt.NDArray[np.uint64],
    key_starts: IntArray,
    key_lengths: IntArray,
    arena: ByteArray,
) -> IntArray:
    """The chunks (indexes) that are not ASCII and not in the chunk table, the first of each
    distinct one only, in order."""
    unknown = np.flatnonzero(~ascii)
    found = np.zeros(len(unknown), np.bool_)
    found_hash = np.zeros(len(starts), np.uint64)
    for x in range(len(unknown)):
        c = unknown[x]
        h = fnv_hash(data, starts[c], ends[c])
        found_hash[c] = h
        known = find_key(slots, hashes, key_starts, key_lengths, arena, h, data, starts[c], ends[c])
        found[x] = known < 0
    unknown = unknown[found]
    # Distinct ones: a table of these chunks themselves (its keys are spans of `data`).
    size = 8
    while size < 2 * len(unknown):
        size *= 2
    seen = np.full(size, -1, np.int64)
    keep = np.zeros(len(unknown), np.bool_)
    lengths = ends - starts
    for x in range(len(unknown)):
        c = unknown[x]
        h = found_hash[c]
        if find_key(seen, found_hash, starts, lengths, data, h, data, starts[c], ends[c]) < 0:
            place_keys(seen, found_hash, c, c + 1)
            keep[x] = True
    return unknown[keep]


@inlined
def _add_features(
    folded: ByteArray,
    form_start: int,
    form_end: int,
    element_slots: IntArray,
    element_hashes: npt.NDArray[np.uint64],
    element_starts: IntArray,
    element_lengths: IntArray,
    element_arena: ByteArray,
    element_ids: IntArray,
    start_slots: IntArray,
    start_hashes: npt.NDArray[np.uint64],
    start_starts: IntArray,
    start_lengths: IntArray,
    start_arena: ByteArray,
    start_masks: npt.NDArray[np.uint64],
    shortest: int,
    prefix_slots: IntArray,
    prefix_hashes: npt.NDArray[np.uint64],
    prefix_starts: IntArray,
    prefix_lengths: IntArray,
    prefix_arena: ByteArray,
    prefix_ids: IntArray,
    found: IntArray,
    n: int,
) -> int:
    """Append to found[n:] the element folded[form_start:form_end] is and the prefixes it
    starts with; returns the new count. One pass: FNV-1a hashes every prefix of the form on
    the way to the whole form. Prefixes are looked up only at lengths that some prefix
    starting with the form's first `shortest` bytes (the shortest prefix's length) has: for
    most words there is none, and one probe decides it. (Probing inside the hash loop, with
    one return, measured quicker than early returns.)"""
    h = FNV_OFFSET
    lengths = np.uint64(0)  # bit d: a prefix of length shortest + d (63: or longer)
    if shortest == 0 and len(start_masks):
        lengths = start_masks[0]
    for x in range(form_start, form_end + 1):
        if x > form_start:
            h = (h ^ np.uint64(folded[x - 1])) * FNV_PRIME
        length = x - form_start
        if length == shortest and length:
            start = find_key(
                start_slots,
                start_hashes,
                start_starts,
                start_lengths,
                start_arena,
                h,
                folded,
                form_start,
                x,
            )
            if start >= 0:
                lengths = start_masks[start]
        if lengths and length >= shortest:
            bit = min(length - shortest, 63)
            if (lengths >> np.uint64(bit)) & np.uint64(1):
                key = find_key(
                    prefix_slots,
                    prefix_hashes,
                    prefix_starts,
                    prefix_lengths,
                    prefix_arena,
                    h,
                    folded,
                    form_start,
                    x,
                )
                if key >= 0:
                    found[n] = prefix_ids[key]
                    n += 1
    key = find_key(
        element_slots,
        element_hashes,
        element_starts,
        element_lengths,
        element_arena,
        h,
        folded,
        form_start,
        form_end,
    )
    if key >= 0:
        found[n] = element_ids[key]
        n += 1
    return n


@compiled
def _features(
    data: ByteArray,
    text_chunks: IntArray,
    starts: IntArray,
    ends: IntArray,
    ascii: npt.NDArray[np.bool_],
    chunk_tokens: IntArray,
    token_start: IntArray,
    token_end: IntArray,
    url: npt.NDArray[np.bool_],
    classes: ByteArray,
    element_slots: IntArray,
    element_hashes: npt.NDArray[np.uint64],
    element_starts: IntArray,
    element_lengths: IntArray,
    element_arena: ByteArray,
    element_ids: IntArray,
    start_slots: IntArray,
    start_hashes: npt.NDArray[np.uint64],
    start_starts: IntArray,
    start_lengths: IntArray,
    start_arena: ByteArray,
    start_masks: npt.NDArray[np.uint64],
    shortest: int,
    prefix_slots: IntArray,
    prefix_hashes: npt.NDArray[np.uint64],
    prefix_starts: IntArray,
    prefix_lengths: IntArray,
    prefix_arena: ByteArray,
    prefix_ids: IntArray,
    seen_slots: IntArray,
    seen_hashes: npt.NDArray[np.uint64],
    seen_starts: IntArray,
    seen_lengths: IntArray,
    seen_arena: ByteArray,
    seen_tokens: IntArray,
    seen_token_features: IntArray,
    seen_features: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """(document, position, feature): the text each token position belongs to (-1 for the
    separator put after each text's tokens), and every (position, feature) the tokens
    provide, by position then feature.

    ASCII chunks come tokenized (`_ascii_tokens`); their tokens are folded (a URL loses its
    trailing punctuation, upper case becomes lower) and looked up here. Every non-ASCII chunk
    must be in the `seen` table, whose chunk k has tokens seen_tokens[k] to seen_tokens[k +
    1] - 1, token t the features seen_features[seen_token_features[t]:...[t + 1]].
    (Tables come as their arrays, not as tuples of them: tuples measured slower.)"""
    document = np.empty(len(token_start) + len(text_chunks) + np.sum(ends - starts), np.int64)
    position = np.empty(len(token_start) // 2 + 16, np.int64)
    feature = np.empty(len(token_start) // 2 + 16, np.int64)
    folded = np.empty(64, np.uint8)
    found = np.empty(2 * 64 + 8, np.int64)
    p = 0  # token positions so far
    n = 0  # (position, feature) pairs so far
    for k in range(len(text_chunks) - 1):
        for c in range(text_chunks[k], text_chunks[k + 1]):
            if not ascii[c]:
                h = fnv_hash(data, starts[c], ends[c])
                chunk = find_key(
                    seen_slots,
                    seen_hashes,
                    seen_starts,
                    seen_lengths,
                    seen_arena,
                    h,
                    data,
                    starts[c],
                    ends[c],
                )
                assert chunk >= 0, "non-ASCII chunks are registered first"
                for t in range(seen_tokens[chunk], seen_tokens[chunk + 1]):
                    document[p] = k
                    first, last = seen_token_features[t], seen_token_features[t + 1]
                    if n + last - first > len(position):
                        position = np.concatenate((position, np.empty(n + last, np.int64)))
                        feature = np.concatenate((feature, np.empty(n + last, np.int64)))
                    for f in range(first, last):
                        position[n], feature[n] = p, seen_features[f]
                        n += 1
                    p += 1
                continue
            for t in range(chunk_tokens[c], chunk_tokens[c + 1]):
                document[p] = k
                s, e = token_start[t], token_end[t]
                if url[t]:
                    while e > s and classes[data[e - 1]] & _TRAILER:
                        e -= 1
                size = e - s
                if size > len(folded):
                    folded = np.empty(2 * size, np.uint8)
                    found = np.empty(4 * size + 8, np.int64)
                for x in range(size):
                    b = data[s + x]
                    folded[x] = b + 32 if 65 <= b <= 90 else b
                m = 0
                for bare in range(2 if folded[0] == 35 else 1):  # a hashtag: its word's too
                    m = _add_features(
                        folded,
                        bare,
                        size,
                        element_slots,
                        element_hashes,
                        element_starts,
                        element_lengths,
                        element_arena,
                        element_ids,
                        start_slots,
                        start_hashes,
                        start_starts,
                        start_lengths,
                        start_arena,
                        start_masks,
                        shortest,
                        prefix_slots,
                        prefix_hashes,
                        prefix_starts,
                        prefix_lengths,
                        prefix_arena,
                        prefix_ids,
                        found,
                        m,
                    )
                if m:
                    if m > 1:
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


def split_tokens(texts: pa.Array) -> list[list[str | None]]:
    """Each text's tokens as the compiled code finds them, None in place of each non-ASCII
    chunk (left to `tokens.py`): for tests, which compare them with the regex's."""
    offsets, data = utf8_buffers(texts)
    first, starts, ends, ascii = _split(offsets, data, CLASSES, SPACES)
    chunk_tokens, token_start, token_end, _ = _ascii_tokens(data, starts, ends, ascii, CLASSES)
    raw = data.tobytes()
    out: list[list[str | None]] = []
    for k in range(len(texts)):
        tokens: list[str | None] = []
        for c in range(first[k], first[k + 1]):
            if not ascii[c]:
                tokens.append(None)
            for t in range(chunk_tokens[c], chunk_tokens[c + 1]):
                tokens.append(raw[token_start[t] : token_end[t]].decode())
        out.append(tokens)
    return out


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
        keys = [p.encode() for p in prefixes]
        self._prefixes = ByteTable(keys)
        self._prefix_ids = np.array(list(prefixes.values()), np.int64)
        # The first `shortest` bytes of every prefix: a word that starts with none of them
        # starts with no prefix.
        self._shortest = shortest = min(map(len, keys), default=0)
        masks: dict[bytes, int] = {}
        for key in keys:
            bit = 1 << min(len(key) - shortest, 63)
            masks[key[:shortest]] = masks.get(key[:shortest], 0) | bit
        self._starts = ByteTable(list(masks))
        self._start_masks = np.array(list(masks.values()), np.uint64)
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

    def _learn(
        self, data: ByteArray, starts: IntArray, ends: IntArray, ascii: npt.NDArray[np.bool_]
    ) -> None:
        """Tokenize, in Python, the non-ASCII chunks of a batch not seen before."""
        new = _unknown_chunks(data, starts, ends, ascii, *self._chunks.arrays())
        if not len(new):
            return
        keys = [data[starts[c] : ends[c]].tobytes() for c in new.tolist()]
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
        first, starts, ends, ascii = _split(offsets, data, CLASSES, SPACES)
        self._learn(data, starts, ends, ascii)
        chunk_tokens, token_start, token_end, url = _ascii_tokens(
            data, starts, ends, ascii, CLASSES
        )
        words, shorts, prefixes, seen = self._elements, self._starts, self._prefixes, self._chunks
        return _features(
            data,
            first,
            starts,
            ends,
            ascii,
            chunk_tokens,
            token_start,
            token_end,
            url,
            CLASSES,
            words.slots,
            words.hashes,
            words.starts,
            words.lengths,
            words.arena,
            self._element_ids,
            shorts.slots,
            shorts.hashes,
            shorts.starts,
            shorts.lengths,
            shorts.arena,
            self._start_masks,
            self._shortest,
            prefixes.slots,
            prefixes.hashes,
            prefixes.starts,
            prefixes.lengths,
            prefixes.arena,
            self._prefix_ids,
            seen.slots,
            seen.hashes,
            seen.starts,
            seen.lengths,
            seen.arena,
            self._chunk_tokens,
            self._token_features,
            self._features,
        )
