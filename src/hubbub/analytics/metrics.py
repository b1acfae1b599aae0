"""Volume, engagement, reach, share of voice, sentiment and top lists over a Scope.

Every function returns an Arrow table (the CLI prints it, the API serialises it) and takes the
same Scope, bucket and time zone arguments, so any panel can be filtered the same way.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

from hubbub.analytics.scope import ENGAGEMENT_SQL, Scope, check_bucket, check_timezone
from hubbub.errors import HubbubError
from hubbub.store import Store

REACH_SQL: Final = "coalesce(p.author_followers, 0)"
NET_SENTIMENT_SQL: Final = (
    "round(100.0 * (count(*) FILTER (p.sentiment = 'positive')"
    " - count(*) FILTER (p.sentiment = 'negative'))"
    " / nullif(count(*) FILTER (p.sentiment IN ('positive', 'negative')), 0), 2)"
)


def _bucket_sql(bucket: str | None, tz: str) -> tuple[str, list[str]]:
    if bucket is None:
        return "NULL::TIMESTAMP", []
    interval = check_bucket(bucket)
    check_timezone(tz)
    return f"time_bucket(INTERVAL '{interval}', timezone(?, p.created_at))", [tz]


def volume(
    store: Store,
    scope: Scope = Scope(),
    *,
    bucket: str | None = "day",
    tz: str = "UTC",
    by_topic: bool = False,
) -> pa.Table:
    """Posts, engagement and potential reach per bucket (and per topic with `by_topic`)."""
    bucket_sql, bucket_params = _bucket_sql(bucket, tz)
    where, params = scope.where()
    if by_topic:
        topic_filter, topic_params = scope.topic_filter()
        return store.query(
            f"""SELECT {bucket_sql} AS bucket, m.topic, count(*) AS posts,
                       sum({ENGAGEMENT_SQL})::BIGINT AS engagement, sum({REACH_SQL})::BIGINT AS potential_reach
                FROM posts p JOIN matches m ON m.post_id = p.id AND ({topic_filter})
                WHERE {where} GROUP BY ALL ORDER BY 1, 2""",
            [*bucket_params, *topic_params, *params],
        )
    return store.query(
        f"""SELECT {bucket_sql} AS bucket, count(*) AS posts,
                   sum({ENGAGEMENT_SQL})::BIGINT AS engagement, sum({REACH_SQL})::BIGINT AS potential_reach
            FROM posts p WHERE {where} GROUP BY ALL ORDER BY 1""",
        [*bucket_params, *params],
    )


def share_of_voice(
    store: Store,
    group: str,
    scope: Scope = Scope(),
    *,
    bucket: str | None = None,
    tz: str = "UTC",
) -> pa.Table:
    """Each topic of `group`: mentions and engagement, and their share of the group's total (%)."""
    if not store.one("SELECT count(*) FROM topics WHERE group_name = ?", [group])[0]:  # type: ignore[index]
        raise HubbubError(
            f"no topics in group {group!r}", "add some: hubbub topics add NAME QUERY --group G"
        )
    bucket_sql, bucket_params = _bucket_sql(bucket, tz)
    where, params = scope.where()
    return store.query(
        f"""WITH per AS (
              SELECT {bucket_sql} AS bucket, m.topic, count(*) AS mentions,
                     sum({ENGAGEMENT_SQL})::BIGINT AS engagement
              FROM posts p JOIN matches m ON m.post_id = p.id
              JOIN topics t ON t.name = m.topic AND t.group_name = ?
              WHERE {where} GROUP BY ALL)
            SELECT bucket, topic, mentions,
                   round(100.0 * mentions / sum(mentions) OVER (PARTITION BY bucket), 2) AS share_of_voice,
                   engagement,
                   round(100.0 * engagement / nullif(sum(engagement) OVER (PARTITION BY bucket), 0), 2)
                     AS share_of_engagement
            FROM per ORDER BY bucket, mentions DESC, topic""",
        [*bucket_params, group, *params],
    )


def sentiment(
    store: Store,
    scope: Scope = Scope(),
    *,
    bucket: str | None = "day",
    tz: str = "UTC",
    by_topic: bool = False,
) -> pa.Table:
    """Positive, neutral, negative and unlabelled counts and net sentiment per bucket."""
    bucket_sql, bucket_params = _bucket_sql(bucket, tz)
    where, params = scope.where()
    topic_join, topic_col = "", ""
    topic_params: list[str] = []
    if by_topic:
        topic_filter, topic_params = scope.topic_filter()
        topic_join = f"JOIN matches m ON m.post_id = p.id AND ({topic_filter})"
        topic_col = "m.topic, "
    return store.query(
        f"""SELECT {bucket_sql} AS bucket, {topic_col}
                   count(*) FILTER (p.sentiment = 'positive') AS positive,
                   count(*) FILTER (p.sentiment = 'neutral') AS neutral,
                   count(*) FILTER (p.sentiment = 'negative') AS negative,
                   count(*) FILTER (p.sentiment IS NULL) AS unlabelled,
                   {NET_SENTIMENT_SQL} AS net_sentiment
            FROM posts p {topic_join} WHERE {where} GROUP BY ALL ORDER BY ALL""",
        [*bucket_params, *topic_params, *params],
    )


_TOP_KEYS: Final = {
    "authors": ("p.author_handle", False),
    "hashtags": ("p.hashtags", True),
    "mentions": ("p.mentions", True),
    "domains": ("p.domains", True),
    "links": ("p.links", True),
}


def top(
    store: Store, what: str, scope: Scope = Scope(), *, limit: int = 10, order: str = "posts"
) -> pa.Table:
    """Top authors / hashtags / mentions / domains / links by posts, engagement or reach."""
    if what == "posts":
        return top_posts(store, scope, limit=limit)
    if what not in _TOP_KEYS:
        raise HubbubError(f"cannot rank {what!r}", "use one of: posts, " + ", ".join(_TOP_KEYS))
    if order not in ("posts", "engagement", "potential_reach"):
        raise HubbubError(f"cannot order by {order!r}", "use posts, engagement or potential_reach")
    expr, is_list = _TOP_KEYS[what]
    key = f"unnest({expr})" if is_list else expr
    where, params = scope.where()
    reach = f"max({REACH_SQL})" if what == "authors" else f"sum({REACH_SQL})"
    return store.query(
        f"""SELECT {key} AS {what.rstrip("s")}, count(*) AS posts,
                   sum({ENGAGEMENT_SQL})::BIGINT AS engagement, ({reach})::BIGINT AS potential_reach
            FROM posts p WHERE {where} AND {expr} IS NOT NULL
            GROUP BY 1 ORDER BY {order} DESC, 1 LIMIT ?""",
        [*params, limit],
    )


def top_posts(
    store: Store, scope: Scope = Scope(), *, limit: int = 10, sentiment: str | None = None
) -> pa.Table:
    """The most engaging posts (optionally only positive or negative ones)."""
    where, params = scope.where()
    if sentiment is not None:
        where += " AND p.sentiment = ?"
        params.append(sentiment)
    return store.query(
        f"""SELECT p.id, p.created_at, p.platform, p.author_handle, p.text, p.url,
                   {ENGAGEMENT_SQL} AS engagement, p.sentiment
            FROM posts p WHERE {where} ORDER BY engagement DESC, p.created_at DESC LIMIT ?""",
        [*params, limit],
    )
