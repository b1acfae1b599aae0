"""`hubbub export lake DIR` and `hubbub import lake DIR`: the store to and from a Parquet lake."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hubbub.api import Hubbub
from hubbub.cli.common import open_hubbub
from hubbub.cli.export import export_app
from hubbub.cli.output import print_report


@export_app.command("lake")
def export_lake(
    ctx: typer.Context,
    lake: Annotated[Path, typer.Argument(help="Lake folder (created if new).")],
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Write every post and match to a Parquet lake, partitioned by platform and UTC day.

    Each partition written replaces that partition's files, so exporting again adds no copies.
    `hubbub import lake DIR` reads it back; DuckDB and Spark read it as Hive-partitioned Parquet.
    """
    hb: Hubbub = open_hubbub(ctx)
    with hb:
        report = hb.export_lake(lake)
    print_report(
        json_,
        report.as_dict(),
        f"wrote {report.posts:,} posts and {report.matches:,} matches to {report.lake}"
        f" ({report.files:,} files, {report.seconds:.2f}s)",
    )


def import_lake_command(ctx: typer.Context, lake: Path, json_: bool) -> None:
    """`hubbub import lake DIR` (dispatched from `hubbub import`, whose arguments are files)."""
    hb: Hubbub = open_hubbub(ctx)
    with hb:
        report = hb.import_lake(lake)
    print_report(
        json_,
        report.as_dict(),
        f"read [bold]{report.read:,}[/] posts from {report.lake} in {report.seconds:.2f}s: "
        f"[green]{report.new:,} new[/], {report.updated:,} updated, {report.duplicate:,} duplicate;"
        f" {report.matches_new:,} new matches of {report.matches_read:,}",
    )
