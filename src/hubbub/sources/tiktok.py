"""TikTok Research API: video query results and video comment lists.

Written from the documented response shapes (developers.tiktok.com/doc/research-api-specs-query-
videos and -query-video-comments); no real recorded payload was available, so the test fixtures
are hand-made from the documentation and say so.

Accepted raw values: `{"data": {"videos": [...], "cursor", "has_more", "search_id"}, "error": {...}}`,
`{"data": {"comments": [...], ...}}`, or one video / comment object. Videos are posts (the
description is the text); comments link to their video (root) and parent comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from hubbub.model import PostRecord, Rejected
from hubbub.sources._util import as_int, as_str, dicts, dig, hashtags_in, missing, objects, unique

PLATFORM: Final = "tiktok"


class TikTokFormat:
    name = "tiktok"
    mapping_version = "tiktok/1"

    def sniff(self, raw: Any) -> bool:
        if isinstance(raw, list):  # a whole JSON array document
            return bool(raw) and self.sniff(raw[0])
        if not isinstance(raw, dict):
            return False
        if isinstance(dig(raw, "data", "videos"), list) or isinstance(
            dig(raw, "data", "comments"), list
        ):
            return True
        return "id" in raw and ("video_description" in raw or "parent_comment_id" in raw)

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        for item in objects("tiktok", raw):
            yield from (item,) if isinstance(item, Rejected) else self._parse_object(item)

    def _parse_object(self, raw: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
        data = raw.get("data")
        if isinstance(data, dict):
            for video in dicts(data.get("videos")):
                yield from _video(video)
            for comment in dicts(data.get("comments")):
                yield from _comment(comment)
            error = raw.get("error")
            if isinstance(error, dict) and error.get("code") not in (None, "ok"):
                yield Rejected(
                    f"tiktok: the API returned an error: {error.get('message') or error['code']}",
                    "check the query and the Research API quota",
                )
        elif "video_id" in raw or "parent_comment_id" in raw:
            yield from _comment(raw)
        else:
            yield from _video(raw)


def _video(video: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    native = as_str(video.get("id"))
    if native is None:
        yield missing(PLATFORM, "id", "request fields=id,create_time,...")
        return
    if video.get("create_time") is None:
        yield missing(PLATFORM, "create_time")
        return
    handle = as_str(video.get("username"))
    text = as_str(video.get("video_description")) or ""
    tags = [as_str(t) for t in video.get("hashtag_names") or []]
    yield {
        "platform": PLATFORM,
        "native_id": native,
        "url": f"https://www.tiktok.com/@{handle}/video/{native}" if handle else None,
        "created_at": video["create_time"],  # epoch seconds
        "kind": "post",
        "author_handle": handle,
        "text": text,
        "country": as_str(video.get("region_code")),
        "likes": as_int(video.get("like_count")),
        "replies": as_int(video.get("comment_count")),
        "reposts": as_int(video.get("share_count")),
        "views": as_int(video.get("view_count")),
        "hashtags": unique([*tags, *hashtags_in(text)]),
        "media_count": 1,
    }


def _comment(comment: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    native = as_str(comment.get("id"))
    if native is None:
        yield missing(PLATFORM, "id")
        return
    if comment.get("create_time") is None:
        yield missing(PLATFORM, "create_time")
        return
    video = as_str(comment.get("video_id"))
    parent = as_str(comment.get("parent_comment_id"))
    # Top-level comments carry the video id as their parent_comment_id.
    is_reply = parent is not None and parent != video
    root = f"{PLATFORM}:{video}" if video else None
    yield {
        "platform": PLATFORM,
        "native_id": native,
        "created_at": comment["create_time"],
        "kind": "reply" if is_reply else "comment",
        "parent_id": f"{PLATFORM}:{parent}" if is_reply else root,
        "root_id": root,
        "text": as_str(comment.get("text")),
        "likes": as_int(comment.get("like_count")),
        "replies": as_int(comment.get("reply_count")),
    }


FORMAT = TikTokFormat()
