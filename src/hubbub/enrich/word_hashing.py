"""Hashed word 1-2-grams of posts, computed in compiled code over Arrow's UTF-8 buffers.

The fast sentiment tier runs on every imported post, so its features are built by one numba
kernel per batch instead of Python per post. Texts are prepared with Arrow compute first
(`prepare`: title and text joined, HTML entities and literal `\\uXXXX` escapes decoded,
lower-cased); the kernel then reads the bytes. Training and scoring both go through here,
so they agree byte for byte. The tokens, on the lower-cased text:

- a link (`http://`, `https://`, `www.` up to the next space) is the token `http`;
- `@handle` is the token `@user` (a handle never carries sentiment by itself);
- `#tag` and words: a word character, then word characters and apostrophes (`don't`);
  word characters are ASCII letters, digits, `_` and every non-ASCII letter;
- runs of `!` and `?`; emoticons `:)`, `;-(`, `=d`, `:p`, `:/` ...;
- each emoji or other pictograph (U+2190-U+2BFF, U+1F000 and up) is a token by itself;
- everything else separates (ASCII and Unicode punctuation, spaces, skin-tone modifiers,
  variation selectors and zero-width joiners);
- a character repeated three times or more counts twice (`soooo` is `soo`, `!!!!` is `!!`).

Each token and each pair of adjacent tokens is hashed (FNV-1a then a splitmix64 finaliser)
into `2**n_bits` buckets; a post's bucket counts are scaled to unit length.
"""

from __future__ import annotations

import html
import re
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp  # type: ignore[import-untyped]

from hubbub.compiled import compiled

FloatArray = npt.NDArray[np.float32]

_ESCAPE: Final = re.compile(r"\\u([0-9a-fA-F]{4})")
_FNV_OFFSET: Final = np.uint64(0xCBF29CE484222325)
_FNV_PRIME: Final = np.uint64(0x100000001B3)


def prepare(texts: pa.Array | pa.ChunkedArray | list[str | None]) -> pa.Array:
    """Texts as one lower-cased UTF-8 string array, entities and escapes decoded, null as ''.

    Only posts that contain `&` or `\\u` go through Python (a few in a hundred); the rest
    stay in Arrow.
    """
    if isinstance(texts, list):
        arr = pa.array(texts, pa.string())
    elif isinstance(texts, pa.ChunkedArray):
        arr = texts.combine_chunks() if texts.num_chunks else pa.array([], pa.string())
    else:
        arr = texts
    arr = pc.fill_null(arr.cast(pa.string()), "")
    special = pc.or_(pc.match_substring(arr, "&"), pc.match_substring(arr, "\\u"))
    if pc.any(special).as_py():
        rows = np.flatnonzero(special.to_numpy(zero_copy_only=False))
        decoded = pa.array([_decode(arr[int(i)].as_py()) for i in rows], pa.string())
        arr = pc.replace_with_mask(arr, special, decoded)
    return pc.utf8_lower(arr)


def _decode(text: str) -> str:
    if "\\u" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(text) if "&" in text else text


def _buffers(arr: pa.Array) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """The UTF-8 bytes and the start offsets (len + 1) of a string array, without copying bytes."""
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(1, np.uint8)
    return data, offsets.astype(np.int64)


def features(prepared: pa.Array, n_bits: int) -> sp.csr_matrix:
    """The unit-length hashed 1-2-gram counts of `prepare`d texts, one row per text."""
    data, offsets = _buffers(prepared)
    n = len(prepared)
    capacity = 2 * int(offsets[-1] - offsets[0]) + 2 * n + 2
    indptr, indices, values = _csr(data, offsets, np.int64(n_bits), capacity)
    nnz = int(indptr[-1])
    return sp.csr_matrix((values[:nnz], indices[:nnz], indptr), shape=(n, 2**n_bits))


def scores(prepared: pa.Array, n_bits: int, weights: FloatArray, bias: FloatArray) -> FloatArray:
    """`features(prepared) @ weights + bias` without building the feature matrix."""
    data, offsets = _buffers(prepared)
    out = np.empty((len(prepared), weights.shape[1]), np.float32)
    _score(data, offsets, np.int64(n_bits), np.ascontiguousarray(weights, np.float32), out)
    out += bias
    return out


# ---- the kernel --------------------------------------------------------------------------
# numba compiles these on first use and caches the machine code (see hubbub.compiled).


@compiled
def _mix(h: np.uint64) -> np.uint64:  # splitmix64's finaliser: every input bit moves the bucket
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@compiled
def _fnv(h: np.uint64, byte: np.uint8) -> np.uint64:
    return (h ^ np.uint64(byte)) * _FNV_PRIME


