"""Forecasts backtested on real series; lagged correlation finds a planted lead."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

import hubbub
from hubbub.analytics.correlation import CAVEAT, correlate, import_metric_csv
from hubbub.analytics.forecast import backtest, forecast_volume
from hubbub.analytics.scope import Scope
from hubbub.errors import HubbubError
from tests.realdata import crisislex_events, hourly_counts, post_records, write_ndjson


def test_forecast_beats_seasonal_naive_on_most_real_series(shared_data: Path) -> None:
    results = []
    for name, _, stamps in crisislex_events(shared_data):
        _, counts = hourly_counts(stamps)
        bt = backtest(np.array(counts, dtype=float), horizon=24, season=24)
        results.append((name, bt.mase, bt.naive_mase))
    assert len(results) >= 20
    wins = sum(1 for _, ours, naive in results if ours < naive)
    assert wins > len(results) / 2, results
    assert all(np.isfinite(m) and m >= 0 for _, m, _ in results)


@pytest.fixture()
def crisis_store(shared_data: Path, tmp_path: Path) -> Path:
    """Real tweets re-timed onto the LA airport shooting's real hourly volume curve."""
    _, _, stamps = next(
        e for e in crisislex_events(shared_data) if e[0] == "2013_LA_airport_shootings"
    )
    texts = post_records(shared_data, limit=len(stamps))
    for record, stamp in zip(texts, stamps, strict=False):
        record["created_at"] = stamp.isoformat()
    data = tmp_path / "la.ndjson"
    write_ndjson(data, texts)
    db = tmp_path / "h.duckdb"
    with hubbub.open(db) as hb:
        hb.import_files([data])
    return db


def test_forecast_from_the_store_has_intervals(crisis_store: Path) -> None:
    with hubbub.open(crisis_store) as hb:
        fc = forecast_volume(hb.store, Scope(), bucket="hour", horizon=12)
    assert len(fc.points) == 12
    for p in fc.points:
        assert p["lo95"] <= p["lo80"] <= p["forecast"] <= p["hi80"] <= p["hi95"]
    assert fc.points[0]["bucket"] == fc.history_end + timedelta(hours=1)
    assert fc.backtest_mase > 0 and fc.seasonal_naive_mase > 0


def test_lagged_correlation_finds_a_planted_three_hour_lead(
    crisis_store: Path, tmp_path: Path
) -> None:
    with hubbub.open(crisis_store) as hb:
        series = hb.stats.volume(bucket="hour").to_pylist()
        # Tickets: twice the social volume three hours later, plus noise.
        rng = np.random.default_rng(0)
        lines = ["date,tickets"] + [
            f"{(r['bucket'] + timedelta(hours=3)).isoformat()}Z,{2 * r['posts'] + rng.poisson(3)}"
            for r in series
        ]
        csv_path = tmp_path / "tickets.csv"
        csv_path.write_text("\n".join(lines) + "\n")
        assert import_metric_csv(hb.store, csv_path, name="tickets", value_col="tickets") == len(
            series
        )
        result = correlate(hb.store, "tickets", bucket="hour", max_lag=6)
    assert result["strongest"]["lag"] == 3
    assert result["strongest"]["r"] > 0.9
    assert result["note"] == CAVEAT and "not causation" in result["note"]


def test_missing_metric_is_a_clear_error(crisis_store: Path) -> None:
    with hubbub.open(crisis_store) as hb, pytest.raises(HubbubError, match="no business metric"):
        correlate(hb.store, "sales")
