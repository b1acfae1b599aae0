"""Small helpers shared by the platform parsers (private: the contract is `base.py`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from html import unescape
from typing import Any, Final

from hubbub.model import Rejected

_URL: Final = re.compile(r"https?://[^\s<>\"')\]]+")
_HASHTAG: Final = re.compile(r"(?<![\w&])#(\w+)")
_MENTION: Final = re.compile(r"(?<![\w@])@(\w{1,30})")


def as_int(value: Any) -> int | None:
    """An engagement count, or None when the platform did not say (never guess 0)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        # YouTube and some exports send counts as strings ("viewCount": "1234").
        return int(value.strip())
    return None


def as_str(value: Any) -> str | None:
    """A non-empty string, else None (numeric ids become strings)."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def dig(value: Any, *path: str | int) -> Any:
    """value[path0][path1]... or None when any step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return None
        elif not isinstance(value, Mapping):
            return None
        value = value[step] if isinstance(step, int) else value.get(step)
        if value is None:
            return None
    return value


def dicts(value: Any) -> Iterator[dict[str, Any]]:
    """The dict elements of a list (anything else yields nothing)."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield item


def objects(platform: str, raw: Any) -> Iterator[dict[str, Any] | Rejected]:
    """The JSON objects of a raw value: arrays (nested too) are walked item by item, and
    anything that is not an object is rejected with a reason naming the platform."""
    if isinstance(raw, list):
        for item in raw:
            yield from objects(platform, item)
    elif isinstance(raw, dict):
        yield raw
    else:
        yield Rejected(f"{platform}: expected a JSON object, got {type(raw).__name__}")


def unique(items: Iterable[str | None]) -> list[str]:
    """Non-empty strings in first-seen order, without repeats."""
    return list(dict.fromkeys(item for item in items if item))


def urls_in(text: str) -> list[str]:
    """Links written in plain text (for platforms that give no link entities)."""
    return unique(match.rstrip(".,;:!?") for match in _URL.findall(text))


def hashtags_in(text: str) -> list[str]:
    return unique(_HASHTAG.findall(text))


def mentions_in(text: str) -> list[str]:
    return unique(_MENTION.findall(text))


def missing(platform: str, what: str, hint: str = "") -> Rejected:
    """The one way parsers say a record lacks a field the mapping needs."""
    return Rejected(
        f"{platform}: record has no {what}",
        hint or f"is this really a {platform} payload? pass the API response unchanged",
    )


_BREAK: Final = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_END: Final = re.compile(r"</(?:p|div|li|blockquote|h[1-6]|pre)\s*>", re.IGNORECASE)
_HREF: Final = re.compile(r"<a\s[^>]*?href=[\"']([^\"']+)[\"']", re.IGNORECASE)
_TAG: Final = re.compile(r"<[^>]*>")
_BLANK_LINES: Final = re.compile(r"\n{3,}")


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Plain text and the link targets of an HTML fragment (Mastodon, YouTube, HN).

    Social platforms send small, well-formed fragments (p, br, a, span), so regular expressions
    are enough and several times faster than an HTML parser on the hot path.
    """
    if "<" not in html:
        return unescape(html), []
    links = [unescape(h) for h in _HREF.findall(html) if h.startswith(("http://", "https://"))]
    text = _BLOCK_END.sub("\n\n", _BREAK.sub("\n", html))
    text = unescape(_TAG.sub("", text))
    return _BLANK_LINES.sub("\n\n", text).strip(), unique(links)


def obj(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one (missing nested objects are common)."""
    return value if isinstance(value, dict) else {}
