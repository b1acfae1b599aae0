"""Bluesky / AT Protocol posts: app view responses, repo records and Jetstream events.

Accepted raw values:
- app view: a postView `{uri, cid, author, record, embed, likeCount, ...}`, a feedViewPost
  `{post, reply: {root, parent}, reason}`, responses holding them (`{"feed": [...]}`,
  `{"posts": [...]}`, getPostThread `{"thread": {post, parent, replies}}`);
- repo records: `{uri, cid, value: {"$type": "app.bsky.feed.post", ...}}`, `{"records": [...]}`;
- Jetstream events `{did, time_us, kind: "commit", commit: {operation, collection, rkey, record}}`.
Likes, follows, profiles, identity/account events and deletes are recognised and yield nothing.

native_id is the post's at:// URI (at://DID/app.bsky.feed.post/RKEY): globally unique, and it is
what reply references (`reply.parent.uri`, `reply.root.uri`) and quotes point at, so parent_id
and root_id link without a lookup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from hubbub.model import PostRecord, Rejected
from hubbub.sources._util import as_int, as_str, dicts, dig, missing, obj, objects, unique

PLATFORM: Final = "bluesky"
POST_TYPE: Final = "app.bsky.feed.post"
_LONG_FRACTION: Final = re.compile(r"(\.\d{6})\d+")


def _time(value: Any) -> str | None:
    # Records may carry nanosecond fractions ("...59.78349200Z") which ISO parsers refuse.
    text = as_str(value)
    return _LONG_FRACTION.sub(r"\1", text) if text else None


class BlueskyFormat:
    name = "bluesky"
    mapping_version = "bluesky/1"

    def sniff(self, raw: Any) -> bool:
        if isinstance(raw, list):
            return bool(raw) and self.sniff(raw[0])
        if not isinstance(raw, dict):
            return False
        if _is_tap(raw):
            return True
        if "did" in raw and ("time_us" in raw or "handle" in raw):
            return True  # Jetstream; profiles (recognised, no posts)
        if isinstance(raw.get("follows"), list) or isinstance(raw.get("followers"), list):
            return True
        if as_str(raw.get("uri")) and str(raw.get("uri")).startswith("at://"):
            return True
        if isinstance(raw.get("post"), dict) and "uri" in raw["post"]:
            return True
        if isinstance(raw.get("notifications"), list):
            return True
        if isinstance(raw.get("thread"), dict) or isinstance(raw.get("feed"), list):
            return True
        posts = raw.get("posts") if isinstance(raw.get("posts"), list) else raw.get("records")
        first = posts[0] if isinstance(posts, list) and posts else None
        return isinstance(first, dict) and str(first.get("uri", "")).startswith("at://")

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        seen: set[str] = set()
        yield from _value(raw, seen)


def _value(raw: Any, seen: set[str]) -> Iterator[PostRecord | Rejected]:
    for item in objects("bluesky", raw):
        yield from (item,) if isinstance(item, Rejected) else _object(item, seen)


def _object(raw: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    if "time_us" in raw and "did" in raw:
        yield from _jetstream(raw, seen)
    elif _is_tap(raw):
        yield from _tap(raw, seen)
    elif isinstance(raw.get("post"), dict):
        yield from _feed_view(raw, seen)
    elif isinstance(raw.get("record"), dict) and "author" in raw:
        yield from _post_view(raw, seen)
    elif isinstance(raw.get("value"), dict):
        if raw["value"].get("$type") == POST_TYPE:
            yield from _record(as_str(raw.get("uri")), raw["value"], {}, {}, seen)
    elif isinstance(raw.get("thread"), dict):
        yield from _thread(raw["thread"], seen)
    elif raw.get("$type") == POST_TYPE:
        yield missing(PLATFORM, "uri", "a bare record has no identity; pass {uri, cid, value}")
    elif "record" in raw and "uri" in raw:
        yield missing(PLATFORM, "author")
    else:
        # Notifications are post-like views ({uri, author, record}); likes/follows are skipped.
        for key in ("feed", "posts", "records", "notifications"):
            if isinstance(raw.get(key), list):
                yield from _value(raw[key], seen)


def _thread(node: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    if isinstance(node.get("post"), dict):
        yield from _post_view(node["post"], seen)
    if isinstance(node.get("parent"), dict):
        yield from _thread(node["parent"], seen)
    for reply in dicts(node.get("replies")):
        yield from _thread(reply, seen)


def _feed_view(item: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    post = item["post"]
    yield from _post_view(post, seen)
    for key in ("parent", "root"):
        ref = dig(item, "reply", key)
        if isinstance(ref, dict) and isinstance(ref.get("record"), dict):
            yield from _post_view(ref, seen)
    reason = item.get("reason")
    if isinstance(reason, dict) and str(reason.get("$type", "")).endswith("reasonRepost"):
        yield from _repost(reason, post, seen)


def _repost(
    reason: dict[str, Any], post: dict[str, Any], seen: set[str]
) -> Iterator[PostRecord | Rejected]:
    # Only newer app views give the repost its own URI; without one there is nothing to key on.
    uri = as_str(reason.get("uri"))
    by = obj(reason.get("by"))
    if uri is None or uri in seen or not reason.get("indexedAt"):
        return
    seen.add(uri)
    yield {
        "platform": PLATFORM,
        "native_id": uri,
        "created_at": _time(reason.get("indexedAt")),
        "kind": "repost",
        "parent_id": f"{PLATFORM}:{post['uri']}" if as_str(post.get("uri")) else None,
        "author_id": as_str(by.get("did")),
        "author_handle": as_str(by.get("handle")),
        "author_name": as_str(by.get("displayName")),
        "text": as_str(dig(post, "record", "text")),
    }


def _post_view(view: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    record = view.get("record")
    if not isinstance(record, dict) or record.get("$type", POST_TYPE) != POST_TYPE:
        return  # blocked/not-found stubs and non-post records
    author = obj(view.get("author"))
    counts = {
        "likes": as_int(view.get("likeCount")),
        "replies": as_int(view.get("replyCount")),
        "reposts": as_int(view.get("repostCount")),
        "quotes": as_int(view.get("quoteCount")),
    }
    yield from _record(as_str(view.get("uri")), record, author, counts, seen, view.get("embed"))


def _jetstream(event: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, dict):
        return  # identity and account events
    if commit.get("collection") != POST_TYPE or commit.get("operation") not in ("create", "update"):
        return  # likes, follows, reposts, deletes, other apps' records
    did, rkey = as_str(event.get("did")), as_str(commit.get("rkey"))
    if did is None or rkey is None:
        yield missing(PLATFORM, "did/rkey")
        return
    record = commit.get("record")
    if not isinstance(record, dict):
        yield missing(PLATFORM, "commit.record")
        return
    uri = f"at://{did}/{POST_TYPE}/{rkey}"
    yield from _record(uri, record, {"did": did}, {}, seen)


def _is_tap(raw: dict[str, Any]) -> bool:
    # Tap (Bluesky's repo sync tool) events: {"id", "type": "record"|"identity", "record": {...}}.
    inner = raw.get(str(raw.get("type")))
    return raw.get("type") in ("record", "identity") and isinstance(inner, dict) and "did" in inner


def _tap(event: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    change = event.get("record")
    if event.get("type") != "record" or not isinstance(change, dict):
        return  # identity events
    if change.get("collection") != POST_TYPE or change.get("action") not in ("create", "update"):
        return
    did, rkey = as_str(change.get("did")), as_str(change.get("rkey"))
    record = change.get("record")
    if did is None or rkey is None or not isinstance(record, dict):
        yield missing(PLATFORM, "did/rkey/record")
        return
    yield from _record(f"at://{did}/{POST_TYPE}/{rkey}", record, {"did": did}, {}, seen)


def _record(
    uri: str | None,
    record: dict[str, Any],
    author: dict[str, Any],
    counts: dict[str, int | None],
    seen: set[str],
    embed_view: Any = None,
) -> Iterator[PostRecord | Rejected]:
    if uri is None:
        yield missing(PLATFORM, "uri")
        return
    if uri in seen:
        return
    seen.add(uri)
    created = _time(record.get("createdAt"))
    if created is None:
        yield missing(PLATFORM, "record.createdAt")
        return
    did = as_str(author.get("did")) or uri.removeprefix("at://").split("/", 1)[0]
    handle = as_str(author.get("handle"))
    parent = as_str(dig(record, "reply", "parent", "uri"))
    root = as_str(dig(record, "reply", "root", "uri"))
    quoted = _quoted_uri(record.get("embed"))
    kind = "reply" if parent else "quote" if quoted else "post"
    hashtags, mentions, links = _facets(record)
    external = as_str(dig(record, "embed", "external", "uri")) or as_str(
        dig(record, "embed", "media", "external", "uri")
    )
    langs = record.get("langs")
    # Image-only posts have no text; their alt texts are what a reader (and a query) sees.
    text = as_str(record.get("text")) or "\n".join(_alt_texts(record.get("embed")))
    if not text:
        yield Rejected(f"bluesky: {uri} has no text and no alt text", "media-only post")
    else:
        yield {
            "platform": PLATFORM,
            "native_id": uri,
            "url": f"https://bsky.app/profile/{handle or did}/post/{uri.rsplit('/', 1)[-1]}",
            "created_at": created,
            "kind": kind,
            "parent_id": f"{PLATFORM}:{parent or quoted}" if (parent or quoted) else None,
            "root_id": f"{PLATFORM}:{root}" if root else None,
            "author_id": did,
            "author_handle": handle,
            "author_name": as_str(author.get("displayName")),
            "author_followers": as_int(author.get("followersCount")),
            "text": text,
            "lang": as_str(langs[0]) if isinstance(langs, list) and langs else None,
            **counts,
            "hashtags": unique(hashtags + [as_str(t) for t in record.get("tags") or []]),
            "mentions": mentions,
            "links": unique([*links, external]),
            "media_count": _media_count(record.get("embed")),
        }
    if isinstance(embed_view, dict):
        # A quote's view embeds the quoted post (viewRecord: its record is under "value").
        inner = embed_view.get("record")
        if isinstance(inner, dict) and isinstance(inner.get("record"), dict):
            inner = inner["record"]  # recordWithMedia#view nests one level deeper
        if isinstance(inner, dict) and isinstance(inner.get("value"), dict):
            value = inner["value"]
            if value.get("$type") == POST_TYPE:
                yield from _record(
                    as_str(inner.get("uri")),
                    value,
                    inner.get("author") or {},
                    {
                        "likes": as_int(inner.get("likeCount")),
                        "replies": as_int(inner.get("replyCount")),
                        "reposts": as_int(inner.get("repostCount")),
                        "quotes": as_int(inner.get("quoteCount")),
                    },
                    seen,
                )


def _quoted_uri(embed: Any) -> str | None:
    if not isinstance(embed, dict):
        return None
    embed_type = str(embed.get("$type", ""))
    if embed_type == "app.bsky.embed.record":
        uri = as_str(dig(embed, "record", "uri"))
    elif embed_type == "app.bsky.embed.recordWithMedia":
        uri = as_str(dig(embed, "record", "record", "uri"))
    else:
        return None
    # Embedded lists and feed generators are records too, but only posts are quotes.
    return uri if uri and f"/{POST_TYPE}/" in uri else None


def _facets(record: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    tags: list[str | None] = []
    mentions: list[str | None] = []
    links: list[str | None] = []
    for facet in dicts(record.get("facets")):
        for feature in dicts(facet.get("features")):
            feature_type = str(feature.get("$type", ""))
            if feature_type.endswith("#tag"):
                tags.append(as_str(feature.get("tag")))
            elif feature_type.endswith("#mention"):
                mentions.append(as_str(feature.get("did")))  # facets name mentions by DID only
            elif feature_type.endswith("#link"):
                links.append(as_str(feature.get("uri")))
    return unique(tags), unique(mentions), unique(links)


def _alt_texts(embed: Any) -> list[str]:
    if not isinstance(embed, dict):
        return []
    if isinstance(embed.get("media"), dict):
        return _alt_texts(embed["media"])
    alts = [as_str(image.get("alt")) for image in dicts(embed.get("images"))]
    return unique([*alts, as_str(embed.get("alt"))])


def _media_count(embed: Any) -> int:
    if not isinstance(embed, dict):
        return 0
    embed_type = str(embed.get("$type", ""))
    if embed_type == "app.bsky.embed.images":
        return len(embed.get("images") or [])
    if embed_type == "app.bsky.embed.video":
        return 1
    if embed_type == "app.bsky.embed.recordWithMedia":
        return _media_count(embed.get("media"))
    return 0


FORMAT = BlueskyFormat()
