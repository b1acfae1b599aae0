"""Emerging terms: what is said more now than before, by weighted log-odds with an informative
Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", section 3.5).

For each term w, with counts y_w (recent window) and y'_w (reference window), totals n and n', and
a prior alpha_w proportional to the term's count in both windows together (alpha_0 = sum alpha_w):

    delta_w = log((y_w + a_w) / (n + a_0 - y_w - a_w)) - log((y'_w + a_w) / (n' + a_0 - y'_w - a_w))
    var_w  ~= 1 / (y_w + a_w) + 1 / (y'_w + a_w)
    z_w     = delta_w / sqrt(var_w)

The prior shrinks rare terms toward zero, so a word seen twice is not "emerging" by accident.
Terms are lower-cased words, #hashtags and @mentions; links and common stop words are dropped.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

import numpy as np

from hubbub.analytics.scope import Scope
from hubbub.store import Store

_TOKEN: Final = re.compile(r"[#@]?\w[\w'’-]*\w|[#@]?\w", re.UNICODE)
_URL: Final = re.compile(r"https?://\S+|www\.\S+")
_TAG: Final = re.compile(r"<[^>]{0,200}>")  # HTML left in texts (YouTube comments, RSS)
STOP_WORDS: Final = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "can't",
        "cannot",
        "could",
        "couldn't",
        "did",
        "didn't",
        "do",
        "does",
        "doesn't",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "hadn't",
        "has",
        "hasn't",
        "have",
        "haven't",
        "having",
        "he",
        "he'd",
        "he'll",
        "he's",
        "her",
        "here",
        "here's",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "how's",
        "i",
        "i'd",
        "i'll",
        "i'm",
        "i've",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "it's",
        "its",
        "itself",
        "let's",
        "me",
        "more",
        "most",
        "mustn't",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "shan't",
        "she",
        "she'd",
        "she'll",
        "she's",
        "should",
        "shouldn't",
        "so",
        "some",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "there's",
        "these",
        "they",
        "they'd",
        "they'll",
        "they're",
        "they've",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "wasn't",
        "we",
        "we'd",
        "we'll",
        "we're",
        "we've",
        "were",
        "weren't",
        "what",
        "what's",
        "when",
        "when's",
        "where",
        "where's",
        "which",
        "while",
        "who",
        "who's",
        "whom",
        "why",
        "why's",
        "with",
        "won't",
        "would",
        "wouldn't",
        "you",
        "you'd",
        "you'll",
        "you're",
        "you've",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "rt",
        "amp",
        "via",
        "just",
        "get",
        "got",
        "im",
        "u",
        "ur",
        "dont",
        "will",
    ]
)


def terms(text: str) -> list[str]:
    """Lower-cased word, #hashtag and @mention tokens of a post, without links and stop words."""
    text = _URL.sub(" ", html.unescape(_TAG.sub(" ", text)).lower())
    return [
        t for t in _TOKEN.findall(text) if t not in STOP_WORDS and not t.isdigit() and len(t) > 1
    ]


def count_terms(texts: Iterable[str]) -> Counter[str]:
    """Document frequency: in how many posts each term occurs (a spammer repeating a word in
    one post counts once)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(terms(text)))
    return counts


def log_odds(
    recent: Counter[str], reference: Counter[str], *, prior_scale: float = 1.0, min_count: int = 3
) -> list[tuple[str, float, float, int, int]]:
    """(term, z, delta, recent count, reference count), most over-represented in `recent` first."""
    vocab = [w for w in recent.keys() | reference.keys() if recent[w] + reference[w] >= min_count]
    if not vocab:
        return []
    y = np.array([recent[w] for w in vocab], dtype=np.float64)
    yr = np.array([reference[w] for w in vocab], dtype=np.float64)
    n, nr = y.sum(), yr.sum()
    # Informative prior: the pooled frequencies, scaled to `prior_scale` x vocabulary size.
    pooled = (y + yr) / (n + nr)
    alpha = pooled * prior_scale * len(vocab)
    a0 = alpha.sum()
    delta = np.log((y + alpha) / (n + a0 - y - alpha)) - np.log(
        (yr + alpha) / (nr + a0 - yr - alpha)
    )
    z = delta / np.sqrt(1.0 / (y + alpha) + 1.0 / (yr + alpha))
    order = np.argsort(-z, kind="stable")
    return [(vocab[i], float(z[i]), float(delta[i]), int(y[i]), int(yr[i])) for i in order]


def emerging_terms(
    store: Store,
    scope: Scope,
    *,
    recent_start: datetime,
    recent_end: datetime,
    reference_start: datetime,
    reference_end: datetime,
    limit: int = 20,
    examples: int = 2,
) -> list[dict[str, Any]]:
    """Terms over-represented in [recent_start, recent_end) vs the reference window, with z-scores
    and example posts."""
    where, params = scope.where()

    def texts(lo: datetime, hi: datetime) -> list[tuple[str, str, str | None]]:
        rows = store.con.execute(
            f"SELECT p.id, concat_ws(' ', p.title, p.text), p.url FROM posts p WHERE {where}"
            " AND p.created_at >= ? AND p.created_at < ?",
            [*params, lo, hi],
        ).fetchall()
        return [(r[0], r[1] or "", r[2]) for r in rows]

    recent_posts = texts(recent_start, recent_end)
    reference_posts = texts(reference_start, reference_end)
    ranked = log_odds(
        count_terms(t for _, t, _ in recent_posts), count_terms(t for _, t, _ in reference_posts)
    )
    out = []
    for term, z, delta, count, ref_count in ranked[:limit]:
        if z <= 0:
            break
        sample = [{"id": i, "text": t, "url": u} for i, t, u in recent_posts if term in terms(t)][
            :examples
        ]
        out.append(
            {
                "term": term,
                "z": round(z, 2),
                "log_odds": round(delta, 3),
                "recent": count,
                "reference": ref_count,
                "examples": sample,
            }
        )
    return out
