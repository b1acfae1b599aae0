"""`hubbub sources ...` and `hubbub collect`: live collection from platform APIs."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer

from hubbub.api import Hubbub
from hubbub.cli.common import err_console, open_hubbub, out_console
from hubbub.cli.output import dumps
from hubbub.collect import (
    PAGINATORS,
    add_source,
    collect_source,
    get_source,
    list_sources,
    parse_every,
    remove_source,
    sleep_until,
)

sources_app = typer.Typer(
    help="Live API sources to collect from (credentials stay in the environment).",
    no_args_is_help=True,
)


def _open(ctx: typer.Context) -> Hubbub:
    return open_hubbub(ctx)  # type: ignore[no-any-return]


@sources_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for this source.")],
    platform: Annotated[
        str,
        typer.Option(
            "--platform",
            "-p",
            help="Format of its pages: mastodon, reddit, twitter_v2, youtube, bluesky, hackernews ...",
        ),
    ],
    url: Annotated[
        str,
        typer.Option(
            "--url",
            help="The API listing URL, e.g. https://mastodon.social/api/v1/timelines/tag/python",
        ),
    ],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="KEY=VALUE query parameter (repeatable).")
    ] = None,
    paginator: Annotated[
        str | None,
        typer.Option(
            "--paginator", help=f"How it pages: {', '.join(PAGINATORS)} (default by platform)."
        ),
    ] = None,
    token_env: Annotated[
        str | None,
        typer.Option("--token-env", help="Name of the environment variable holding the API token."),
    ] = None,
) -> None:
    """Add a live source. Tokens are never stored: give the variable's name with --token-env."""
    params = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"--param {item!r} is not KEY=VALUE")
        params[key] = value
    with _open(ctx) as hb:
        source = add_source(
            hb, name, platform, url, params=params, paginator=paginator, token_env=token_env
        )
    out_console.print(
        f"source [bold]{source.name}[/] added ({source.format}, pages by {source.paginator})",
        highlight=False,
    )


@sources_app.command("list")
def list_(
    ctx: typer.Context, json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """List live sources with their progress."""
    with _open(ctx) as hb:
        sources = list_sources(hb)
    if json_:
        sys.stdout.write(dumps([s.as_dict() for s in sources]) + "\n")
        return
    if not sources:
        out_console.print("no sources yet: hubbub sources add NAME --platform P --url URL")
    for s in sources:
        pages = (s.state or {}).get("pages", 0)
        status = (
            f"error: {s.last_error}"
            if s.last_error
            else ("up to date" if (s.state or {}).get("done") else "in progress")
        )
        out_console.print(
            f"[bold]{s.name}[/] {s.format} {s.url} - {pages} pages, {s.posts_collected:,} posts, {status}",
            highlight=False,
        )


@sources_app.command("remove")
def remove(ctx: typer.Context, name: str) -> None:
    """Remove a live source (its posts stay)."""
    with _open(ctx) as hb:
        remove_source(hb, name)
    out_console.print(f"source [bold]{name}[/] removed", highlight=False)


def collect_command(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="One source (default: all).")] = None,
    every: Annotated[
        str | None,
        typer.Option(
            "--every", help="Keep collecting at this interval: 30s, 5m, 1h. Ctrl-C stops safely."
        ),
    ] = None,
    max_pages: Annotated[
        int | None, typer.Option("--max-pages", help="At most this many pages per source and run.")
    ] = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="Start again from the first page (new posts since).")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Collect from live sources, resuming each from its checkpoint."""
    interval = parse_every(every) if every else None
    if interval is not None and max_pages is None:
        max_pages = 5  # polling: the newest pages are enough each round
    try:
        while True:
            started = time.monotonic()
            with _open(ctx) as hb:
                sources = [get_source(hb, name)] if name else list_sources(hb)
                for source in sources:
                    report = collect_source(
                        hb, source, max_pages=max_pages, restart=restart or interval is not None
                    )
                    if json_:
                        sys.stdout.write(dumps(report.__dict__) + "\n")
                    else:
                        out_console.print(
                            f"{report.source}: {report.pages} pages, {report.new:,} new, {report.updated:,} updated, "
                            f"{report.rejected:,} rejected"
                            + (f" - stopped: {report.error}" if report.error else ""),
                            highlight=False,
                        )
            if interval is None:
                return
            sleep_until(started + interval)
    except KeyboardInterrupt:
        err_console.print("stopped; every page collected so far is imported and checkpointed")


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
    app.command("collect")(collect_command)
