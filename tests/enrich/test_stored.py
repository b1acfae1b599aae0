from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubbub.enrich import ENRICHMENT_SCHEMA, enrich_stored
from hubbub.store import Store

from .conftest import posts_table

_DUCK = {"double": "DOUBLE", "string": "VARCHAR", "list<item: string>": "VARCHAR[]"}


def stored(db_path: Path, texts: list[str], **columns: list[object]) -> Store:
    """A store holding the texts as posts, with the enrichment columns added (the lead's migration)."""
    store = Store(db_path)
    for field in ENRICHMENT_SCHEMA:
        store.con.execute(
            f"ALTER TABLE posts ADD COLUMN IF NOT EXISTS {field.name} {_DUCK[str(field.type)]}"
        )
    with store.transaction():
        store.upsert_posts(posts_table(texts, **columns))
    return store


def test_enrich_stored_posts(db_path: Path, sentiment_val: tuple[list[str], list[str]]) -> None:
    texts = sentiment_val[0][:400]
    with stored(db_path, texts, lang=[None] * 399 + ["fr"]) as store:
        assert enrich_stored(store) == 400
        rows = store.con.execute(
            "SELECT count(*) FILTER (lang = 'en'), count(*) FILTER (sentiment IS NOT NULL),"
            " count(*) FILTER (sentiment_model = 'hubbub-sentiment-fast-2'),"
            " count(*) FILTER (hashtags IS NOT NULL), count(*) FILTER (emotion IS NOT NULL)"
            " FROM posts"
        ).fetchall()[0]
        english, labelled, by_fast, with_tags, with_emotion = rows
        assert english > 360
        assert labelled == by_fast == english  # only English posts, all by the fast model
        assert with_tags == 400
        assert with_emotion == 0  # emotion is opt-in
        french = store.one("SELECT lang, sentiment FROM posts WHERE id = 'tweeteval:399'")
        assert french == ("fr", None)


def test_only_and_since(db_path: Path, sentiment_val: tuple[list[str], list[str]]) -> None:
    texts = sentiment_val[0][:60]
    with stored(db_path, texts, lang=["en"] * 60) as store:
        since = datetime(2026, 2, 1, tzinfo=UTC)  # posts are one a day from 2026-01-01
        n = enrich_stored(store, {"sentiment", "emotion"}, since, sentiment_model="accurate")
        assert n == 60 - 31
        counts = store.one(
            "SELECT count(sentiment), count(emotion), count(hashtags), min(created_at) FILTER"
            " (sentiment IS NOT NULL), count(*) FILTER (sentiment_model = 'hubbub-sentiment-accurate-2')"
            " FROM posts"
        )
        assert counts is not None
        assert counts[:3] == (29, 29, 0)
        assert counts[3] == since
        assert counts[4] == 29


def test_missing_columns_are_a_user_error(db_path: Path) -> None:
    from hubbub.errors import HubbubError

    with Store(db_path) as store:
        store.con.execute("ALTER TABLE posts DROP COLUMN IF EXISTS emotion_score")
        with pytest.raises(HubbubError, match="emotion_score"):
            enrich_stored(store, {"emotion"})


def test_accurate_tier_adds_emotion(
    db_path: Path, sentiment_val: tuple[list[str], list[str]]
) -> None:
    with stored(db_path, sentiment_val[0][:40], lang=["en"] * 40) as store:
        enrich_stored(store, sentiment_model="accurate")
        row = store.one("SELECT count(emotion), count(sentiment), count(emoji) FROM posts")
        assert row == (40, 40, 40)
