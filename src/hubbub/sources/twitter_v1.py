"""X (Twitter) API v1.1 tweets: classic and extended (`full_text`, `extended_tweet`), retweets, quotes.

Accepted raw values: one tweet (streaming/filter lines, statuses/show), an array of tweets
(timelines), a search response `{"statuses": [...], "search_metadata": ...}`. User objects
(users/lookup, lists/members `{"users": [...]}`) are recognised and yield nothing. The embedded
`retweeted_status` / `quoted_status` are yielded as posts too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from hubbub.model import PostRecord, Rejected
from hubbub.sources._util import as_int, as_str, dicts, dig, missing, obj, objects, unique
from hubbub.sources.twitter_v2 import snowflake_time

PLATFORM: Final = "twitter"


class TwitterV1Format:
    name = "twitter_v1"
    mapping_version = "twitter_v1/1"

    def sniff(self, raw: Any) -> bool:
        if isinstance(raw, list):
            return bool(raw) and self.sniff(raw[0])
        if not isinstance(raw, dict):
            return False
        if isinstance(raw.get("statuses"), list) and "search_metadata" in raw:
            return True
        if isinstance(raw.get("users"), list) and "next_cursor" in raw:
            return True
        if "id_str" in raw and ("screen_name" in raw or "followers_count" in raw):
            return True  # a user object
        return "id_str" in raw and isinstance(raw.get("user"), dict)

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        seen: set[str] = set()
        yield from _value(raw, seen)


def _value(raw: Any, seen: set[str]) -> Iterator[PostRecord | Rejected]:
    for item in objects("twitter_v1", raw):
        yield from (item,) if isinstance(item, Rejected) else _object(item, seen)


def _object(raw: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    if isinstance(raw.get("statuses"), list):
        yield from _value(raw["statuses"], seen)
    elif "users" in raw or "screen_name" in raw:
        return  # user objects describe authors, not posts
    elif "delete" in raw or "limit" in raw or "scrub_geo" in raw:
        return  # streaming control messages
    else:
        yield from _tweet(raw, seen)


def _tweet(tweet: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    native = as_str(tweet.get("id_str")) or as_str(tweet.get("id"))
    if native is None:
        yield missing(PLATFORM, "id_str")
        return
    if native in seen:
        return
    seen.add(native)
    created = tweet.get("created_at") or snowflake_time(native)
    if created is None:
        yield missing(PLATFORM, "created_at")
        return
    extended = obj(tweet.get("extended_tweet"))
    text = (
        as_str(extended.get("full_text"))
        or as_str(tweet.get("full_text"))
        or as_str(tweet.get("text"))
    )
    if text is None:
        yield missing(PLATFORM, "text/full_text")
        return
    user = obj(tweet.get("user"))
    handle = as_str(user.get("screen_name"))
    entities = extended.get("entities") or tweet.get("entities") or {}
    media = dig(extended, "extended_entities", "media") or dig(tweet, "extended_entities", "media")
    retweeted = tweet.get("retweeted_status")
    quoted = tweet.get("quoted_status")
    kind, parent = "post", None
    if isinstance(retweeted, dict):
        kind, parent = "repost", as_str(retweeted.get("id_str"))
        text = _full_retweet_text(text, retweeted)
    elif as_str(tweet.get("in_reply_to_status_id_str")):
        kind, parent = "reply", tweet["in_reply_to_status_id_str"]
    elif tweet.get("is_quote_status") and as_str(tweet.get("quoted_status_id_str")):
        kind, parent = "quote", tweet["quoted_status_id_str"]
    place = obj(tweet.get("place"))
    yield {
        "platform": PLATFORM,
        "native_id": native,
        "url": f"https://x.com/{handle or 'i/web'}/status/{native}",
        "created_at": created,
        "kind": kind,
        "parent_id": f"{PLATFORM}:{parent}" if parent else None,
        "author_id": as_str(user.get("id_str")) or as_str(user.get("id")),
        "author_handle": handle,
        "author_name": as_str(user.get("name")),
        "author_followers": as_int(user.get("followers_count")),
        "author_verified": user.get("verified") if isinstance(user.get("verified"), bool) else None,
        "text": text,
        "lang": as_str(tweet.get("lang")),
        "country": as_str(place.get("country_code")),
        "likes": as_int(tweet.get("favorite_count")),
        "replies": as_int(tweet.get("reply_count")),  # only Premium/Enterprise payloads have it
        "reposts": as_int(tweet.get("retweet_count")),
        "quotes": as_int(tweet.get("quote_count")),
        "hashtags": unique(as_str(h.get("text")) for h in dicts(entities.get("hashtags"))),
        "mentions": unique(
            as_str(m.get("screen_name")) for m in dicts(entities.get("user_mentions"))
        ),
        "links": unique(as_str(u.get("expanded_url")) for u in dicts(entities.get("urls"))),
        "media_count": len(media) if isinstance(media, list) else 0,
    }
    for original in (retweeted, quoted):
        if isinstance(original, dict):
            yield from _tweet(original, seen)


def _full_retweet_text(text: str, original: dict[str, Any]) -> str:
    # "RT @a: ..." is cut at 140 characters; the embedded original has the whole text.
    handle = as_str(obj(original.get("user")).get("screen_name"))
    full = as_str(obj(original.get("extended_tweet")).get("full_text")) or as_str(
        original.get("full_text") or original.get("text")
    )
    if handle and full and text.startswith("RT @"):
        return f"RT @{handle}: {full}"
    return text


FORMAT = TwitterV1Format()
