"""The tokenizer that query matching is defined on. Both back ends use this one function.

A post's text becomes a sequence of tokens:

- words: runs of Unicode letters and digits, with inner apostrophes and dots kept (`don't`,
  `u.s`); a hyphen separates words (`on-hold` is `on`, `hold`, so the phrase "on hold" and
  the term `hold` both match it); `nike` never matches `nikelab` (use `nike*`);
- `#hashtags` and `@mentions` as single tokens including their sign (a plain word term also
  matches the hashtag of that word: `justdoit` matches `#JustDoIt`, see `matches_word`);
- URLs (`http://...`, `https://...`, `www....`) as single tokens;
- each emoji (any other symbol character) as its own token.

Folding: case is lowered and accents are removed (NFKD, combining marks dropped), so `cafe`
matches `Café`. The original-case form of each token is kept for `{Exact}` terms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

_TOKEN: Final = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+)"
    r"|(?P<tag>[#@][^\W_][\w]*)"
    r"|(?P<word>[^\W_](?:[\w]|['’.](?=[^\W_]))*)"
    r"|(?P<symbol>[^\w\s])",
    re.UNICODE,
)
_PUNCTUATION_CATEGORIES: Final = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"})


def fold(text: str) -> str:
    """Lower case without accents: the form every comparison uses."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text's tokens: folded and original forms, position by position."""

    folded: tuple[str, ...]
    original: tuple[str, ...]


def tokenize(text: str | None) -> Tokens:
    """Tokens of `text` (see the module docstring for the rules)."""
    if not text:
        return Tokens((), ())
    folded: list[str] = []
    original: list[str] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        token = match.group()
        if kind == "symbol":
            if unicodedata.category(token) in _PUNCTUATION_CATEGORIES or token in "$%&*+<=>^|~`":
                continue  # punctuation is not a token; emoji and other symbols are
        elif kind == "url":
            token = token.rstrip(".,;:!?)]}'\"")
        original.append(token)
        folded.append(fold(token))
    return Tokens(tuple(folded), tuple(original))


def matches_word(token: str, word: str) -> bool:
    """A plain word term matches the word itself or its hashtag."""
    return token == word or (token[:1] == "#" and token[1:] == word)
