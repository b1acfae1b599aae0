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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from hubbub.query.ast import TEXT_FIELDS, And, Attr, Near, Node, Not, Or, Phrase, Range, Term
from hubbub.query.errors import QuerySyntaxError
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


def _decided_by_prefilter(node: Node) -> bool:
    """Topics such as `nike` or `nike OR #nike OR "nike"`: finding a clause's one word among
    the post's words already proves the match, so exact evaluation is skipped."""
    items = node.items if isinstance(node, Or) else (node,)
    return all(
        isinstance(i, Term) and not (i.wildcard or i.exact) and i.fields == TEXT_FIELDS
        for i in items
    )


#: Distinct tokens remembered with their prefilter elements; cleared when full (the cache only
#: saves work: words repeat across posts, Zipf-like, so most lookups hit it).
_TOKEN_CACHE_SIZE = 200_000


class TopicMatcher:
    """Compiled topics. `match_batch(table)` -> Arrow table of (post_id, topic) pairs."""

    def __init__(self, topics: Mapping[str, str]) -> None:
        self.names: list[str] = sorted(topics)
        self.checks: list[Check | None] = []  # None: the prefilter decides alone
        # element -> [(topic index, the clause's other elements)]
        index: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        prefixes: dict[int, set[str]] = defaultdict(set)
        self.always: list[int] = []
        self.columns: set[str] = {"id", "text", "title"}
        for number, name in enumerate(self.names):
            try:
                node = parse(topics[name])
            except QuerySyntaxError as exc:
                raise QuerySyntaxError(
                    f"topic {name!r}: {exc.problem}", exc.query, exc.offset, exc.hint
                ) from None
            self.checks.append(None if _decided_by_prefilter(node) else _compile(node))
            self.columns |= _fields_used(node)
            found = clauses(node)
            if found is None:
                self.always.append(number)
                continue
            for clause in set(found):
                key = _key_element(clause)
                index[key].append((number, clause - {key}))
                for element in clause:
                    if element.startswith("\x00"):
                        prefixes[len(element) - 1].add(element[1:])
        # A clause of one element selects its topic outright; the others also need their rest.
        self.direct: dict[str, tuple[int, ...]] = {
            key: tuple(sorted({t for t, rest in entries if not rest}))
            for key, entries in index.items()
        }
        self.index = {
            key: [(t, rest) for t, rest in entries if rest] for key, entries in index.items()
        }
        self.universe: frozenset[str] = frozenset(
            e for key, entries in index.items() for e in (key, *(x for _, r in entries for x in r))
        )
        self.prefixes: list[tuple[int, frozenset[str]]] = sorted(
            (length, frozenset(found)) for length, found in prefixes.items()
        )
        self._token_elements: dict[str, tuple[str, ...]] = {}

    def token_elements(self, token: str) -> tuple[str, ...]:
        """The prefilter elements a folded token provides: itself, the bare word of a hashtag,
        and the registered wildcard prefixes it starts with; only those some clause uses."""
        found = self._token_elements.get(token)
        if found is not None:
            return found
        out: list[str] = []
        for word in (token, token[1:]) if token[:1] == "#" else (token,):
            if word in self.universe:
                out.append(word)
            for length, starts in self.prefixes:
                if length > len(word):
                    break
                if word[:length] in starts:
                    out.append("\x00" + word[:length])
        if len(self._token_elements) >= _TOKEN_CACHE_SIZE:
            self._token_elements.clear()
        found = self._token_elements[token] = tuple(out)
        return found

    def elements(self, ctx: PostContext) -> set[str]:
        """The prefilter elements present in a post's title and text."""
        present: set[str] = set()
        cache = self._token_elements
        for token in ctx.words:
            found = cache.get(token)  # inlined: this loop runs for every word of every post
            present.update(self.token_elements(token) if found is None else found)
        return present

    def candidates(self, ctx: PostContext) -> list[int]:
        present = self.elements(ctx)
        found: set[int] = set(self.always)
        direct, index = self.direct, self.index
        for element in present:
            found.update(direct.get(element, ()))
            for topic, rest in index.get(element, ()):
                if rest <= present:
                    found.add(topic)
        return sorted(found)

    def match_post(self, post: Mapping[str, Any]) -> list[str]:
        ctx = PostContext(post)
        out: list[str] = []
        for i in self.candidates(ctx):
            check = self.checks[i]
            if check is None or check(ctx):
                out.append(self.names[i])
        return out

    def match_batch(self, table: pa.Table) -> pa.Table:
        """(post_id, topic) pairs of every match, in post order then topic name order."""
        names = [c for c in table.column_names if c in self.columns]
        rows = table.select(names).to_pylist()
        post_ids: list[str] = []
        topics: list[str] = []
        for row in rows:
            for topic in self.match_post(row):
                post_ids.append(row["id"])
                topics.append(topic)
        return pa.table({"post_id": post_ids, "topic": topics}, schema=MATCH_SCHEMA)


def compile_topics(topics: Mapping[str, str]) -> TopicMatcher:
    """Compile {topic name: query} for matching; raises QuerySyntaxError naming a bad topic."""
    return TopicMatcher(topics)
