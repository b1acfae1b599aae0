"""Batch detection of *features*: the facts about a post that most topics are made of.

A feature is one of

- an **element**: a folded word a post's title or text contains (a token, or the bare word of a
  hashtag token), or a registered prefix (`"\\x00run"`: a word starting with `run`, what `run*`
  needs);
- a **phrase** of elements, in order, adjacent, in one field;
- a **near** pair: an element of one side within `distance` words of an element of the other
  side (after it when `ordered`), in one field.

For a whole batch of posts at once, `FeatureIndex.detect` returns every (post, feature) pair
that holds, with compiled code and numpy doing the per-token work: `compiled_tokens.py`
tokenizes the texts and finds the elements of each token position (Python only tokenizes
non-ASCII chunks, each the first time it is seen), and phrases and near pairs are found by
shifting token positions and looking them up in a sorted array of (element, position) keys.

Element presence is exactly what a plain term (or a term with one trailing `*`) over title and
text means in `semantics.py`, so topics built from such terms, phrases and NEARs need no
further check; anything else (exact case, `?`, fields, ranges...) is checked per post by the
matcher.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from hubbub.query.tokens import clean_token, fold, token_pattern

if TYPE_CHECKING:
    from hubbub.query.compiled_tokens import CompiledTokenizer

IntArray = npt.NDArray[np.int64]

#: Distinct non-ASCII chunks remembered with their elements; they are forgotten when there are
#: more (remembering only saves work: words repeat across posts, Zipf-like).
_VOCABULARY_SIZE = 1_000_000


def csr(rows: list[list[int]]) -> tuple[IntArray, IntArray]:
    """Row pointers and values of a list of int lists (compressed sparse rows)."""
    counts = np.fromiter((len(r) for r in rows), np.int64, len(rows))
    pointers = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(counts, out=pointers[1:])
    values = np.fromiter((v for r in rows for v in r), np.int64, int(pointers[-1]))
    return pointers, values


def expand(keys: IntArray, pointers: IntArray, values: IntArray) -> tuple[IntArray, IntArray]:
    """For each i, one output row per value of row keys[i]: (i repeated, values)."""
    starts = pointers[keys]
    counts = pointers[keys + 1] - starts
    owner = np.repeat(np.arange(len(keys), dtype=np.int64), counts)
    return owner, values[_gather_index(starts, counts)]


def expand_values(keys: IntArray, pointers: IntArray, values: IntArray) -> IntArray:
    """`expand` without the owners (one repeat fewer: it runs on every token of a batch)."""
    starts = pointers[keys]
    return values[_gather_index(starts, pointers[keys + 1] - starts)]


def _gather_index(starts: IntArray, counts: IntArray) -> IntArray:
    """starts[0], starts[0] + 1, ... (counts[0] of them), then starts[1], ..."""
    total = int(counts.sum())
    shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return shift + np.arange(total, dtype=np.int64)


def unique(values: IntArray) -> IntArray:
    """Sorted distinct values (a sort and a comparison: quicker here than `np.unique`)."""
    if len(values) == 0:
        return values
    values = np.sort(values)
    keep = np.empty(len(values), bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def contains(sorted_keys: IntArray, wanted: IntArray) -> npt.NDArray[np.bool_]:
    if len(sorted_keys) == 0:
        return np.zeros(len(wanted), bool)
    where = np.searchsorted(sorted_keys, wanted)
    where[where == len(sorted_keys)] = 0
    return sorted_keys[where] == wanted  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Detected:
    """A batch's features: `post` and `feature` arrays, sorted by post then feature, unique."""

    post: IntArray
    feature: IntArray


