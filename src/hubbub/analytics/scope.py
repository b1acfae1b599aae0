"""Which posts an analytic looks at: topics, platforms, languages, dates. One SQL builder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hubbub.errors import HubbubError

BUCKETS: Final = {"hour": "1 hour", "day": "1 day", "week": "7 days"}
ENGAGEMENT_SQL: Final = (
    "(coalesce(p.likes, 0) + coalesce(p.replies, 0) + coalesce(p.reposts, 0)"
    " + coalesce(p.quotes, 0))"
)


@dataclass(frozen=True)
class Scope:
    """A filter over posts. Empty means every post in the store."""

    topics: tuple[str, ...] = ()
    group: str | None = None
    platforms: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    extra_sql: str | None = None  # a predicate over `p` (the query language's SQL back end)
    params: tuple[Any, ...] = field(default=())
    include_noise: bool = False  # spam, bot and campaign posts are left out unless asked for
    sentiments: tuple[str, ...] = ()  # negative / neutral / positive
    query: str | None = None  # the query language, over stored posts (SQL back end)

    def where(self) -> tuple[str, list[Any]]:
        """A WHERE clause over `posts p` and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.topics or self.group:
            topic_filter, topic_params = self.topic_filter()
            clauses.append(f"p.id IN (SELECT post_id FROM matches m WHERE {topic_filter})")
            params.extend(topic_params)
        if self.platforms:
            clauses.append(f"p.platform IN ({', '.join('?' * len(self.platforms))})")
            params.extend(self.platforms)
        if self.langs:
            clauses.append(f"p.lang IN ({', '.join('?' * len(self.langs))})")
            params.extend(self.langs)
        if self.since is not None:
            clauses.append("p.created_at >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("p.created_at < ?")
            params.append(self.until)
        if self.sentiments:
            clauses.append(f"p.sentiment IN ({', '.join('?' * len(self.sentiments))})")
            params.extend(self.sentiments)
        if self.query:
            from hubbub.query.sql import to_sql  # needs register_functions on the connection

            clauses.append(f"({to_sql(self.query, table='p')})")
        if not self.include_noise:
            clauses.append("p.id NOT IN (SELECT post_id FROM post_noise WHERE is_noise)")
        if self.extra_sql:
            clauses.append(f"({self.extra_sql})")
            params.extend(self.params)
        return (" AND ".join(clauses) or "TRUE"), params

    def topic_filter(self) -> tuple[str, list[Any]]:
        """A predicate over `matches m` selecting this scope's topics."""
        parts: list[str] = []
        params: list[Any] = []
        if self.topics:
            parts.append(f"m.topic IN ({', '.join('?' * len(self.topics))})")
            params.extend(self.topics)
        if self.group:
            parts.append("m.topic IN (SELECT name FROM topics WHERE group_name = ?)")
            params.append(self.group)
        return " OR ".join(parts) or "TRUE", params


def check_bucket(bucket: str) -> str:
    if bucket not in BUCKETS:
        raise HubbubError(f"unknown bucket {bucket!r}", "use hour, day or week")
    return BUCKETS[bucket]


def check_timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise HubbubError(
            f"unknown time zone {tz!r}", "use an IANA name such as Europe/Paris"
        ) from None
    return tz
