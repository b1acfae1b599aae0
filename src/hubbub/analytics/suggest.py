"""Query suggestions: exclusions that make a topic more precise, additions that widen it.

Exclusions. In the posts a query matches, a word that marks off-topic use (a check-in, a job ad,
a sports team that shares the brand's name) tends to come with *fewer* of the query's own words:
the post matched by accident, on one word. For every frequent word w of the matched posts:

    support(w)  = matched posts containing w
    density(P)  = how many distinct topic words post P contains (the query's words and the words
                  that set the matched posts apart from the rest of the store)
    gap(w)      = mean density of all matched posts - mean density of those containing w
    score(w)    = gap(w) x log(1 + support(w))

Words with the highest score are suggested as `NOT w`, with the posts they would remove
(the estimated change in matched volume) and examples.

Additions. Words that co-occur with the matched posts far more than with the rest of the store
(weighted log-odds, see `terms.py`) are suggested as `OR w`, with how many stored posts not yet
matched contain them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hubbub.analytics.terms import count_terms, log_odds, terms
from hubbub.query import parse
from hubbub.query.ast import And, Near, Node, Or, Phrase, Term
from hubbub.query.sql import register_functions, search_sql
from hubbub.store import Store


def query_words(node: Node) -> set[str]:
    """The plain words a query looks for (wildcards as their prefix), without NOT parts."""
    if isinstance(node, Term):
        return {node.value.lower().split("*")[0].split("?")[0].lstrip("#@")}
    if isinstance(node, Phrase):
        return set().union(*(query_words(w) for w in node.words))
    if isinstance(node, Near):
        return set().union(*(query_words(t) for t in (*node.left, *node.right)))
    if isinstance(node, And | Or):
        return set().union(*(query_words(i) for i in node.items))
    return set()  # NOT, fields, ranges


def _density(post_terms: set[str], words: set[str]) -> int:
    return sum(1 for w in words if any(t.lstrip("#@").startswith(w) for t in post_terms))


def topical_words(texts: list[str], others: list[str], count: int = 40) -> set[str]:
    """Words far more frequent in the matched posts than in the rest of the store."""
    ranked = log_odds(count_terms(texts), count_terms(others))
    return {t.lstrip("#@") for t, z, _, n, _ in ranked[:count] if z > 2 and n >= 5}


def suggest_exclusions(
    texts: list[str],
    query: str,
    *,
    others: list[str] | None = None,
    limit: int = 10,
    min_support: int = 10,
    examples: int = 2,
) -> list[dict[str, Any]]:
    """Exclusions for a query from the texts it matched (and, if given, the texts it did not:
    the words that set the matched posts apart then count as the topic's words too)."""
    words = query_words(parse(query))
    if others:
        words |= topical_words(texts, others)
    post_terms = [set(terms(t)) for t in texts]
    density = [_density(p, words) for p in post_terms]
    overall = sum(density) / max(len(density), 1)
    support: Counter[str] = Counter()
    density_sum: Counter[str] = Counter()
    for p, d in zip(post_terms, density, strict=True):
        for t in p:
            support[t] += 1
            density_sum[t] += d
    import math

    scored = []
    for t, n in support.items():
        if (
            n < min_support
            or t.lstrip("#@") in words
            or any(t.lstrip("#@").startswith(w) for w in words)
        ):
            continue
        gap = overall - density_sum[t] / n
        if gap > 0:
            scored.append((gap * math.log1p(n), t, n, gap))
    scored.sort(reverse=True)
    out = []
    for score, t, n, gap in scored[:limit]:
        sample = [text for text, p in zip(texts, post_terms, strict=True) if t in p][:examples]
        out.append(
            {
                "term": t,
                "suggestion": f"NOT {t}",
                "posts_removed": n,
                "score": round(score, 3),
                "density_gap": round(gap, 3),
                "examples": sample,
            }
        )
    return out


def suggest(store: Store, query: str, *, limit: int = 10) -> dict[str, Any]:
    """Exclusions and additions for a query over the stored posts."""
    register_functions(store.con)
    matched = store.con.execute(
        f"SELECT p.id, concat_ws(' ', p.title, p.text) FROM ({search_sql(query)}) p"
    ).fetchall()
    matched_ids = {r[0] for r in matched}
    texts = [r[1] or "" for r in matched]
    others = [
        r[1] or ""
        for r in store.con.execute("SELECT id, concat_ws(' ', title, text) FROM posts").fetchall()
        if r[0] not in matched_ids
    ]
    words = query_words(parse(query))
    additions: list[dict[str, Any]] = []
    other_terms = [set(terms(t)) for t in others]
    for term, z, _, n, _ in log_odds(count_terms(texts), count_terms(others)):
        if len(additions) >= limit or z < 2:
            break
        if term.lstrip("#@") in words or n < 5:
            continue
        gained = sum(1 for p in other_terms if term in p)
        if gained:
            additions.append(
                {"term": term, "suggestion": f"OR {term}", "posts_added": gained, "z": round(z, 2)}
            )
    return {
        "query": query,
        "matched": len(texts),
        "exclude": suggest_exclusions(texts, query, others=others, limit=limit),
        "add": additions,
    }


def apply_exclusions(query: str, exclusions: list[str]) -> str:
    """The query with `NOT term` exclusions added."""
    if not exclusions:
        return query
    return (
        f"({query}) NOT ({' OR '.join(exclusions)})"
        if len(exclusions) > 1
        else f"({query}) NOT {exclusions[0]}"
    )
