"""Headlines of a window of real crisis tweets name the stories and link their posts."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import hubbub
from hubbub.analytics import Scope
from hubbub.analytics.headlines import headlines, one_line
from tests.realdata import post_records, write_ndjson


def test_one_line_takes_the_first_sentence_without_links() -> None:
    assert one_line("Floods in Calgary. More later http://t.co/x") == "Floods in Calgary."
    assert len(one_line("word " * 100)) <= 141


def test_headlines_of_two_crises_against_ordinary_days(shared_data: Path, tmp_path: Path) -> None:
    day = datetime(2024, 6, 2, tzinfo=UTC)
    ordinary = post_records(shared_data, limit=1500)
    for i, record in enumerate(ordinary):
        record["created_at"] = (day - timedelta(days=1) + timedelta(seconds=50 * i)).isoformat()
    crisis = []
    for event in ("2013_Alberta_floods", "2013_LA_airport_shootings"):
        path = next((shared_data / "corpus" / "crisislex_t26" / event).glob("*labeled.csv"))
        with path.open(encoding="utf-8", newline="") as f:
            rows = [
                r
                for r in csv.DictReader(f, skipinitialspace=True)
                if r["Informativeness"] == "Related and informative"
            ][:300]
        crisis += [
            {
                "id": f"twitter:{r['Tweet ID'].strip(chr(39))}",
                "text": r["Tweet Text"],
                "created_at": (day + timedelta(seconds=100 * i)).isoformat(),
                "likes": i % 7,
            }
            for i, r in enumerate(rows)
        ]
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, ordinary + crisis)
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.import_files([data])
        found = headlines(hb.store, Scope(), start=day, end=day + timedelta(days=1), count=5)
        # A busy window is read as a fixed sample: the same stories come out, with estimates.
        window = {"start": day, "end": day + timedelta(days=1), "count": 5}
        sampled = headlines(hb.store, Scope(), **window, sample_cap=400)
        again = headlines(hb.store, Scope(), **window, sample_cap=400)
    assert sampled == again  # deterministic
    assert all(h["estimated"] for h in sampled) and not any(h["estimated"] for h in found)
    exact = {h["term"]: h["posts"] for h in found}
    assert len(set(exact) & {h["term"] for h in sampled}) >= 2
    for h in sampled:
        if h["term"] in exact:  # 400 of 600 posts: the scaled count is close to the exact one
            assert abs(h["posts"] - exact[h["term"]]) <= 0.35 * exact[h["term"]] + 5
    assert 3 <= len(found) <= 5
    text = " ".join(h["headline"].lower() + " " + h["term"] for h in found)
    assert any(w in text for w in ("flood", "calgary", "alberta", "yyc"))
    assert any(w in text for w in ("lax", "shooting", "airport", "tsa", "gunman"))
    crisis_ids = {c["id"] for c in crisis}
    for h in found:
        assert h["supporting"] and all(s["id"] in crisis_ids for s in h["supporting"])
        assert h["posts"] >= 2
