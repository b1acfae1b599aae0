"""Reddit API listings: `t3` submissions and `t1` comments, with nested `replies` listings.

Accepted raw values: a Listing (`{"kind": "Listing", "data": {"children": [...]}}`), the pair of
listings `/comments/ID` returns (a JSON array), a `/api/morechildren` response
(`{"json": {"data": {"things": [...]}}}`), or one thing (`{"kind": "t1", "data": {...}}`).
Pushshift/arctic-shift dumps hold bare thing data (`{"id", "body", "subreddit", ...}`); those work
too. Subreddit is queryable through the URL (`/r/NAME/`), which is always set.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from hubbub.model import PostRecord, Rejected
from hubbub.sources._util import as_int, as_str, dicts, dig, missing, objects, urls_in

PLATFORM: Final = "reddit"
_SITE: Final = "https://www.reddit.com"
_DELETED: Final = frozenset({"[deleted]", "[removed]"})


class RedditFormat:
    name = "reddit"
    mapping_version = "reddit/1"

    def sniff(self, raw: Any) -> bool:
        if isinstance(raw, list):
            return bool(raw) and all(self.sniff(item) for item in raw[:2])
        if not isinstance(raw, dict):
            return False
        kind = raw.get("kind")
        if kind == "Listing" and isinstance(dig(raw, "data", "children"), list):
            return True
        if kind in ("t1", "t3") and isinstance(raw.get("data"), dict):
            return True
        if isinstance(dig(raw, "json", "data", "things"), list):
            return True
        # A bare dump record: Reddit's fullname prefixes are distinctive.
        return "subreddit" in raw and str(raw.get("name", "")).startswith(("t1_", "t3_"))

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        for item in objects("reddit", raw):
            yield from (item,) if isinstance(item, Rejected) else self._parse_object(item)

    def _parse_object(self, raw: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
        things = dig(raw, "json", "data", "things")
        if isinstance(things, list):
            yield from _things(things)
        elif raw.get("kind") == "Listing":
            yield from _things(dig(raw, "data", "children"))
        elif raw.get("kind") in ("t1", "t3"):
            yield from _things([raw])
        elif "kind" in raw and isinstance(raw.get("data"), dict):
            return  # t2 accounts, t5 subreddits, "more" stubs: no posts
        else:
            yield from _thing("t1" if "body" in raw else "t3", raw)


def _things(children: Any) -> Iterator[PostRecord | Rejected]:
    for child in dicts(children):
        kind, data = child.get("kind"), child.get("data")
        if kind in ("t1", "t3") and isinstance(data, dict):
            yield from _thing(kind, data)


def _thing(kind: str, data: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    native = as_str(data.get("name")) or (
        f"{kind}_{data['id']}" if as_str(data.get("id")) else None
    )
    if native is None:
        yield missing(PLATFORM, "id/name")
        return
    created = data.get("created_utc")
    if created is None:
        yield missing(PLATFORM, "created_utc")
        return
    subreddit = as_str(data.get("subreddit"))
    author = as_str(data.get("author"))
    post: PostRecord = {
        "platform": PLATFORM,
        "native_id": native,
        "created_at": created,
        "author_handle": None if author in _DELETED else author,
        "author_id": as_str(data.get("author_fullname")),
        "likes": as_int(data.get("score")),
    }
    if kind == "t3":
        text = as_str(data.get("selftext")) or ""
        link = as_str(data.get("url"))
        links = urls_in(text)
        if link and not data.get("is_self") and "/comments/" not in link:
            links.insert(0, link)
        post.update(
            kind="post",
            title=as_str(data.get("title")),
            text=None if text in _DELETED else text,
            url=_SITE + data["permalink"] if as_str(data.get("permalink")) else None,
            replies=as_int(data.get("num_comments")),
            links=links,
        )
        if data.get("crosspost_parent"):
            post.update(kind="repost", parent_id=f"{PLATFORM}:{data['crosspost_parent']}")
    else:
        body = as_str(data.get("body")) or ""
        link_id = as_str(data.get("link_id"))
        parent = as_str(data.get("parent_id")) or link_id
        post.update(
            kind="comment",
            text=None if body in _DELETED else body,
            parent_id=f"{PLATFORM}:{parent}" if parent else None,
            root_id=f"{PLATFORM}:{link_id}" if link_id else None,
            url=_comment_url(data, subreddit, link_id),
            title=as_str(data.get("link_title")),
            links=urls_in(body),
        )
    if post.get("url") is None and subreddit:
        post["url"] = f"{_SITE}/r/{subreddit}/"
    if post.get("text") or post.get("title"):
        yield post
    else:
        yield Rejected(f"reddit: {native} was deleted or removed", "nothing left to index")
    replies = data.get("replies")
    if isinstance(replies, dict):  # "" when there are none
        yield from _things(dig(replies, "data", "children"))


def _comment_url(data: dict[str, Any], subreddit: str | None, link_id: str | None) -> str | None:
    permalink = as_str(data.get("permalink"))
    if permalink:
        return _SITE + permalink
    if subreddit and link_id and as_str(data.get("id")):
        # Older API responses have no comment permalink; this form resolves the same.
        return f"{_SITE}/r/{subreddit}/comments/{link_id.removeprefix('t3_')}/_/{data['id']}/"
    return None


FORMAT = RedditFormat()
