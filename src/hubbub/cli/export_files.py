"""`hubbub export posts|matches OUT`: CSV or Parquet files, streamed (any table size)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from hubbub.api import Hubbub
from hubbub.cli.common import open_hubbub, out_console
from hubbub.cli.export import export_app
from hubbub.cli.output import dumps


class FileFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


Out = Annotated[Path, typer.Argument(help="File to write (.csv or .parquet).")]
Format = Annotated[
    FileFormat | None,
    typer.Option("--format", "-f", help="csv or parquet (default: from the file name)."),
]
Topic = Annotated[
    list[str] | None, typer.Option("--topic", "-t", help="Only this topic's posts (repeatable).")
]
Since = Annotated[datetime | None, typer.Option("--since", help="Posts from this UTC date/time.")]
Until = Annotated[datetime | None, typer.Option("--until", help="Posts before this UTC date/time.")]
Json = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _open(ctx: typer.Context) -> Hubbub:
    return open_hubbub(ctx)  # type: ignore[no-any-return]


def _report(path: str, rows: int, fmt: str, seconds: float, json_: bool) -> None:
    if json_:
        sys.stdout.write(dumps({"path": path, "format": fmt, "rows": rows, "seconds": seconds}) + "\n")
    else:
        out_console.print(f"wrote {rows:,} rows to {path} ({fmt}, {seconds:.2f}s)", highlight=False)


@export_app.command("posts")
def posts(
    ctx: typer.Context,
    out: Out,
    format: Format = None,
    topic: Topic = None,
    since: Since = None,
    until: Until = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Only posts matching this query.")
    ] = None,
    without_noise: Annotated[
        bool, typer.Option("--without-noise", help="Leave out spam, bot and campaign posts.")
    ] = False,
    json_: Json = False,
) -> None:
    """Export posts (every stored column; lists as JSON arrays in CSV), oldest first."""
    with _open(ctx) as hb:
        report = hb.export_posts(
            out, format=format.value if format else None, topics=topic or [],
            since=_utc(since), until=_utc(until), query=query, include_noise=not without_noise,
        )
    _report(report.path, report.rows, report.format, report.seconds, json_)


@export_app.command("matches")
def matches(
    ctx: typer.Context,
    out: Out,
    format: Format = None,
    topic: Topic = None,
    since: Since = None,
    until: Until = None,
    json_: Json = False,
) -> None:
    """Export topic matches: post id, topic, group, matched_at, created_at, platform, url."""
    with _open(ctx) as hb:
        report = hb.export_matches(
            out, format=format.value if format else None, topics=topic or [],
            since=_utc(since), until=_utc(until),
        )
    _report(report.path, report.rows, report.format, report.seconds, json_)
