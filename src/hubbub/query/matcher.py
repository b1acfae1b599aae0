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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from hubbub.query.ast import And, Attr, Near, Node, Not, Or, Phrase, Range, Term
from hubbub.query.errors import QuerySyntaxError
from hubbub.query.parser import parse
from hubbub.query.semantics import attr_matches, range_matches, term_matches
from hubbub.query.tokens import Tokens, tokenize

Anchor = tuple[str, str]  # ("w", word) or ("p", prefix)
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


def anchors(node: Node) -> set[Anchor] | None:
    """Words one of which any matching post must contain; None when there are none."""
    if isinstance(node, Term):
        value = node.value.lower() if node.exact else node.value
        if node.exact:
            from hubbub.query.tokens import fold

            value = fold(node.value)
        if node.wildcard:
            cut = min(i for i, c in enumerate(value) if c in "*?")
            return {("p", value[:cut])}
        return {("w", value)}
    if isinstance(node, Phrase):
        literal = [w for w in node.words if not w.wildcard] or list(node.words)
        return anchors(max(literal, key=lambda w: len(w.value)))
    if isinstance(node, Near):
        sides = [_union(anchors(t) for t in side) for side in (node.left, node.right)]
        known = [s for s in sides if s is not None]
        return min(known, key=len) if known else None
    if isinstance(node, And):
        known = [a for a in (anchors(i) for i in node.items) if a is not None]
        return min(known, key=len) if known else None
    if isinstance(node, Or):
        return _union(anchors(i) for i in node.items)
    return None


def _union(parts: Iterable[set[Anchor] | None]) -> set[Anchor] | None:
    out: set[Anchor] = set()
    for part in parts:
        if part is None:
            return None
        out |= part
    return out


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
        self.words: dict[str, list[int]] = defaultdict(list)
        self.prefixes: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
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
            found = anchors(node)
            if found is None:
                self.always.append(index)
                continue
            for kind, value in found:
                if kind == "w":
                    self.words[value].append(index)
                else:
                    self.prefixes[len(value)][value].append(index)
        self.words = dict(self.words)
        self.prefix_tables = sorted((n, dict(t)) for n, t in self.prefixes.items())

    def candidates(self, ctx: PostContext) -> list[int]:
        keys: set[str] = set()
        for name in ("title", "text"):
            for token in ctx.get_tokens(name).folded:
                keys.add(token)
                if token[:1] == "#":
                    keys.add(token[1:])
        found: set[int] = set(self.always)
        words = self.words
        for key in keys:
            hit = words.get(key)
            if hit is not None:
                found.update(hit)
        for length, table in self.prefix_tables:
            for key in keys:
                hit = table.get(key[:length])
                if hit is not None and len(key) >= length:
                    found.update(hit)
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
