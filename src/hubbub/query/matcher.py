"""The stream matcher: many topics against each incoming post, fast.

All topics are compiled at once. Each topic gets *clauses*: sets of words one of which a post
must contain entirely for the topic to match (a necessary condition in disjunctive normal form:
every side of an OR, the product of the sides of an AND, nothing for NOT and fields). Each clause
is indexed under its rarest-looking word.

The multi-pattern prefilter works on the post's folded *tokens*, not its characters: each
distinct token is looked up once in a dictionary (cached across posts) that yields the clause
words it provides - itself, the bare word of a hashtag, and the registered prefixes of wildcard
words (`run*` registers `run`). That is what Aho-Corasick over the text would give, without the
false hits inside longer words (`nike` in `nikelab`) that would then need re-checking, and
without a compiled dependency. Topics whose clause is complete are candidates; topics with no
clause (only NOT, fields or ranges) are always candidates. Candidates are then evaluated exactly
on the post's tokens; topics that are a word or an OR of words are decided by the prefilter.

Results are deterministic: pairs come out in post order, then topic name order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hubbub.query.ast import TEXT_FIELDS, And, Attr, Near, Node, Not, Or, Phrase, Range, Term
from hubbub.query.errors import QuerySyntaxError
from hubbub.query.features import FeatureIndex, IntArray, contains, csr, expand, unique
from hubbub.query.parser import parse
from hubbub.query.semantics import attr_matches, range_matches, term_matches
from hubbub.query.tokens import Tokens, fold, tokenize

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "too",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
    ]
)

Check = Callable[["PostContext"], bool]
MATCH_SCHEMA = pa.schema([("post_id", pa.string()), ("topic", pa.string())])


@dataclass
class PostContext:
    post: Mapping[str, Any]
    tokens: dict[str, Tokens] = field(default_factory=dict)
    index: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    _words: set[str] | None = None

    @property
    def words(self) -> set[str]:
        """Every folded token of the title and the text (what a plain word term looks up)."""
        if self._words is None:
            self._words = set(self.get_tokens("title").folded)
            self._words.update(self.get_tokens("text").folded)
        return self._words

    def get_tokens(self, name: str) -> Tokens:
        found = self.tokens.get(name)
        if found is None:
            found = self.tokens[name] = tokenize(self.post.get(name))
        return found

    def get_index(self, name: str) -> dict[str, list[int]]:
        found = self.index.get(name)
        if found is None:
            found = defaultdict(list)
            for i, token in enumerate(self.get_tokens(name).folded):
                found[token].append(i)
            self.index[name] = found
        return found

    def positions(self, term: Term, name: str) -> list[int]:
        if term.wildcard or term.exact:
            tokens = self.get_tokens(name)
            return [
                i
                for i, (f, o) in enumerate(zip(tokens.folded, tokens.original, strict=True))
                if term_matches(term, f, o)
            ]
        index = self.get_index(name)
        hits = index.get(term.value, [])
        if term.value[:1] != "#" and ("#" + term.value) in index:
            return sorted(hits + index["#" + term.value])
        return hits


def _plain_term(node: Term) -> Check:
    """A whole-word term: a dictionary lookup per field (the most common check by far)."""
    words = (node.value,) if node.value[:1] == "#" else (node.value, "#" + node.value)
    fields = node.fields
    if fields == TEXT_FIELDS:
        if len(words) == 1:
            return lambda ctx: words[0] in ctx.words
        return lambda ctx: words[0] in ctx.words or words[1] in ctx.words

    def check(ctx: PostContext) -> bool:
        for name in fields:
            index = ctx.get_index(name)
            if any(w in index for w in words):
                return True
        return False

    return check


def _gated(terms: tuple[Term, ...], check: Check, *, any_of: bool = False) -> Check:
    """`check`, run only when the plain words among `terms` are in the post (all of them, or
    with `any_of` one of them): a set lookup that spares most position scans. Terms with a
    wildcard or exact case, or limited to the title, are not gated (they pass the gate)."""
    plain = [t for t in terms if not (t.wildcard or t.exact) and t.fields == TEXT_FIELDS]
    if not plain or (any_of and len(plain) < len(terms)):
        return check
    forms = [(t.value, t.value if t.value[:1] == "#" else "#" + t.value) for t in plain]
    if any_of:
        return lambda ctx: any(a in ctx.words or b in ctx.words for a, b in forms) and check(ctx)
    return lambda ctx: all(a in ctx.words or b in ctx.words for a, b in forms) and check(ctx)


def _compile(node: Node) -> Check:
    if isinstance(node, Term):
        if not (node.wildcard or node.exact):
            return _plain_term(node)
        return lambda ctx: any(ctx.positions(node, f) for f in node.fields)
    if isinstance(node, Phrase):
        return _gated(node.words, lambda ctx: any(_phrase(node, ctx, f) for f in node.fields))
    if isinstance(node, Near):
        # Either side needs one of its words: gate on the cheaper side-by-side presence test.
        left = _gated(node.left, lambda ctx: True, any_of=True)
        right = _gated(node.right, lambda ctx: True, any_of=True)
        return lambda ctx: (
            left(ctx) and right(ctx) and any(_near(node, ctx, f) for f in node.fields)
        )
    if isinstance(node, And):
        checks = [_compile(i) for i in node.items]
        if len(checks) == 2:
            first, second = checks
            return lambda ctx: first(ctx) and second(ctx)
        return lambda ctx: all(c(ctx) for c in checks)
    if isinstance(node, Or):
        checks = [_compile(i) for i in node.items]
        if len(checks) == 2:
            first, second = checks
            return lambda ctx: first(ctx) or second(ctx)
        return lambda ctx: any(c(ctx) for c in checks)
    if isinstance(node, Not):
        inner = _compile(node.item)
        return lambda ctx: not inner(ctx)
    if isinstance(node, Attr):
        return lambda ctx: attr_matches(node, ctx.post)
    assert isinstance(node, Range)
    return lambda ctx: range_matches(node, ctx.post)


def _phrase(node: Phrase, ctx: PostContext, name: str) -> bool:
    hits = [set(ctx.positions(w, name)) for w in node.words]
    if not all(hits):
        return False
    if node.slop is None:
        return any(all(s + j in h for j, h in enumerate(hits[1:], start=1)) for s in hits[0])
    width = len(node.words) + node.slop
    # A window [s, s + width) holding every word must start at or before some word's position.
    starts = {p - d for h in hits for p in h for d in range(width)}
    return any(all(any(s <= p < s + width for p in h) for h in hits) for s in starts if s >= 0)


def _near(node: Near, ctx: PostContext, name: str) -> bool:
    left = sorted({p for t in node.left for p in ctx.positions(t, name)})
    if not left:
        return False
    right = sorted({p for t in node.right for p in ctx.positions(t, name)})
    limit = node.distance + 1
    for j in right:
        for i in left:
            gap = j - i
            if (0 < gap <= limit) or (not node.ordered and 0 < -gap <= limit):
                return True
    return False


_MAX_CLAUSES = 32
Clause = frozenset[str]  # words that must all be in the post; "\x00run" = a word starting with run


def _term_element(term: Term) -> str:
    value = fold(term.value) if term.exact else term.value
    if term.wildcard:
        cut = min(i for i, c in enumerate(value) if c in "*?")
        return "\x00" + value[:cut]
    return value


def clauses(node: Node) -> list[Clause] | None:
    """Alternatives of word sets, one of which a matching post must contain entirely (a
    necessary condition in disjunctive normal form); None when no word is required."""
    if isinstance(node, Term):
        return [frozenset({_term_element(node)})]
    if isinstance(node, Phrase):
        return [frozenset(_term_element(w) for w in node.words)]
    if isinstance(node, Near):
        pairs = [
            frozenset({_term_element(a), _term_element(b)}) for a in node.left for b in node.right
        ]
        return (
            pairs
            if len(pairs) <= _MAX_CLAUSES
            else [frozenset({_term_element(t)}) for t in node.left]
        )
    if isinstance(node, Or):
        out: list[Clause] = []
        for item in node.items:
            sub = clauses(item)
            if sub is None:
                return None
            out.extend(sub)
        return out
    if isinstance(node, And):
        known = [c for c in (clauses(i) for i in node.items) if c is not None]
        if not known:
            return None
        product_: list[Clause] = [frozenset()]
        for sub in sorted(known, key=len):
            combined = [a | b for a in product_ for b in sub]
            if len(combined) > _MAX_CLAUSES:
                break  # enough: a weaker condition is still a necessary one
            product_ = combined
        return product_
    return None  # NOT, fields and ranges require no word


def _key_element(clause: Clause) -> str:
    """The element to index a clause under: a whole word, not a stop word, the longest."""
    return max(clause, key=lambda e: (not e.startswith("\x00"), e not in STOP_WORDS, len(e)))


def _fields_used(node: Node) -> set[str]:
    if isinstance(node, Term | Phrase | Near):
        return set(node.fields)
    if isinstance(node, And | Or):
        return set().union(*(_fields_used(i) for i in node.items))
    if isinstance(node, Not):
        return _fields_used(node.item)
    if isinstance(node, Attr):
        return {
            "author_handle",
            "domains",
            "url",
            "links",
            "lang",
            "country",
            "platform",
            "kind",
            "author_verified",
        }
    return {"author_followers", "likes", "replies", "reposts", "quotes"}


#: NEAR distances up to this are detected in batch (one array pass per distance); larger ones
#: are checked per post.
_BATCH_NEAR_DISTANCE = 32

#: What a topic means in terms of features: a feature id, ("and"|"or", parts), ("not", part),
#: or ("check", node) for a node checked per post on its tokens.
Formula = int | tuple[str, Any]


def _element(term: Term) -> str | None:
    """The feature element that is present exactly when `term` matches (fields aside): a plain
    word, or a word ending in its only wildcard, `*`. None for exact case or other wildcards."""
    if term.exact:
        return None
    if not term.wildcard:
        return term.value
    prefix = term.value[:-1]
    if term.value.endswith("*") and prefix and "*" not in prefix and "?" not in prefix:
        return "\x00" + prefix
    return None


class _Compiler:
    """Turns topics into formulas over features, registering the features they use."""

    def __init__(self, features: FeatureIndex) -> None:
        self.features = features

    def formula(self, node: Node) -> Formula:
        if isinstance(node, And | Or):
            kind = "and" if isinstance(node, And) else "or"
            return (kind, tuple(self.formula(i) for i in node.items))
        if isinstance(node, Not):
            return ("not", self.formula(node.item))
        feature = self.feature(node)
        return ("check", node) if feature is None else feature

    def feature(self, node: Node) -> int | None:
        """The one feature equivalent to `node`, if there is one."""
        if isinstance(node, Term) and node.fields == TEXT_FIELDS:
            element = _element(node)
            return None if element is None else self.features.element(element)
        if isinstance(node, Phrase) and node.fields == TEXT_FIELDS and node.slop is None:
            words = [_element(w) for w in node.words]
            if all(w is not None for w in words):
                return self.features.phrase(tuple(w for w in words if w is not None))
        if (
            isinstance(node, Near)
            and node.fields == TEXT_FIELDS
            and node.distance <= _BATCH_NEAR_DISTANCE
        ):
            left, right = [_element(t) for t in node.left], [_element(t) for t in node.right]
            if all(e is not None for e in left + right):
                return self.features.near(
                    tuple(e for e in left if e is not None),
                    tuple(e for e in right if e is not None),
                    node.distance,
                    node.ordered,
                )
        return None

    def clauses(self, formula: Formula) -> list[frozenset[int]] | None:
        """Alternatives of feature sets one of which a matching post has entirely (a necessary
        condition in disjunctive normal form); None when the topic requires no feature."""
        if isinstance(formula, int):
            return [frozenset({formula})]
        kind, part = formula
        if kind == "check":
            found = clauses(part)
            if found is None:
                return None
            return [frozenset(self.features.element(e) for e in c) for c in found]
        if kind == "or":
            out: list[frozenset[int]] = []
            for item in part:
                sub = self.clauses(item)
                if sub is None:
                    return None
                out.extend(sub)
            return out
        if kind == "and":
            known = [c for c in (self.clauses(i) for i in part) if c is not None]
            if not known:
                return None
            product_: list[frozenset[int]] = [frozenset()]
            for sub in sorted(known, key=len):
                combined = [a | b for a in product_ for b in sub]
                if len(combined) > _MAX_CLAUSES:
                    break  # enough: a weaker condition is still a necessary one
                product_ = combined
            return product_
        return None  # NOT requires no feature

    def check(self, formula: Formula) -> Callable[[set[int], _LazyPost], bool]:
        """The formula as a closure over a post's features (and its tokens, if it must)."""
        if isinstance(formula, int):
            return lambda present, post: formula in present
        kind, part = formula
        if kind == "check":
            inner = _compile(part)
            return lambda present, post: inner(post.context())
        if kind == "not":
            negated = self.check(part)
            return lambda present, post: not negated(present, post)
        checks = [self.check(i) for i in part]
        if all(isinstance(i, int) for i in part):
            wanted = frozenset(part)  # the common case: one set operation, no calls
            if kind == "or":
                return lambda present, post: not wanted.isdisjoint(present)
            return lambda present, post: wanted <= present
        if kind == "or":
            return lambda present, post: any(c(present, post) for c in checks)
        return lambda present, post: all(c(present, post) for c in checks)


