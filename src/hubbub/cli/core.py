"""Core commands: init, import, posts, sql, status, quarantine."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from hubbub.api import Hubbub
from hubbub.cli.common import app, err_console, fail, open_hubbub, out_console
from hubbub.cli.output import OutputFormat, dumps, print_table
from hubbub.importer import CONTAINER_FORMATS, ImportReport, parse_mapping
from hubbub.pipeline import DEFAULT_MAX_RECORD_BYTES


def _open(ctx: typer.Context) -> Hubbub:
    return open_hubbub(ctx)  # type: ignore[no-any-return]


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database (or bring an old one up to the current schema)."""
    with _open(ctx) as hb:
        out_console.print(
            f"hubbub database ready: [bold]{hb.store.path}[/] (schema version {hb.store.schema_version()})"
        )


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Files: NDJSON/JSONL, JSON, CSV/TSV, Parquet; plain, .gz or .zst."
            " Or `lake DIR`: a Parquet lake."
        ),
    ],
    format: Annotated[
        str,
        typer.Option("--format", "-f", help=f"{', '.join(CONTAINER_FORMATS)}, or a platform name."),
    ] = "auto",
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=COLUMN: take a Post field from another column (dotted paths into JSON work).",
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform", help="Platform name for records that do not say (default 'file')."
        ),
    ] = None,
    max_record_bytes: Annotated[
        int, typer.Option("--max-record-bytes", help="Records larger than this go to quarantine.")
    ] = DEFAULT_MAX_RECORD_BYTES,
    json_: Annotated[
        bool, typer.Option("--json", help="Print one JSON object with the counts.")
    ] = False,
    no_enrich: Annotated[
        bool,
        typer.Option(
            "--no-enrich", help="Skip language, entities and sentiment (run `hubbub enrich` later)."
        ),
    ] = False,
    embed: Annotated[
        bool,
        typer.Option(
            "--embed",
            help="Also embed the new posts for `hubbub similar` (static model; off by default).",
        ),
    ] = False,
) -> None:
    """Import posts from files. Raw records are kept; bad ones go to quarantine; re-running is safe.

    `hubbub import lake DIR` imports a Parquet lake (`hubbub export lake`, `hubbub spark run`)
    instead: posts are upserted by id, engagement snapshots kept, matches added.
    """
    if len(files) == 2 and files[0] == Path("lake") and not files[0].is_file():
        from hubbub.cli.lake import import_lake_command

        import_lake_command(ctx, files[1], json_)
        return
    mapping = parse_mapping(map_ or [])
    show_progress = not json_ and sys.stdout.isatty()
    options: dict[str, Any] = {
        "format": format,
        "mapping": mapping,
        "platform": platform,
        "max_record_bytes": max_record_bytes,
        "enrich": not no_enrich,
        "embed": embed,
    }
    with _open(ctx) as hb:
        if show_progress:
            report = _import_with_progress(hb, files, options)
        else:
            report = hb.import_files(files, **options)
    if json_:
        sys.stdout.write(dumps({k: v for k, v in report.as_dict().items()}) + "\n")
    else:
        _print_report(report)
    if report.imported == 0 and report.rejected > 0:
        raise typer.Exit(1)


def _import_with_progress(hb: Hubbub, files: list[Path], options: dict[str, Any]) -> ImportReport:
    sizes = {f: f.stat().st_size if f.is_file() else 0 for f in files}
    done: dict[Path, int] = {}
    with Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=out_console,
        transient=True,
    ) as bar:
        task = bar.add_task("import", total=sum(sizes.values()) or 1)

        def advance(path: Path, position: int, size: int) -> None:
            done[path] = max(done.get(path, 0), position)
            bar.update(task, completed=sum(done.values()))

        return hb.import_files(files, progress=advance, **options)


def _print_report(report: ImportReport) -> None:
    rate = report.read / report.seconds if report.seconds else 0
    out_console.print(
        f"read [bold]{report.read:,}[/] records in {report.seconds:.2f}s ({rate:,.0f}/s): "
        f"[green]{report.new:,} new[/], {report.updated:,} updated, "
        f"{report.duplicate:,} duplicate, "
        + (f"[red]{report.rejected:,} rejected[/]" if report.rejected else "0 rejected"),
        highlight=False,
    )
    for resumed in report.resumed:
        out_console.print(f"resumed {resumed}", highlight=False)
    if report.rejected:
        err_console.print(
            f"{report.rejected:,} records were kept in quarantine with the reason. "
            "See them with `hubbub quarantine list`; after fixing the mapping, "
            "`hubbub quarantine retry --map FIELD=COLUMN` imports them.",
            highlight=False,
        )
    if report.imported == 0 and report.rejected:
        err_console.print("[bold red]nothing could be imported[/]: check --format and --map")


@app.command()
def posts(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many posts.")] = 20,
    offset: Annotated[int, typer.Option("--offset", help="Skip this many.")] = 0,
    format: Annotated[
        OutputFormat, typer.Option("--format", help="table, json or csv.")
    ] = OutputFormat.table,
) -> None:
    """Show the newest posts."""
    with _open(ctx) as hb:
        table = hb.posts(limit=limit, offset=offset)
    columns = None
    if format is OutputFormat.table:
        columns = ["created_at", "platform", "author_handle", "text", "likes", "replies", "reposts"]
    print_table(table, format, columns)


