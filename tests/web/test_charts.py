"""The server-made SVG charts: readable ticks, labelled axes, escaped text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hubbub.web.charts import Series, TimeChart, bar_chart, nice_ticks, stacked_chart, time_chart


def test_ticks_are_round_and_cover_the_top() -> None:
    assert nice_ticks(47) == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(0.8)[-1] >= 0.8 and len(nice_ticks(0.8)) <= 7
    assert nice_ticks(12_345)[-1] >= 12_345 and len(nice_ticks(12_345)) <= 7
    assert nice_ticks(0) == [0.0, 1.0]


def test_time_chart_has_axes_units_markers_and_escapes_labels() -> None:
    start = datetime(2015, 2, 17, tzinfo=UTC)
    points = [(start + timedelta(hours=h), float(h % 7)) for h in range(48)]
    svg = time_chart(
        TimeChart(
            "Posts per hour: <b>x</b>",
            "posts per hour",
            [Series("posts", points)],
            band=[(start + timedelta(hours=48 + h), 1.0, 9.0) for h in range(5)],
            band_label="forecast, 80% interval",
            markers=[(points[6][0], 6.0, "spike & co")],
            marker_label="spike",
        )
    )
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "spike &amp; co" in svg
    assert "posts per hour" in svg and 'data-points="48"' in svg
    assert svg.count('class="spike"') == 1 and 'class="band"' in svg
    assert "17 Feb 00:00" in svg  # hours are labelled for a two-day span
    assert "No data" in time_chart(TimeChart("empty", "posts"))


def test_bar_and_stacked_charts_write_values() -> None:
    bars = bar_chart(
        "Share", [("united", 63.42), ("jetblue", 36.58)], "% of mentions", percent=True
    )
    assert "63.4%" in bars and "36.6%" in bars and "% of mentions" in bars
    days = [datetime(2015, 2, d, tzinfo=UTC) for d in range(17, 25)]
    stacked = stacked_chart("Sentiment", days, {"negative": [3] * 8, "positive": [1] * 8}, "posts")
    assert stacked.count('class="bar"') == 16 and "negative" in stacked and "posts" in stacked
