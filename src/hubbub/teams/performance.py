"""How owned posts perform: engagement and engagement rate by format, hashtag, weekday and hour,
and the best times to post, each value with its interval and sample size.

Best times come from our own history (engagement rate of owned posts in each slot). When owned
posts carry no engagement to learn from (a file without counts, or no owned account yet), hubbub
says so and falls back to *audience activity*: how many posts the audience writes in each slot per
day, with an interval over days. The answer always names the basis it used.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from hubbub.errors import HubbubError
from hubbub.store import Store
from hubbub.teams.intervals import MIN_SAMPLE, mean_interval
from hubbub.teams.owned import AUDIENCE_PREDICATE, has_owned, owned_posts

DIMENSIONS: Final = ("format", "hashtag", "weekday", "hour")
WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RATES: Final = ("followers", "views")
#: Below this many owned posts with engagement, best times fall back to audience activity.
MIN_OWNED_FOR_BEST_TIMES: Final = 10


def zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HubbubError(
            f"unknown time zone {tz!r}", "use an IANA name such as UTC or Europe/Paris"
        ) from exc


@dataclass
class Slot:
    """One group of posts: its value with a bootstrap interval (None under 3 observations)."""

    key: str
    n: int
    value: float
    low: float | None
    high: float | None
    engagement: float | None = None  # mean engagement, next to the rate

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Performance:
    by: str
    rate: str
    posts: int
    slots: list[Slot] = field(default_factory=list)
    level: float = 0.9
    definition: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _slot_keys(row: dict[str, Any], by: str, tzinfo: ZoneInfo) -> list[str]:
    if by == "format":
        return [str(row["format"])]
    if by == "hashtag":
        return [f"#{h}" for h in (row["hashtags"] or [])] or ["(none)"]
    local = row["created_at"].astimezone(tzinfo)
    if by == "weekday":
        return [WEEKDAYS[local.weekday()]]
    return [f"{local.hour:02d}:00"]


def _order(by: str, keys: list[str]) -> list[str]:
    if by == "weekday":
        return [d for d in WEEKDAYS if d in keys]
    if by in ("hour", "format"):
        return sorted(keys)
    return keys


def performance(
    store: Store,
    by: str = "format",
    *,
    rate: str = "followers",
    tz: str = "UTC",
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 20,
    seed: int = 0,
) -> Performance:
    """Engagement rate of owned posts grouped by `by` (format, hashtag, weekday, hour)."""
    if by not in DIMENSIONS:
        raise HubbubError(f"cannot group by {by!r}", f"use one of {', '.join(DIMENSIONS)}")
    if rate not in RATES:
        raise HubbubError(f"unknown rate {rate!r}", "use followers or views")
    tzinfo = zone(tz)
    rows = owned_posts(store, since, until).to_pylist()
    groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in rows:
        value = row[f"rate_{rate}"]
        if value is None:
            continue
        for key in _slot_keys(row, by, tzinfo):
            groups[key].append((float(value), float(row["engagement"])))
    slots = []
    for key, pairs in groups.items():
        rates = np.array([p[0] for p in pairs])
        mean, low, high = mean_interval(rates, seed=seed)
        slots.append(Slot(key, len(pairs), mean, low, high, float(np.mean([p[1] for p in pairs]))))
    if by == "hashtag":
        slots.sort(key=lambda s: (-s.n, -s.value, s.key))
        slots = slots[:limit]
    else:
        order = _order(by, [s.key for s in slots])
        slots.sort(key=lambda s: order.index(s.key))
    definition = (
        f"engagement (likes + replies + reposts + quotes) / {rate}"
        + (" at posting time" if rate == "followers" else "")
        + "; mean per post with a 90% bootstrap interval"
    )
    return Performance(by, rate, len(rows), slots, 0.9, definition)


@dataclass
class BestTimes:
    """When to post: each slot's value with its interval, the best slot, and how sure that is."""

    by: str
    basis: str  # "owned engagement rate" or "audience activity"
    unit: str
    slots: list[Slot]
    best: str | None
    clear: bool  # the best slot's interval lies above every other slot's value
    note: str
    tz: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _audience_slots(store: Store, by: str, tzinfo: ZoneInfo, seed: int) -> tuple[list[Slot], str]:
    audience = has_owned(store)
    where = AUDIENCE_PREDICATE if audience else "TRUE"
    stamps = [
        r[0]
        for r in store.con.execute(
            f"SELECT p.created_at FROM posts p WHERE {where} AND p.id NOT IN "
            "(SELECT post_id FROM post_noise WHERE is_noise)"
        ).fetchall()
    ]
    who = "posts mentioning or replying to owned accounts" if audience else "all stored posts"
    # Posts per slot per *observed* period (day for hours, week for weekdays), zero-filled: a
    # slot that is quiet on most days must show a low mean, not the mean of its busy days.
    per_period: dict[tuple[str, str], int] = defaultdict(int)
    periods: set[str] = set()
    for stamp in stamps:
        local = stamp.astimezone(tzinfo)
        if by == "hour":
            period, key = local.date().isoformat(), f"{local.hour:02d}:00"
        else:
            iso = local.isocalendar()
            period, key = f"{iso.year}-W{iso.week:02d}", WEEKDAYS[local.weekday()]
        periods.add(period)
        per_period[(key, period)] += 1
    keys = [f"{h:02d}:00" for h in range(24)] if by == "hour" else list(WEEKDAYS)
    ordered = sorted(periods)
    slots = []
    for key in keys:
        counts = np.array([per_period.get((key, p), 0) for p in ordered], dtype=np.float64)
        mean, low, high = mean_interval(counts, seed=seed)
        slots.append(Slot(key, int(counts.sum()), mean if counts.size else 0.0, low, high))
    unit = f"{who} per {'day' if by == 'hour' else 'week'}"
    return slots, unit


