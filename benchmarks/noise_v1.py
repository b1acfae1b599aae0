"""The noise signals as they were before issue #11's throughput work (commit 347e33c), kept as
the named baseline of benchmarks/noise.py: per-text sklearn HashingVectorizer features, a Python
loop of MinHash/LSH with dict buckets and frozenset Jaccard checks, and per-author Python loops.

Only the speed of this code matters here: the old weight file is not shipped any more, so the
spam model runs with zero weights (the same work: one sparse matrix product).
"""

from __future__ import annotations

import html
import re
import zlib
from collections import defaultdict
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hubbub.store import Store

# -- spam (was src/hubbub/noise/spam.py) ---------------------------------------------------------
_TAG: Final = re.compile(r"<[^>]{0,200}>")
_URL: Final = re.compile(r"https?://\S+|www\.\S+")


def clean(text: str | None) -> str:
    text = html.unescape(_TAG.sub(" ", text or "")).replace("\ufeff", " ")
    return _URL.sub(" httplink ", text.lower())


def features(texts: list[str]) -> Any:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import HashingVectorizer

    words = HashingVectorizer(
        n_features=2**18,
        ngram_range=(1, 2),
        alternate_sign=False,
        norm="l2",
        token_pattern=r"(?u)\b\w+\b",
    )
    chars = HashingVectorizer(
        n_features=2**18, analyzer="char_wb", ngram_range=(4, 4), alternate_sign=False, norm="l2"
    )
    cleaned = [clean(t) for t in texts]
    return hstack([words.transform(cleaned), chars.transform(cleaned)]).tocsr()


_COEF: Final = np.zeros(2**19, dtype=np.float32)


def spam_probability(texts: list[str]) -> npt.NDArray[np.float64]:
    if not texts:
        return np.zeros(0)
    logits = features(texts) @ _COEF + 0.0
    return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))


