"""Volume and top lists on the real airline corpus, checked against an independent computation
done here with the csv module (not with hubbub's SQL)."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

import hubbub
from hubbub.errors import HubbubError
from tests.realdata import AIRLINE_REPOSTS


@pytest.fixture(scope="module")
def airline(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[dict[str, str]]]:
    path = shared_data / "corpus" / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv"
    db = tmp_path_factory.mktemp("air") / "h.duckdb"
    with hubbub.open(db) as hb:
        hb.import_files([path], platform="twitter", mapping=AIRLINE_REPOSTS)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # What hubbub keeps: rows with a real date, and for a repeated id the later row.
    kept: dict[str, dict[str, str]] = {}
    for row in rows:
        try:
            row["_t"] = datetime.strptime(row["tweet_created"], "%Y-%m-%d %H:%M:%S %z").astimezone(
                UTC
            )  # type: ignore[assignment]
        except ValueError:
            continue
        kept[row["tweet_id"]] = row
    return db, list(kept.values())


def test_daily_volume_matches_independent_count(airline: tuple[Path, list[dict[str, str]]]) -> None:
    db, rows = airline
    expected = Counter(r["_t"].date() for r in rows)  # type: ignore[attr-defined]
    with hubbub.open(db) as hb:
        got = {r["bucket"].date(): r["posts"] for r in hb.stats.volume(bucket="day").to_pylist()}
    assert got == dict(expected)


def test_volume_in_another_time_zone(airline: tuple[Path, list[dict[str, str]]]) -> None:
    db, rows = airline
    from zoneinfo import ZoneInfo

    pacific = ZoneInfo("America/Los_Angeles")
    expected = Counter(r["_t"].astimezone(pacific).date() for r in rows)  # type: ignore[attr-defined]
    with hubbub.open(db) as hb:
        got = {
            r["bucket"].date(): r["posts"]
            for r in hb.stats.volume(bucket="day", tz="America/Los_Angeles").to_pylist()
        }
    assert got == dict(expected)


def test_top_authors_and_engagement(airline: tuple[Path, list[dict[str, str]]]) -> None:
    db, rows = airline
    posts = Counter(r["name"] for r in rows)
    reposts = Counter()
    for r in rows:
        reposts[r["name"]] += int(r["retweet_count"])
    with hubbub.open(db) as hb:
        top = hb.stats.top("authors", limit=5).to_pylist()
        by_engagement = hb.stats.top("authors", limit=3, order="engagement").to_pylist()
    assert [(t["author"], t["posts"]) for t in top] == sorted(
        posts.items(), key=lambda kv: (-kv[1], kv[0])
    )[:5]
    assert [(t["author"], t["engagement"]) for t in by_engagement] == sorted(
        reposts.items(), key=lambda kv: (-kv[1], kv[0])
    )[:3]


def test_unknown_bucket_and_zone_are_clear(airline: tuple[Path, list[dict[str, str]]]) -> None:
    db, _ = airline
    with hubbub.open(db) as hb:
        with pytest.raises(HubbubError, match="unknown bucket"):
            hb.stats.volume(bucket="fortnight")
        with pytest.raises(HubbubError, match="unknown time zone"):
            hb.stats.volume(tz="Mars/Olympus")


def test_query_and_sentiment_filters(airline: tuple[Path, list[dict[str, str]]]) -> None:
    db, _ = airline
    from hubbub.topics import search

    with hubbub.open(db) as hb:
        total = hb.stats.volume(bucket=None).to_pylist()[0]["posts"]
        by_query = hb.stats.volume(bucket=None, query="@united AND (bag* OR luggage)").to_pylist()[
            0
        ]["posts"]
        matched, _ = search(hb.store, "@united AND (bag* OR luggage)", 1)
        parts = [
            hb.stats.volume(bucket=None, sentiments=[label]).to_pylist()
            for label in ("negative", "neutral", "positive")
        ]
        unlabelled = hb.sql("SELECT count(*) AS n FROM posts WHERE sentiment IS NULL").to_pylist()[
            0
        ]["n"]
    assert 0 < by_query == matched < total
    assert sum(p[0]["posts"] if p else 0 for p in parts) + unlabelled == total