def best_times(
    store: Store,
    by: str = "hour",
    *,
    tz: str = "UTC",
    basis: str = "auto",
    seed: int = 0,
) -> BestTimes:
    """The best hour of day (or weekday) to post, with intervals.

    basis: "owned" (engagement rate of our posts), "audience" (when the audience posts) or
    "auto": owned when at least 10 owned posts have engagement to learn from, else audience.
    """
    if by not in ("hour", "weekday"):
        raise HubbubError(
            f"best times are by hour or weekday, not {by!r}", "use --by hour or --by weekday"
        )
    if basis not in ("auto", "owned", "audience"):
        raise HubbubError(f"unknown basis {basis!r}", "use auto, owned or audience")
    tzinfo = zone(tz)
    owned = owned_posts(store).to_pylist()
    learnable = [r for r in owned if r["rate_followers"] is not None and r["engagement"] > 0]
    note = ""
    if basis == "owned" or (basis == "auto" and len(learnable) >= MIN_OWNED_FOR_BEST_TIMES):
        perf = performance(store, by, tz=tz, seed=seed)
        slots, unit, used = (
            perf.slots,
            "mean engagement rate (engagement / followers)",
            "owned engagement rate",
        )
        if basis == "owned" and not slots:
            raise HubbubError(
                "no owned post has engagement and follower counts to learn from",
                "mark accounts with `hubbub owned add`, import their posts with counts, or use --basis audience",
            )
    else:
        slots, unit = _audience_slots(store, by, tzinfo, seed)
        used = "audience activity"
        note = (
            f"only {len(learnable)} owned posts have engagement to learn from (need {MIN_OWNED_FOR_BEST_TIMES}); "
            "showing when the audience is active instead. "
            if basis == "auto"
            else ""
        )
    scored = [s for s in slots if s.n >= MIN_SAMPLE and s.low is not None]
    best = max(scored, key=lambda s: s.value, default=None)
    clear = False
    if best is not None:
        others = [s.value for s in scored if s is not best]
        clear = bool(others) and best.low is not None and best.low > max(others)
        note += (
            f"best: {best.key} ({tz}); its interval is above every other slot's value."
            if clear
            else f"best estimate: {best.key} ({tz}), but its interval overlaps other slots: not a sure answer."
        )
    else:
        note += "not enough posts in any slot to say (need 3 per slot)."
    return BestTimes(by, used, unit, slots, best.key if best else None, clear, note, tz)
