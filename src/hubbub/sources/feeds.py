"""RSS 2.0, RSS 1.0/0.9x and Atom feeds (parsed with feedparser).

A raw value for a feed is the whole XML document, as `{"feed_xml": "<?xml ...", "feed_url":
"https://..."}` (`feed_url`, optional, is where it was fetched: it names the feed when entries
lack permanent ids). A bare string holding the XML is accepted too. Keeping the whole document
as one raw value means the landing zone stores exactly what the server sent, and a parser fix can
re-map it; an entry alone would lose the feed title and base URL that give it meaning.

Entries are posts: title -> title, summary/content -> text (HTML to plain text), published (or
updated) -> created_at, author -> author_name, categories -> hashtags, link + enclosures ->
links. native_id is the entry id (guid) when it is a URL/URN/tag, which are globally unique;
otherwise "<feed host>/<id or link>".
"""

from __future__ import annotations

from calendar import timegm
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import urlsplit

from hubbub.model import PostRecord, Rejected
from hubbub.sources._util import as_str, html_to_text, missing, unique

PLATFORM: Final = "web"
_GLOBAL_ID_PREFIXES: Final = ("http://", "https://", "urn:", "tag:")


class FeedFormat:
    name = "feed"
    mapping_version = "feed/1"

    def sniff(self, raw: Any) -> bool:
        if isinstance(raw, dict):
            return isinstance(raw.get("feed_xml"), str)
        return isinstance(raw, str) and _looks_like_feed(raw)

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        import feedparser  # type: ignore[import-untyped]  # lazily: only feed imports pay for it

        if isinstance(raw, dict) and isinstance(raw.get("feed_xml"), str):
            xml, feed_url = raw["feed_xml"], as_str(raw.get("feed_url"))
        elif isinstance(raw, str):
            xml, feed_url = raw, None
        else:
            yield Rejected("feed: expected {'feed_xml': '<xml>'} or the XML text")
            return
        parsed = feedparser.parse(xml)
        if not parsed.entries:
            if parsed.get("bozo"):
                yield Rejected(
                    f"feed: not a readable RSS/Atom document ({parsed.get('bozo_exception')})",
                    "pass the feed's XML exactly as served",
                )
            return
        feed = parsed.get("feed", {})
        base = feed_url or as_str(feed.get("link")) or ""
        host = urlsplit(base).hostname or as_str(feed.get("title")) or "feed"
        for entry in parsed.entries:
            yield _entry(entry, host, as_str(feed.get("title")))


def _looks_like_feed(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith("<?xml") or head.startswith(("<rss", "<feed", "<rdf:rdf"))


def _entry(entry: Any, host: str, feed_title: str | None) -> PostRecord | Rejected:
    link = as_str(entry.get("link"))
    guid = as_str(entry.get("id")) or link
    if guid is None:
        return missing("feed", "id/guid or link")
    native = guid if guid.startswith(_GLOBAL_ID_PREFIXES) else f"{host}/{guid}"
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if stamp is None:
        return missing("feed", "published/updated date")
    content = entry.get("content")
    body = (content[0].get("value") if content else None) or entry.get("summary") or ""
    text, links = html_to_text(str(body))
    author = entry.get("author_detail") or {}
    enclosures = [as_str(e.get("href")) for e in entry.get("enclosures") or []]
    return {
        "platform": PLATFORM,
        "native_id": native,
        "url": link,
        "created_at": timegm(stamp),  # feedparser normalises every date to a UTC struct_time
        "kind": "post",
        "author_name": as_str(author.get("name")) or as_str(entry.get("author")) or feed_title,
        "author_id": as_str(author.get("href")) or as_str(author.get("email")),
        "title": as_str(entry.get("title")),
        "text": text,
        "lang": as_str(entry.get("language")),
        "hashtags": unique(as_str(t.get("term")) for t in entry.get("tags") or []),
        "links": unique([link, *links, *enclosures]),
        "media_count": len(enclosures),
    }


FORMAT = FeedFormat()
