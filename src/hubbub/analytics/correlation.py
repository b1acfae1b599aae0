"""Correlation of topic volume or net sentiment with a business time series, at several lags.

A lag of +k means the business number k buckets *after* the social signal, so a peak at a
positive lag reads "social moves first". Pearson's r with a two-sided p-value (Student t), and
the number of paired buckets. Correlation is not causation: both may follow a third cause (a
campaign, a season, a news event), and with many lags one will look strong by chance.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np

from hubbub.analytics.scope import Scope, check_bucket, check_timezone
from hubbub.errors import HubbubError
from hubbub.normalize import FieldError, parse_time
from hubbub.store import Store

CAVEAT: Final = (
    "Correlation is not causation: both series may follow a third cause (a campaign, a season, "
    "news), and among many lags one can look strong by chance. Treat it as a lead to check."
)


def import_metric_csv(
    store: Store, path: Path, *, name: str, time_col: str = "date", value_col: str = "value"
) -> int:
    """Load a business time series (date,value CSV) as metric `name`; returns rows loaded."""
    rows: list[tuple[str, datetime, float]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = {time_col, value_col} - set(reader.fieldnames or [])
            if missing:
                raise HubbubError(
                    f"{path}: no column {', '.join(sorted(missing))}",
                    f"columns are {', '.join(reader.fieldnames or [])}; use --time-col/--value-col",
                )
            for line, row in enumerate(reader, start=2):
                try:
                    rows.append(
                        (name, parse_time(row[time_col]), float(row[value_col].replace(",", "")))
                    )
                except (FieldError, ValueError) as exc:
                    raise HubbubError(
                        f"{path} line {line}: {exc}", "fix the date or the number"
                    ) from None
    except OSError as exc:
        raise HubbubError(f"cannot read {path}: {exc.strerror}") from None
    with store.transaction():
        store.con.execute(
            "CREATE TABLE IF NOT EXISTS business_metrics (name VARCHAR, ts TIMESTAMPTZ, value DOUBLE)"
        )
        store.con.execute("DELETE FROM business_metrics WHERE name = ?", [name])
        store.con.executemany("INSERT INTO business_metrics VALUES (?, ?, ?)", rows)
    return len(rows)


@dataclass
class LagCorrelation:
    lag: int
    r: float | None
    p_value: float | None
    pairs: int


def lagged_correlation(
    signal: np.ndarray[Any, Any], business: np.ndarray[Any, Any], max_lag: int
) -> list[LagCorrelation]:
    """r(signal[t], business[t + lag]) for lag in -max_lag..max_lag; NaNs are skipped pairwise."""
    from scipy import stats as scistats  # type: ignore[import-untyped]  # slow to import

    out = []
    n = len(signal)
    for lag in range(-max_lag, max_lag + 1):
        if lag >= 0:
            a, b = signal[: n - lag], business[lag:]
        else:
            a, b = signal[-lag:], business[: n + lag]
        ok = ~(np.isnan(a) | np.isnan(b))
        a, b = a[ok], b[ok]
        if len(a) < 3 or np.std(a) == 0 or np.std(b) == 0:
            out.append(LagCorrelation(lag, None, None, len(a)))
            continue
        r, p = scistats.pearsonr(a, b)
        out.append(LagCorrelation(lag, round(float(r), 4), float(p), len(a)))
    return out


def correlate(
    store: Store,
    metric: str,
    scope: Scope = Scope(),
    *,
    signal: str = "volume",
    bucket: str = "day",
    tz: str = "UTC",
    max_lag: int = 7,
) -> dict[str, Any]:
    """Lagged correlation of a topic's volume or net sentiment with business metric `metric`."""
    interval = check_bucket(bucket)
    check_timezone(tz)
    if signal not in ("volume", "net_sentiment"):
        raise HubbubError(f"unknown signal {signal!r}", "use volume or net_sentiment")
    exists = store.one(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'business_metrics'"
    )
    loaded = (
        store.one("SELECT count(*) FROM business_metrics WHERE name = ?", [metric])
        if exists and exists[0]
        else None
    )
    if not loaded or not loaded[0]:
        raise HubbubError(
            f"no business metric {metric!r}", "load it: hubbub metrics import FILE --name NAME"
        )
    where, params = scope.where()
    value = (
        "count(*)"
        if signal == "volume"
        else "100.0 * (count(*) FILTER (p.sentiment = 'positive') - count(*) FILTER (p.sentiment = 'negative'))"
        " / nullif(count(*) FILTER (p.sentiment IN ('positive', 'negative')), 0)"
    )
    rows = store.con.execute(
        f"""WITH s AS (SELECT time_bucket(INTERVAL '{interval}', timezone(?, p.created_at)) AS b, {value} AS v
                       FROM posts p WHERE {where} GROUP BY 1),
                 m AS (SELECT time_bucket(INTERVAL '{interval}', timezone(?, ts)) AS b, sum(value) AS v
                       FROM business_metrics WHERE name = ? GROUP BY 1),
                 r AS (SELECT least((SELECT min(b) FROM s), (SELECT min(b) FROM m)) lo,
                              greatest((SELECT max(b) FROM s), (SELECT max(b) FROM m)) hi)
            SELECT g.b, s.v, m.v FROM r, generate_series(r.lo, r.hi, INTERVAL '{interval}') g(b)
            LEFT JOIN s ON s.b = g.b LEFT JOIN m ON m.b = g.b ORDER BY 1""",
        [tz, *params, tz, metric],
    ).fetchall()
    social = np.array(
        [(r[1] if r[1] is not None else (0.0 if signal == "volume" else math.nan)) for r in rows],
        float,
    )
    business = np.array([r[2] if r[2] is not None else math.nan for r in rows], float)
    lags = lagged_correlation(social, business, max_lag)
    scored = [c for c in lags if c.r is not None]
    best = max(scored, key=lambda c: abs(c.r or 0.0)) if scored else None
    return {
        "metric": metric,
        "signal": signal,
        "bucket": bucket,
        "lags": [c.__dict__ for c in lags],
        "strongest": best.__dict__ if best else None,
        "note": CAVEAT,
        "computed_at": datetime.now(UTC),
    }
