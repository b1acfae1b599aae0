"""The matching tokenizer on real tweets: whole words, folding, URLs, hashtags and emoji."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hubbub.query import evaluate, parse
from hubbub.query.tokens import fold, tokenize
from tests.query.corpus import airline_posts
from tests.realdata import semeval_tweets


def test_words_match_whole_tokens_only(shared_data: Path) -> None:
    """`flight` never matches inside `flights`/`flightled`; `flight*` does."""
    posts = airline_posts(shared_data, 800)
    checked = 0
    for post in posts:
        words = {w.lstrip("#") for w in tokenize(post["text"]).folded}
        for word in sorted(words)[:5]:
            if not re.fullmatch(r"[a-z]{4,}", word):
                continue
            stem = word[:-1]
            post_has_stem = stem in words
            assert evaluate(parse(word), post)
            assert evaluate(parse(stem), post) == post_has_stem, (stem, post["text"])
            assert evaluate(parse(stem + "*"), post)
            checked += 1
    assert checked > 500


def _texts(shared_data: Path) -> list[str]:
    """Airline tweets (with emoji and accents) and SemEval tweets (with t.co links)."""
    airline = [p["text"] for p in airline_posts(shared_data, 100_000)]
    return airline + [t for _, _, t in semeval_tweets(shared_data)][:20000]


def test_urls_hashtags_mentions_and_emoji_are_tokens(shared_data: Path) -> None:
    texts = _texts(shared_data)
    with_url = next(t for t in texts if "http://t.co/" in t)
    url = re.search(r"http://t\.co/\w+", with_url)
    assert url is not None and url.group() in tokenize(with_url).original
    with_emoji = next(
        t for t in texts if any(unicodedata.category(c) == "So" and ord(c) > 0x2000 for c in t)
    )
    emoji = next(c for c in with_emoji if unicodedata.category(c) == "So" and ord(c) > 0x2000)
    assert emoji in tokenize(with_emoji).original
    tagged = next(t for t in texts if re.search(r"#[A-Za-z]\w+", t) and "@" in t)
    tokens = tokenize(tagged)
    for sign in "#@":
        found = re.search(sign + r"[A-Za-z]\w*", tagged)
        assert found is not None and found.group().lower() in tokens.folded


def test_folding_removes_case_and_accents(shared_data: Path) -> None:
    texts = _texts(shared_data)
    accented = [t for t in texts if re.search(r"[éèáíóúñç]", t)][:50]
    assert len(accented) >= 3  # e.g. "fiancée": found as "fiancee" and as "FIANCÉE"
    for text in accented:
        word = next(w for w in tokenize(text).original if re.search(r"[éèáíóúñç]", w))
        plain = fold(word)
        assert plain.isascii() or not word.isascii()
        post = {"id": "x", "text": text}
        assert evaluate(parse('"' + plain + '"'), post)
        assert evaluate(parse('"' + word.upper() + '"'), post)