@app.command()
def sql(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(help='DuckDB SQL, e.g. "SELECT platform, count(*) FROM posts GROUP BY 1".'),
    ],
    format: Annotated[
        OutputFormat, typer.Option("--format", help="table, json or csv.")
    ] = OutputFormat.table,
) -> None:
    """Run SQL over the store: posts, snapshots, matches, topics, quarantine, imports."""
    with _open(ctx) as hb:
        table = hb.sql(query)
    print_table(table, format)


@app.command()
def status(
    ctx: typer.Context,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What the database holds: posts per platform, date range, last import."""
    with _open(ctx) as hb:
        st = hb.status()
    if json_:
        sys.stdout.write(dumps(st.as_dict()) + "\n")
        return
    span = (
        f"{st.first:%Y-%m-%d %H:%M} .. {st.last:%Y-%m-%d %H:%M} UTC"
        if st.first and st.last
        else "-"
    )
    out_console.print(f"[bold]{st.db}[/]: {st.posts:,} posts, {span}", highlight=False)
    if st.platforms:
        from rich.table import Table

        view = Table("platform", "posts", "first", "last", header_style="bold")
        for p in st.platforms:
            view.add_row(
                p.platform,
                f"{p.posts:,}",
                f"{p.first:%Y-%m-%d}" if p.first else "",
                f"{p.last:%Y-%m-%d}" if p.last else "",
            )
        out_console.print(view)
    out_console.print(
        f"topics: {st.topics}, matches: {st.matches:,}, quarantined: {st.quarantined:,}",
        highlight=False,
    )
    if st.last_import:
        li = st.last_import
        out_console.print(
            f"last import #{li['import_id']} ({li['status']}, {li['started_at']:%Y-%m-%d %H:%M:%S}): "
            f"read {li['read']:,}, new {li['new']:,}, updated {li['updated']:,}, "
            f"duplicate {li['duplicate']:,}, rejected {li['rejected']:,}",
            highlight=False,
        )


quarantine_app = typer.Typer(
    help="Records that could not be imported, with the reason.", no_args_is_help=True
)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
def quarantine_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many to show.")] = 50,
    all_: Annotated[bool, typer.Option("--all", help="Include resolved records.")] = False,
    format: Annotated[
        OutputFormat, typer.Option("--format", help="table, json or csv.")
    ] = OutputFormat.table,
) -> None:
    """List quarantined records: where each came from and why it was rejected."""
    with _open(ctx) as hb:
        table = hb.quarantine_list(limit=limit, status=None if all_ else "open")
    if table.num_rows == 0 and format is OutputFormat.table:
        out_console.print("quarantine is empty")
        return
    print_table(
        table, format, ["qid", "reason", "hint", "status"] if format is OutputFormat.table else None
    )


@quarantine_app.command("show")
def quarantine_show(
    ctx: typer.Context, qid: Annotated[int, typer.Argument(help="The qid from `quarantine list`.")]
) -> None:
    """Show one quarantined record in full, with its raw bytes."""
    with _open(ctx) as hb:
        row = hb.quarantine_show(qid)
    raw = row.pop("raw") or b""
    for key, value in row.items():
        out_console.print(f"[bold]{key}[/]: {value}", highlight=False)
    preview = raw[:2000].decode("utf-8", "backslashreplace")
    out_console.print(f"[bold]raw[/] ({len(raw):,} bytes):", highlight=False)
    out_console.print(preview + ("…" if len(raw) > 2000 else ""), highlight=False, markup=False)


@quarantine_app.command("retry")
def quarantine_retry(
    ctx: typer.Context,
    qids: Annotated[
        list[int] | None, typer.Argument(help="Which records (default: all open).")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, replacing the original mapping."),
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Platform name for records that do not say.")
    ] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="Parse as this format instead.")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Parse quarantined records again; those that now pass are imported."""
    mapping = parse_mapping(map_) if map_ else None
    with _open(ctx) as hb:
        report = hb.quarantine_retry(
            qids or None, mapping=mapping, platform=platform, format=format
        )
    if json_:
        sys.stdout.write(dumps(report.as_dict()) + "\n")
    else:
        out_console.print(
            f"retried {report.retried}: {report.resolved} imported, {report.still_rejected} still rejected",
            highlight=False,
        )
    if report.retried and not report.resolved:
        raise fail(
            "no quarantined record could be imported", "try another --map or --format", code=1
        )


@app.command()
def remap(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option("--source", help="Only this source (see the checkpoints table).")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Re-parse the stored raw payloads with today's mappings; posts are rewritten in place."""
    with _open(ctx) as hb:
        report = hb.remap(source)
    if json_:
        sys.stdout.write(dumps(report.as_dict()) + "\n")
        return
    out_console.print(
        f"remapped {report.read:,} records from {report.segments} segments of {report.sources} sources: "
        f"{report.new:,} new, {report.updated:,} rewritten, {report.rejected:,} still rejected, "
        f"{report.unquarantined:,} left the quarantine",
        highlight=False,
    )
