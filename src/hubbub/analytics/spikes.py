"""Spike detection: buckets well above what their history says to expect, and why.

Expected value of a bucket = the median of the trailing window before it (never including it).
For hourly series, once three days of history exist the expected value is the median of the same
hour on the previous three days (hour-of-week over the previous three weeks once those exist),
shifted by the median residual of the trailing window, so office hours or a Monday-morning peak
are not called spikes while a topic that has grown is measured against its new level.
Spread = 1.4826 x MAD of the (residual) window, floored by the Poisson spread sqrt(expected) and
by 1, so a quiet series (all zeros) still needs a real burst. A bucket is a spike when

    score = (count - expected) / spread >= threshold   and   count >= min_count
    and count >= min_ratio x expected.

Consecutive flagged buckets form one spike (its peak is reported), so a burst that lasts six hours
raises one alert, not six.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from hubbub.analytics.scope import ENGAGEMENT_SQL, Scope, check_bucket, check_timezone
from hubbub.store import Store

_MAD_TO_SD: Final = 1.4826
_HOURS_PER_WEEK: Final = 168


@dataclass(frozen=True)
class SpikeSettings:
    threshold: float = 5.0
    min_count: int = 10
    min_ratio: float = 2.0
    window: int = 24  # buckets of trailing history for the baseline
    seasonal_periods: int = 3  # days (weeks) of hourly history before hour-of-day (-week) is used


@dataclass
class Spike:
    """A run of consecutive flagged buckets, described by its peak."""

    start: datetime
    end: datetime  # end of the last flagged bucket
    peak: datetime
    count: int
    expected: float
    score: float
    explanation: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "peak": self.peak,
            "count": self.count,
            "expected": round(self.expected, 2),
            "score": round(self.score, 2),
            **self.explanation,
        }


def seasonal_baseline(
    x: npt.NDArray[np.float64], period: int, periods: int
) -> npt.NDArray[np.float64]:
    """Median of the same position in the previous `periods` periods; NaN where history is short."""
    base = np.full(len(x), np.nan)
    if len(x) > period * periods:
        lagged = np.stack(
            [x[period * (periods - k) : len(x) - period * k] for k in range(1, periods + 1)]
        )
        base[period * periods :] = np.median(lagged, axis=0)
    return base


def detect_spikes(
    counts: npt.ArrayLike, settings: SpikeSettings = SpikeSettings(), *, hourly: bool = True
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """(expected, score, flagged) for every bucket of a zero-filled count series."""
    x = np.asarray(counts, dtype=np.float64)
    n = len(x)
    # Hour-of-week once k weeks of history exist, else hour-of-day once k days do. The window's
    # residuals and the bucket's expectation always use the same one of the two.
    baselines: list[npt.NDArray[np.float64]] = []
    if hourly:
        k = settings.seasonal_periods
        baselines = [seasonal_baseline(x, _HOURS_PER_WEEK, k), seasonal_baseline(x, 24, k)]
    expected = np.zeros(n)
    score = np.zeros(n)
    for i in range(1, n):
        lo = max(0, i - settings.window)
        window = x[lo:i]
        seasonal = next((b for b in baselines if not np.isnan(b[lo])), None)
        if seasonal is not None and i - lo == settings.window:
            # Seasonal: the level shift is the median residual of the recent window.
            residuals = window - seasonal[lo:i]
            level = float(np.median(residuals))
            centre = max(float(seasonal[i]) + level, 0.0)
            mad = float(np.median(np.abs(residuals - level)))
            usual = max(centre, float(seasonal[i]))  # Poisson noise of the usual level
        else:
            centre = float(np.median(window))
            mad = float(np.median(np.abs(window - centre)))
            usual = centre
        spread = max(_MAD_TO_SD * mad, float(np.sqrt(max(usual, 1.0))), 1.0)
        expected[i] = centre
        score[i] = (x[i] - centre) / spread
    flagged = (
        (score >= settings.threshold)
        & (x >= settings.min_count)
        & (x >= settings.min_ratio * expected)
    )
    return expected, score, flagged


def group_runs(
    starts: list[datetime],
    step: timedelta,
    counts: npt.NDArray[np.float64],
    expected: npt.NDArray[np.float64],
    score: npt.NDArray[np.float64],
    flagged: npt.NDArray[np.bool_],
) -> list[Spike]:
    """Consecutive flagged buckets -> one Spike each, described by the peak bucket."""
    spikes: list[Spike] = []
    i = 0
    while i < len(flagged):
        if not flagged[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(flagged) and flagged[j + 1]:
            j += 1
        peak = i + int(np.argmax(score[i : j + 1]))
        spikes.append(
            Spike(
                starts[i],
                starts[j] + step,
                starts[peak],
                int(counts[peak]),
                float(expected[peak]),
                float(score[peak]),
            )
        )
        i = j + 1
    return spikes


def volume_series(
    store: Store, scope: Scope, bucket: str = "hour", tz: str = "UTC"
) -> tuple[list[datetime], npt.NDArray[np.float64]]:
    """Zero-filled post counts per bucket (bucket starts in local time of `tz`)."""
    interval = check_bucket(bucket)
    check_timezone(tz)
    where, params = scope.where()
    rows = store.con.execute(
        f"""WITH b AS (
              SELECT time_bucket(INTERVAL '{interval}', timezone(?, p.created_at)) AS bucket,
                     count(*) AS n
              FROM posts p WHERE {where} GROUP BY 1),
            r AS (SELECT min(bucket) lo, max(bucket) hi FROM b)
            SELECT g.bucket, coalesce(b.n, 0)
            FROM r, generate_series(r.lo, r.hi, INTERVAL '{interval}') AS g(bucket)
            LEFT JOIN b ON b.bucket = g.bucket ORDER BY 1""",
        [tz, *params],
    ).fetchall()
    return [r[0] for r in rows], np.array([r[1] for r in rows], dtype=np.float64)


def find_spikes(
    store: Store,
    scope: Scope = Scope(),
    *,
    bucket: str = "hour",
    tz: str = "UTC",
    settings: SpikeSettings = SpikeSettings(),
    explain: bool = True,
    top: int = 5,
    explain_limit: int = 5,
) -> list[Spike]:
    """Spikes in the volume of `scope`, each with the authors, posts, domains and terms behind it."""
    starts, counts = volume_series(store, scope, bucket, tz)
    if len(counts) < 2:
        return []
    expected, score, flagged = detect_spikes(counts, settings, hourly=bucket == "hour")
    step = timedelta(hours=1) if bucket == "hour" else timedelta(days=1 if bucket == "day" else 7)
    spikes = group_runs(starts, step, counts, expected, score, flagged)
    if explain:
        # The strongest spikes are explained; the rest keep their numbers (fast on long series).
        for spike in sorted(spikes, key=lambda s: -s.score)[:explain_limit]:
            spike.explanation = _explain(store, scope, spike, tz, top)
    return spikes


def _explain(store: Store, scope: Scope, spike: Spike, tz: str, top: int) -> dict[str, Any]:
    where, params = scope.where()
    # Bucket bounds are local times; compare in UTC so DuckDB can skip row groups by date.
    zone = ZoneInfo(tz)
    lo = spike.start.replace(tzinfo=zone).astimezone(UTC)
    hi = spike.end.replace(tzinfo=zone).astimezone(UTC)
    inside = f"{where} AND p.created_at >= ? AND p.created_at < ?"
    args = [*params, lo, hi]

    # One query per spike; the top lists are counted here (a spike holds few posts).
    rows = store.con.execute(
        f"SELECT p.id, p.url, p.author_handle, p.text, {ENGAGEMENT_SQL} AS engagement,"
        " p.domains, p.hashtags, n.dup_cluster, n.dup_size"
        f" FROM posts p LEFT JOIN post_noise n ON n.post_id = p.id WHERE {inside}",
        args,
    ).fetchall()

    def ranked(values: list[Any]) -> list[dict[str, Any]]:
        counts = Counter(v for v in values if v is not None)
        return [
            {"key": k, "posts": n}
            for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        ]

    clusters = Counter(r[7] for r in rows if r[7] is not None)
    biggest = clusters.most_common(1)[0] if clusters else None
    biggest_size = max((r[8] or 0 for r in rows if biggest and r[7] == biggest[0]), default=0)
    share = biggest[1] / spike.count if biggest and spike.count else 0.0
    best = sorted(rows, key=lambda r: (-r[4], r[0]))[:top]
    return {
        # One near-duplicate text makes most of the spike: a campaign or bot burst, not news.
        "duplicate_driven": bool(biggest and share >= 0.5 and biggest_size >= 20),
        "duplicate_share": round(share, 3),
        "top_authors": ranked([r[2] for r in rows]),
        "top_domains": ranked([d for r in rows for d in r[5] or []]),
        "top_hashtags": ranked([h for r in rows for h in r[6] or []]),
        "top_posts": [
            {"id": r[0], "url": r[1], "author": r[2], "text": r[3], "engagement": r[4]}
            for r in best
        ],
    }
