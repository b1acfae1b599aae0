"""One tokenisation of a batch of texts, shared by the spam model and near-duplicate detection.

Python touches each text once (HTML, links, lower case); everything after that is numpy over
the whole batch: the texts become one array of code points, words are runs of word characters,
and every word, word pair and character 4-gram is hashed to 64 bits with vectorised arithmetic.
This is what makes the noise signals fast enough for a whole store (issue #11: 20k posts/s).

Word hashes are polynomial hashes mod 2**64, sum(c_i * P**offset_i) over a word's characters,
summed for every word at once with `np.add.reduceat` (no Python loop over words).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_TAG: Final = re.compile(r"<[^>]{0,200}>")
_URL: Final = re.compile(r"https?://\S+|www\.\S+")
_P: Final = 0x100000001B3  # the 64-bit FNV prime
_MIX1: Final = np.uint64(0xBF58476D1CE4E5B9)
_MIX2: Final = np.uint64(0x94D049BB133111EB)
_SEPARATOR: Final = " \x00 "  # pads every text with a space on each side, \x00 ends it
_ASCII_WORD: Final = np.array([chr(c).isalnum() or c == 0x5F for c in range(128)])
LINK_WORD: Final = "httplink"


def clean(text: str | None) -> str:
    """What the models read: HTML removed, links reduced to one marker word (their presence
    matters, not their address), lower case."""
    text = (text or "").replace("\ufeff", " ").replace("\x00", " ")
    # The checks skip regex and unescape work for the many texts that need none.
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = text.lower()
    if "http" in text or "www." in text:
        text = _URL.sub(f" {LINK_WORD} ", text)
    return text


def mix(x: U64) -> U64:
    """splitmix64's finaliser: spreads every input bit over the output (so top bits are good
    bucket numbers). uint64 arithmetic wraps, which is what we want."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _MIX1
        x = (x ^ (x >> np.uint64(27))) * _MIX2
        return x ^ (x >> np.uint64(31))


_MAX_OFFSET: Final = 255  # characters past this in one word share a weight (still hashed)
with np.errstate(over="ignore"):
    _POWERS: Final = np.cumprod(
        np.concatenate([[1], np.full(_MAX_OFFSET, _P)]).astype(np.uint64), dtype=np.uint64
    )


def word_hash(text: str) -> np.uint64:
    """The hash `Tokens` gives this single word (to recognise marker words such as "rt")."""
    tokens = Tokens.of([text])
    return tokens.word_hashes[0] if len(tokens.word_hashes) else np.uint64(0)


@dataclass(frozen=True)
class Tokens:
    """A batch of cleaned texts as arrays: code points, and words with their document."""

    size: int  # number of texts
    codes: npt.NDArray[np.uint32]  # all texts, each as " text " followed by a 0
    code_doc: I64  # the text each code point belongs to
    word_starts: I64  # position of each word's first code point in `codes`
    word_hashes: U64
    word_doc: I64

    @classmethod
    def of(cls, texts: list[str]) -> Tokens:
        """Tokenise already cleaned texts (see `clean`)."""
        joined = " " + _SEPARATOR.join(texts) + _SEPARATOR
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        code_doc = np.cumsum(codes == 0) - (codes == 0)  # a separator belongs to its text
        is_word = _word_characters(codes)
        edges = np.diff(is_word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1)  # one past the last character; always < len(codes)
        if len(starts):
            word_of = np.cumsum(edges[:-1] == 1) - 1  # the word a code point is in (or after)
            offset = np.arange(len(codes)) - starts[np.maximum(word_of, 0)]
            with np.errstate(over="ignore"):
                weighted = codes.astype(np.uint64) * _POWERS[np.minimum(offset, _MAX_OFFSET)]
            bounds = np.column_stack([starts, ends]).ravel()
            hashes = mix(np.add.reduceat(weighted, bounds)[::2])
        else:
            hashes = np.zeros(0, dtype=np.uint64)
        return cls(
            size=len(texts),
            codes=codes,
            code_doc=code_doc.astype(np.int64),
            word_starts=starts.astype(np.int64),
            word_hashes=hashes,
            word_doc=code_doc[starts].astype(np.int64),
        )

    def char_grams(self, n: int = 4) -> tuple[U64, I64]:
        """(hash, text) of every character n-gram inside one text (padding spaces included)."""
        codes = self.codes.astype(np.uint64)
        count = len(codes) - n + 1
        if count <= 0:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
        with np.errstate(over="ignore"):
            acc = codes[:count].copy()
            inside = self.codes[:count] != 0
            for k in range(1, n):
                acc = acc * np.uint64(_P) + codes[k : k + count]
                inside &= self.codes[k : k + count] != 0
        return mix(acc[inside]), self.code_doc[:count][inside]


def _word_characters(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Python's `\\w` per code point: a table for ASCII, and str.isalnum on the distinct
    non-ASCII code points only (few, even in emoji-heavy text)."""
    is_word = _ASCII_WORD[np.minimum(codes, 127)]
    wide = codes >= 128
    if wide.any():
        distinct, where = np.unique(codes[wide], return_inverse=True)
        table = np.array([chr(int(c)).isalnum() for c in distinct], dtype=bool)
        is_word[wide] = table[where]
    return is_word
