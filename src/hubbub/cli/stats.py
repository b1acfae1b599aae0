"""`hubbub stats ...`: every analytic, with the same filters, as a table, JSON or CSV."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer

from hubbub.analytics.facade import Stats
from hubbub.analytics.spikes import SpikeSettings
from hubbub.api import Hubbub
from hubbub.cli.common import open_hubbub, out_console
from hubbub.cli.output import OutputFormat, dumps, print_table
from hubbub.errors import HubbubError

stats_app = typer.Typer(
    help="Answers: volume, share of voice, sentiment, top lists, spikes. Definitions: see README.",
    no_args_is_help=True,
)

Topic = Annotated[
    list[str] | None,
    typer.Option("--topic", "-t", help="Only posts matching this topic (repeatable)."),
]
Group = Annotated[
    str | None, typer.Option("--group", "-g", help="Only posts matching a topic of this group.")
]
Platform = Annotated[
    list[str] | None, typer.Option("--platform", help="Only this platform (repeatable).")
]
Lang = Annotated[
    list[str] | None, typer.Option("--lang", help="Only this language code (repeatable).")
]
Since = Annotated[datetime | None, typer.Option("--since", help="From this date/time (UTC).")]
Until = Annotated[datetime | None, typer.Option("--until", help="Before this date/time (UTC).")]
Bucket = Annotated[str, typer.Option("--bucket", help="hour, day, week, or none.")]
Tz = Annotated[str, typer.Option("--tz", help="Time zone of the buckets (IANA name).")]
Format = Annotated[OutputFormat, typer.Option("--format", help="table, json or csv.")]
Json = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
Csv = Annotated[bool, typer.Option("--csv", help="Same as --format csv.")]
Sentiment = Annotated[
    list[str] | None,
    typer.Option("--sentiment", help="Only posts with this sentiment (repeatable)."),
]
QueryFilter = Annotated[
    str | None, typer.Option("--query", "-q", help="Only posts matching this query.")
]
IncludeNoise = Annotated[
    bool,
    typer.Option(
        "--include-noise", help="Count spam, bot and campaign posts too (left out by default)."
    ),
]


def _stats(ctx: typer.Context) -> tuple[Hubbub, Stats]:
    hb: Hubbub = open_hubbub(ctx)
    return hb, Stats(hb.store)


def _scope(
    topic: list[str] | None,
    group: str | None,
    platform: list[str] | None,
    lang: list[str] | None,
    since: datetime | None,
    until: datetime | None,
    *,
    include_noise: bool = False,
) -> dict[str, object]:
    return {
        "include_noise": include_noise,
        "topics": topic or (),
        "group": group,
        "platforms": platform or (),
        "langs": lang or (),
        "since": since,
        "until": until,
    }


def _emit(table: pa.Table, fmt: OutputFormat, json_: bool, csv_: bool) -> None:
    print_table(table, OutputFormat.json if json_ else OutputFormat.csv if csv_ else fmt)


@stats_app.command()
def volume(
    ctx: typer.Context,
    topic: Topic = None,
    group: Group = None,
    platform: Platform = None,
    lang: Lang = None,
    since: Since = None,
    until: Until = None,
    bucket: Bucket = "day",
    tz: Tz = "UTC",
    by_topic: Annotated[
        bool, typer.Option("--by-topic", help="One row per topic and bucket.")
    ] = False,
    format: Format = OutputFormat.table,
    json_: Json = False,
    csv_: Csv = False,
    include_noise: IncludeNoise = False,
    sentiment: Sentiment = None,
    query: QueryFilter = None,
) -> None:
    """Posts, engagement (likes+replies+reposts+quotes) and potential reach per bucket."""
    hb, stats = _stats(ctx)
    with hb:
        table = stats.volume(
            bucket=None if bucket == "none" else bucket,
            tz=tz,
            by_topic=by_topic,
            sentiments=sentiment or (),
            query=query,
            **_scope(topic, group, platform, lang, since, until, include_noise=include_noise),
        )
    _emit(table, format, json_, csv_)


@stats_app.command()
def sov(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="The topic group, e.g. competitors.")],
    platform: Platform = None,
    lang: Lang = None,
    since: Since = None,
    until: Until = None,
    bucket: Bucket = "none",
    tz: Tz = "UTC",
    format: Format = OutputFormat.table,
    json_: Json = False,
    csv_: Csv = False,
    include_noise: IncludeNoise = False,
) -> None:
    """Share of voice of each topic in a group: mentions(T) / sum of mentions x 100, and by engagement."""
    hb, stats = _stats(ctx)
    with hb:
        scope = _scope(None, None, platform, lang, since, until, include_noise=include_noise)
        scope.pop("group")  # the group is the subject here, not a filter
        table = stats.share_of_voice(
            group, bucket=None if bucket == "none" else bucket, tz=tz, **scope
        )
    _emit(table, format, json_, csv_)


@stats_app.command()
def sentiment(
    ctx: typer.Context,
    topic: Topic = None,
    group: Group = None,
    platform: Platform = None,
    lang: Lang = None,
    since: Since = None,
    until: Until = None,
    bucket: Bucket = "day",
    tz: Tz = "UTC",
    by_topic: Annotated[
        bool, typer.Option("--by-topic", help="One row per topic and bucket.")
    ] = False,
    format: Format = OutputFormat.table,
    json_: Json = False,
    csv_: Csv = False,
    include_noise: IncludeNoise = False,
) -> None:
    """Sentiment counts and net sentiment = (pos - neg) / (pos + neg) x 100 per bucket."""
    hb, stats = _stats(ctx)
    with hb:
        table = stats.sentiment(
            bucket=None if bucket == "none" else bucket,
            tz=tz,
            by_topic=by_topic,
            **_scope(topic, group, platform, lang, since, until, include_noise=include_noise),
        )
    _emit(table, format, json_, csv_)


@stats_app.command()
def top(
    ctx: typer.Context,
    what: Annotated[
        str, typer.Argument(help="posts, authors, hashtags, mentions, domains or links.")
    ],
    topic: Topic = None,
    group: Group = None,
    platform: Platform = None,
    lang: Lang = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many to show.")] = 10,
    order: Annotated[
        str, typer.Option("--by", help="posts, engagement or potential_reach.")
    ] = "posts",
    format: Format = OutputFormat.table,
    json_: Json = False,
    csv_: Csv = False,
    include_noise: IncludeNoise = False,
) -> None:
    """Top posts, authors (influencers), hashtags, mentions, domains or links."""
    hb, stats = _stats(ctx)
    with hb:
        table = stats.top(
            what,
            limit=limit,
            order=order,
            **_scope(topic, group, platform, lang, since, until, include_noise=include_noise),
        )
    _emit(table, format, json_, csv_)


@stats_app.command()
def spikes(
    ctx: typer.Context,
    topic: Topic = None,
    group: Group = None,
    platform: Platform = None,
    lang: Lang = None,
    since: Since = None,
    until: Until = None,
    bucket: Bucket = "hour",
    tz: Tz = "UTC",
    threshold: Annotated[
        float, typer.Option("--threshold", help="Robust z-score needed.")
    ] = SpikeSettings.threshold,
    min_count: Annotated[
        int, typer.Option("--min-count", help="Posts a bucket needs to be a spike.")
    ] = SpikeSettings.min_count,
    format: Format = OutputFormat.table,
    json_: Json = False,
    csv_: Csv = False,
    include_noise: IncludeNoise = False,
) -> None:
    """Buckets well above their expected volume, each with the authors, posts and domains behind it."""
    hb, stats = _stats(ctx)
    with hb:
        found = stats.spikes(
            bucket=bucket,
            tz=tz,
            threshold=threshold,
            min_count=min_count,
            **_scope(topic, group, platform, lang, since, until, include_noise=include_noise),
        )
    rows = [s.as_dict() for s in found]
    fmt = OutputFormat.json if json_ else OutputFormat.csv if csv_ else format
    if fmt is OutputFormat.table:
        if not rows:
            out_console.print("no spikes")
        for s in found:
            authors = ", ".join(
                f"{a['key']} ({a['posts']})" for a in s.explanation.get("top_authors", [])
            )
            out_console.print(
                f"[bold]{s.peak:%Y-%m-%d %H:%M}[/] {s.count:,} posts (expected {s.expected:.1f}, "
                f"score {s.score:.1f}); top authors: {authors or '-'}",
                highlight=False,
            )
        return
    print_table(
        pa.Table.from_pylist([{k: v for k, v in r.items()} for r in rows])
        if rows
        else pa.table({}),
        fmt,
    )


@stats_app.command()
def forecast(
    ctx: typer.Context,
    topic: Topic = None,
    group: Group = None,
    platform: Platform = None,
    lang: Lang = None,
    since: Since = None,
    until: Until = None,
    bucket: Bucket = "day",
    horizon: Annotated[int, typer.Option("--horizon", help="How many buckets ahead.")] = 14,
    tz: Tz = "UTC",
    format: Format = OutputFormat.table,
    json_: Json = False,
    csv_: Csv = False,
    include_noise: IncludeNoise = False,
) -> None:
    """Forecast volume with 80% and 95% intervals; the backtest MASE is printed next to it."""
    hb, stats = _stats(ctx)
    with hb:
        fc = stats.forecast(
            bucket=bucket,
            horizon=horizon,
            tz=tz,
            **_scope(topic, group, platform, lang, since, until, include_noise=include_noise),
        )
    if json_:
        sys.stdout.write(dumps(fc.as_dict()) + "\n")
        return
    print_table(pa.Table.from_pylist(fc.points), OutputFormat.csv if csv_ else format)
    if not csv_:
        out_console.print(
            f"backtest MASE {fc.backtest_mase:.3f} over {fc.folds} folds; seasonal naive scores "
            f"{fc.seasonal_naive_mase:.3f} on the same folds (lower is better)",
            highlight=False,
        )


@stats_app.command()
def correlate(
    ctx: typer.Context,
    metric: Annotated[
        str, typer.Argument(help="A business metric loaded with `hubbub metrics import`.")
    ],
    topic: Topic = None,
    group: Group = None,
    platform: Platform = None,
    lang: Lang = None,
    signal: Annotated[str, typer.Option("--signal", help="volume or net_sentiment.")] = "volume",
    bucket: Bucket = "day",
    tz: Tz = "UTC",
    max_lag: Annotated[int, typer.Option("--max-lag", help="Lags from -N to +N buckets.")] = 7,
    json_: Json = False,
    include_noise: IncludeNoise = False,
) -> None:
    """Lagged correlation of topic volume (or net sentiment) with a business metric."""
    hb, stats = _stats(ctx)
    with hb:
        result = stats.correlate(
            metric,
            signal=signal,
            bucket=bucket,
            tz=tz,
            max_lag=max_lag,
            **_scope(topic, group, platform, lang, None, None, include_noise=include_noise),
        )
    if json_:
        sys.stdout.write(dumps(result) + "\n")
        return
    print_table(pa.Table.from_pylist(result["lags"]), OutputFormat.table)
    best = result["strongest"]
    if best:
        out_console.print(
            f"strongest: lag {best['lag']:+d} {bucket}(s), r = {best['r']:.3f} over {best['pairs']} buckets",
            highlight=False,
        )
    out_console.print(f"[italic]{result['note']}[/]", highlight=False)


@stats_app.command()
def terms(
    ctx: typer.Context,
    topic: Topic = None,
    group: Group = None,
    platform: Platform = None,
    lang: Lang = None,
    recent: Annotated[
        str, typer.Option("--recent", help="Recent window length: 24h, 7d ...")
    ] = "24h",
    reference: Annotated[
        str, typer.Option("--reference", help="Reference window before it.")
    ] = "7d",
    until: Until = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many to show.")] = 20,
    json_: Json = False,
    include_noise: IncludeNoise = False,
) -> None:
    """Emerging terms: weighted log-odds (informative Dirichlet prior), recent vs reference window."""
    hb, stats = _stats(ctx)
    with hb:
        end = until or _latest(hb)
        recent_start = end - _duration(recent)
        found = stats.emerging_terms(
            recent_start=recent_start,
            recent_end=end,
            reference_start=recent_start - _duration(reference),
            reference_end=recent_start,
            limit=limit,
            **_scope(topic, group, platform, lang, None, None, include_noise=include_noise),
        )
    if json_:
        sys.stdout.write(dumps(found) + "\n")
        return
    rows = [
        {k: v for k, v in f.items() if k != "examples"}
        | {"example": (f["examples"] or [{}])[0].get("text", "")}
        for f in found
    ]
    print_table(pa.Table.from_pylist(rows) if rows else pa.table({"term": []}), OutputFormat.table)


@stats_app.command()
def headlines(
    ctx: typer.Context,
    topic: Topic = None,
    group: Group = None,
    platform: Platform = None,
    lang: Lang = None,
    window: Annotated[str, typer.Option("--window", help="Window length: 24h, 7d ...")] = "24h",
    until: Until = None,
    count: Annotated[int, typer.Option("--count", "-n", help="3 to 5 is readable.")] = 5,
    json_: Json = False,
    include_noise: IncludeNoise = False,
) -> None:
    """A few one-line summaries of the window, each backed by the posts that say it (extractive)."""
    hb, stats = _stats(ctx)
    with hb:
        end = until or _latest(hb)
        found = stats.headlines(
            start=end - _duration(window),
            end=end,
            count=count,
            **_scope(topic, group, platform, lang, None, None, include_noise=include_noise),
        )
    if json_:
        sys.stdout.write(dumps(found) + "\n")
        return
    if not found:
        out_console.print("nothing to summarise in that window")
    for h in found:
        out_console.print(
            f"• [bold]{h['headline']}[/] ({h['posts']} posts, theme {h['term']})", highlight=False
        )
        for s in h["supporting"]:
            out_console.print(f"    {s['url'] or s['id']}", highlight=False)


@stats_app.command()
def themes(
    ctx: typer.Context,
    topic: Topic = None,
    group: Group = None,
    platform: Platform = None,
    lang: Lang = None,
    window: Annotated[str, typer.Option("--window", help="Window length: 24h, 7d ...")] = "7d",
    until: Until = None,
    max_themes: Annotated[int, typer.Option("--max-themes", help="Upper bound on themes.")] = 30,
    no_track: Annotated[
        bool, typer.Option("--no-track", help="Do not save or link themes.")
    ] = False,
    json_: Json = False,
    include_noise: IncludeNoise = False,
    sample: Annotated[
        int,
        typer.Option(
            "--sample", help="Cluster a random sample of this many posts (0: all of them)."
        ),
    ] = 3000,
) -> None:
    """Themes of conversation in the window (clusters with c-TF-IDF labels), tracked over time."""
    hb, stats = _stats(ctx)
    with hb:
        end = until or _latest(hb)
        result = stats.themes(
            start=end - _duration(window),
            end=end,
            max_themes=max_themes,
            track=not no_track,
            sample=sample or None,
            **_scope(topic, group, platform, lang, None, None, include_noise=include_noise),
        )
    if json_:
        sys.stdout.write(dumps(result.as_dict()) + "\n")
        return
    rows = [
        {"theme": t.theme_id, "label": " ".join(t.label), "posts": t.posts, "new": t.is_new}
        for t in result.themes
    ]
    print_table(pa.Table.from_pylist(rows) if rows else pa.table({"theme": []}), OutputFormat.table)
    out_console.print(
        f"{result.posts:,} posts; {result.outliers:,} fit no theme"
        + (f" (estimated from a random sample of {result.sampled:,})" if result.sampled else ""),
        highlight=False,
    )


def _latest(hb: Hubbub) -> datetime:
    row = hb.store.one("SELECT max(created_at) FROM posts")
    if not row or row[0] is None:
        raise HubbubError("the database has no posts yet", "import some first: hubbub import FILE")
    latest: datetime = row[0]
    return latest + timedelta(microseconds=1)


def _duration(text: str) -> timedelta:
    units = {"h": "hours", "d": "days", "w": "weeks"}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit():
        raise HubbubError(f"cannot read the duration {text!r}", "write it like 24h, 7d or 2w")
    return timedelta(**{units[unit]: int(number)})


metrics_app = typer.Typer(
    help="Business time series (sales, sign-ups, tickets) to correlate with.", no_args_is_help=True
)


@metrics_app.command("import")
def metrics_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with a date column and a value column.")],
    name: Annotated[str, typer.Option("--name", help="What to call this metric.")],
    time_col: Annotated[str, typer.Option("--time-col", help="Name of the date column.")] = "date",
    value_col: Annotated[
        str, typer.Option("--value-col", help="Name of the value column.")
    ] = "value",
) -> None:
    """Load (or replace) a business metric from CSV."""
    from hubbub.analytics.correlation import import_metric_csv

    hb, _ = _stats(ctx)
    with hb:
        count = import_metric_csv(hb.store, file, name=name, time_col=time_col, value_col=value_col)
    out_console.print(f"loaded {count:,} values of {name}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(stats_app, name="stats")
    app.add_typer(metrics_app, name="metrics")
