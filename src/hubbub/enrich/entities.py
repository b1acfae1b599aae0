"""Entities written in a post's text: hashtags, mentions, cashtags, links, domains, emoji.

Hashtags and mentions are lower-cased without their sign, cashtags upper-cased without `$`,
each list in first-seen order without repeats. Platform-given hashtags/mentions/links/domains
win: they are filled only where the column is null. Cashtags and emoji are always computed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import partial
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hubbub.enrich._batch_findall import STRINGS, find_all, lists_from_rows
from hubbub.enrich._columns import column_or_nulls, post_text_array, set_column
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

# The same patterns written to start with their sign, so that `re` jumps from sign to sign
# instead of trying the look-behind at every character (5-10x faster over a batch); the
# look-behind then checks the sign and the character before it. Hashtags: "a run of word
# characters with a letter in it" said as a look-ahead, which `re` runs faster. Links: `\b`
# before the `h` is "no word character before it", and IGNORECASE spelled out (it also lets
# the long s `ſ` match `s`). tests/enrich/test_entities_batch.py holds them equal to the above.
_HASHTAG_SCAN: Final = re.compile(r"#(?<![\w&#/]#)(?=\w*[^\W\d_])(\w+)")
_MENTION_SCAN: Final = re.compile(r"@(?<![\w@/.]@)(\w{1,64}(?:[.@][\w-]+(?:\.[\w-]+)*)?)")
_CASHTAG_SCAN: Final = re.compile(r"\$(?<![\w$]\$)([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\w$])")
_URL_SCAN: Final = re.compile(r"[hH](?<!\w[hH])[tT][tT][pP][sS\u017f]?://[^\s<>\"']+")
# The first character of any emoji as an RE2 class, for Arrow's prefilter.
_EMOJI_START_RE2: Final = re.sub(
    r"\\U([0-9A-Fa-f]{8})|\\u([0-9A-Fa-f]{4})",
    lambda m: f"\\x{{{int(m.group(1) or m.group(2), 16):X}}}",
    _PICTO,
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


def _mention_clean(found: str) -> str:
    return found.lower().rstrip(".")


def _link_clean(found: str) -> str:
    return found.rstrip(".,;:!?)]}'\"")


#: Lists taken from the text only where the platform gave none: column, pattern, the sign a
#: text must contain to have any, and how a match is written down.
_FROM_TEXT: Final = (
    ("hashtags", _HASHTAG_SCAN, "#", str.lower),
    ("mentions", _MENTION_SCAN, "@", _mention_clean),
    ("links", _URL_SCAN, "://", _link_clean),
)


def enrich_entities(table: pa.Table) -> pa.Table:
    """Fill null hashtags/mentions/links/domains from the text; add cashtags and emoji.

    The same lists as the per-text functions above give, computed a column at a time: given
    lists are kept as they are and only the rows with a null list are looked at.
    """
    texts = post_text_array(table)
    for name, pattern, sign, clean in _FROM_TEXT:
        given = column_or_nulls(table, name, STRINGS)
        table = set_column(
            table,
            name,
            _fill_nulls(given, texts, partial(_find, pattern=pattern, sign=sign, clean=clean)),
        )
    links = table.column("links").combine_chunks()
    domains = column_or_nulls(table, "domains", STRINGS)
    table = set_column(table, "domains", _fill_nulls(domains, links, _domains))
    table = set_column(
        table, "cashtags", _find(texts, pattern=_CASHTAG_SCAN, sign="$", clean=str.upper)
    )
    emoji = find_all(texts, _EMOJI, pc.match_substring_regex(texts, _EMOJI_START_RE2))
    return set_column(table, "emoji", emoji)


def _find(
    texts: pa.Array, *, pattern: re.Pattern[str], sign: str, clean: Callable[[str], str]
) -> pa.Array:
    # Only texts with the pattern's sign in them are scanned.
    return find_all(texts, pattern, pc.match_substring(texts, sign), clean)


def _fill_nulls(
    given: pa.Array, source: pa.Array, compute: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """`given` with its null rows replaced by `compute` of `source` at those rows."""
    if given.null_count == 0:
        return given
    n = len(given)
    if given.null_count == n:
        return compute(source)
    rows = np.flatnonzero(given.is_null().to_numpy(zero_copy_only=False))
    filled = compute(source.take(pa.array(rows)))
    pick = np.arange(n)
    pick[rows] = n + np.arange(rows.size)
    return pa.concat_arrays([given, filled]).take(pa.array(pick))


def _domains(links: pa.Array) -> pa.Array:
    """`domains_of` each row's links (a null list has none)."""
    lengths = pc.fill_null(pc.list_value_length(links), 0).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(lengths)
    out_rows: list[int] = []
    out_values: list[str] = []
    for row, row_links in zip(rows.tolist(), links.take(pa.array(rows)).to_pylist(), strict=True):
        for domain in domains_of(row_links):
            out_rows.append(row)
            out_values.append(domain)
    return lists_from_rows(len(links), out_rows, out_values)
