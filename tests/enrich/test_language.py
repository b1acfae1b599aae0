from __future__ import annotations

from hubbub.enrich import enrich
from hubbub.enrich.language import detect_language

from .conftest import posts_table


def test_real_english_tweets_are_english(sentiment_val: tuple[list[str], list[str]]) -> None:
    texts = sentiment_val[0][:500]
    out = enrich(posts_table(texts), only={"language"})
    langs = out.column("lang").to_pylist()
    assert langs.count("en") / len(langs) > 0.9
    conf = [c for c in out.column("lang_confidence").to_pylist() if c is not None]
    assert all(0 < c <= 1 for c in conf)


def test_other_languages_and_short_posts() -> None:
    assert detect_language("Je suis vraiment content de ce nouveau téléphone")[0] == "fr"
    assert detect_language("Das Wetter ist heute wirklich sehr schön")[0] == "de"
    assert detect_language("ok!! @bob http://t.co/x") == (None, None)
    assert detect_language("") == (None, None)


def test_platform_language_wins() -> None:
    table = posts_table(["this is clearly written in english"] * 2, lang=["pt", None])
    out = enrich(table, only={"language"})
    assert out.column("lang").to_pylist() == ["pt", "en"]
    assert out.column("lang_confidence").to_pylist()[0] is None
