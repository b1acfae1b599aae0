"""Spike detection on real crisis volume series (CrisisLex T26 timestamped tweet ids)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

import hubbub
from hubbub.analytics import Scope, find_spikes
from hubbub.analytics.spikes import detect_spikes
from tests.realdata import crisislex_events, data_onset, hourly_counts, post_records, write_ndjson


def event_results(shared_data: Path) -> list[tuple[str, str, float, int]]:
    """(event, development, hours from onset to first flag, false alarms before onset)."""
    results = []
    for name, development, stamps in crisislex_events(shared_data):
        starts, counts = hourly_counts(stamps)
        onset = data_onset(starts, counts)
        _, _, flagged = detect_spikes(np.array(counts))
        flags = [starts[i] for i in np.flatnonzero(flagged)]
        first = flags[0] if flags else None
        lag = (first - onset).total_seconds() / 3600 if first else float("inf")
        before = sum(1 for f in flags if f < onset)
        results.append((name, development, lag, before))
    return results


def test_sudden_onsets_are_flagged_within_three_hours(shared_data: Path) -> None:
    results = event_results(shared_data)
    sudden = [r for r in results if r[1] == "Instantaneous"]
    assert len(sudden) >= 10
    for name, _, lag, _ in sudden:
        assert abs(lag) <= 3, f"{name}: first flag {lag:+.0f} h from onset"


def test_progressive_events_have_at_most_two_false_alarms(shared_data: Path) -> None:
    progressive = [r for r in event_results(shared_data) if r[1] == "Progressive"]
    assert len(progressive) >= 8
    for name, _, lag, before in progressive:
        assert before <= 2, f"{name}: {before} false alarms before the build-up"
        assert lag != float("inf"), f"{name}: the build-up was never flagged"


def test_flat_and_noisy_series_raise_at_most_one_alarm_per_thousand_hours() -> None:
    # Pure noise has no spikes; a rare Poisson outlier may be flagged (1 in ~1,000 hours).
    rng = np.random.default_rng(3)
    assert not detect_spikes(np.zeros(500))[2].any()
    assert detect_spikes(rng.poisson(40, 24 * 7 * 5))[2].sum() <= 1
    office_day = np.r_[np.full(9, 5), np.full(12, 60), np.full(3, 5)]
    daily = detect_spikes(rng.poisson(np.tile(office_day, 35)))[2]
    assert daily[24:].sum() <= 1  # after the first day, office hours are expected
    week = np.r_[np.tile(office_day, 5), np.full(48, 5)]  # quiet weekends
    weekly = detect_spikes(rng.poisson(np.tile(week, 8)))[2]
    assert weekly[3 * 168 :].sum() <= 1  # after three weeks, Monday mornings are expected


def test_spikes_from_the_store_are_explained(shared_data: Path, tmp_path: Path) -> None:
    # Real tweets spread over 10 days, then 300 of them in one hour by one author: one spike,
    # explained by that author and those posts.
    records = post_records(shared_data, limit=2400)
    base = np.datetime64("2024-03-01T00:00")
    for i, record in enumerate(records[:2100]):
        record["created_at"] = str(base + np.timedelta64(i * 7, "m")) + "Z"
    burst_hour = base + np.timedelta64(24 * 5 + 13, "h")
    for i, record in enumerate(records[2100:]):
        record["created_at"] = str(burst_hour + np.timedelta64(i * 10, "s")) + "Z"
        record["author_handle"] = "loud_account"
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, records)
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.import_files([data])
        spikes = find_spikes(hb.store, Scope(), bucket="hour")
    assert len(spikes) == 1
    spike = spikes[0]
    assert spike.peak.replace(tzinfo=None) == burst_hour.astype("datetime64[s]").item()
    assert spike.count >= 300 and spike.score > 5
    assert spike.explanation["top_authors"][0] == {"key": "loud_account", "posts": 300}
    assert len(spike.explanation["top_posts"]) == 5


@pytest.mark.parametrize("bucket", ["day", "week"])
def test_other_buckets(bucket: str, shared_data: Path, tmp_path: Path) -> None:
    records = post_records(shared_data, limit=200)
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, records)
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.import_files([data])
        spikes = find_spikes(hb.store, Scope(), bucket=bucket, tz="Europe/Paris")
    for spike in spikes:
        assert spike.end - spike.start >= timedelta(days=1)
