"""Split post text into rows of a static embedding table (numpy-free, no tokenizer library).

The table has one row per WordPiece token of MiniLM's uncased vocabulary plus one row per
frequent whole word that WordPiece would cut into pieces (training/distill_embeddings.py).
A word is looked up whole first, then cut greedily into the longest vocabulary pieces
(`##` marks a continuation), as BERT does. Unlike BERT, a word that cannot be cut keeps the
pieces it has and drops only its unknown characters: an emoji glued to a word ("love😍")
must not turn the whole word into [UNK].
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# A word is a run of letters and digits; anything else that is not a space stands alone.
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_")
_MAX_WORD = 100  # BERT's limit: longer runs are noise (base64, hashes)
_CACHE_LIMIT = 500_000


def split_words(folded: str) -> list[str]:
    """The words and symbols of a text already through `normalize_for_model`."""
    return _TOKEN.findall(folded)


def strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def wordpiece(word: str, vocab: Mapping[str, int]) -> list[int]:
    """Greedy longest-match pieces of one word; characters no piece covers are skipped."""
    rows: list[int] = []
    start, n = 0, len(word)
    while start < n:
        end = n
        found = -1
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            row = vocab.get(piece, -1)
            if row >= 0:
                found = row
                break
            end -= 1
        if found < 0:
            start += 1  # an unknown character: skip it, keep the rest of the word
            continue
        rows.append(found)
        start = end
    return rows


class RowLookup:
    """Word -> table rows, remembered per distinct word (posts repeat words a lot)."""

    def __init__(self, vocab: Mapping[str, int], words: Mapping[str, int]) -> None:
        self._vocab = vocab
        self._words = words
        #: word -> rows, filled by `rows`; read directly by hot loops.
        self.cache: dict[str, list[int]] = {}

    def rows(self, word: str) -> list[int]:
        cached = self.cache.get(word)
        if cached is not None:
            return cached
        found = self._lookup(word)
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()  # bounded memory on endless streams of rare words
        self.cache[word] = found
        return found

    def _lookup(self, word: str) -> list[int]:
        if len(word) > _MAX_WORD:
            return []
        for form in (word, strip_accents(word)):
            row = self._words.get(form, self._vocab.get(form, -1))
            if row >= 0:
                return [row]
        return wordpiece(strip_accents(word), self._vocab)
