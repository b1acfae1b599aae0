"""`hubbub generate`: a benchmark lake resampled from real posts (see hubbub.lake.generate)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from hubbub.cli.output import print_report
from hubbub.errors import HubbubError


def generate_command(
    sources: Annotated[
        list[Path],
        typer.Option(
            "--from",
            help="Real posts to resample: NDJSON/CSV/Parquet files or a hubbub store (repeatable).",
        ),
    ],
    posts: Annotated[int, typer.Option("--posts", help="How many posts to write.")],
    lake: Annotated[Path, typer.Option("--lake", help="The lake directory to create.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 0,
    topics: Annotated[
        Path | None,
        typer.Option("--topics", help="YAML/JSON topics file: list of {name, query, group}."),
    ] = None,
    days: Annotated[int, typer.Option("--days", help="Days the posts spread over.")] = 365,
    start: Annotated[
        str, typer.Option("--start", help="First day (UTC), YYYY-MM-DD.")
    ] = "2025-01-01",
    workers: Annotated[
        int, typer.Option("--workers", help="Processes writing chunks (output is the same).")
    ] = 2,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Write a lake of N posts resampled from real ones: deterministic by seed, with matches and rollups."""
    from hubbub.lake.generate import generate
    from hubbub.lake.source_posts import load_source_posts
    from hubbub.lake.topics_file import load_topics_file

    try:
        first_day = date.fromisoformat(start)
    except ValueError:
        raise HubbubError(f"--start {start!r} is not a date", "write it as YYYY-MM-DD") from None
    specs = load_topics_file(topics) if topics is not None else []
    table = load_source_posts(sources)
    report = generate(
        table, lake, posts=posts, seed=seed, days=days, start=first_day, topics=specs,
        workers=workers,
    )  # fmt: skip
    rate = report.posts / report.seconds if report.seconds else 0.0
    print_report(
        json_,
        asdict(report),
        f"{report.lake}: {report.posts:,} posts ({report.source_posts:,} real posts resampled), "
        f"{report.matches:,} matches, {report.days} days, {report.files:,} files "
        f"in {report.seconds:.1f}s ({rate:,.0f} posts/s)",
    )


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)
