"""LinkedIn Community Management API: Posts API posts and socialActions comments.

Written from the documented response shapes (learn.microsoft.com/linkedin/marketing/community-
management/shares/posts-api and .../comments-api); no real recorded payload was available, so
the test fixtures are hand-made from the documentation and say so.

Accepted raw values: a collection `{"elements": [...], "paging": {...}}`, a batch get
`{"results": {urn: post}}`, one post (`id` urn:li:share/ugcPost, `author`, `commentary`,
`createdAt` epoch ms, `lifecycleState`), or one comment (`id`, `actor`, `message.text`,
`created.time`, `object`, `parentComment`). Only PUBLISHED posts are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import quote

from hubbub.model import PostRecord, Rejected
from hubbub.sources._util import (
    as_int,
    as_str,
    dicts,
    dig,
    hashtags_in,
    missing,
    objects,
    unique,
    urls_in,
)

PLATFORM: Final = "linkedin"


class LinkedInFormat:
    name = "linkedin"
    mapping_version = "linkedin/1"

    def sniff(self, raw: Any) -> bool:
        if isinstance(raw, list):  # a whole JSON array document
            return bool(raw) and self.sniff(raw[0])
        if not isinstance(raw, dict):
            return False
        first = next(dicts(raw.get("elements")), None)
        if first is None and isinstance(raw.get("results"), dict):
            first = next(iter(raw["results"].values()), None)
        item = first if isinstance(first, dict) else raw
        return str(item.get("id", "")).startswith("urn:li:") or (
            "actor" in item and str(item.get("actor", "")).startswith("urn:li:")
        )

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        for item in objects("linkedin", raw):
            yield from (item,) if isinstance(item, Rejected) else self._parse_object(item)

    def _parse_object(self, raw: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
        if isinstance(raw.get("elements"), list):
            yield from self.parse(raw["elements"])
        elif isinstance(raw.get("results"), dict):
            yield from self.parse(list(raw["results"].values()))
        elif "actor" in raw and "message" in raw:
            yield from _comment(raw)
        else:
            yield from _post(raw)


def _post(post: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    urn = as_str(post.get("id"))
    if urn is None:
        yield missing(PLATFORM, "id")
        return
    if post.get("lifecycleState") not in (None, "PUBLISHED"):
        return  # drafts and processing posts are not public yet
    created = post.get("publishedAt") or post.get("createdAt")
    if created is None:
        yield missing(PLATFORM, "createdAt")
        return
    text = as_str(post.get("commentary")) or ""
    article = as_str(dig(post, "content", "article", "source"))
    reshared = as_str(dig(post, "reshareContext", "parent"))
    yield {
        "platform": PLATFORM,
        "native_id": urn,
        "url": f"https://www.linkedin.com/feed/update/{quote(urn, safe=':')}/",
        "created_at": created,  # epoch milliseconds
        "kind": ("quote" if text else "repost") if reshared else "post",
        "parent_id": f"{PLATFORM}:{reshared}" if reshared else None,
        "author_id": as_str(post.get("author")),
        "title": as_str(dig(post, "content", "article", "title")),
        "text": text,
        "hashtags": hashtags_in(text),
        "links": unique([article, *urls_in(text)]),
        "media_count": 1
        if dig(post, "content", "media") or dig(post, "content", "multiImage")
        else 0,
    }


def _comment(comment: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    # The comment's own URN names it uniquely; its bare "id" is only unique per post.
    urn = as_str(comment.get("$URN")) or as_str(comment.get("commentUrn"))
    local = as_str(comment.get("id"))
    target = as_str(comment.get("object"))
    if urn is None and local and target:
        urn = f"urn:li:comment:({target},{local})"
    if urn is None:
        yield missing(PLATFORM, "id")
        return
    created = dig(comment, "created", "time")
    if created is None:
        yield missing(PLATFORM, "created.time")
        return
    parent = as_str(comment.get("parentComment"))
    text = as_str(dig(comment, "message", "text")) or ""
    yield {
        "platform": PLATFORM,
        "native_id": urn,
        "created_at": created,
        "kind": "reply" if parent else "comment",
        "parent_id": f"{PLATFORM}:{parent or target}" if (parent or target) else None,
        "root_id": f"{PLATFORM}:{target}" if target else None,
        "author_id": as_str(comment.get("actor")),
        "text": text,
        "likes": as_int(dig(comment, "likesSummary", "totalLikes")),
        "hashtags": hashtags_in(text),
        "links": urls_in(text),
    }


FORMAT = LinkedInFormat()
