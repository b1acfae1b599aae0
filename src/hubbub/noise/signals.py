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

from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hubbub.noise.duplicates import batch, cluster_shingles, collect
from hubbub.noise.spam import MODEL_NAME, spam_from_tokens
from hubbub.noise.tokens import Tokens, clean
from hubbub.store import Store

SPAM_THRESHOLD: Final = 0.9
BOT_THRESHOLD: Final = 0.8
CAMPAIGN_SIZE: Final = 20
CAMPAIGN_AUTHORS: Final = 5
BUSY_POSTS_PER_DAY: Final = 50.0
_BATCH: Final = 10_000  # texts tokenised at once: bounds memory on large stores


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


def score_texts(texts: list[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """(P(spam), near-duplicate cluster) per text; each batch is tokenised once for both.

    One core: a pool of forked processes over the batches was measured slower (the children
    spent twice the CPU time of the same work done here: page faults on fresh memory, results
    sent back), and threads gain nothing (much of this numpy work holds the GIL)."""
    spam, shingled = [], []
    for i in range(0, len(texts), _BATCH):
        tokens = Tokens.of([clean(t) for t in texts[i : i + _BATCH]])
        spam.append(spam_from_tokens(tokens))
        shingled.append(batch(tokens))
    probabilities = np.concatenate(spam) if spam else np.zeros(0)
    return probabilities, cluster_shingles(collect(shingled))


def campaign_copies(
    posts: pa.Table, texts: list[str], clusters: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """(cluster size, is a campaign copy) per post, posts in time order."""
    import pyarrow.compute as pc

    sizes = np.bincount(clusters, minlength=len(clusters))
    authors = pc.dictionary_encode(posts.column("author")).combine_chunks().indices
    codes = np.asarray(authors, dtype=np.int64)
    width = int(codes.max(initial=0)) + 1
    distinct = np.unique(clusters * width + codes)  # each (cluster, author) once
    authors_of = np.bincount(distinct // width, minlength=len(clusters))
    repost = np.asarray(pc.fill_null(pc.equal(posts.column("kind"), "repost"), False))
    retweet = np.fromiter((t.lstrip()[:4].lower() == "rt @" for t in texts), bool, len(texts))
    copy = (
        (sizes[clusters] >= CAMPAIGN_SIZE)
        & (authors_of[clusters] >= CAMPAIGN_AUTHORS)
        & (clusters != np.arange(len(clusters)))  # the earliest post stays
        & ~repost  # reposts and "RT @" are not new texts
        & ~retweet
    )
    return sizes[clusters], copy


# Authors, then posts: set-based SQL over the scored posts (`_scored`).
_AUTHORS: Final = f"""
CREATE OR REPLACE TEMP TABLE _authors AS
WITH rates AS (
    SELECT platform, author, count(*) AS posts,
        count(*) / greatest((epoch(max(created_at)) - epoch(min(created_at))) / 86400, 1.0) AS rate,
        avg((campaign_copy OR spam >= {SPAM_THRESHOLD})::INTEGER) AS copy_share
    FROM _scored WHERE author <> '' GROUP BY platform, author
), scored AS (
    SELECT *, CASE WHEN posts >= 3 AND copy_share >= 0.9  -- nothing but copies: a campaign account
        THEN greatest(score, 0.85) ELSE score END AS bot_score
    FROM (SELECT *, 0.6 * copy_share + 0.4 * least(rate / {2 * BUSY_POSTS_PER_DAY}, 1.0) AS score
          FROM rates)
)
SELECT platform, author, posts, rate, copy_share, bot_score,
    list_filter([
        CASE WHEN copy_share > 0 THEN
            printf('%d%% of posts are spam or campaign copies', round(copy_share * 100)::INTEGER) END,
        CASE WHEN rate > {BUSY_POSTS_PER_DAY} THEN printf('%d posts a day', round(rate)::INTEGER) END
    ], lambda r: r IS NOT NULL) AS reasons
FROM scored
"""
_POSTS: Final = f"""
INSERT INTO post_noise
SELECT id, spam, 'c' || cluster, dup_size, campaign_copy, len(reasons) > 0, reasons, ?
FROM (
    SELECT n.*, list_filter([
        CASE WHEN spam >= {SPAM_THRESHOLD} THEN printf('spam (p=%.2f)', spam) END,
        CASE WHEN campaign_copy THEN printf('copy in a campaign of %d posts', dup_size) END,
        CASE WHEN a.bot_score >= {BOT_THRESHOLD} THEN 'author looks automated' END
    ], lambda r: r IS NOT NULL) AS reasons
    FROM _scored n LEFT JOIN _authors a USING (platform, author)
)
"""
_REPORT: Final = f"""
SELECT count(*) FILTER (WHERE post.spam >= {SPAM_THRESHOLD}),
    count(*) FILTER (WHERE post.campaign_copy), count(*) FILTER (WHERE post.is_noise),
    (SELECT count(*) FROM _authors WHERE bot_score >= {BOT_THRESHOLD}),
    (SELECT count(DISTINCT cluster) FROM _scored WHERE dup_size > 1),
    (SELECT max(dup_size) FROM _scored)
FROM post_noise post
"""


def update_noise(store: Store) -> NoiseReport:
    """Score every stored post and author again (clusters span all posts, so all are rescored)."""
    con = store.con
    posts = con.sql(
        "SELECT id, platform, coalesce(author_handle, author_id, '') AS author, created_at, kind,"
        " concat_ws(' ', title, text) AS text FROM posts ORDER BY created_at, id"
    ).to_arrow_table()
    report = NoiseReport(posts=posts.num_rows)
    texts = [t or "" for t in posts.column("text").to_pylist()]
    spam, clusters = score_texts(texts)
    sizes, copy = campaign_copies(posts, texts, clusters)
    scored = posts.drop_columns(["text", "kind"])
    for name, values in (("spam", spam), ("cluster", clusters), ("dup_size", sizes)):
        scored = scored.append_column(name, pa.array(values))
    scored = scored.append_column("campaign_copy", pa.array(copy))
    with store.transaction():
        con.execute("DELETE FROM post_noise")
        con.execute("DELETE FROM author_noise")
        con.register("_scored", scored)
        con.execute(_AUTHORS)
        con.execute(
            "INSERT INTO author_noise SELECT platform, author, posts, rate, copy_share,"
            " round(bot_score, 3), reasons FROM _authors"
        )
        con.execute(_POSTS, [MODEL_NAME])
        row = con.execute(_REPORT).fetchone()
        con.execute("DROP TABLE _authors")
    con.unregister("_scored")
    if row is not None and posts.num_rows:
        report.spam, report.campaign_copies, report.noise_posts = map(int, row[:3])
        report.bot_authors, report.clusters, report.largest_cluster = map(int, row[3:])
    return report
