"""The stream matcher: many topics against each incoming post, fast.

All topics are compiled at once. Each topic gets *anchors*: words at least one of which must be
in a post for the topic to match (the rarest side of an AND, every side of an OR). Per post, the
tokens are looked up in one dictionary of anchors (a hash-based multi-pattern prefilter; wildcard
anchors go through a prefix table), and only the candidate topics - plus the few with no anchor,
such as pure field filters - are evaluated exactly, on a token -> positions index of the post.
Results are deterministic: pairs come out in post order, then topic name order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from hubbub.query.ast import And, Attr, Near, Node, Not, Or, Phrase, Range, Term
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


def _compile(node: Node) -> Check:
    if isinstance(node, Term):
        return lambda ctx: any(ctx.positions(node, f) for f in node.fields)
    if isinstance(node, Phrase):
        return lambda ctx: any(_phrase(node, ctx, f) for f in node.fields)
    if isinstance(node, Near):
        return lambda ctx: any(_near(node, ctx, f) for f in node.fields)
    if isinstance(node, And):
        checks = [_compile(i) for i in node.items]
        return lambda ctx: all(c(ctx) for c in checks)
    if isinstance(node, Or):
        checks = [_compile(i) for i in node.items]
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


class TopicMatcher:
    """Compiled topics. `match_batch(table)` -> Arrow table of (post_id, topic) pairs."""

    def __init__(self, topics: Mapping[str, str]) -> None:
        self.names: list[str] = sorted(topics)
        self.checks: list[Check] = []
        # element -> [(topic index, the clause's other elements)]
        self.index: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        self.prefix_lengths: set[int] = set()
        self.always: list[int] = []
        self.columns: set[str] = {"id", "text", "title"}
        for index, name in enumerate(self.names):
            try:
                node = parse(topics[name])
            except QuerySyntaxError as exc:
                raise QuerySyntaxError(
                    f"topic {name!r}: {exc.problem}", exc.query, exc.offset, exc.hint
                ) from None
            self.checks.append(_compile(node))
            self.columns |= _fields_used(node)
            found = clauses(node)
            if found is None:
                self.always.append(index)
                continue
            for clause in set(found):
                key = _key_element(clause)
                self.index[key].append((index, clause - {key}))
                self.prefix_lengths.update(len(e) - 1 for e in clause if e.startswith("\x00"))
        self.index = dict(self.index)

    def elements(self, ctx: PostContext) -> set[str]:
        """The post's words (hashtags also as bare words) and the registered word prefixes."""
        keys: set[str] = set()
        for name in ("title", "text"):
            for token in ctx.get_tokens(name).folded:
                keys.add(token)
                if token[:1] == "#":
                    keys.add(token[1:])
        for length in self.prefix_lengths:
            keys.update(
                "\x00" + k[:length] for k in list(keys) if len(k) >= length and k[0] != "\x00"
            )
        return keys

    def candidates(self, ctx: PostContext) -> list[int]:
        present = self.elements(ctx)
        found: set[int] = set(self.always)
        index = self.index
        for element in present:
            for topic, rest in index.get(element, ()):
                if topic not in found and rest <= present:
                    found.add(topic)
        return sorted(found)

    def match_post(self, post: Mapping[str, Any]) -> list[str]:
        ctx = PostContext(post)
        return [self.names[i] for i in self.candidates(ctx) if self.checks[i](ctx)]

    def match_batch(self, table: pa.Table) -> pa.Table:
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
