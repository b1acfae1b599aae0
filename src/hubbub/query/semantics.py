"""What each AST node means on one post: the reference evaluator.

Written for clarity, not speed: it scans token lists. The stream matcher (`matcher.py`) and the
SQL back end (`sql.py`) must agree with it on every query and post; the property tests check so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from itertools import product
from typing import Any

from hubbub.query.ast import And, Attr, Near, Node, Not, Or, Phrase, Range, Term
from hubbub.query.tokens import Tokens, fold, tokenize


@lru_cache(maxsize=4096)
def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """`run*` -> runs of any characters; `colo?r` -> exactly one character."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL)


def term_matches(term: Term, folded: str, original: str) -> bool:
    """Does one token match one term? A plain word also matches its hashtag."""
    token = original if term.exact else folded
    candidates = (token, token[1:]) if token[:1] == "#" and term.value[:1] != "#" else (token,)
    if term.wildcard:
        regex = wildcard_regex(term.value)
        return any(regex.fullmatch(c) for c in candidates)
    return term.value in candidates


def positions(term: Term, tokens: Tokens) -> list[int]:
    return [
        i
        for i, (f, o) in enumerate(zip(tokens.folded, tokens.original, strict=True))
        if term_matches(term, f, o)
    ]


def phrase_in(phrase: Phrase, tokens: Tokens) -> bool:
    k = len(phrase.words)
    n = len(tokens.folded)
    if phrase.slop is None:
        return any(
            all(
                term_matches(w, tokens.folded[s + j], tokens.original[s + j])
                for j, w in enumerate(phrase.words)
            )
            for s in range(n - k + 1)
        )
    # Every word somewhere within a window of len(words) + slop tokens, in any order.
    width = k + phrase.slop
    hits = [set(positions(w, tokens)) for w in phrase.words]
    return any(all(any(s <= p < s + width for p in h) for h in hits) for s in range(n))


def near_in(near: Near, tokens: Tokens) -> bool:
    left = {p for t in near.left for p in positions(t, tokens)}
    right = {p for t in near.right for p in positions(t, tokens)}
    for i, j in product(left, right):
        if near.ordered:
            if j > i and j - i - 1 <= near.distance:
                return True
        elif i != j and abs(i - j) - 1 <= near.distance:
            return True
    return False


def engagement(post: Mapping[str, Any]) -> int:
    return sum(int(post.get(k) or 0) for k in ("likes", "replies", "reposts", "quotes"))


def attr_matches(attr: Attr, post: Mapping[str, Any]) -> bool:
    field = attr.field
    if field == "authorVerified":
        value = post.get("author_verified")
        return value is not None and bool(value) == (attr.values[0] == "true")
    if field == "author":
        handle = fold(post.get("author_handle") or "").lstrip("@")
        return handle in attr.values
    if field == "site":
        domains = [fold(d).removeprefix("www.") for d in post.get("domains") or []]
        return any(d == v or d.endswith("." + v) for d in domains for v in attr.values)
    if field == "url":
        url = fold(post.get("url") or "")
        return any(v in url for v in attr.values)
    if field == "links":
        links = [fold(link) for link in post.get("links") or []]
        return any(v in link for link in links for v in attr.values)
    if field == "subreddit":
        url = fold(post.get("url") or "")
        return post.get("platform") == "reddit" and any(f"/r/{v}/" in url for v in attr.values)
    column = {"language": "lang", "country": "country", "platform": "platform", "kind": "kind"}[
        field
    ]
    return fold(post.get(column) or "") in attr.values


def range_matches(rng: Range, post: Mapping[str, Any]) -> bool:
    if rng.field == "engagement":
        value: int | None = engagement(post)
    else:
        raw = post.get("author_followers")
        value = None if raw is None else int(raw)
    if value is None:
        return False
    return (rng.low is None or value >= rng.low) and (rng.high is None or value <= rng.high)


def evaluate(node: Node, post: Mapping[str, Any], cache: dict[str, Tokens] | None = None) -> bool:
    """Does `post` (a dict with Post fields) match `node`?"""
    cache = {} if cache is None else cache

    def tokens(field: str) -> Tokens:
        if field not in cache:
            cache[field] = tokenize(post.get(field))
        return cache[field]

    if isinstance(node, Term):
        return any(positions(node, tokens(f)) for f in node.fields)
    if isinstance(node, Phrase):
        return any(phrase_in(node, tokens(f)) for f in node.fields)
    if isinstance(node, Near):
        return any(near_in(node, tokens(f)) for f in node.fields)
    if isinstance(node, And):
        return all(evaluate(i, post, cache) for i in node.items)
    if isinstance(node, Or):
        return any(evaluate(i, post, cache) for i in node.items)
    if isinstance(node, Not):
        return not evaluate(node.item, post, cache)
    if isinstance(node, Attr):
        return attr_matches(node, post)
    return range_matches(node, post)
