"""Volume forecasts with prediction intervals, and the backtest error shown next to them.

Model: a seasonal profile times a level. The profile is the mean of the last `k` seasons (24
hours for hourly series, 7 days for daily ones), so one noisy day does not become the forecast;
the level is an exponentially weighted mean of how the recent seasons compare with the profile,
so growth and decline carry into the forecast. Intervals are empirical: the quantiles of the
model's own errors at each horizon in a rolling-origin backtest (like split conformal
prediction), so they are as wide as the model has really been wrong on this series.

The backtest MASE (mean absolute scaled error, Hyndman & Koehler 2006) divides the mean absolute
error of the forecasts by that of the in-sample seasonal-naive forecast; below 1 beats "same as
last season". The seasonal-naive MASE of the same backtest is reported next to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from hubbub.analytics.scope import Scope
from hubbub.analytics.spikes import volume_series
from hubbub.errors import HubbubError
from hubbub.store import Store

Array = npt.NDArray[np.float64]
SEASONS: Final = {"hour": 24, "day": 7, "week": 52}


@dataclass(frozen=True)
class SeasonalModel:
    season: int
    seasons: int = 3  # how many past seasons make the profile; 0 = no seasonality
    smoothing: float = 0.5  # weight of the latest season in the level

    def fit_predict(self, history: Array, horizon: int) -> Array:
        if self.seasons == 0:
            # Flat: the exponentially weighted recent level (a decaying burst's tail).
            recent = history[-self.season :]
            weights = (1 - self.smoothing) ** np.arange(len(recent))[::-1]
            level = float(np.sum(weights * recent) / max(float(weights.sum()), 1e-9))
            return np.full(horizon, level, dtype=np.float64)
        m = self.season
        usable = min(self.seasons, len(history) // m)
        if usable < 1:
            return np.full(horizon, float(np.mean(history[-m:])) if len(history) else 0.0)
        recent = history[len(history) - usable * m :].reshape(usable, m)
        profile = recent.mean(axis=0)
        # Level: how the latest seasons compare with the profile, exponentially weighted.
        weights = self.smoothing * (1 - self.smoothing) ** np.arange(usable)[::-1]
        ratios = recent.sum(axis=1) / max(profile.sum(), 1e-9)
        level = float(np.sum(weights * ratios) / weights.sum())
        phase = len(history) % m
        steps = (phase + np.arange(horizon)) % m
        forecast: Array = np.maximum(profile[steps] * level, 0.0)
        return forecast


_CANDIDATES: Final = [(k, a) for k in (0, 1, 2, 3, 4) for a in (0.1, 0.3, 0.6, 0.9)]


@dataclass(frozen=True)
class AutoSeasonalModel:
    """Picks the profile length and level smoothing that forecast this series' own recent past
    best (an inner rolling-origin validation on the history only, never on what is forecast)."""

    season: int
    validation_folds: int = 3

    def choose(self, history: Array, horizon: int) -> SeasonalModel:
        best, best_error = SeasonalModel(self.season), float("inf")
        n = len(history)
        origins = [n - horizon * f for f in range(1, self.validation_folds + 1)]
        origins = [o for o in origins if o >= 2 * self.season]
        if not origins:
            return best
        for seasons, smoothing in _CANDIDATES:
            model = SeasonalModel(self.season, seasons, smoothing)
            error = sum(
                float(
                    np.mean(
                        np.abs(history[o : o + horizon] - model.fit_predict(history[:o], horizon))
                    )
                )
                for o in origins
            )
            if error < best_error - 1e-12:
                best, best_error = model, error
        return best

    def fit_predict(self, history: Array, horizon: int) -> Array:
        return self.choose(history, horizon).fit_predict(history, horizon)


def _naive_slots(history: Array, horizon: int, season: int) -> Array:
    n = len(history)
    return np.array([history[n - season + (h % season)] for h in range(horizon)], dtype=np.float64)


def mase_scale(history: Array, season: int) -> float:
    if len(history) <= season:
        return float(np.mean(np.abs(np.diff(history)))) or 1.0
    return float(np.mean(np.abs(history[season:] - history[:-season]))) or 1.0


@dataclass
class Backtest:
    mase: float
    naive_mase: float
    folds: int
    errors: Array = field(repr=False)  # folds x horizon, actual - forecast


def backtest(x: Array, horizon: int, season: int, folds: int = 8) -> Backtest:
    """Rolling-origin evaluation over the last `folds` x `horizon` buckets."""
    model = AutoSeasonalModel(season)
    errors, naive_errors, maes = [], [], []
    start = max(len(x) - folds * horizon, 2 * season)
    for origin in range(start, len(x) - horizon + 1, horizon):
        history, actual = x[:origin], x[origin : origin + horizon]
        scale = mase_scale(history, season)
        forecast = model.fit_predict(history, horizon)
        naive = _naive_slots(history, horizon, season)
        errors.append(actual - forecast)
        maes.append(
            (np.mean(np.abs(actual - forecast)) / scale, np.mean(np.abs(actual - naive)) / scale)
        )
        naive_errors.append(actual - naive)
    if not errors:
        raise HubbubError(
            "not enough history to backtest a forecast",
            f"need at least {2 * season + horizon} buckets; use a coarser --bucket or a shorter --horizon",
        )
    scores = np.array(maes)
    return Backtest(
        float(scores[:, 0].mean()), float(scores[:, 1].mean()), len(errors), np.array(errors)
    )


@dataclass
class Forecast:
    bucket: str
    history_end: datetime
    points: list[dict[str, Any]]
    backtest_mase: float
    seasonal_naive_mase: float
    folds: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "history_end": self.history_end,
            "points": self.points,
            "backtest_mase": round(self.backtest_mase, 3),
            "seasonal_naive_mase": round(self.seasonal_naive_mase, 3),
            "backtest_folds": self.folds,
        }


def forecast_series(
    x: Array, horizon: int, season: int
) -> tuple[Array, dict[str, tuple[Array, Array]], Backtest]:
    """Point forecast, {"80": (lo, hi), "95": (lo, hi)} intervals and the backtest."""
    bt = backtest(x, horizon, season)
    point = AutoSeasonalModel(season).fit_predict(x, horizon)
    intervals = {}
    for level, (qlo, qhi) in {"80": (10, 90), "95": (2.5, 97.5)}.items():
        lo = point + np.percentile(bt.errors, qlo, axis=0)
        hi = point + np.percentile(bt.errors, qhi, axis=0)
        intervals[level] = (np.maximum(lo, 0.0), np.maximum(hi, point))
    return point, intervals, bt


def forecast_volume(
    store: Store, scope: Scope = Scope(), *, bucket: str = "day", horizon: int = 14, tz: str = "UTC"
) -> Forecast:
    if bucket not in SEASONS:
        raise HubbubError(f"unknown bucket {bucket!r}", "use hour, day or week")
    starts, counts = volume_series(store, scope, bucket, tz)
    season = SEASONS[bucket]
    point, intervals, bt = forecast_series(counts, horizon, season)
    step = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(days=7)}[bucket]
    points = [
        {
            "bucket": starts[-1] + step * (h + 1),
            "forecast": round(float(point[h]), 2),
            "lo80": round(float(intervals["80"][0][h]), 2),
            "hi80": round(float(intervals["80"][1][h]), 2),
            "lo95": round(float(intervals["95"][0][h]), 2),
            "hi95": round(float(intervals["95"][1][h]), 2),
        }
        for h in range(horizon)
    ]
    return Forecast(bucket, starts[-1], points, bt.mase, bt.naive_mase, bt.folds)
