"""Owned accounts: the handles and channels that are ours, and how their posts perform.

A post is *owned* when its author handle is one of the workspace's owned accounts on that platform
(handles compare without `@` and case-insensitively, as platforms treat them). Everything else that
mentions or replies to an owned account is *audience*: the support queue and, when our own posts
carry no engagement, the best-time-to-post fallback read it.

Engagement rate has two denominators, both reported: followers at posting time (the earliest
follower count hubbub saw for that post: its first snapshot, else the post itself) and views where
the platform gives views.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Final

import pyarrow as pa

from hubbub.analytics.scope import ENGAGEMENT_SQL
from hubbub.errors import HubbubError
from hubbub.store import Store

ANY_PLATFORM: Final = "*"
FORMATS: Final = ("video", "image", "link", "text")
VIDEO_DOMAINS: Final = ("youtube.com", "youtu.be", "vimeo.com", "tiktok.com")

#: A post's format from the fields every platform has: a video platform's own post (or a link to
#: one) is video, attached media is an image, a link is a link, the rest is text.
FORMAT_SQL: Final = f"""CASE
  WHEN (p.platform IN ('youtube', 'tiktok') AND p.kind = 'post')
       OR len(list_filter(coalesce(p.domains, []), lambda d: list_contains({list(VIDEO_DOMAINS)!r}, d))) > 0
    THEN 'video'
  WHEN coalesce(p.media_count, 0) > 0 THEN 'image'
  WHEN len(coalesce(p.links, [])) > 0 THEN 'link'
  ELSE 'text' END"""


def normalize_handle(handle: str) -> str:
    cleaned = handle.strip().lstrip("@").lower()
    if not cleaned or any(c.isspace() for c in cleaned):
        raise HubbubError(
            f"invalid handle {handle!r}", "give the account's handle, e.g. @acme or acme"
        )
    return cleaned


@dataclass(frozen=True)
class OwnedAccount:
    platform: str
    handle: str
    label: str | None
    added_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def add_owned(
    store: Store, handle: str, platform: str = ANY_PLATFORM, label: str | None = None
) -> OwnedAccount:
    """Mark a handle as ours (on one platform, or on every platform with `*`)."""
    account = OwnedAccount(platform.lower(), normalize_handle(handle), label, datetime.now(UTC))
    store.con.execute(
        "INSERT OR REPLACE INTO owned_accounts VALUES (?, ?, ?, ?)",
        [account.platform, account.handle, account.label, account.added_at],
    )
    return account


def remove_owned(store: Store, handle: str, platform: str = ANY_PLATFORM) -> None:
    key = [platform.lower(), normalize_handle(handle)]
    if store.one("SELECT 1 FROM owned_accounts WHERE platform = ? AND handle = ?", key) is None:
        raise HubbubError(
            f"{handle} is not an owned account on {platform}", "see `hubbub owned list`"
        )
    store.con.execute("DELETE FROM owned_accounts WHERE platform = ? AND handle = ?", key)


def list_owned(store: Store) -> list[OwnedAccount]:
    rows = store.con.execute(
        "SELECT platform, handle, label, added_at FROM owned_accounts ORDER BY platform, handle"
    ).fetchall()
    return [OwnedAccount(*row) for row in rows]


def has_owned(store: Store) -> bool:
    return store.one("SELECT 1 FROM owned_accounts LIMIT 1") is not None


#: Posts written by an owned account.
OWNED_PREDICATE: Final = """EXISTS (SELECT 1 FROM owned_accounts o
  WHERE o.handle = lower(ltrim(p.author_handle, '@'))
    AND (o.platform = '*' OR o.platform = p.platform))"""

#: Posts by someone else that mention an owned account or reply to an owned post.
AUDIENCE_PREDICATE: Final = f"""NOT {OWNED_PREDICATE} AND (
  EXISTS (SELECT 1 FROM owned_accounts o
          WHERE (o.platform = '*' OR o.platform = p.platform)
            AND list_contains(coalesce(p.mentions, []), o.handle))
  OR p.parent_id IN (SELECT q.id FROM posts q WHERE {OWNED_PREDICATE.replace("p.", "q.")}))"""


def owned_posts(
    store: Store, since: datetime | None = None, until: datetime | None = None
) -> pa.Table:
    """Every owned post with its engagement, both engagement rates and its format."""
    clauses, params = [OWNED_PREDICATE], []
    if since is not None:
        clauses.append("p.created_at >= ?")
        params.append(since)
    if until is not None:
        clauses.append("p.created_at < ?")
        params.append(until)
    return store.query(
        f"""WITH first_seen AS (
              SELECT post_id, arg_min(author_followers, collected_at) AS followers
              FROM snapshots GROUP BY post_id)
            SELECT p.id, p.platform, p.author_handle, p.created_at, p.url, p.text,
                   {FORMAT_SQL} AS format, p.hashtags, p.views,
                   {ENGAGEMENT_SQL} AS engagement,
                   coalesce(f.followers, p.author_followers) AS followers_at_post,
                   {ENGAGEMENT_SQL} / nullif(coalesce(f.followers, p.author_followers), 0)
                     AS rate_followers,
                   {ENGAGEMENT_SQL} / nullif(p.views, 0) AS rate_views
            FROM posts p LEFT JOIN first_seen f ON f.post_id = p.id
            WHERE {" AND ".join(clauses)}
            ORDER BY p.created_at""",
        params,
    )
