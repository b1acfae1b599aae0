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
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

#: Characters that separate tokens without being one: Unicode punctuation and a few ASCII
#: symbols that people use as punctuation. Other symbols (emoji, currency signs...) are tokens.
_PUNCTUATION_CATEGORIES: Final = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"})
_ASCII_SEPARATORS: Final = "$%&*+<=>^|~`"
_URL_TRAILERS: Final = ".,;:!?)]}'\""


@lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern[str]:
    """One regex whose `findall` yields the tokens directly (punctuation is excluded by the
    character class, not by a Python loop: tokenizing is the matcher's hot path). Built on first
    use because listing Unicode punctuation takes a tenth of a second."""
    codes = sorted(
        {
            c
            for c in range(sys.maxunicode + 1)
            if unicodedata.category(chr(c)) in _PUNCTUATION_CATEGORIES
        }
        | {ord(c) for c in _ASCII_SEPARATORS}
    )
    # As ranges (a-z), which keeps the character class short and the regex quick to compile.
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    excluded = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(
        r"(?:https?://|www\.)\S+"  # URL
        r"|[#@][^\W_]\w*"  # hashtag, mention
        r"|[^\W_]\w*+(?:['’.][^\W_]\w*+)*+"  # word, with inner ' and . (possessive: quicker)
        r"|[^\w\s" + excluded + "]"  # any other symbol (emoji): one token each
    )


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
    original = _token_pattern().findall(text)
    if "://" in text or "www." in text:
        original = [clean_token(t) for t in original]
    # Fold token by token, not the whole text: folding first would change what is a token
    # (`HTTP://x` is not a URL to the pattern, `http://x` is).
    folded = [t.lower() for t in original] if text.isascii() else [fold(t) for t in original]
    return Tokens(tuple(folded), tuple(original))


def clean_token(token: str) -> str:
    """A raw regex match as a token: a URL loses the punctuation that ends the sentence."""
    if token.startswith(("http://", "https://", "www.")):
        return token.rstrip(_URL_TRAILERS)
    return token


def raw_tokens(text: str) -> list[str]:
    """The regex matches of `text`: its tokens before `clean_token` and folding.

    No token contains whitespace or depends on what lies beyond it (the pattern has no
    lookbehind, and its one lookahead, for a letter, fails at whitespace as at the end), so a
    text's tokens are the tokens of its whitespace-separated chunks in order: the batch
    matcher tokenizes each distinct chunk once (tests/query/test_tokens.py checks this)."""
    return _token_pattern().findall(text)


def token_pattern() -> re.Pattern[str]:
    """The compiled token regex (for callers that run `findall` on many chunks)."""
    return _token_pattern()


def matches_word(token: str, word: str) -> bool:
    """A plain word term matches the word itself or its hashtag."""
    return token == word or (token[:1] == "#" and token[1:] == word)
