"""Server-made SVG charts that read at a glance: axes with ticks and units, labels, a legend.

They draw numbers computed by the Python API; they compute none themselves (only positions).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 46
COLORS = ("#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#dc2626")
SENTIMENT_COLORS = {"positive": "#16a34a", "neutral": "#9ca3af", "negative": "#dc2626"}


@dataclass
class Series:
    name: str
    points: list[tuple[datetime, float]]
    color: str = COLORS[0]
    dashed: bool = False


@dataclass
class TimeChart:
    """A time series chart: lines, an optional interval band and marked points (spikes)."""

    title: str
    y_label: str
    series: list[Series] = field(default_factory=list)
    band: list[tuple[datetime, float, float]] = field(default_factory=list)
    band_label: str = ""
    markers: list[tuple[datetime, float, str]] = field(default_factory=list)
    marker_label: str = ""


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top` (1, 2, 2.5, 5 x 10^k steps)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def fmt_number(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _time_label(moment: datetime, span_seconds: float) -> str:
    if span_seconds < 3 * 86400:
        return moment.strftime("%d %b %H:%M")
    return moment.strftime("%d %b" if span_seconds < 200 * 86400 else "%b %Y")


def _svg(title: str, body: list[str], height: int = HEIGHT) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<text x="{LEFT}" y="16" class="chart-title">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def time_chart(chart: TimeChart) -> Markup:
    xs = [p[0] for s in chart.series for p in s.points] + [b[0] for b in chart.band]
    if not xs:
        return _svg(chart.title, [f'<text x="{LEFT}" y="80" class="empty">No data</text>'])
    ys = [p[1] for s in chart.series for p in s.points] + [b[2] for b in chart.band]
    t0, t1 = min(xs).timestamp(), max(xs).timestamp()
    span = max(t1 - t0, 1.0)
    ticks = nice_ticks(max(ys) if ys else 1.0)
    y_top = ticks[-1] or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(moment: datetime) -> float:
        return LEFT + (moment.timestamp() - t0) / span * plot_w

    def py(value: float) -> float:
        return TOP + plot_h - value / y_top * plot_h

    body: list[str] = []
    for tick in ticks:  # horizontal grid and y labels
        y = py(tick)
        body.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        body.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{fmt_number(tick)}</text>'
        )
    for i in range(6):  # x ticks
        moment = datetime.fromtimestamp(t0 + span * i / 5, tz=min(xs).tzinfo)
        x = px(moment)
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 4}" class="axis"/>'
        )
        body.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" class="tick">'
            f"{escape(_time_label(moment, span))}</text>"
        )
    body.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" class="axis"/>'
    )
    body.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" class="axis"/>')
    body.append(
        f'<text transform="translate(14 {TOP + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
        f'class="unit">{escape(chart.y_label)}</text>'
    )
    if chart.band:
        upper = " ".join(f"{px(t):.1f},{py(hi):.1f}" for t, _, hi in chart.band)
        lower = " ".join(f"{px(t):.1f},{py(lo):.1f}" for t, lo, _ in reversed(chart.band))
        body.append(
            f'<polygon points="{upper} {lower}" class="band"><title>{escape(chart.band_label)}</title></polygon>'
        )
    for s in chart.series:
        path = " ".join(f"{px(t):.1f},{py(v):.1f}" for t, v in s.points)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="2"{dash} '
            f'class="series" data-points="{len(s.points)}"><title>{escape(s.name)}</title></polyline>'
        )
    for moment, value, label in chart.markers:
        body.append(
            f'<circle cx="{px(moment):.1f}" cy="{py(value):.1f}" r="5" class="spike">'
            f"<title>{escape(label)}</title></circle>"
        )
    legend = [(s.name, s.color, "line") for s in chart.series]
    if chart.band:
        legend.append((chart.band_label, "#93c5fd", "band"))
    if chart.markers:
        legend.append((chart.marker_label, "#dc2626", "dot"))
    body.extend(_legend(legend, HEIGHT - 10))
    return _svg(chart.title, body)


def _legend(items: Sequence[tuple[str, str, str]], y: int) -> list[str]:
    out, x = [], LEFT
    for name, color, kind in items:
        if kind == "dot":
            out.append(f'<circle cx="{x + 6}" cy="{y - 4}" r="4" fill="{color}"/>')
        else:
            out.append(f'<rect x="{x}" y="{y - 8}" width="12" height="8" fill="{color}"/>')
        out.append(f'<text x="{x + 16}" y="{y}" class="legend">{escape(name)}</text>')
        x += 28 + 7 * len(name)
    return out


def bar_chart(
    title: str, rows: Sequence[tuple[str, float]], unit: str, *, percent: bool = False
) -> Markup:
    """Horizontal bars, one per label, each with its value written at its end."""
    if not rows:
        return _svg(title, [f'<text x="{LEFT}" y="60" class="empty">No data</text>'], 90)
    label_w, bar_h, gap = 170, 20, 8
    height = TOP + len(rows) * (bar_h + gap) + 30
    top = 100.0 if percent else max(v for _, v in rows) or 1.0
    plot_w = WIDTH - label_w - 90
    body: list[str] = []
    for i, (label, value) in enumerate(rows):
        y = TOP + i * (bar_h + gap)
        w = max(value / top * plot_w, 1.0)
        color = COLORS[i % len(COLORS)]
        text = f"{value:.1f}%" if percent else fmt_number(value)
        short = label if len(label) <= 24 else label[:23] + "…"
        body.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" class="tick">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}" class="bar">'
            f"<title>{escape(label)}: {escape(text)}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y + 14}" class="value">{escape(text)}</text>'
        )
    body.append(f'<text x="{label_w}" y="{height - 8}" class="unit">{escape(unit)}</text>')
    return _svg(title, body, height)


def stacked_chart(
    title: str, buckets: Sequence[datetime], stacks: Mapping[str, Sequence[float]], unit: str
) -> Markup:
    """Stacked columns per bucket (e.g. positive / neutral / negative posts per day)."""
    if not buckets:
        return _svg(title, [f'<text x="{LEFT}" y="80" class="empty">No data</text>'])
    totals = [sum(values[i] for values in stacks.values()) for i in range(len(buckets))]
    ticks = nice_ticks(max(totals))
    y_top = ticks[-1] or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(buckets)
    body: list[str] = []
    for tick in ticks:
        y = TOP + plot_h - tick / y_top * plot_h
        body.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        body.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{fmt_number(tick)}</text>'
        )
    span = (buckets[-1] - buckets[0]).total_seconds() if len(buckets) > 1 else 86400.0
    every = max(1, len(buckets) // 6)
    for i, bucket in enumerate(buckets):
        x, base = LEFT + i * step, 0.0
        for name, values in stacks.items():
            h = values[i] / y_top * plot_h
            y = TOP + plot_h - (base + values[i]) / y_top * plot_h
            color = SENTIMENT_COLORS.get(name, COLORS[list(stacks).index(name) % len(COLORS)])
            body.append(
                f'<rect x="{x + step * 0.1:.1f}" y="{y:.1f}" width="{step * 0.8:.1f}" '
                f'height="{h:.1f}" fill="{color}" class="bar"><title>{escape(_time_label(bucket, span))} '
                f"{escape(name)}: {fmt_number(values[i])}</title></rect>"
            )
            base += values[i]
        if i % every == 0:
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" class="tick">'
                f"{escape(_time_label(bucket, span))}</text>"
            )
    body.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" class="axis"/>'
    )
    body.append(
        f'<text transform="translate(14 {TOP + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
        f'class="unit">{escape(unit)}</text>'
    )
    body.extend(
        _legend([(n, SENTIMENT_COLORS.get(n, COLORS[0]), "box") for n in stacks], HEIGHT - 10)
    )
    return _svg(title, body)
