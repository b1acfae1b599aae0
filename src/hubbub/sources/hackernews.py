"""Hacker News: the Algolia HN Search API (search hits, nested items) and the official Firebase API.

Accepted raw values: a search response `{"hits": [...], "nbHits", ...}`, one hit, an Algolia item
`{id, type, author, text, children: [...]}` (children are yielded too), a Firebase item
`{id, by, time, type, text|title, kids, score, descendants}`, and the `{"url": "/api/v1/...",
"reply": {...}}` records some fixture recorders write. User profiles yield nothing.
Stories and polls are posts (points -> likes, num_comments -> replies); comments link to their
parent and to the story (root).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from hubbub.model import PostRecord, Rejected
from hubbub.sources._util import as_int, as_str, dicts, html_to_text, missing, objects, unique

PLATFORM: Final = "hackernews"
_ITEM_URL: Final = "https://news.ycombinator.com/item?id="
_STORY_TYPES: Final = frozenset({"story", "poll", "job", "ask_hn", "show_hn"})


class HackerNewsFormat:
    name = "hackernews"
    mapping_version = "hackernews/1"

    def sniff(self, raw: Any) -> bool:
        if isinstance(raw, list):  # a whole JSON array document
            return bool(raw) and self.sniff(raw[0])
        if not isinstance(raw, dict):
            return False
        if isinstance(raw.get("reply"), dict) and "/api/v1/" in str(raw.get("url", "")):
            return True
        if isinstance(raw.get("hits"), list) and "nbHits" in raw:
            return True
        if "objectID" in raw and "_tags" in raw:
            return True
        if "created_at_i" in raw and "type" in raw:
            return True
        # Firebase items: "by" and a Unix "time" with an HN type.
        return (
            "by" in raw
            and isinstance(raw.get("time"), int)
            and raw.get("type")
            in (
                "story",
                "comment",
                "poll",
                "job",
                "pollopt",
            )
        )

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        for item in objects("hackernews", raw):
            yield from (item,) if isinstance(item, Rejected) else self._parse_object(item)

    def _parse_object(self, raw: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
        if isinstance(raw.get("reply"), dict) and "url" in raw:
            yield from self.parse(raw["reply"])
        elif isinstance(raw.get("hits"), list):
            for hit in dicts(raw["hits"]):
                yield from _hit(hit)
        elif "objectID" in raw:
            yield from _hit(raw)
        elif "karma" in raw or "username" in raw:
            return  # a user profile
        elif "by" in raw and "time" in raw:
            yield from _firebase(raw)
        else:
            yield from _item(raw, None)


def _hit(hit: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    native = as_str(hit.get("objectID"))
    if native is None:
        yield missing(PLATFORM, "objectID")
        return
    created = hit.get("created_at_i") or hit.get("created_at")
    if created is None:
        yield missing(PLATFORM, "created_at")
        return
    tags = [t for t in hit.get("_tags") or [] if isinstance(t, str)]
    is_comment = "comment" in tags or hit.get("comment_text") is not None
    story = as_str(hit.get("story_id"))
    parent = as_str(hit.get("parent_id"))
    body = as_str(hit.get("comment_text") if is_comment else hit.get("story_text")) or ""
    text, links = html_to_text(body)
    link = as_str(hit.get("url"))
    yield {
        "platform": PLATFORM,
        "native_id": native,
        "url": _ITEM_URL + native,
        "created_at": created,
        "kind": "comment" if is_comment else "post",
        "parent_id": f"{PLATFORM}:{parent}" if is_comment and parent else None,
        "root_id": f"{PLATFORM}:{story}" if is_comment and story else None,
        "author_id": as_str(hit.get("author")),
        "author_handle": as_str(hit.get("author")),
        # Comment hits repeat their story's title; it makes `title:` queries find discussions.
        "title": as_str(hit.get("story_title") if is_comment else hit.get("title")),
        "text": text,
        "likes": as_int(hit.get("points")),
        "replies": as_int(hit.get("num_comments")),
        "links": unique([link, *links]),
    }


def _item(item: dict[str, Any], story: str | None) -> Iterator[PostRecord | Rejected]:
    native = as_str(item.get("id"))
    if native is None:
        yield missing(PLATFORM, "id")
        return
    created = item.get("created_at_i") or item.get("created_at")
    if created is None:
        yield missing(PLATFORM, "created_at")
        return
    is_story = item.get("type") in _STORY_TYPES
    root = story or as_str(item.get("story_id"))
    parent = as_str(item.get("parent_id"))
    text, links = html_to_text(as_str(item.get("text")) or "")
    children = list(dicts(item.get("children")))
    if text or item.get("title"):  # deleted items keep their place in the tree but say nothing
        yield {
            "platform": PLATFORM,
            "native_id": native,
            "url": _ITEM_URL + native,
            "created_at": created,
            "kind": "post" if is_story else "comment",
            "parent_id": f"{PLATFORM}:{parent}" if parent and not is_story else None,
            "root_id": f"{PLATFORM}:{root}" if root and not is_story else None,
            "author_id": as_str(item.get("author")),
            "author_handle": as_str(item.get("author")),
            "title": as_str(item.get("title")),
            "text": text,
            "likes": as_int(item.get("points")),
            "replies": len(children) if children else None,
            "links": unique([as_str(item.get("url")), *links]),
        }
    for child in children:
        yield from _item(child, root or (native if is_story else None))


def _firebase(item: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    native = as_str(item.get("id"))
    if native is None:
        yield missing(PLATFORM, "id")
        return
    if item.get("deleted") or item.get("dead"):
        return
    is_comment = item.get("type") == "comment"
    text, links = html_to_text(as_str(item.get("text")) or "")
    parent = as_str(item.get("parent"))
    yield {
        "platform": PLATFORM,
        "native_id": native,
        "url": _ITEM_URL + native,
        "created_at": item.get("time"),
        "kind": "comment" if is_comment else "post",
        "parent_id": f"{PLATFORM}:{parent}" if is_comment and parent else None,
        "author_id": as_str(item.get("by")),
        "author_handle": as_str(item.get("by")),
        "title": as_str(item.get("title")),
        "text": text,
        "likes": as_int(item.get("score")),
        "replies": as_int(item.get("descendants")),
        "links": unique([as_str(item.get("url")), *links]),
    }


FORMAT = HackerNewsFormat()
