"""What each kind of rule looks for. Every check reads the analytics (surfaces compute no metric)
and returns Findings: a stable key, a readable message and the evidence behind it.

Windows end at the rule's clock, `at`: by default just after the newest stored post, so a backfill
of old data is judged on its own latest hours, the same as `hubbub stats ... --until`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hubbub.alerts.durations import parse_duration
from hubbub.alerts.rules import AlertRule
from hubbub.analytics import metrics
from hubbub.analytics.facade import make_scope
from hubbub.analytics.spikes import SpikeSettings, find_spikes
from hubbub.analytics.terms import emerging_terms
from hubbub.store import Store


@dataclass
class Finding:
    """A condition that holds now. `episodic` conditions (a level crossed) fire when they start
    to hold and re-arm once they stop; the others (a spike, a term) fire once per key, ever."""

    key: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    episodic: bool = False


def _fmt(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC")


def _window_bounds(at: datetime, window: timedelta) -> dict[str, Any]:
    return {"previous": [at - 2 * window, at - window], "recent": [at - window, at]}


def _posts(store: Store, rule: AlertRule, lo: datetime, hi: datetime, **extra: Any) -> list[dict[str, Any]]:
    """The most engaging posts of the scope in [lo, hi): the links a reader opens first."""
    scope = make_scope(**rule.scope_args(), since=lo, until=hi)
    rows: list[dict[str, Any]] = metrics.top_posts(store, scope, limit=5, **extra).to_pylist()
    return [
        {"id": r["id"], "url": r["url"], "author": r["author_handle"], "text": r["text"],
         "engagement": r["engagement"], "sentiment": r["sentiment"]}
        for r in rows
    ]


def volume_spike(store: Store, rule: AlertRule, at: datetime) -> list[Finding]:
    p = rule.params
    settings = SpikeSettings(threshold=float(p["threshold"]), min_count=int(p["min_count"]))
    scope = make_scope(**rule.scope_args(), until=at)
    recent = at - parse_duration(p["lookback"])
    found = []
    for spike in find_spikes(store, scope, bucket=p["bucket"], settings=settings):
        if spike.end <= recent.astimezone(UTC).replace(tzinfo=None):  # buckets: naive UTC
            continue
        # The start of a run never moves when later buckets arrive (baselines only look back),
        # so it identifies the spike across imports: the same spike is never sent twice.
        evidence = {k: v for k, v in spike.as_dict().items()}
        found.append(
            Finding(
                key=f"spike:{spike.start.isoformat()}",
                message=(
                    f"Volume spike for {rule.scope_text()}: {spike.count:,} posts in the {p['bucket']}"
                    f" of {_fmt(spike.peak)}, {spike.expected:,.0f} expected (score {spike.score:.1f})"
                ),
                evidence=evidence,
            )
        )
    return found


def _net(row: dict[str, Any] | None) -> tuple[float | None, int]:
    if not row:
        return None, 0
    labelled = int(row["positive"]) + int(row["negative"])
    return row["net_sentiment"], labelled


def sentiment_drop(store: Store, rule: AlertRule, at: datetime) -> list[Finding]:
    p = rule.params
    window = parse_duration(p["window"])
    bounds = _window_bounds(at, window)
    nets = {}
    for name, (lo, hi) in bounds.items():
        rows = metrics.sentiment(store, make_scope(**rule.scope_args(), since=lo, until=hi), bucket=None)
        table = rows.to_pylist()
        nets[name] = (_net(table[0] if table else None), table[0] if table else {})
    (before, n_before), _ = nets["previous"]
    (now, n_now), _ = nets["recent"]
    if before is None or now is None or min(n_before, n_now) < int(p["min_posts"]):
        return []
    change = round(now - before, 2)
    if -change < float(p["points"]):
        return []
    lo, hi = bounds["recent"]
    return [
        Finding(
            key="drop",
            episodic=True,
            message=(
                f"Net sentiment for {rule.scope_text()} fell {-change:.1f} points: {now:+.1f} in the"
                f" {p['window']} to {_fmt(hi)}, from {before:+.1f} the {p['window']} before"
            ),
            evidence={
                "net_sentiment_before": before,
                "net_sentiment_now": now,
                "change_points": change,
                "threshold_points": float(p["points"]),
                "windows": bounds,
                "counts_before": nets["previous"][1],
                "counts_now": nets["recent"][1],
                "top_negative_posts": _posts(store, rule, lo, hi, sentiment="negative"),
            },
        )
    ]


def emerging_term(store: Store, rule: AlertRule, at: datetime) -> list[Finding]:
    p = rule.params
    window, reference = parse_duration(p["window"]), parse_duration(p["reference"])
    terms = emerging_terms(
        store,
        make_scope(**rule.scope_args()),
        recent_start=at - window,
        recent_end=at,
        reference_start=at - window - reference,
        reference_end=at - window,
        limit=int(p["terms"]),
        examples=3,
    )
    return [
        Finding(
            key=f"term:{t['term']}",
            message=(
                f"New term for {rule.scope_text()}: '{t['term']}' in {t['recent']:,} posts of the"
                f" {p['window']} to {_fmt(at)}, {t['reference']:,} in the {p['reference']} before"
                f" (z {t['z']:.1f})"
            ),
            evidence={**t, "window": [at - window, at], "reference_window": [at - window - reference, at - window]},
        )
        for t in terms
        if t["z"] >= float(p["min_z"]) and t["recent"] >= int(p["min_posts"])
    ]


def sov_change(store: Store, rule: AlertRule, at: datetime) -> list[Finding]:
    p = rule.params
    assert rule.group is not None  # checked when the rule was saved
    window = parse_duration(p["window"])
    bounds = _window_bounds(at, window)
    shares: dict[str, dict[str, dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    for name, (lo, hi) in bounds.items():
        scope = make_scope(query=rule.query, since=lo, until=hi)
        rows = metrics.share_of_voice(store, rule.group, scope).to_pylist()
        shares[name] = {r["topic"]: r for r in rows}
        totals[name] = sum(int(r["mentions"]) for r in rows)
    if min(totals.values()) < int(p["min_posts"]):
        return []
    found = []
    lo, hi = bounds["recent"]
    for topic in sorted(shares["previous"].keys() | shares["recent"].keys()):
        if rule.topic and topic != rule.topic:
            continue
        before = float(shares["previous"].get(topic, {}).get("share_of_voice") or 0.0)
        now = float(shares["recent"].get(topic, {}).get("share_of_voice") or 0.0)
        change = round(now - before, 2)
        if abs(change) < float(p["points"]):
            continue
        direction = "up" if change > 0 else "down"
        found.append(
            Finding(
                key=f"sov:{topic}:{direction}",
                episodic=True,
                message=(
                    f"Share of voice of '{topic}' in group '{rule.group}' went {direction}"
                    f" {abs(change):.1f} points: {now:.1f}% in the {p['window']} to {_fmt(hi)},"
                    f" from {before:.1f}%"
                ),
                evidence={
                    "topic": topic,
                    "group": rule.group,
                    "share_before": before,
                    "share_now": now,
                    "change_points": change,
                    "mentions_before": int(shares["previous"].get(topic, {}).get("mentions") or 0),
                    "mentions_now": int(shares["recent"].get(topic, {}).get("mentions") or 0),
                    "group_mentions_before": totals["previous"],
                    "group_mentions_now": totals["recent"],
                    "windows": bounds,
                    "top_posts": _posts(
                        store, AlertRule(rule.name, rule.kind, topic=topic, query=rule.query), lo, hi
                    ),
                },
            )
        )
    return found


CHECKS = {
    "volume_spike": volume_spike,
    "sentiment_drop": sentiment_drop,
    "emerging_term": emerging_term,
    "sov_change": sov_change,
}


def evaluate(store: Store, rule: AlertRule, at: datetime) -> list[Finding]:
    return CHECKS[rule.kind](store, rule, at)