@compiled
def _fnv_bytes(word: bytes) -> np.uint64:
    h = _FNV_OFFSET
    for b in word:
        h = _fnv(h, np.uint8(b))
    return h


@compiled
def _code_point(data: npt.NDArray[np.uint8], i: int, end: int) -> tuple[int, int]:
    """(code point, byte length) of the UTF-8 sequence at i; a broken one reads as one byte."""
    b = int(data[i])
    if b < 0x80:
        return b, 1
    if b >= 0xF0 and i + 3 < end:
        return ((b & 7) << 18) | ((int(data[i + 1]) & 63) << 12) | (
            (int(data[i + 2]) & 63) << 6
        ) | (int(data[i + 3]) & 63), 4
    if b >= 0xE0 and i + 2 < end:
        return ((b & 15) << 12) | ((int(data[i + 1]) & 63) << 6) | (int(data[i + 2]) & 63), 3
    if b >= 0xC0 and i + 1 < end:
        return ((b & 31) << 6) | (int(data[i + 1]) & 63), 2
    return 0xFFFD, 1


# Character classes of code points.
_SEPARATOR, _WORD, _PICTOGRAPH = 0, 1, 2


@compiled
def _class(cp: int) -> int:
    if cp < 0x80:
        if (
            (cp >= 0x61 and cp <= 0x7A)
            or (cp >= 0x30 and cp <= 0x39)
            or (cp >= 0x41 and cp <= 0x5A)
            or cp == 0x5F
        ):
            return _WORD
        return _SEPARATOR
    if cp < 0xC0 or (cp >= 0x2000 and cp <= 0x206F) or (cp >= 0x3000 and cp <= 0x303F):
        return _SEPARATOR  # Latin-1 punctuation, general punctuation (ZWJ), CJK punctuation
    if (cp >= 0xFE00 and cp <= 0xFE0F) or (cp >= 0x1F3FB and cp <= 0x1F3FF) or cp == 0xFFFD:
        return _SEPARATOR  # variation selectors, skin tones, broken bytes
    if (cp >= 0x2190 and cp <= 0x2BFF) or cp >= 0x1F000:
        return _PICTOGRAPH
    return _WORD


@compiled
def _starts(data: npt.NDArray[np.uint8], i: int, end: int, word: bytes) -> bool:
    if i + len(word) > end:
        return False
    for k in range(len(word)):  # noqa: SIM110 (numba compiles no generator expressions)
        if data[i + k] != word[k]:
            return False
    return True


@compiled
def _is_space(b: int) -> bool:
    return b == 0x20 or b == 0x0A or b == 0x09 or b == 0x0D


@compiled
def _emoticon_end(data: npt.NDArray[np.uint8], i: int, end: int) -> int:
    """End of an emoticon starting at i (`:`, `;` or `=`, an optional nose, a mouth), or -1."""
    j = i + 1
    if j < end and (data[j] == 0x2D or data[j] == 0x27):  # - '
        j += 1
    if j < end:
        m = data[j]
        # ( ) d p / \ |
        if m == 0x28 or m == 0x29 or m == 0x64 or m == 0x70 or m == 0x2F or m == 0x5C or m == 0x7C:
            return j + 1
    return -1


@compiled
def _token_hashes(
    data: npt.NDArray[np.uint8], start: int, end: int, out: npt.NDArray[np.uint64]
) -> int:
    """Hash each token of data[start:end] into out; return how many."""
    http = _fnv_bytes(b"http")
    user = _fnv_bytes(b"@user")
    n = 0
    i = start
    while i < end:
        b = int(data[i])
        if (b == 0x68 or b == 0x77) and (  # h, w: a link?
            _starts(data, i, end, b"http://")
            or _starts(data, i, end, b"https://")
            or _starts(data, i, end, b"www.")
        ):
            while i < end and not _is_space(int(data[i])):
                i += 1
            out[n] = http
            n += 1
            continue
        if b == 0x40 or b == 0x23:  # @ #
            if i + 1 < end:
                cp, _ = _code_point(data, i + 1, end)
                if _class(cp) == _WORD:
                    if b == 0x40:  # a handle: its word characters, then "@user"
                        i += 1
                        while i < end:
                            cp, size = _code_point(data, i, end)
                            if _class(cp) != _WORD:
                                break
                            i += size
                        out[n] = user
                        n += 1
                        continue
                    h = _fnv(_FNV_OFFSET, np.uint8(b))
                    i, h = _word(data, i + 1, end, h)
                    out[n] = h
                    n += 1
                    continue
            i += 1
            continue
        if b == 0x21 or b == 0x3F:  # a run of ! and ?
            h = _FNV_OFFSET
            p1, p2 = -1, -1
            while i < end and (data[i] == 0x21 or data[i] == 0x3F):
                c = int(data[i])
                if not (c == p1 and c == p2):
                    h = _fnv(h, np.uint8(c))
                p2, p1 = p1, c
                i += 1
            out[n] = h
            n += 1
            continue
        if b == 0x3A or b == 0x3B or b == 0x3D:  # : ; =
            stop = _emoticon_end(data, i, end)
            if stop > 0:
                h = _FNV_OFFSET
                for k in range(i, stop):
                    h = _fnv(h, data[k])
                out[n] = h
                n += 1
                i = stop
                continue
            i += 1
            continue
        cp, size = _code_point(data, i, end)
        kind = _class(cp)
        if kind == _WORD:
            i, h = _word(data, i, end, _FNV_OFFSET)
            out[n] = h
            n += 1
            continue
        if kind == _PICTOGRAPH:
            h = _FNV_OFFSET
            for k in range(i, i + size):
                h = _fnv(h, data[k])
            out[n] = h
            n += 1
        i += size
    return n


