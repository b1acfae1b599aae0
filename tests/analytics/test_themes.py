"""Themes on real crisis tweets: different events become different themes, and are tracked."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import hubbub
from hubbub.analytics import Scope
from hubbub.analytics.themes import find_themes
from tests.realdata import write_ndjson

EVENTS = ("2013_Alberta_floods", "2013_LA_airport_shootings", "2013_Bohol_earthquake")


def event_posts(
    shared_data: Path, day: datetime, part: int
) -> tuple[list[dict[str, object]], dict[str, str]]:
    posts, truth = [], {}
    for event in EVENTS:
        path = next((shared_data / "corpus" / "crisislex_t26" / event).glob("*labeled.csv"))
        with path.open(encoding="utf-8", newline="") as f:
            rows = [
                r
                for r in csv.DictReader(f, skipinitialspace=True)
                if r["Informativeness"] == "Related and informative"
            ]
        for i, r in enumerate(rows[part * 200 : (part + 1) * 200]):
            pid = f"twitter:{r['Tweet ID'].strip(chr(39))}"
            posts.append(
                {
                    "id": pid,
                    "text": r["Tweet Text"],
                    "created_at": (day + timedelta(seconds=90 * i)).isoformat(),
                }
            )
            truth[pid] = event
    return posts, truth


def test_events_become_separate_themes_and_are_tracked(shared_data: Path, tmp_path: Path) -> None:
    day1, day2 = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 2, tzinfo=UTC)
    first, truth = event_posts(shared_data, day1, 0)
    second, _ = event_posts(shared_data, day2, 1)
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, first + second)
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.import_files([data])
        r1 = find_themes(hb.store, Scope(), start=day1, end=day2, max_themes=12)
        r2 = find_themes(hb.store, Scope(), start=day2, end=day2 + timedelta(days=1), max_themes=12)
    assert r1.posts == len(first) and 0 <= r1.outliers < r1.posts / 2
    # Purity: most posts of a theme come from one event.
    by_theme: dict[int, Counter[str]] = {}
    for pid, theme in r1.assignments.items():
        if theme is not None:
            by_theme.setdefault(theme, Counter())[truth[pid]] += 1
    assigned = sum(sum(c.values()) for c in by_theme.values())
    pure = sum(c.most_common(1)[0][1] for c in by_theme.values())
    assert pure / assigned >= 0.85
    # Every event is the majority of at least one theme.
    assert {c.most_common(1)[0][0] for c in by_theme.values()} == set(EVENTS)
    # The second day's themes continue the first day's.
    assert any(not t.is_new for t in r2.themes)
    assert all(t.label for t in r1.themes)


def test_a_large_window_is_clustered_on_a_sample(shared_data: Path, tmp_path: Path) -> None:
    day = datetime(2024, 5, 1, tzinfo=UTC)
    posts, _ = event_posts(shared_data, day, 0)
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, posts)
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.import_files([data], enrich=False)
        full = find_themes(
            hb.store, Scope(), start=day, end=day + timedelta(days=1), track=False, sample=None
        )
        part = find_themes(
            hb.store, Scope(), start=day, end=day + timedelta(days=1), track=False, sample=300
        )
    assert full.sampled is None and part.sampled == 300
    assert part.posts == full.posts == len(posts)
    estimated = sum(t.posts for t in part.themes) + part.outliers
    assert abs(estimated - len(posts)) <= len(part.themes) + 1  # only rounding separates them
    assert len(part.assignments) == 300
