"""X (Twitter) API v2: response pages with expansions, twarc2 JSONL and twarc2 "flattened" tweets.

Accepted raw values:
- a response page `{"data": [tweets] | tweet, "includes": {"users", "tweets", "media", "places"},
  "meta", "errors"}` (search, timelines, lookups; twarc2 writes one page per line, the filtered
  stream one tweet per line with `matching_rules`);
- a flattened tweet (twarc2 `flatten`): a tweet with `author`, inline `referenced_tweets` and
  `entities.mentions` users;
- a bare tweet object.
Pages of non-tweets (user lookups, lists, tweet counts) and compliance events are recognised and
yield nothing. Referenced tweets that are included (quoted, replied-to, retweeted originals) are
yielded as posts too, so threads and reposts link to something stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Final

from hubbub.model import PostRecord, Rejected
from hubbub.sources._util import as_int, as_str, dicts, dig, missing, obj, objects, unique

PLATFORM: Final = "twitter"  # shared with v1.1 so the same tweet from either API is one post
_TWEPOCH_MS: Final = 1288834974657
_FIRST_SNOWFLAKE: Final = 1 << 32  # ids below this (before Nov 2010) carry no timestamp
_KIND_BY_REF: Final = {"retweeted": "repost", "replied_to": "reply", "quoted": "quote"}
_MEDIA_PAGE: Final = re.compile(
    r"^https?://(?:mobile\.)?(?:twitter|x)\.com/\w+/status/\d+/(?:photo|video)/\d"
)
_VERIFIED_TYPES: Final = frozenset({"blue", "business", "government"})


def snowflake_time(tweet_id: str) -> datetime | None:
    """When a tweet was created, from its id (v2 omits created_at unless it is requested)."""
    if not tweet_id.isdigit() or int(tweet_id) < _FIRST_SNOWFLAKE:
        return None
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + _TWEPOCH_MS) / 1000, UTC)


class TwitterV2Format:
    name = "twitter_v2"
    mapping_version = "twitter_v2/1"

    def sniff(self, raw: Any) -> bool:
        if isinstance(raw, list):  # a whole JSON array document
            return bool(raw) and self.sniff(raw[0])
        if not isinstance(raw, dict) or "id_str" in raw:
            return False
        data = raw.get("data")
        if data is not None and ("includes" in raw or "meta" in raw or "__twarc" in raw):
            return True
        first = data[0] if isinstance(data, list) and data else data
        if isinstance(first, dict) and "id" in first and ("text" in first or "username" in first):
            return True
        if _is_compliance(raw):
            return True
        return _looks_like_tweet(raw)

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        for item in objects("twitter_v2", raw):
            yield from (item,) if isinstance(item, Rejected) else self._parse_object(item)

    def _parse_object(self, raw: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
        if "data" in raw or "includes" in raw or "errors" in raw:
            yield from _page(raw)
        elif _is_compliance(raw):
            return  # deletion notices: they tell what to remove, they are not posts
        else:
            seen: set[str] = set()
            yield from _flat(raw, seen)


def _is_compliance(raw: dict[str, Any]) -> bool:
    return "action" in raw and "id" in raw and "text" not in raw


def _is_tweet(item: dict[str, Any]) -> bool:
    return "text" in item or "author_id" in item or "edit_history_tweet_ids" in item


def _looks_like_tweet(raw: dict[str, Any]) -> bool:
    return (
        "id" in raw
        and "text" in raw
        and (
            "author_id" in raw
            or "edit_history_tweet_ids" in raw
            or "public_metrics" in raw
            or "conversation_id" in raw
            or "author" in raw
        )
    )


def _page(raw: dict[str, Any]) -> Iterator[PostRecord | Rejected]:
    data = raw.get("data")
    tweets = [data] if isinstance(data, dict) else list(dicts(data))
    includes = obj(raw.get("includes"))
    users = {u.get("id"): u for u in dicts(includes.get("users"))}
    places = {p.get("id"): p for p in dicts(includes.get("places"))}
    if tweets and not any(map(_is_tweet, tweets)):
        return  # user lookups, lists and counts share the page shape (pinned tweets included)
    seen: set[str] = set()
    included = {t.get("id"): t for t in dicts(includes.get("tweets"))}
    for tweet in tweets:
        yield from _one(tweet, users, places, seen, included)
    for tweet in included.values():
        yield from _one(tweet, users, places, seen, included)
    if not tweets and raw.get("errors") and "meta" not in raw:
        first = next(dicts(raw.get("errors")), {})
        yield Rejected(
            "twitter_v2: the API returned only errors: "
            + str(first.get("detail") or first.get("title") or first.get("message") or "?"),
            "check the query and the access level of the token",
        )


def _flat(tweet: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    # twarc2 flattened tweets carry their expansions inline: author, referenced tweets, places.
    users: dict[Any, dict[str, Any]] = {}
    if isinstance(tweet.get("author"), dict):
        users[tweet.get("author_id")] = tweet["author"]
    places: dict[Any, dict[str, Any]] = {}
    place = dig(tweet, "geo")
    if isinstance(place, dict) and "country_code" in place:
        places[place.get("place_id") or place.get("id")] = place
    included = {r.get("id"): r for r in dicts(tweet.get("referenced_tweets")) if "text" in r}
    for ref in included.values():
        if isinstance(ref.get("author"), dict):
            users.setdefault(ref.get("author_id"), ref["author"])
    yield from _one(tweet, users, places, seen, included)
    for ref in dicts(tweet.get("referenced_tweets")):
        if "text" in ref:
            yield from _flat(ref, seen)


def _one(
    tweet: dict[str, Any],
    users: dict[Any, dict[str, Any]],
    places: dict[Any, dict[str, Any]],
    seen: set[str],
    included: dict[Any, dict[str, Any]],
) -> Iterator[PostRecord | Rejected]:
    native = as_str(tweet.get("id"))
    if native is None:
        yield missing(PLATFORM, "id")
        return
    if native in seen:
        return
    seen.add(native)
    created = tweet.get("created_at") or snowflake_time(native)
    if created is None:
        yield missing(PLATFORM, "created_at", "request tweet.fields=created_at")
        return
    text = as_str(dig(tweet, "note_tweet", "text")) or as_str(tweet.get("text"))
    if text is None:
        yield missing(PLATFORM, "text")
        return
    author = users.get(tweet.get("author_id")) or tweet.get("author") or {}
    handle = as_str(author.get("username"))
    metrics = obj(tweet.get("public_metrics"))
    entities = dig(tweet, "note_tweet", "entities") or tweet.get("entities") or {}
    kind, parent = _reference(tweet)
    if kind == "repost" and parent in included:
        text = _full_retweet_text(text, included[parent], users)
    conversation = as_str(tweet.get("conversation_id"))
    place = places.get(dig(tweet, "geo", "place_id")) or {}
    yield {
        "platform": PLATFORM,
        "native_id": native,
        "url": f"https://x.com/{handle or 'i/web'}/status/{native}",
        "created_at": created,
        "kind": kind,
        "parent_id": f"{PLATFORM}:{parent}" if parent else None,
        "root_id": (
            f"{PLATFORM}:{conversation}"
            if kind == "reply" and conversation and conversation != native
            else None
        ),
        "author_id": as_str(tweet.get("author_id")) or as_str(author.get("id")),
        "author_handle": handle,
        "author_name": as_str(author.get("name")),
        "author_followers": as_int(dig(author, "public_metrics", "followers_count")),
        "author_verified": _verified(author),
        "text": text,
        "lang": as_str(tweet.get("lang")),
        "country": as_str(place.get("country_code")),
        "likes": as_int(metrics.get("like_count")),
        "replies": as_int(metrics.get("reply_count")),
        "reposts": as_int(metrics.get("retweet_count")),
        "quotes": as_int(metrics.get("quote_count")),
        "views": as_int(metrics.get("impression_count")),
        "hashtags": unique(as_str(h.get("tag")) for h in dicts(entities.get("hashtags"))),
        "mentions": unique(as_str(m.get("username")) for m in dicts(entities.get("mentions"))),
        "links": _links(entities),
        "media_count": len(dig(tweet, "attachments", "media_keys") or []),
    }


def _full_retweet_text(
    text: str, original: dict[str, Any], users: dict[Any, dict[str, Any]]
) -> str:
    # "RT @a: ..." is cut at 140 characters; the included original has the whole text.
    full = as_str(dig(original, "note_tweet", "text")) or as_str(original.get("text"))
    handle = as_str(obj(users.get(original.get("author_id"))).get("username"))
    if handle and full and text.startswith("RT @"):
        return f"RT @{handle}: {full}"
    return text


def _reference(tweet: dict[str, Any]) -> tuple[str, str | None]:
    refs = {ref.get("type"): as_str(ref.get("id")) for ref in dicts(tweet.get("referenced_tweets"))}
    # A retweet of a reply is still a retweet; a reply that quotes is still a reply.
    for ref_type in ("retweeted", "replied_to", "quoted"):
        if refs.get(ref_type):
            return _KIND_BY_REF[ref_type], refs[ref_type]
    return "post", None


def _verified(author: dict[str, Any]) -> bool | None:
    if author.get("verified_type") in _VERIFIED_TYPES:
        return True
    verified = author.get("verified")
    return verified if isinstance(verified, bool) else None


def _links(entities: dict[str, Any]) -> list[str]:
    links = []
    for url in dicts(entities.get("urls")):
        link = as_str(url.get("unwound_url")) or as_str(url.get("expanded_url"))
        if url.get("media_key") or (link and _MEDIA_PAGE.match(link)):
            continue  # the tweet's own photo/video page, counted in media_count instead
        links.append(link)
    return unique(links)


FORMAT = TwitterV2Format()
