"""Uncertainty for small samples: a seeded bootstrap interval of a mean, draws of a pooled rate.

Owned-account histories are small (tens to thousands of posts) and engagement is heavy-tailed, so a
normal-approximation interval would be too narrow; a percentile bootstrap makes no shape assumption.
Everything is seeded: the same data gives the same interval on every run.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

DEFAULT_LEVEL: Final = 0.9
DEFAULT_RESAMPLES: Final = 2000
MIN_SAMPLE: Final = 3  # below this an interval means nothing: report the value alone


def mean_interval(
    values: npt.ArrayLike,
    *,
    level: float = DEFAULT_LEVEL,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> tuple[float, float | None, float | None]:
    """(mean, low, high) with a percentile-bootstrap interval; no interval under MIN_SAMPLE values."""
    data = np.asarray(values, dtype=np.float64)
    data = data[np.isfinite(data)]
    if data.size == 0:
        return float("nan"), None, None
    mean = float(data.mean())
    if data.size < MIN_SAMPLE:
        return mean, None, None
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return mean, float(low), float(high)


def ratio_draws(
    successes: npt.ArrayLike, trials: npt.ArrayLike, *, resamples: int, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """Draws of the pooled rate sum(successes) / sum(trials) over posts, from its sampling
    distribution: the ratio estimator's linearised variance between posts (with the n / (n - 1)
    correction), never below the binomial variance of all trials pooled, and Student-t tails with
    n - 1 degrees of freedom because that variance is itself estimated from few posts.

    Posts are the unit of evidence: two posts with a million views each are still two posts.
    """
    s = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    count, total = s.size, float(n.sum())
    rate = float(s.sum()) / total
    between = float(((s - rate * n) ** 2).sum()) / total**2 * count / max(count - 1, 1)
    variance = max(between, rate * (1.0 - rate) / total)
    draws: npt.NDArray[np.float64] = rate + np.sqrt(variance) * rng.standard_t(
        max(count - 1, 1), size=resamples
    )
    return np.clip(draws, 0.0, 1.0)
