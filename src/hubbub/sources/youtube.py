"""YouTube Data API v3: videos, search results, comment threads and comments.

Accepted raw values: a list response (`youtube#videoListResponse`, `#searchListResponse`,
`#commentThreadListResponse`, `#commentListResponse`) or one of their items. Videos become
posts (title + description); top-level comments are `comment`s on the video; replies are
`reply`s whose parent is the top-level comment and whose root is the video. Channels and
playlists yield nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from hubbub.model import PostRecord, Rejected
from hubbub.sources._util import (
    as_int,
    as_str,
    dicts,
    dig,
    hashtags_in,
    html_to_text,
    missing,
    obj,
    objects,
    unique,
    urls_in,
)

PLATFORM: Final = "youtube"
_WATCH: Final = "https://www.youtube.com/watch?v="


class YouTubeFormat:
    name = "youtube"
    mapping_version = "youtube/1"

    def sniff(self, raw: Any) -> bool:
        return isinstance(raw, dict) and str(raw.get("kind", "")).startswith("youtube#")

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        for item in objects("youtube", raw):
            yield from (item,) if isinstance(item, Rejected) else self._parse_object(item)

    def _parse_object(self, raw: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
        kind = raw.get("kind")
        if isinstance(raw.get("items"), list):
            for item in raw["items"]:
                yield from self.parse(item)
        elif kind == "youtube#video" or kind == "youtube#searchResult":
            yield from _video(raw)
        elif kind == "youtube#playlistItem":
            yield from _playlist_item(raw)
        elif kind == "youtube#commentThread":
            yield from _thread(raw)
        elif kind == "youtube#comment":
            yield from _comment(raw, None, None)


def _video(item: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    video_id = as_str(item.get("id")) or as_str(dig(item, "id", "videoId"))
    if video_id is None:
        if dig(item, "id", "kind") in ("youtube#channel", "youtube#playlist"):
            return  # search results also list channels and playlists
        yield missing(PLATFORM, "video id")
        return
    snippet = obj(item.get("snippet"))
    if not snippet.get("publishedAt"):
        yield missing(PLATFORM, "snippet.publishedAt", "request part=snippet")
        return
    stats = obj(item.get("statistics"))
    description = as_str(snippet.get("description")) or ""
    yield {
        "platform": PLATFORM,
        "native_id": video_id,
        "url": _WATCH + video_id,
        "created_at": snippet["publishedAt"],
        "kind": "post",
        "author_id": as_str(snippet.get("channelId")),
        "author_name": as_str(snippet.get("channelTitle")),
        "title": as_str(snippet.get("title")),
        "text": description,
        "lang": as_str(snippet.get("defaultAudioLanguage"))
        or as_str(snippet.get("defaultLanguage")),
        "likes": as_int(stats.get("likeCount")),
        "replies": as_int(stats.get("commentCount")),
        "views": as_int(stats.get("viewCount")),
        # snippet.tags are hidden search keywords ("Actions on Google"), not hashtags.
        "hashtags": hashtags_in(description),
        "links": urls_in(description),
        "media_count": 1,
    }


def _playlist_item(item: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    # A playlist entry is a video; its own publishedAt is when it was added to the playlist.
    details = obj(item.get("contentDetails"))
    snippet = obj(item.get("snippet"))
    video_id = as_str(details.get("videoId")) or as_str(dig(snippet, "resourceId", "videoId"))
    published = details.get("videoPublishedAt") or snippet.get("publishedAt")
    channel = {"channelId": snippet.get("videoOwnerChannelId") or snippet.get("channelId")}
    channel["channelTitle"] = snippet.get("videoOwnerChannelTitle") or snippet.get("channelTitle")
    video = {
        "id": video_id,
        "snippet": {**snippet, **channel, "publishedAt": published},
    }
    yield from _video(video)


def _thread(item: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    snippet = obj(item.get("snippet"))
    top = snippet.get("topLevelComment")
    if not isinstance(top, dict):
        yield missing(PLATFORM, "snippet.topLevelComment")
        return
    video = as_str(snippet.get("videoId"))
    yield from _comment(top, video, as_int(snippet.get("totalReplyCount")))
    for reply in dicts(dig(item, "replies", "comments")):
        yield from _comment(reply, video, None)


def _comment(
    item: dict[str, Any], video: str | None, reply_count: int | None
) -> Iterator[PostRecord | Rejected]:
    comment_id = as_str(item.get("id"))
    snippet = obj(item.get("snippet"))
    if comment_id is None:
        yield missing(PLATFORM, "comment id")
        return
    if not snippet.get("publishedAt"):
        yield missing(PLATFORM, "snippet.publishedAt")
        return
    video = video or as_str(snippet.get("videoId"))
    parent = as_str(snippet.get("parentId"))
    display, links = html_to_text(as_str(snippet.get("textDisplay")) or "")
    text = as_str(snippet.get("textOriginal")) or display
    root = f"{PLATFORM}:{video}" if video else None
    name = as_str(snippet.get("authorDisplayName"))
    # Since 2024 the display name is the channel's @handle; older payloads give a free-form name.
    handle = name[1:] if name and name.startswith("@") else None
    yield {
        "platform": PLATFORM,
        "native_id": comment_id,
        "url": f"{_WATCH}{video}&lc={comment_id}" if video else None,
        "created_at": snippet["publishedAt"],
        # Top-level comments answer the video; replies answer a comment.
        "kind": "reply" if parent else "comment",
        "parent_id": f"{PLATFORM}:{parent}" if parent else root,
        "root_id": root,
        "author_id": as_str(dig(snippet, "authorChannelId", "value")),
        "author_handle": handle,
        "author_name": name,
        "text": text,
        "likes": as_int(snippet.get("likeCount")),
        "replies": reply_count,
        "hashtags": hashtags_in(text),
        "links": unique(links + urls_in(text)),
    }


FORMAT = YouTubeFormat()
