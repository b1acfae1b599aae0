"""Headlines: a few one-line summaries of what was said in a window, each backed by posts.

Extractive (no network, no model): the window's emerging terms (log-odds against the preceding
window of the same length) are the candidate themes. For each theme, the posts that use the
term are gathered, and the post that shares the most terms with the others (the most central,
ties broken by engagement) becomes the headline line, shortened to one sentence. Themes whose
supporting posts overlap mostly with an earlier headline are merged into it (so three phrasings
of one story make one headline).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import datetime
from itertools import chain
from typing import Any, Final

from hubbub.analytics.llm import LlmEndpoint, rewrite
from hubbub.analytics.scope import ENGAGEMENT_SQL, Scope
from hubbub.analytics.terms import count_terms, log_odds, terms
from hubbub.store import Store

_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+")
_MAX_CHARS: Final = 140
SAMPLE_CAP: Final = 10_000  # posts read per window; more are sampled (see `window`)


def one_line(text: str) -> str:
    """The first sentence, whitespace folded, cut at a word boundary."""
    text = html.unescape(re.sub(r"<[^>]{0,200}>", " ", text))  # YouTube and RSS texts hold HTML
    text = " ".join(re.sub(r"https?://\S+", "", text).split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""
    if len(first) <= _MAX_CHARS:
        return first
    return first[:_MAX_CHARS].rsplit(" ", 1)[0] + "…"


def headlines(
    store: Store,
    scope: Scope,
    *,
    start: datetime,
    end: datetime,
    count: int = 5,
    support: int = 3,
    llm: LlmEndpoint | None = None,
    sample_cap: int = SAMPLE_CAP,
) -> list[dict[str, Any]]:
    """Up to `count` headlines for [start, end), each with up to `support` supporting posts.
    Extractive; with an `llm` endpoint (or HUBBUB_LLM_URL and HUBBUB_LLM_MODEL set) each line is
    rewritten from its posts by that model, the extractive line kept when that fails.
    A window of more than `sample_cap` posts is read as a fixed sample of that many (by hash of
    id): its `posts` counts are then scaled estimates and `estimated` is true."""
    chosen = _extractive(store, scope, start, end, count, support, sample_cap)
    endpoint = llm or LlmEndpoint.from_environment()
    return rewrite(chosen, endpoint) if endpoint is not None and chosen else chosen


def _extractive(
    store: Store,
    scope: Scope,
    start: datetime,
    end: datetime,
    count: int,
    support: int,
    sample_cap: int,
) -> list[dict[str, Any]]:
    where, params = scope.where()

    def window(lo: datetime, hi: datetime) -> tuple[list[tuple[str, str, str | None, int]], int]:
        """The window's posts (a fixed pseudo-random sample of `sample_cap` when there are more)
        and how many there are in all."""
        span = f"{where} AND p.created_at >= ? AND p.created_at < ?"
        total = store.con.execute(f"SELECT count(*) FROM posts p WHERE {span}", [*params, lo, hi])
        found = int((total.fetchone() or (0,))[0])
        # Term rates settle long before 10,000 posts; reading and tokenizing every post of a
        # busy week took seconds. hash(id) makes the sample the same on every run.
        rows = store.con.execute(
            f"SELECT p.id, concat_ws(' ', p.title, p.text), p.url, {ENGAGEMENT_SQL}"
            f" FROM posts p WHERE {span} ORDER BY hash(p.id), p.id LIMIT ?",
            [*params, lo, hi, sample_cap],
        ).fetchall()
        return [(r[0], r[1] or "", r[2], int(r[3])) for r in rows], found

    posts, total = window(start, end)
    if not posts:
        return []
    previous, _ = window(start - (end - start), start)
    scale = total / len(posts)  # 1.0 unless the window was sampled
    # A hashtag and the plain word are one theme: #lax and lax.
    raw_terms = {pid: set(terms(text)) for pid, text, _, _ in posts}  # tokenized once
    post_terms = {pid: {t.lstrip("#") for t in found} for pid, found in raw_terms.items()}
    recent = Counter(chain.from_iterable(raw_terms.values()))  # = count_terms over the posts
    ranked = log_odds(recent, count_terms(t for _, t, _, _ in previous))
    if not previous:  # nothing to compare with: the most frequent terms are the themes
        ranked = [(w, float(n), 0.0, n, 0) for w, n in recent.most_common(50)]
    chosen: list[dict[str, Any]] = []
    used: set[str] = set()
    seen_themes: set[str] = set()
    for raw_term, z, _, n, _ in ranked:
        if len(chosen) >= count or n < 2:
            break
        term = raw_term.lstrip("#")
        if term in seen_themes:
            continue
        seen_themes.add(term)
        backing = [p for p in posts if term in post_terms[p[0]]]
        fresh = [p for p in backing if p[0] not in used]
        if len(fresh) < max(2, 0.7 * len(backing)):
            continue  # mostly the same posts as an earlier headline: same story
        theme_terms = Counter(t for p in backing for t in post_terms[p[0]])
        central = max(
            backing,
            key=lambda p: (
                sum(theme_terms[t] for t in post_terms[p[0]]) / (1 + len(post_terms[p[0]])),
                p[3],
            ),
        )
        top_support = sorted(backing, key=lambda p: (-p[3], p[0]))[:support]
        chosen.append(
            {
                "headline": one_line(central[1]),
                "method": "extractive",
                "term": raw_term,
                "score": round(z, 2),
                "posts": round(len(backing) * scale),
                "estimated": scale > 1.0,  # counted on a sample of the window's posts
                "supporting": [
                    {"id": p[0], "url": p[2], "text": p[1], "engagement": p[3]}
                    for p in [central, *[q for q in top_support if q[0] != central[0]]]
                ][:support],
            }
        )
        used.update(p[0] for p in backing)
    return chosen
