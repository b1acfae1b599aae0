"""`hubbub export ...`: take data out of hubbub (files, the Parquet lake).

Each kind of export adds its subcommand to `export_app` from its own module, so this group holds
nothing but the group itself.
"""

from __future__ import annotations

import typer

export_app = typer.Typer(
    help="Export posts, matches and analytics to files (CSV, Parquet) or the Parquet lake.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
