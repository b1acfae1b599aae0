"""`enrich_language` reads only the posts without a language and keeps the rest as given."""

from __future__ import annotations

import pyarrow as pa

from hubbub.enrich._columns import post_texts
from hubbub.enrich.language import detect_language, enrich_language

from .conftest import posts_table


def per_post_language(table: pa.Table) -> tuple[list[str | None], list[float | None]]:
    """What the per-post loop gave: detection on every null `lang`, the rest untouched."""
    langs = table.column("lang").to_pylist()
    confidence = table.column("lang_confidence").to_pylist()
    texts = post_texts(table)
    for i, lang in enumerate(langs):
        if lang is None:
            langs[i], confidence[i] = detect_language(texts[i])
    return langs, confidence


def test_only_null_languages_are_detected(sentiment_val: tuple[list[str], list[str]]) -> None:
    texts = sentiment_val[0][:600]
    langs = [None if i % 3 == 0 else ["pt", "en", "xx"][i % 3] for i in range(len(texts))]
    confidence = [0.5 if i % 5 == 0 else None for i in range(len(texts))]
    titles = ["Le titre du post" if i % 7 == 0 else None for i in range(len(texts))]
    table = posts_table(texts, lang=langs, title=titles).append_column(
        "lang_confidence", pa.array(confidence, pa.float64())
    )
    out = enrich_language(table)
    expected_langs, expected_confidence = per_post_language(table)
    assert out.column("lang").to_pylist() == expected_langs
    assert out.column("lang_confidence").to_pylist() == expected_confidence
    assert out.schema.field("lang").type == pa.string()
    assert out.schema.field("lang_confidence").type == pa.float64()
    assert sum(lang == "en" for lang in out.column("lang").to_pylist()[::3]) > 150


def test_given_languages_pass_through(sentiment_val: tuple[list[str], list[str]]) -> None:
    texts = sentiment_val[0][:200]
    table = posts_table(texts, lang=["de"] * len(texts))
    out = enrich_language(table)
    assert out.column("lang").to_pylist() == ["de"] * len(texts)
    assert out.column("lang_confidence").null_count == len(texts)