# -- near-duplicates (was src/hubbub/noise/duplicates.py) ----------------------------------------
_PRIME: Final = (1 << 61) - 1
_PERMUTATIONS: Final = 64
_BANDS: Final = 16
_ROWS: Final = _PERMUTATIONS // _BANDS
_rng = np.random.default_rng(20240501)
_A: Final = _rng.integers(1, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_B: Final = _rng.integers(0, _PRIME, _PERMUTATIONS, dtype=np.uint64)
MIN_JACCARD: Final = 0.5
_BUCKET_CHECKS: Final = 20  # compare with at most this many earlier texts per bucket
_NOISE: Final = re.compile(r"https?://\S+|www\.\S+|@\w+|^rt\b|[^\w\s#]", re.UNICODE)


def normalise(text: str | None) -> str:
    return " ".join(_NOISE.sub(" ", (text or "").lower()).split())


def shingles(words: list[str], size: int = 3) -> list[int]:
    if len(words) < size:
        return [zlib.crc32(" ".join(words).encode())] if words else []
    return [
        zlib.crc32(" ".join(words[i : i + size]).encode()) for i in range(len(words) - size + 1)
    ]


def signature(hashes: list[int]) -> npt.NDArray[np.uint64]:
    x = np.array(hashes, dtype=np.uint64)[:, None]
    # (a*x + b) mod p, computed in uint64 with wrap-around: a cheap universal-ish hash family.
    hashed: npt.NDArray[np.uint64] = ((x * _A + _B) % np.uint64(_PRIME)).min(axis=0)
    return hashed


def cluster(texts: list[str | None]) -> npt.NDArray[np.int64]:
    """A cluster number per text (texts with no near-duplicate get their own number)."""
    n = len(texts)
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    exact: dict[str, int] = {}
    buckets: dict[tuple[int, bytes], list[int]] = {}
    sets: dict[int, frozenset[int]] = {}
    for i, text in enumerate(texts):
        norm = normalise(text)
        if not norm:
            continue
        first = exact.setdefault(norm, i)
        if first != i:
            union(first, i)
            continue  # an exact copy: no need to hash it again
        hashes = shingles(norm.split())
        if not hashes:
            continue
        sig = signature(hashes)
        mine = sets[i] = frozenset(hashes)
        checked: set[int] = set()
        for band in range(_BANDS):
            key = (band, sig[band * _ROWS : (band + 1) * _ROWS].tobytes())
            bucket = buckets.setdefault(key, [])
            for other in bucket[:_BUCKET_CHECKS]:
                if other in checked:
                    continue
                checked.add(other)
                theirs = sets[other]
                # LSH only proposes; the real Jaccard similarity decides (short texts collide).
                if len(mine & theirs) >= MIN_JACCARD * len(mine | theirs):
                    union(other, i)
            bucket.append(i)
    return np.array([find(i) for i in range(n)], dtype=np.int64)


# -- signals (was src/hubbub/noise/signals.py) --------------------------------------------------
SPAM_THRESHOLD: Final = 0.9
BOT_THRESHOLD: Final = 0.8
CAMPAIGN_SIZE: Final = 20
CAMPAIGN_AUTHORS: Final = 5
BUSY_POSTS_PER_DAY: Final = 50.0


def update_noise(store: Store) -> dict[str, int]:
    """Score every stored post and author again (clusters span all posts, so all are rescored)."""
    rows = store.con.execute(
        "SELECT id, platform, coalesce(author_handle, author_id, ''), created_at, kind,"
        " concat_ws(' ', title, text) FROM posts ORDER BY created_at, id"
    ).fetchall()
    report = {"posts": len(rows)}
    if not rows:
        return report
    ids = [r[0] for r in rows]
    texts = [r[5] or "" for r in rows]
    spam = spam_probability(texts)
    clusters = cluster(texts)
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(clusters):
        members[int(c)].append(i)
    copy = np.zeros(len(rows), dtype=bool)
    sizes = np.ones(len(rows), dtype=np.int64)
    for group in members.values():
        sizes[group] = len(group)
        if len(group) < CAMPAIGN_SIZE:
            continue
        authors = {rows[i][2] for i in group}
        if len(authors) < CAMPAIGN_AUTHORS:
            continue
        for i in group[
            1:
        ]:  # the earliest stays; later copies that are not reposts are the campaign
            if rows[i][4] != "repost" and not texts[i].lstrip().lower().startswith("rt @"):
                copy[i] = True
    report["clusters"] = sum(1 for g in members.values() if len(g) > 1)
    report["largest_cluster"] = max(len(g) for g in members.values())

    by_author: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r[2]:
            by_author[(r[1], r[2])].append(i)
    author_rows, bots = [], set()
    for (platform, author), idx in by_author.items():
        times = [rows[i][3] for i in idx]
        span_days = max((max(times) - min(times)).total_seconds() / 86400, 1.0)
        rate = len(idx) / span_days
        copy_share = float(np.mean([copy[i] or spam[i] >= SPAM_THRESHOLD for i in idx]))
        reasons = []
        if copy_share > 0:
            reasons.append(f"{copy_share:.0%} of posts are spam or campaign copies")
        if rate > BUSY_POSTS_PER_DAY:
            reasons.append(f"{rate:.0f} posts a day")
        score = 0.6 * copy_share + 0.4 * min(rate / (2 * BUSY_POSTS_PER_DAY), 1.0)
        if len(idx) >= 3 and copy_share >= 0.9:
            score = max(score, 0.85)  # posts almost nothing but copies: a campaign account
        author_rows.append((platform, author, len(idx), rate, copy_share, round(score, 3), reasons))
        if score >= BOT_THRESHOLD:
            bots.add((platform, author))
    report["bot_authors"] = len(bots)

    post_rows = []
    for i, r in enumerate(rows):
        reasons = []
        if spam[i] >= SPAM_THRESHOLD:
            reasons.append(f"spam (p={spam[i]:.2f})")
        if copy[i]:
            reasons.append(f"copy in a campaign of {sizes[i]} posts")
        if (r[1], r[2]) in bots:
            reasons.append("author looks automated")
        post_rows.append(
            (
                ids[i],
                float(spam[i]),
                f"c{int(clusters[i])}",
                int(sizes[i]),
                bool(copy[i]),
                bool(reasons),
                reasons,
                "v1",
            )
        )
    report["spam"] = int((spam >= SPAM_THRESHOLD).sum())
    report["campaign_copies"] = int(copy.sum())
    report["noise_posts"] = sum(1 for p in post_rows if p[5])
    with store.transaction():
        store.con.execute("DELETE FROM post_noise")
        store.con.execute("DELETE FROM author_noise")
        store.con.register(
            "_pn",
            pa.Table.from_pylist(
                [
                    dict(
                        zip(
                            (
                                "post_id",
                                "spam",
                                "dup_cluster",
                                "dup_size",
                                "campaign_copy",
                                "is_noise",
                                "reasons",
                                "model",
                            ),
                            p,
                            strict=True,
                        )
                    )
                    for p in post_rows
                ]
            ),
        )
        store.con.execute("INSERT INTO post_noise SELECT * FROM _pn")
        store.con.unregister("_pn")
        if author_rows:
            store.con.register(
                "_an",
                pa.Table.from_pylist(
                    [
                        dict(
                            zip(
                                (
                                    "platform",
                                    "author",
                                    "posts",
                                    "posts_per_day",
                                    "copy_share",
                                    "bot_score",
                                    "reasons",
                                ),
                                a,
                                strict=True,
                            )
                        )
                        for a in author_rows
                    ]
                ),
            )
            store.con.execute("INSERT INTO author_noise SELECT * FROM _an")
            store.con.unregister("_an")
    return report
