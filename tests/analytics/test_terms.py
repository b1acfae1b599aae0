"""Emerging terms on real crisis tweets: the event's words rise against ordinary tweets."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import hubbub
from hubbub.analytics import Scope
from hubbub.analytics.terms import count_terms, emerging_terms, log_odds, terms
from tests.realdata import post_records, write_ndjson


def test_terms_keep_hashtags_mentions_and_drop_links() -> None:
    assert terms("RT @Nike: Just do it! #JustDoIt https://t.co/x the end") == [
        "@nike",
        "#justdoit",
        "end",
    ]


def test_log_odds_prefers_frequent_differences_over_rare_ones() -> None:
    recent = Counter({"flood": 40, "rain": 30, "zyx": 2, "the": 100})
    reference = Counter({"flood": 2, "rain": 25, "zyx": 0, "the": 100})
    ranked = [t for t, *_ in log_odds(recent, reference, min_count=1)]
    assert ranked[0] == "flood"
    assert ranked.index("zyx") > ranked.index("flood")
    assert ranked[-1] == "the" or ranked.index("the") > ranked.index("zyx")


def test_crisis_words_emerge_against_ordinary_tweets(shared_data: Path, tmp_path: Path) -> None:
    # Reference: ordinary tweets (SemEval) on day 1. Recent: Alberta floods tweets on day 2.
    day1 = datetime(2024, 6, 1, tzinfo=UTC)
    ordinary = post_records(shared_data, limit=3000)
    for i, record in enumerate(ordinary):
        record["created_at"] = (day1 + timedelta(seconds=20 * i)).isoformat()
    flood_csv = next(
        (shared_data / "corpus" / "crisislex_t26" / "2013_Alberta_floods").glob("*labeled.csv")
    )
    with flood_csv.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, skipinitialspace=True))
    flood = [
        {
            "id": f"twitter:{r['Tweet ID'].strip(chr(39))}",
            "text": r["Tweet Text"],
            "created_at": (day1 + timedelta(days=1, seconds=60 * i)).isoformat(),
        }
        for i, r in enumerate(rows)
    ]
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, ordinary + flood)
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.import_files([data])
        found = emerging_terms(
            hb.store,
            Scope(),
            recent_start=day1 + timedelta(days=1),
            recent_end=day1 + timedelta(days=2),
            reference_start=day1,
            reference_end=day1 + timedelta(days=1),
            limit=15,
        )
    top = [f["term"] for f in found]
    assert {"flood", "#yycflood", "calgary", "flooding", "#abflood"} & set(top[:10]), top
    assert all(f["z"] > 0 for f in found)
    assert found[0]["examples"] and found[0]["term"] in terms(found[0]["examples"][0]["text"])
    assert count_terms(["a flood flood", "flood"])["flood"] == 2
