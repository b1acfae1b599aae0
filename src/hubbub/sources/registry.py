"""Every platform format by name, and which one a raw value looks like.

A new platform is one module with a `FORMAT` and one line in `_MODULES` below.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Final

from hubbub.errors import HubbubError
from hubbub.sources.base import PlatformFormat

#: In sniffing order: the most specific shapes first, so a loose check never wins over a
#: precise one (Reddit/YouTube/Jetstream markers are unambiguous; a v2 page has "data" and a
#: v1.1 tweet "id_str"; LinkedIn's urn: ids and the feed wrapper come last).
_MODULES: Final = (
    "cassette",
    "reddit",
    "youtube",
    "hackernews",
    "bluesky",
    "mastodon",
    "twitter_v1",
    "tiktok",
    "twitter_v2",
    "linkedin",
    "feeds",
)

#: Other names people type for the same format.
ALIASES: Final = {
    "x": "twitter_v2",
    "twitter": "twitter_v2",
    "twarc2": "twitter_v2",
    "twitter_v11": "twitter_v1",
    "hn": "hackernews",
    "rss": "feed",
    "atom": "feed",
    "bsky": "bluesky",
    "jetstream": "bluesky",
}


def _load() -> dict[str, PlatformFormat]:
    formats: dict[str, PlatformFormat] = {}
    for module in _MODULES:
        fmt: PlatformFormat = import_module(f"hubbub.sources.{module}").FORMAT
        formats[fmt.name] = fmt
    return formats


FORMATS: Final[dict[str, PlatformFormat]] = _load()


def get_format(name: str) -> PlatformFormat:
    """The format called `name` (or one of its aliases); a clear error listing the known ones."""
    key = name.strip().lower().replace("-", "_")
    key = ALIASES.get(key, key)
    try:
        return FORMATS[key]
    except KeyError:
        raise HubbubError(
            f"unknown format {name!r}",
            "use one of: " + ", ".join(sorted(FORMATS)) + " (or auto, ndjson, json, csv, parquet)",
        ) from None


def sniff_format(raw: Any) -> PlatformFormat | None:
    """The first format (in the specific-first order above) that recognises this raw value."""
    for fmt in FORMATS.values():
        try:
            if fmt.sniff(raw):
                return fmt
        except Exception:
            continue
    return None
