"""Entities written in a post's text: hashtags, mentions, cashtags, links, domains, emoji.

Hashtags and mentions are lower-cased without their sign, cashtags upper-cased without `$`,
each list in first-seen order without repeats. Platform-given hashtags/mentions/links/domains
win: they are filled only where the column is null. Cashtags and emoji are always computed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import pyarrow as pa

from hubbub.enrich._columns import column_or_nulls, post_texts, set_column
from hubbub.normalize import domains_of

_HASHTAG: Final = re.compile(r"(?<![\w&#/])#(\w*[^\W\d_]\w*)")
# Mastodon and Bluesky handles carry a server (`@user@mastodon.social`, `@name.bsky.social`).
_MENTION: Final = re.compile(r"(?<![\w@/.])@(\w{1,64}(?:[.@][\w-]+(?:\.[\w-]+)*)?)")
_CASHTAG: Final = re.compile(r"(?<![\w$])\$([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\w$])")
_URL: Final = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
# Pictographs, dingbats and flags, each with its modifiers (skin tone, variation selector,
# zero-width-joiner sequences such as family or profession emoji) kept as one emoji.
_PICTO: Final = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\u2190-\u21FF\u3030\u303D\u3297\u3299]"
_MODS: Final = r"[\uFE0F\u20E3\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F]*"
_EMOJI: Final = re.compile(
    rf"[\U0001F1E6-\U0001F1FF]{{2}}|{_PICTO}{_MODS}(?:\u200D{_PICTO}{_MODS})*"
)

ENTITY_COLUMNS: Final = ("hashtags", "mentions", "links", "domains", "cashtags", "emoji")


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def hashtags_of(text: str) -> list[str]:
    return _unique(m.lower() for m in _HASHTAG.findall(text))


def mentions_of(text: str) -> list[str]:
    return _unique(m.lower().rstrip(".") for m in _MENTION.findall(text))


def cashtags_of(text: str) -> list[str]:
    return _unique(m.upper() for m in _CASHTAG.findall(text))


def links_of(text: str) -> list[str]:
    return _unique(m.rstrip(".,;:!?)]}'\"") for m in _URL.findall(text))


def emoji_of(text: str) -> list[str]:
    return _unique(_EMOJI.findall(text))


def enrich_entities(table: pa.Table) -> pa.Table:
    """Fill null hashtags/mentions/links/domains from the text; add cashtags and emoji."""
    texts = post_texts(table)
    strings = pa.list_(pa.string())
    for name, extract in (
        ("hashtags", hashtags_of),
        ("mentions", mentions_of),
        ("links", links_of),
    ):
        given = column_or_nulls(table, name, strings).to_pylist()
        filled = [g if g is not None else extract(t) for g, t in zip(given, texts, strict=True)]
        table = set_column(table, name, pa.array(filled, strings))
    links = table.column("links").to_pylist()
    domains = column_or_nulls(table, "domains", strings).to_pylist()
    table = set_column(
        table,
        "domains",
        pa.array(
            [
                d if d is not None else domains_of(ls or [])
                for d, ls in zip(domains, links, strict=True)
            ],
            strings,
        ),
    )
    table = set_column(table, "cashtags", pa.array([cashtags_of(t) for t in texts], strings))
    return set_column(table, "emoji", pa.array([emoji_of(t) for t in texts], strings))
