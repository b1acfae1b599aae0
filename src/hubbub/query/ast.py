"""The query AST. Both back ends (stream matcher, SQL) and the reference evaluator walk it.

How fields map onto Post columns (semantics.py is the definition, both back ends follow it):

- words without a field search `title` and `text`; `title:` searches the title only;
- `author:` the handle (`author_handle`, case-folded, a leading @ ignored), not the display
  name: handles are unique and what users copy from a post; `author_name` is free text;
- `site:` a domain of `domains` or a subdomain of it (`site:nike.com` matches shop.nike.com),
  a leading www. ignored; `url:` / `links:` a folded substring of `url` / any of `links`;
- `language:` `lang`, `country:` `country`, `platform:`, `kind:` equal after folding;
- `subreddit:NAME` a Reddit post (platform reddit) whose `url` has the path /r/NAME/ (every
  Reddit post and comment URL does; the parser builds one when the payload has no permalink),
  so no extra column is needed; `r/NAME` and `/r/NAME` are accepted too;
- `authorVerified:true|false` `author_verified` (unknown matches neither);
- `authorFollowers:[a TO b]` `author_followers` (unknown matches no range); `engagement:[a TO b]`
  likes + replies + reposts + quotes, a missing count taken as 0. Bounds are inclusive, * open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: Fields that search words (the default searches both title and text).
TEXT_FIELDS: Final = ("title", "text")
#: Fields compared with a value, and how.
VALUE_FIELDS: Final = {
    "author": "author_handle",
    "site": "domains",
    "url": "url",
    "links": "links",
    "language": "lang",
    "country": "country",
    "platform": "platform",
    "subreddit": "url",
    "kind": "kind",
    "authorVerified": "author_verified",
}
RANGE_FIELDS: Final = ("authorFollowers", "engagement")
ALL_FIELDS: Final = ("title", *VALUE_FIELDS, *RANGE_FIELDS)


@dataclass(frozen=True)
class Term:
    """One word (folded, or original case when `exact`), possibly with * and ? wildcards."""

    value: str
    fields: tuple[str, ...] = TEXT_FIELDS
    wildcard: bool = False
    exact: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words in order (`slop` None) or all within a window of len(words) + slop tokens."""

    words: tuple[Term, ...]
    fields: tuple[str, ...] = TEXT_FIELDS
    slop: int | None = None


@dataclass(frozen=True)
class Near:
    """Single-word operands within `distance` words of each other (in order if `ordered`)."""

    left: tuple[Term, ...]  # alternatives (an OR group) on each side
    right: tuple[Term, ...]
    distance: int
    ordered: bool
    fields: tuple[str, ...] = TEXT_FIELDS


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class Attr:
    """A field compared with one of several values (`author:(a OR b)`)."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Range:
    """`authorFollowers:[1000 TO *]`: inclusive bounds, None is open."""

    field: str
    low: int | None
    high: int | None


Node = Term | Phrase | Near | And | Or | Not | Attr | Range
