"""Mastodon (and compatible ActivityPub servers') Status entities from the REST and streaming APIs.

Accepted raw values: one Status, an array of Statuses (timelines), a thread context
`{"ancestors", "descendants"}`, a search result `{"statuses": [...]}`, a conversation
(`last_status`), a notification (`status`), grouped notifications (`statuses`) and streaming
events `{"event": "update", "payload": "<json>"}`. Accounts, tags, instance info: nothing.

Ids: a status `id` is local to the server it was fetched from, so the same toot has different ids
on different servers. native_id is therefore "<origin host>/<id at origin>", taken from the
status `uri` (https://HOST/users/NAME/statuses/ID), which every server reports identically; the
same toot fetched through two instances is one post. Replies: `in_reply_to_id` is a local id of
the serving instance, so parent_id is exact when the parent lives on the serving instance (local
conversations; the serving host is known for local statuses, whose acct has no "@"), and is left
empty otherwise rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import urlsplit

import orjson

from hubbub.model import PostRecord, Rejected
from hubbub.sources._util import as_int, as_str, dicts, html_to_text, missing, objects, unique

PLATFORM: Final = "mastodon"
_STATUS_URI: Final = re.compile(r"^https?://([^/]+)/.*?/(?:statuses|notice|objects|p)/([^/?#]+)")


class MastodonFormat:
    name = "mastodon"
    mapping_version = "mastodon/1"

    def sniff(self, raw: Any) -> bool:
        if isinstance(raw, list):
            return bool(raw) and self.sniff(raw[0])
        if not isinstance(raw, dict):
            return False
        if "ancestors" in raw and "descendants" in raw:
            return True
        if "notification_groups" in raw or ("last_status" in raw and "accounts" in raw):
            return True
        if raw.get("event") in ("update", "status.update") and "payload" in raw:
            return True
        if isinstance(raw.get("status"), dict) and "type" in raw and "account" in raw:
            return True  # a notification
        if "acct" in raw and "username" in raw:
            return True  # an account (favourited_by, follows): recognised, no posts
        if isinstance(raw.get("statuses"), list) and "hashtags" in raw:
            return True  # /api/v2/search
        if "history" in raw and "name" in raw and "url" in raw:
            return True  # a trending tag: recognised, no posts
        return _is_status(raw)

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        seen: set[str] = set()
        yield from _value(raw, seen)


def _is_status(raw: dict[str, Any]) -> bool:
    return "content" in raw and isinstance(raw.get("account"), dict) and "id" in raw


def _value(raw: Any, seen: set[str]) -> Iterator[PostRecord | Rejected]:
    for item in objects("mastodon", raw):
        yield from (item,) if isinstance(item, Rejected) else _object(item, seen)


def _object(raw: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    if _is_status(raw):
        yield from _status(raw, seen)
        return
    payload = raw.get("payload")
    if isinstance(payload, str) and raw.get("event") in ("update", "status.update"):
        try:
            yield from _value(orjson.loads(payload), seen)
        except orjson.JSONDecodeError:
            yield Rejected("mastodon: streaming event payload is not JSON")
        return
    for key in ("ancestors", "descendants", "statuses"):
        if isinstance(raw.get(key), list):
            yield from _value(raw[key], seen)
    for key in ("last_status", "status"):
        if isinstance(raw.get(key), dict):
            yield from _value(raw[key], seen)
    if "content" in raw and "account" not in raw and "id" in raw:
        yield missing(PLATFORM, "account")


def native_id(status: dict[str, Any]) -> str | None:
    """'<origin host>/<origin id>' (see the module docstring for why)."""
    uri = as_str(status.get("uri")) or ""
    match = _STATUS_URI.match(uri)
    if match:
        return f"{match.group(1)}/{match.group(2)}"
    if uri.startswith(("http://", "https://")):
        return uri.split("://", 1)[1]  # other servers' URIs (Pleroma, Misskey) are unique too
    host = urlsplit(as_str(status.get("url")) or "").hostname
    local_id = as_str(status.get("id"))
    return f"{host}/{local_id}" if host and local_id else None


def _serving_host(status: dict[str, Any]) -> str | None:
    account = status.get("account") or {}
    acct = as_str(account.get("acct")) or ""
    if "@" in acct:
        return None  # a remote author: the status alone does not say where it was fetched
    return urlsplit(as_str(account.get("url")) or "").hostname


def _status(status: dict[str, Any], seen: set[str]) -> Iterator[PostRecord | Rejected]:
    native = native_id(status)
    if native is None:
        yield missing(PLATFORM, "uri/url")
        return
    if native in seen:
        return
    seen.add(native)
    if not status.get("created_at"):
        yield missing(PLATFORM, "created_at")
        return
    account = status["account"]
    text, links = html_to_text(as_str(status.get("content")) or "")
    reblog = status.get("reblog") if isinstance(status.get("reblog"), dict) else None
    quoted = _quoted(status)
    kind, parent = "post", None
    if reblog is not None:
        kind, parent = "repost", native_id(reblog)
        if not text:
            # A boost has no text of its own; index the boosted words, as an RT does.
            text, links = html_to_text(as_str(reblog.get("content")) or "")
    elif as_str(status.get("in_reply_to_id")):
        kind = "reply"
        host = _serving_host(status)
        parent = f"{host}/{status['in_reply_to_id']}" if host else None
    elif quoted is not None:
        kind, parent = "quote", native_id(quoted)
    spoiler = as_str(status.get("spoiler_text"))
    if not text:
        # Picture-only toots: the media descriptions (alt text) are their words.
        text = "\n".join(
            unique(as_str(m.get("description")) for m in dicts(status.get("media_attachments")))
        )
    if not text and not spoiler:
        yield Rejected(f"mastodon: {native} has no text and no media description", "media-only")
        return
    acct = _qualified(account)
    mentions = [_qualified(m) for m in dicts(status.get("mentions"))]
    mention_urls = {as_str(m.get("url")) for m in dicts(status.get("mentions"))}
    tags = [as_str(t.get("name")) for t in dicts(status.get("tags"))]
    card_url = as_str((status.get("card") or {}).get("url"))
    yield {
        "platform": PLATFORM,
        "native_id": native,
        "url": as_str(status.get("url")) or as_str(status.get("uri")),
        "created_at": status["created_at"],
        "kind": kind,
        "parent_id": f"{PLATFORM}:{parent}" if parent else None,
        "author_id": as_str(account.get("url")) or as_str(account.get("id")),
        "author_handle": acct,
        "author_name": as_str(account.get("display_name")) or as_str(account.get("username")),
        "author_followers": as_int(account.get("followers_count")),
        "title": spoiler,  # the content warning is the closest thing to a title
        "text": text,
        "lang": as_str(status.get("language")),
        "likes": as_int(status.get("favourites_count")),
        "replies": as_int(status.get("replies_count")),
        "reposts": as_int(status.get("reblogs_count")),
        "quotes": as_int(status.get("quotes_count")),
        "hashtags": unique(tags),
        "mentions": unique(mentions),
        # Mention and hashtag links point at profiles and tag pages, not at shared content.
        "links": unique(
            [link for link in links if link not in mention_urls and "/tags/" not in link]
            + [card_url]
        ),
        "media_count": len(status.get("media_attachments") or []),
    }
    for original in (reblog, quoted):
        if original is not None:
            yield from _status(original, seen)


def _qualified(account: dict[str, Any]) -> str | None:
    """user@host: local accounts have a bare acct, which is ambiguous across servers."""
    acct = as_str(account.get("acct"))
    if acct is None or "@" in acct:
        return acct
    host = urlsplit(as_str(account.get("url")) or "").hostname
    return f"{acct}@{host}" if host else acct


def _quoted(status: dict[str, Any]) -> dict[str, Any] | None:
    # Mastodon 4.4+: {"quote": {"state": "accepted", "quoted_status": {...}}}.
    quote = status.get("quote")
    if isinstance(quote, dict):
        inner = quote.get("quoted_status")
        if isinstance(inner, dict):
            return inner
        if _is_status(quote):
            return quote
    return None


FORMAT = MastodonFormat()