def _or_of_features(formula: Formula) -> list[int] | None:
    """The features of a topic that matches whenever one of them is present, if it is one."""
    if isinstance(formula, int):
        return [formula]
    kind, part = formula
    if kind != "or":
        return None
    out: list[int] = []
    for item in part:
        sub = _or_of_features(item)
        if sub is None:
            return None
        out.extend(sub)
    return out


Shape = str | tuple[str, tuple[Any, ...]] | tuple[str, Any]


def _shape(formula: Formula, leaves: list[int]) -> Shape | None:
    """The formula with its features taken out (appended to `leaves`): topics of one shape
    are checked together, array-wise. None when a part must be checked per post."""
    if isinstance(formula, int):
        leaves.append(formula)
        return "feature"
    kind, part = formula
    if kind == "check":
        return None
    if kind == "not":
        inner = _shape(part, leaves)
        return None if inner is None else ("not", inner)
    items = tuple(_shape(i, leaves) for i in part)
    return None if any(i is None for i in items) else (kind, items)


def _evaluate_shape(
    shape: Shape, columns: Iterator[npt.NDArray[np.bool_]]
) -> npt.NDArray[np.bool_]:
    """`shape` over arrays: `columns` yields, leaf by leaf, whether each pair has it."""
    if isinstance(shape, str):  # "feature"
        return next(columns)
    kind, part = shape
    if kind == "not":
        return ~_evaluate_shape(part, columns)
    values = [_evaluate_shape(i, columns) for i in part]
    combine = np.logical_and if kind == "and" else np.logical_or
    out = values[0]
    for value in values[1:]:
        out = combine(out, value)
    return out