class FeatureIndex:
    """Registered features, and their detection over batches of posts."""

    def __init__(self) -> None:
        self._ids: dict[tuple[object, ...], int] = {}
        self.names: list[str | None] = []  # feature id -> its element (None: phrase, near)
        self.elements: dict[str, int] = {}  # element -> feature id
        self._prefixes: dict[int, set[str]] = defaultdict(set)
        self._phrases: list[tuple[int, tuple[int, ...]]] = []
        self._nears: list[tuple[int, tuple[int, ...], tuple[int, ...], int, bool]] = []
        self._frozen = False

    @property
    def count(self) -> int:
        return len(self._ids)

    def _register(self, key: tuple[object, ...]) -> tuple[int, bool]:
        assert not self._frozen, "features are registered before the first batch"
        found = self._ids.get(key)
        if found is not None:
            return found, False
        found = self._ids[key] = len(self._ids)
        self.names.append(key[1] if key[0] == "element" else None)  # type: ignore[arg-type]
        return found, True

    def element(self, element: str) -> int:
        fid, new = self._register(("element", element))
        if new:
            self.elements[element] = fid
            if element.startswith("\x00"):
                self._prefixes[len(element) - 1].add(element[1:])
        return fid

    def phrase(self, elements: tuple[str, ...]) -> int:
        if len(elements) == 1:
            return self.element(elements[0])
        words = tuple(self.element(e) for e in elements)
        fid, new = self._register(("phrase", words))
        if new:
            self._phrases.append((fid, words))
        return fid

    def near(
        self, left: tuple[str, ...], right: tuple[str, ...], distance: int, ordered: bool
    ) -> int:
        lefts = tuple(sorted({self.element(e) for e in left}))
        rights = tuple(sorted({self.element(e) for e in right}))
        fid, new = self._register(("near", lefts, rights, distance, ordered))
        if new:
            self._nears.append((fid, lefts, rights, distance, ordered))
        return fid

    def freeze(self) -> None:
        """Build the lookup arrays; called once all topics are registered."""
        self._frozen = True
        count = self.count
        # Wildcard prefixes, indexed by their first characters (as many as the shortest has).
        self._shortest = min(self._prefixes, default=1)
        self._prefixes_by_start: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for found in self._prefixes.values():
            for prefix in sorted(found):
                start = prefix[: self._shortest]
                self._prefixes_by_start[start].append((prefix, self.elements["\x00" + prefix]))
        # Phrases: indexed under their first two elements, their words padded into a matrix.
        longest = max((len(w) for _, w in self._phrases), default=2)
        self._phrase_fid = np.array([f for f, _ in self._phrases], np.int64)
        self._phrase_len = np.array([len(w) for _, w in self._phrases], np.int64)
        self._phrase_words = np.full((len(self._phrases), longest), -1, np.int64)
        by_bigram: dict[int, list[int]] = defaultdict(list)
        for i, (_, words) in enumerate(self._phrases):
            self._phrase_words[i, : len(words)] = words
            by_bigram[words[0] * count + words[1]].append(i)
        self._bigrams = np.array(sorted(by_bigram), np.int64)
        self._phrase_by_bigram = csr([by_bigram[int(b)] for b in self._bigrams])
        # Near pairs: indexed under each element of either side.
        lefts: list[list[int]] = [[] for _ in range(count)]
        rights: list[list[int]] = [[] for _ in range(count)]
        for i, (_, left, right, _, _) in enumerate(self._nears):
            for e in left:
                lefts[e].append(i)
            for e in right:
                rights[e].append(i)
        self._near_left, self._near_right = csr(lefts), csr(rights)
        self._near_fid = np.array([n[0] for n in self._nears], np.int64)
        self._near_reach = np.array([n[3] + 1 for n in self._nears], np.int64)
        self._near_ordered = np.array([n[4] for n in self._nears], bool)
        self._build_tokenizer()

    def _build_tokenizer(self) -> None:
        # Imported here, not with this module: numba and the tokenizer's tables take ~0.4 s
        # to load, which only matching needs, not every command that parses a query.
        from hubbub.query.compiled_tokens import CompiledTokenizer

        self._tokenizer: CompiledTokenizer = CompiledTokenizer(
            {e: f for e, f in self.elements.items() if not e.startswith("\x00")},
            {e[1:]: f for e, f in self.elements.items() if e.startswith("\x00")},
            self._chunk_elements,
        )

    def _chunk_elements(self, chunk: str) -> list[list[int]]:
        """The elements of each token of a chunk, by `tokens.py` (the compiled tokenizer's
        path for non-ASCII chunks)."""
        return [self._elements_of(raw) for raw in token_pattern().findall(chunk)]

    def _elements_of(self, raw: str) -> list[int]:
        """The element features a raw token provides: see the module docstring."""
        token = clean_token(raw)
        token = token.lower() if token.isascii() else fold(token)
        out: list[int] = []
        elements, shortest, prefixes = self.elements, self._shortest, self._prefixes_by_start
        for word in (token, token[1:]) if token[:1] == "#" else (token,):
            found = elements.get(word)
            if found is not None:
                out.append(found)
            # Prefixes sharing the word's first `shortest` characters: usually none.
            for prefix, feature in prefixes.get(word[:shortest], ()):
                if word.startswith(prefix):
                    out.append(feature)
        return out if len(out) < 2 else sorted(set(out))

    def elements_at(self, texts: pa.Array) -> tuple[IntArray, IntArray, IntArray]:
        """(document, position, element) over the token positions of all texts in order, a
        separator position after each text's: the text of each position (-1: a separator),
        and every (position, element feature) that holds, by position then element."""
        if self._tokenizer.chunks_seen > _VOCABULARY_SIZE:
            self._tokenizer.reset()
        return self._tokenizer.features(pc.fill_null(texts.cast(pa.string()), ""))

    def detect(self, texts: pa.Array, titles: pa.Array) -> Detected:
        """Every (post, feature) that holds; post i has text texts[i] and title titles[i]."""
        posts = len(texts)
        # Which field ("document": a text or a title) each token position belongs to, and the
        # elements found at each position.
        fields = pa.concat_arrays([texts.cast(pa.string()), titles.cast(pa.string())])
        document, position, element = self.elements_at(fields)
        total = len(document)
        keys = np.sort(element * total + position)
        found_post = [document[position] % posts]
        found_feature = [element]
        if len(self._phrases):
            post, feature = self._detect_phrases(position, element, keys, total, document, posts)
            found_post.append(post)
            found_feature.append(feature)
        if len(self._nears):
            post, feature = self._detect_nears(position, element, total, document, posts)
            found_post.append(post)
            found_feature.append(feature)
        combined = unique(np.concatenate(found_post) * self.count + np.concatenate(found_feature))
        return Detected(combined // self.count, combined % self.count)

    def _detect_phrases(
        self,
        position: IntArray,
        element: IntArray,
        keys: IntArray,
        total: int,
        document: IntArray,
        posts: int,
    ) -> tuple[IntArray, IntArray]:
        """Phrase starts: two adjacent elements that begin some phrase (pairs of positions p,
        p + 1 found by binary search in the sorted positions; looking them up in the few
        distinct first bigrams is cheap), then word j at p + j for every further j. A phrase
        never spans two fields: the separator between them has no element."""
        low = np.searchsorted(position, position + 1, "left")
        high = np.searchsorted(position, position + 1, "right")
        first = np.repeat(np.arange(len(position), dtype=np.int64), high - low)
        second = _gather_index(low, high - low)
        bigram = element[first] * self.count + element[second]
        hit = contains(self._bigrams, bigram)
        first, bigram = first[hit], bigram[hit]
        owner, phrase = expand(np.searchsorted(self._bigrams, bigram), *self._phrase_by_bigram)
        start = position[first[owner]]
        for j in range(2, self._phrase_words.shape[1]):
            longer = self._phrase_len[phrase] > j
            wanted = self._phrase_words[phrase[longer], j] * total + start[longer] + j
            keep = np.ones(len(phrase), bool)
            keep[longer] = contains(keys, wanted)
            phrase, start = phrase[keep], start[keep]
        return document[start] % posts, self._phrase_fid[phrase]

    def _detect_nears(
        self,
        position: IntArray,
        element: IntArray,
        total: int,
        document: IntArray,
        posts: int,
    ) -> tuple[IntArray, IntArray]:
        """A left word at i and a right word at j = i + d (or i - d when unordered), 1 <= d <=
        distance + 1, both in the same field."""
        owner, near = expand(element, *self._near_left)
        left = position[owner]
        owner, right_near = expand(element, *self._near_right)
        right_keys = np.sort(right_near * total + position[owner])
        hits: list[IntArray] = []
        reach = self._near_reach[near]
        ordered = self._near_ordered[near]
        for d in range(1, int(reach.max(initial=0)) + 1):
            within = reach >= d
            for step in (d, -d):
                select = within if step > 0 else within & ~ordered
                at = left[select] + step
                inside = (at >= 0) & (at < total)
                at = np.where(inside, at, 0)
                ok = inside & (document[at] == document[left[select]])
                ok &= contains(right_keys, near[select] * total + at)
                hits.append(np.flatnonzero(select)[ok])
        chosen = unique(np.concatenate(hits)) if hits else np.zeros(0, np.int64)
        return document[left[chosen]] % posts, self._near_fid[near[chosen]]
