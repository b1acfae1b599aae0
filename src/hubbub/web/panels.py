"""Dashboard panels: each asks the Python API (`hb.stats`) for its numbers and draws them.

A panel is (kind, topic or group); a saved dashboard is a list of them. Pages render panels
inline; /w/NAME/panels/KIND serves one alone (what the latency benchmark measures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from markupsafe import Markup, escape

from hubbub.api import Hubbub
from hubbub.errors import HubbubError
from hubbub.topics import list_topics
from hubbub.web.charts import COLORS, Series, TimeChart, bar_chart, stacked_chart, time_chart

PANEL_KINDS: Final = {
    "volume": "Volume with spikes and forecast",
    "sentiment": "Sentiment",
    "sov": "Share of voice (topic group)",
    "top_posts": "Top posts",
    "top_authors": "Top authors",
    "top_hashtags": "Top hashtags",
    "headlines": "Headlines",
    "topics": "Top topics",
}
MIN_DAYS_FOR_DAILY: Final = 21  # the forecast backtest needs 21 buckets; fewer days -> hourly


@dataclass(frozen=True)
class PanelSpec:
    kind: str
    topic: str | None = None
    group: str | None = None

    def check(self) -> PanelSpec:
        if self.kind not in PANEL_KINDS:
            raise HubbubError(
                f"unknown panel {self.kind!r}", f"use one of: {', '.join(PANEL_KINDS)}"
            )
        if self.kind == "sov" and not self.group:
            raise HubbubError("a share-of-voice panel needs a topic group", "choose a group")
        return self

    def scope(self) -> dict[str, Any]:
        return {"topics": [self.topic] if self.topic else [], "group": self.group}

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "topic": self.topic, "group": self.group}


@dataclass
class Panel:
    spec: PanelSpec
    title: str
    body: Markup
    note: str = ""
    failed: bool = False  # the API refused (e.g. unknown group): the note says why


def _subject(spec: PanelSpec) -> str:
    return spec.topic or (f"group {spec.group}" if spec.group else "all posts")


def choose_bucket(hb: Hubbub, scope: dict[str, Any]) -> str:
    """Days when there are enough of them for a forecast, else hours."""
    days = hb.stats.volume(bucket="day", **scope).num_rows
    return "day" if days >= MIN_DAYS_FOR_DAILY else "hour"


def _last_moment(hb: Hubbub, scope: dict[str, Any]) -> datetime | None:
    rows = hb.stats.volume(bucket="day", **scope)
    if rows.num_rows == 0:
        return None
    last: datetime = rows.column("bucket")[-1].as_py()
    return last + timedelta(days=1)


def volume_panel(hb: Hubbub, spec: PanelSpec) -> Panel:
    scope = spec.scope()
    bucket = choose_bucket(hb, scope)
    rows = hb.stats.volume(bucket=bucket, **scope).to_pylist()
    points = [(r["bucket"], float(r["posts"])) for r in rows]
    chart = TimeChart(
        f"Posts per {bucket}: {_subject(spec)}",
        f"posts per {bucket}",
        [Series("posts", points)],
        marker_label="spike",
        band_label="forecast, 80% interval",
    )
    notes = []
    for spike in hb.stats.spikes(bucket=bucket, **scope):
        authors = ", ".join(a["key"] for a in spike.explanation.get("top_authors", [])[:3])
        chart.markers.append(
            (
                spike.peak,
                float(spike.count),
                f"spike: {spike.count} posts, expected {spike.expected:.0f}; {authors}",
            )
        )
    try:
        forecast = hb.stats.forecast(bucket=bucket, horizon=14 if bucket == "day" else 48, **scope)
        chart.band = [(p["bucket"], p["lo80"], p["hi80"]) for p in forecast.points]
        chart.series.append(
            Series(
                "forecast", [(p["bucket"], p["forecast"]) for p in forecast.points], COLORS[1], True
            )
        )
        notes.append(f"forecast backtest MASE {forecast.backtest_mase:.2f}")
    except HubbubError as exc:
        notes.append(f"no forecast: {exc.message}")
    notes.insert(0, f"{len(chart.markers)} spike(s) marked")
    return Panel(spec, PANEL_KINDS["volume"], time_chart(chart), "; ".join(notes))


def sentiment_panel(hb: Hubbub, spec: PanelSpec) -> Panel:
    scope = spec.scope()
    bucket = "day"  # columns per hour are too thin to read; sentiment moves slower anyway
    rows = hb.stats.sentiment(bucket=bucket, **scope).to_pylist()
    total = hb.stats.sentiment(bucket=None, **scope).to_pylist()
    stacks = {k: [float(r[k]) for r in rows] for k in ("negative", "neutral", "positive")}
    chart = stacked_chart(
        f"Sentiment per {bucket}: {_subject(spec)}", [r["bucket"] for r in rows], stacks, "posts"
    )
    net = total[0]["net_sentiment"] if total else None
    note = (
        f"net sentiment {net:+.1f} (= (positive - negative) / (positive + negative) x 100)"
        if net is not None
        else ""
    )
    return Panel(spec, PANEL_KINDS["sentiment"], chart, note)


def sov_panel(hb: Hubbub, spec: PanelSpec) -> Panel:
    assert spec.group
    rows = hb.stats.share_of_voice(spec.group).to_pylist()
    chart = bar_chart(
        f"Share of voice in group {spec.group}",
        [(r["topic"], float(r["share_of_voice"] or 0)) for r in rows],
        "% of the group's mentions",
        percent=True,
    )
    mentions = ", ".join(f"{r['topic']} {r['mentions']:,}" for r in rows)
    return Panel(spec, PANEL_KINDS["sov"], chart, f"mentions: {mentions}")


def top_panel(hb: Hubbub, spec: PanelSpec) -> Panel:
    what = spec.kind.removeprefix("top_")
    rows = hb.stats.top(what, limit=10, **spec.scope()).to_pylist()
    if what == "posts":
        items = "".join(
            f"<li><span class='meta'>{escape(r['author_handle'] or '')} · "
            f"{r['created_at']:%d %b %Y} · {r['engagement']:,} engagement · {escape(r['sentiment'] or '')}"
            f"</span><br>{escape(r['text'] or '')}</li>"
            for r in rows
        )
        return Panel(spec, PANEL_KINDS[spec.kind], Markup(f"<ol class='posts'>{items}</ol>"))
    key = "author" if what == "authors" else "hashtag"
    chart = bar_chart(
        f"Top {what}: {_subject(spec)}",
        [(("#" if key == "hashtag" else "") + str(r[key]), float(r["posts"])) for r in rows],
        "posts",
    )
    return Panel(spec, PANEL_KINDS[spec.kind], chart)


def headlines_panel(hb: Hubbub, spec: PanelSpec) -> Panel:
    scope = spec.scope()
    end = _last_moment(hb, scope)
    if end is None:
        return Panel(spec, PANEL_KINDS["headlines"], Markup("<p class='empty'>No posts.</p>"))
    found = hb.stats.headlines(start=end - timedelta(days=7), end=end, count=3, **scope)
    items = "".join(
        f"<li><strong>{escape(h['headline'])}</strong> <span class='meta'>({h['posts']} posts)</span>"
        + "".join(f"<blockquote>{escape(p['text'])}</blockquote>" for p in h["supporting"][:2])
        + "</li>"
        for h in found
    )
    return Panel(
        spec,
        PANEL_KINDS["headlines"],
        Markup(f"<ul class='headlines'>{items or '<li>Nothing stands out.</li>'}</ul>"),
        f"last 7 days of data, up to {end:%d %b %Y}",
    )


def topics_panel(hb: Hubbub, spec: PanelSpec) -> Panel:
    topics = sorted(list_topics(hb.store), key=lambda t: -t.matches)[:10]
    chart = bar_chart(
        "Top topics by matched posts", [(t.name, float(t.matches)) for t in topics], "matched posts"
    )
    return Panel(spec, PANEL_KINDS["topics"], chart)


_RENDERERS = {
    "volume": volume_panel,
    "sentiment": sentiment_panel,
    "sov": sov_panel,
    "top_posts": top_panel,
    "top_authors": top_panel,
    "top_hashtags": top_panel,
    "headlines": headlines_panel,
    "topics": topics_panel,
}


def render_panel(hb: Hubbub, spec: PanelSpec) -> Panel:
    try:
        return _RENDERERS[spec.check().kind](hb, spec)
    except HubbubError as exc:
        title = PANEL_KINDS.get(spec.kind, spec.kind)
        return Panel(spec, title, Markup(""), f"{exc.message} ({exc.hint})", failed=True)
