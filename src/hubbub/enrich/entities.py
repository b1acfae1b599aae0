"""Entities written in a post's text: hashtags, mentions, cashtags, links, domains, emoji.

Hashtags and mentions are lower-cased without their sign, cashtags upper-cased without `$`,
each list in first-seen order without repeats. Platform-given hashtags/mentions/links/domains
win: they are filled only where the column is null. Cashtags and emoji are always computed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final, NamedTuple

import pyarrow as pa

from hubbub.enrich._batch_findall import STRINGS, IntArray, JoinedTexts
from hubbub.enrich._columns import (
    column_or_nulls,
    null_rows,
    post_text_array,
    replace_rows,
    set_column,
)
from hubbub.enrich._link_domains import domains_column

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

# Scanning versions of the patterns above, for `JoinedTexts.find_all` (the per-text functions
# keep the originals; tests/enrich/test_entities_batch.py holds the two equal):
# - hashtags, mentions and cashtags start with their sign and check the character before it
#   in a look-behind after the sign: `re` then jumps from sign to sign instead of trying the
#   look-behind at every character (5-10x faster over a batch). "A run of word characters
#   with a letter in it" is said as a look-ahead, which `re` runs faster;
# - links start from their `://` for the same reason, and look-behinds check and capture the
#   scheme (`\b` before the `h` is "no word character before it"; IGNORECASE is spelled out,
#   with the long s `ſ` it lets match `s`); `_link_of` puts the scheme back.
_HASHTAG_SCAN: Final = re.compile(r"#(?<![\w&#/]#)(?=\w*[^\W\d_])(\w+)")
_MENTION_SCAN: Final = re.compile(r"@(?<![\w@/.]@)(\w{1,64}(?:[.@][\w-]+(?:\.[\w-]+)*)?)")
_CASHTAG_SCAN: Final = re.compile(r"\$(?<![\w$]\$)([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\w$])")
_URL_SCAN: Final = re.compile(
    r"://(?:(?<=(?<!\w)([hH][tT][tT][pP])://)|(?<=(?<!\w)([hH][tT][tT][pP][sS\u017f])://))"
    r"[^\s<>\"']+"
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


# What each per-text function does to a match, a batch at a time.
def _hashtags_clean(found: list[str]) -> list[str]:
    return [m.lower() for m in found]


def _mentions_clean(found: list[str]) -> list[str]:
    return [m.lower().rstrip(".") for m in found]


def _cashtags_clean(found: list[str]) -> list[str]:
    return [m.upper() for m in found]


def _link_of(match: re.Match[str]) -> str:
    return f"{match.group(1) or match.group(2)}{match.group(0)}"


def _links_clean(found: list[str]) -> list[str]:
    return [m.rstrip(".,;:!?)]}'\"") for m in found]


class _Extractor(NamedTuple):
    """How `enrich_entities` finds one kind of entity (see `JoinedTexts.find_all`)."""

    pattern: re.Pattern[str]
    clean: Callable[[list[str]], list[str]] | None = None
    take: Callable[[re.Match[str]], str] | None = None
    needs_non_ascii: bool = False

    def find_all(self, texts: JoinedTexts) -> pa.Array:
        return texts.find_all(
            self.pattern, self.clean, take=self.take, needs_non_ascii=self.needs_non_ascii
        )


#: Lists taken from the text only where the platform gave none.
_FROM_TEXT: Final = {
    "hashtags": _Extractor(_HASHTAG_SCAN, _hashtags_clean),
    "mentions": _Extractor(_MENTION_SCAN, _mentions_clean),
    "links": _Extractor(_URL_SCAN, _links_clean, take=_link_of),
}
_CASHTAGS: Final = _Extractor(_CASHTAG_SCAN, _cashtags_clean)
_EMOJIS: Final = _Extractor(_EMOJI, needs_non_ascii=True)


def enrich_entities(table: pa.Table) -> pa.Table:
    """Fill null hashtags/mentions/links/domains from the text; add cashtags and emoji.

    The same lists as the per-text functions above give, computed a column at a time: given
    lists are kept as they are and only the rows with a null list are looked at.
    """
    texts = _Texts(post_text_array(table))
    for name, extractor in _FROM_TEXT.items():
        given = column_or_nulls(table, name, STRINGS)
        table = set_column(table, name, _fill_nulls(given, texts, extractor))
    links = table.column("links").combine_chunks()
    domains = column_or_nulls(table, "domains", STRINGS)
    if domains.null_count:
        rows = null_rows(domains)
        domains = replace_rows(domains, rows, domains_column(links.take(pa.array(rows))))
    table = set_column(table, "domains", domains)
    table = set_column(table, "cashtags", _CASHTAGS.find_all(texts.of(None)))
    return set_column(table, "emoji", _EMOJIS.find_all(texts.of(None)))


class _Texts:
    """The post texts joined for scanning, all of them or the rows some column lacks: built
    once for each set of rows (the given lists are usually null on the same rows)."""

    def __init__(self, texts: pa.Array) -> None:
        self._texts = texts
        self._joined: dict[bytes | None, JoinedTexts] = {}

    def of(self, rows: IntArray | None) -> JoinedTexts:
        key = None if rows is None else rows.tobytes()
        if key not in self._joined:
            chosen = self._texts if rows is None else self._texts.take(pa.array(rows))
            self._joined[key] = JoinedTexts(chosen)
        return self._joined[key]


def _fill_nulls(given: pa.Array, texts: _Texts, extractor: _Extractor) -> pa.Array:
    """`given` with its null rows filled from the text."""
    if given.null_count == 0:
        return given
    if given.null_count == len(given):
        return extractor.find_all(texts.of(None))
    rows = null_rows(given)
    return replace_rows(given, rows, extractor.find_all(texts.of(rows)))
