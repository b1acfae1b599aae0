"""Post and author noise signals, and the one rule that says what counts as noise.

A post is noise when any of these holds, and `reasons` says which:
- spam: the spam model gives P(spam) >= 0.9;
- campaign copy: it is a later copy (not a repost or "RT") of a text that at least
  `campaign_size` posts share, written by at least 5 different authors;
- bot: its author's bot score is >= 0.8.

Author bot score (0..1, with its reasons): the share of the author's posts that are campaign
copies or spam (weight 0.6), and a posting rate above 50 posts a day over their active span
(weight 0.4). Follower/following ratios and account age join when platforms provide them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import pyarrow as pa

from hubbub.noise.duplicates import cluster
from hubbub.noise.spam import MODEL_NAME, spam_probability
from hubbub.store import Store

SPAM_THRESHOLD: Final = 0.9
BOT_THRESHOLD: Final = 0.8
CAMPAIGN_SIZE: Final = 20
CAMPAIGN_AUTHORS: Final = 5
BUSY_POSTS_PER_DAY: Final = 50.0


@dataclass
class NoiseReport:
    posts: int = 0
    spam: int = 0
    campaign_copies: int = 0
    bot_authors: int = 0
    noise_posts: int = 0
    clusters: int = 0
    largest_cluster: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def update_noise(store: Store) -> NoiseReport:
    """Score every stored post and author again (clusters span all posts, so all are rescored)."""
    rows = store.con.execute(
        "SELECT id, platform, coalesce(author_handle, author_id, ''), created_at, kind,"
        " concat_ws(' ', title, text) FROM posts ORDER BY created_at, id"
    ).fetchall()
    report = NoiseReport(posts=len(rows))
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
    report.clusters = sum(1 for g in members.values() if len(g) > 1)
    report.largest_cluster = max(len(g) for g in members.values())

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
    report.bot_authors = len(bots)

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
                MODEL_NAME,
            )
        )
    report.spam = int((spam >= SPAM_THRESHOLD).sum())
    report.campaign_copies = int(copy.sum())
    report.noise_posts = sum(1 for p in post_rows if p[5])
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
