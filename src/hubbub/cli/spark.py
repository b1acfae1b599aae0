"""`hubbub spark run`: the import pipeline on Apache Spark, writing to a Parquet lake."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hubbub.cli.common import State
from hubbub.cli.output import print_report
from hubbub.errors import HubbubError
from hubbub.importer import parse_mapping

spark_app = typer.Typer(
    help="Run hubbub's pipeline on Apache Spark (PySpark and Java 17 needed).",
    no_args_is_help=True,
)


@spark_app.command("run")
def run(
    ctx: typer.Context,
    lake: Annotated[
        str, typer.Option("--lake", help="Lake to write: a folder or a URI Spark can write.")
    ],
    topics: Annotated[
        Path,
        typer.Option(
            "--topics", help="YAML or JSON list of {name, query, group} (or `topics list --json`)."
        ),
    ],
    input_: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            help="File or folder to read (repeatable): landing segments, NDJSON, JSON, CSV or"
            " Parquet, plain, .gz or .zst. Default: the landing zone of --db.",
        ),
    ] = None,
    master: Annotated[
        str | None,
        typer.Option(
            "--master", help="Spark master, passed through: local[2], spark://host:7077, yarn..."
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="Input format, as for `hubbub import`.")
    ] = "auto",
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, as for `hubbub import` (repeatable)."),
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Platform of records that do not say.")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Normalize, dedupe, enrich (fast tier) and match the input, and write posts and matches
    to the lake, partitioned by platform and day.

    The same Python functions as `hubbub import` run in Spark's workers (mapInArrow). A run
    replaces the lake partitions its input touches, so running it again adds no copies.
    """
    import hubbub.spark
    from hubbub.lake.topics_file import load_topics_file
    from hubbub.landing import landing_dir_for

    specs = load_topics_file(topics)  # checked before Spark starts: a bad query fails fast
    mapping = parse_mapping(map_ or [])
    inputs = list(input_ or [])
    if not inputs:
        state = ctx.obj if isinstance(ctx.obj, State) else State()
        landing = landing_dir_for(state.db)
        if not landing.is_dir():
            raise HubbubError(
                f"no --input given and {state.db} has no landing zone at {landing}",
                "pass --input PATH (repeatable)",
            )
        inputs = [str(landing)]
    report = hubbub.spark.run(
        lake,
        topics=specs,
        inputs=inputs,
        master=master,
        format=format,
        mapping=mapping,
        platform=platform,
    )
    rate = report.posts / report.seconds if report.seconds else 0.0
    rejected = (
        f"\n[yellow]{report.rejected:,} input records rejected[/]: each is in {report.quarantine}"
        " with its file, line and reason (read it with `hubbub sql` or DuckDB:"
        f" SELECT reason, hint FROM '{report.quarantine}/*.parquet')"
        if report.rejected
        else ""
    )
    print_report(
        json_,
        report.as_dict(),
        f"wrote [bold]{report.posts:,}[/] posts and {report.matches:,} matches"
        f" ({report.topics:,} topics) to {report.lake} in {report.seconds:.1f}s"
        f" ({rate:,.0f} posts/s on {report.master}){rejected}",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(spark_app, name="spark")