class _LazyPost:
    """A post's row and tokens, built only for the few topics that need them."""

    __slots__ = ("_context", "_row")

    def __init__(self, row: Callable[[], Mapping[str, Any]]) -> None:
        self._row = row
        self._context: PostContext | None = None

    def context(self) -> PostContext:
        if self._context is None:
            self._context = PostContext(self._row())
        return self._context


class TopicMatcher:
    """Compiled topics. `match_batch(table)` -> Arrow table of (post_id, topic) pairs.

    Per batch: features are detected for all posts at once (`FeatureIndex.detect`); topics
    that are one feature or an OR of features (most of them: `nike`, `nike OR "nike air"`,
    `nike NEAR/3 shoe*`) are matched directly from them. The other topics are candidates where
    one of their clauses (feature sets a match needs, indexed under one feature) is complete,
    and are then checked exactly: on the post's feature set, and on its tokens only for what
    features do not express (exact case, `?` wildcards, title-only words, fields, ranges).
    """

    def __init__(self, topics: Mapping[str, str]) -> None:
        self.names: list[str] = sorted(topics)
        self.columns: set[str] = {"id", "text", "title"}
        self.features = FeatureIndex()
        compiler = _Compiler(self.features)
        decided: dict[int, list[int]] = defaultdict(list)
        keyed: list[tuple[int, int, tuple[int, ...]]] = []  # (key feature, topic, the rest)
        self.always: list[int] = []
        self.checks: dict[int, Callable[[set[int], _LazyPost], bool]] = {}
        shapes: dict[Shape, list[tuple[int, list[int]]]] = {}
        for number, name in enumerate(self.names):
            try:
                node = parse(topics[name])
            except QuerySyntaxError as exc:
                raise QuerySyntaxError(
                    f"topic {name!r}: {exc.problem}", exc.query, exc.offset, exc.hint
                ) from None
            self.columns |= _fields_used(node)
            formula = compiler.formula(node)
            direct = _or_of_features(formula)
            if direct is not None:
                for feature in set(direct):
                    decided[feature].append(number)
                continue
            leaves: list[int] = []
            shape = _shape(formula, leaves)
            if shape is None:
                self.checks[number] = compiler.check(formula)
            else:
                shapes.setdefault(shape, []).append((number, leaves))
            found = compiler.clauses(formula)
            if found is None:
                self.always.append(number)
                continue
            for clause in set(found):
                key = max(clause, key=self._rank)
                keyed.append((key, number, tuple(sorted(clause - {key}))))
        self.features.freeze()
        count = self.features.count
        self._decided = csr([sorted(decided.get(f, ())) for f in range(count)])
        keyed.sort()
        by_key: list[list[int]] = [[] for _ in range(count)]
        for i, (key, _, _) in enumerate(keyed):
            by_key[key].append(i)
        self._clause_by_key = csr(by_key)
        self._clause_topic = np.array([t for _, t, _ in keyed], np.int64)
        self._clause_rest = csr([list(rest) for _, _, rest in keyed])
        self._always = np.array(self.always, np.int64)
        # Topics checked array-wise: their shape's number, and a row of features per topic.
        self._shape_of = np.full(len(self.names), -1, np.int64)
        self._shapes: list[tuple[Shape, npt.NDArray[np.int64]]] = []
        for number, (shape, members) in enumerate(sorted(shapes.items(), key=lambda s: s[1])):
            leaves_of = np.zeros((len(self.names), len(members[0][1])), np.int64)
            for topic, leaves in members:
                self._shape_of[topic] = number
                leaves_of[topic] = leaves
            self._shapes.append((shape, leaves_of))

    def _rank(self, feature: int) -> tuple[bool, bool, bool, int]:
        """Which feature of a clause to index it under: the rarest-looking one (a phrase or
        near pair, else a whole word that is not a stop word, the longest)."""
        element = self.features.names[feature]
        if element is None:
            return (True, True, True, 0)
        return (False, not element.startswith("\x00"), element not in STOP_WORDS, len(element))

    def _match(
        self,
        texts: pa.Array,
        titles: pa.Array,
        row: Callable[[int], Mapping[str, Any]],
    ) -> tuple[IntArray, IntArray]:
        """(post index, topic index) of every match, sorted by post then topic."""
        posts, topics = len(texts), len(self.names)
        if posts == 0 or topics == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        found = self.features.detect(texts, titles)
        post, feature = found.post, found.feature
        present_keys = post * self.features.count + feature  # sorted: post, then feature
        owner, topic = expand(feature, *self._decided)
        matched = [post[owner] * topics + topic]
        # Candidates of the other topics: a clause's key feature is present, then its rest.
        owner, clause = expand(feature, *self._clause_by_key)
        clause_post = post[owner]
        rest_owner, rest = expand(clause, *self._clause_rest)
        if len(rest):
            missing = ~contains(present_keys, clause_post[rest_owner] * self.features.count + rest)
            complete = np.bincount(rest_owner[missing], minlength=len(clause)) == 0
            clause, clause_post = clause[complete], clause_post[complete]
        candidates = [clause_post * topics + self._clause_topic[clause]]
        if len(self._always):
            candidates.append(
                (np.arange(posts, dtype=np.int64)[:, None] * topics + self._always).ravel()
            )
        pairs = unique(np.concatenate(candidates))
        shape_of = self._shape_of[pairs % topics]
        for number, (shape, leaves_of) in enumerate(self._shapes):
            chosen = pairs[shape_of == number]
            rows = leaves_of[chosen % topics]
            base = (chosen // topics) * self.features.count
            columns = (contains(present_keys, base + rows[:, j]) for j in range(rows.shape[1]))
            matched.append(chosen[_evaluate_shape(shape, columns)])
        pairs = pairs[shape_of < 0]
        if len(pairs):
            matched.append(self._check(pairs, post, feature, row))
        keys = unique(np.concatenate(matched))
        return keys // topics, keys % topics

    def _check(
        self,
        pairs: IntArray,
        post: IntArray,
        feature: IntArray,
        row: Callable[[int], Mapping[str, Any]],
    ) -> IntArray:
        """The candidate (post * topics + topic) keys that match."""
        topics = len(self.names)
        bounds = np.searchsorted(post, np.arange(int(pairs[-1] // topics) + 2)).tolist()
        features = feature.tolist()
        checks = self.checks
        out: list[int] = []
        current, present, lazy = -1, set[int](), _LazyPost(lambda: {})
        for key in pairs.tolist():
            number, topic = divmod(key, topics)
            if number != current:
                current = number
                present = set(features[bounds[number] : bounds[number + 1]])
                lazy = _LazyPost(lambda number=number: row(number))  # type: ignore[misc]
            if checks[topic](present, lazy):
                out.append(key)
        return np.array(out, np.int64)

    def match_post(self, post: Mapping[str, Any]) -> list[str]:
        """The names of the topics `post` (a dict with Post fields) matches, sorted."""
        texts, titles = (
            pa.array([post.get("text")], pa.string()),
            pa.array([post.get("title")], pa.string()),
        )
        _, topics = self._match(texts, titles, lambda _: post)
        return [self.names[t] for t in topics.tolist()]

    def match_batch(self, table: pa.Table) -> pa.Table:
        """(post_id, topic) pairs of every match, in post order then topic name order."""
        rows: list[dict[str, Any]] = []

        def row(number: int) -> Mapping[str, Any]:
            if not rows:  # only when a topic needs more than features: once per batch
                names = [c for c in table.column_names if c in self.columns]
                rows.extend(table.select(names).to_pylist())
            return rows[number]

        def column(name: str) -> pa.Array:
            if name in table.column_names:
                return table.column(name).combine_chunks().cast(pa.string())
            return pa.nulls(table.num_rows, pa.string())

        post, topic = self._match(column("text"), column("title"), row)
        ids = table.column("id").take(pa.array(post)).cast(pa.string())
        names = pa.array(self.names, pa.string()).take(pa.array(topic))
        return pa.table({"post_id": ids, "topic": names}, schema=MATCH_SCHEMA)


def compile_topics(topics: Mapping[str, str]) -> TopicMatcher:
    """Compile {topic name: query} for matching; raises QuerySyntaxError naming a bad topic."""
    return TopicMatcher(topics)