@compiled
def _word(data: npt.NDArray[np.uint8], i: int, end: int, h: np.uint64) -> tuple[int, np.uint64]:
    """Hash the word starting at i (word characters and apostrophes), folding repeats."""
    p1, p2 = -1, -1
    while i < end:
        b = int(data[i])
        if b < 0x80:
            if _class(b) != _WORD and b != 0x27:
                break
            size = 1
        else:
            cp, size = _code_point(data, i, end)
            if _class(cp) != _WORD:
                break
        for k in range(i, i + size):
            c = int(data[k])
            if not (c == p1 and c == p2):  # a third repeat of a byte adds nothing
                h = _fnv(h, np.uint8(c))
            p2, p1 = p1, c
        i += size
    return i, h


@compiled
def _doc_counts(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    mask: np.uint64,
    hashes: npt.NDArray[np.uint64],
    buckets: npt.NDArray[np.int64],
    counts: npt.NDArray[np.float64],
) -> tuple[int, float]:
    """One text's distinct buckets (sorted, in buckets[:k]) and their counts (counts[:k]) over
    its unigrams and bigrams; returns k and the vector's length."""
    n = _token_hashes(data, start, end, hashes)
    m = 0
    for k in range(n):
        buckets[m] = np.int64(_mix(hashes[k]) & mask)
        m += 1
        if k > 0:
            pair = hashes[k - 1] * np.uint64(0x9E3779B97F4A7C15) + hashes[k] + np.uint64(1)
            buckets[m] = np.int64(_mix(pair) & mask)
            m += 1
    buckets[:m].sort()
    distinct = 0
    norm = 0.0
    k = 0
    while k < m:
        run = 1
        while k + run < m and buckets[k + run] == buckets[k]:
            run += 1
        buckets[distinct] = buckets[k]
        counts[distinct] = run
        norm += run * run
        distinct += 1
        k += run
    return distinct, np.sqrt(norm)


@compiled
def _scratch(
    offsets: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Per-text work arrays big enough for the longest text (a token needs at least a byte)."""
    longest = 1
    for d in range(len(offsets) - 1):
        longest = max(longest, int(offsets[d + 1] - offsets[d]))
    return (
        np.empty(longest + 1, np.uint64),
        np.empty(2 * longest + 2, np.int64),
        np.empty(2 * longest + 2, np.float64),
    )


@compiled
def _csr(
    data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64], n_bits: np.int64, capacity: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    n_docs = len(offsets) - 1
    mask = np.uint64((1 << n_bits) - 1)
    indptr = np.zeros(n_docs + 1, np.int64)
    indices = np.empty(capacity, np.int32)
    values = np.empty(capacity, np.float32)
    hashes, buckets, counts = _scratch(offsets)
    nnz = 0
    for d in range(n_docs):
        k, norm = _doc_counts(data, offsets[d], offsets[d + 1], mask, hashes, buckets, counts)
        for j in range(k):
            indices[nnz + j] = buckets[j]
            values[nnz + j] = counts[j] / norm
        nnz += k
        indptr[d + 1] = nnz
    return indptr, indices, values


@compiled
def _score(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    n_bits: np.int64,
    weights: npt.NDArray[np.float32],
    out: npt.NDArray[np.float32],
) -> None:
    n_classes = weights.shape[1]
    mask = np.uint64((1 << n_bits) - 1)
    hashes, buckets, counts = _scratch(offsets)
    for d in range(len(offsets) - 1):
        k, norm = _doc_counts(data, offsets[d], offsets[d + 1], mask, hashes, buckets, counts)
        for c in range(n_classes):
            total = 0.0
            for j in range(k):
                total += counts[j] * weights[buckets[j], c]
            out[d, c] = total / norm if k else 0.0
