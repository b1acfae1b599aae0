"""`hubbub noise`: score spam, bots and copy-paste campaigns (analytics then leave them out)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from hubbub.cli.common import open_hubbub, out_console
from hubbub.cli.output import dumps
from hubbub.noise import update_noise


def noise_command(
    ctx: typer.Context, json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Score every post and author for spam, bots and campaigns (run after imports)."""
    with open_hubbub(ctx) as hb:
        report = update_noise(hb.store)
    if json_:
        sys.stdout.write(dumps(report.as_dict()) + "\n")
        return
    out_console.print(
        f"{report.posts:,} posts scored: {report.spam:,} spam, {report.campaign_copies:,} campaign copies, "
        f"{report.bot_authors:,} automated-looking authors; {report.noise_posts:,} posts left out of "
        f"the numbers by default (--include-noise shows them). {report.clusters:,} near-duplicate "
        f"clusters, the largest of {report.largest_cluster:,} posts.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("noise")(noise_command)
