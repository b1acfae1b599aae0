"""Shared pieces of the CLI: the Typer app, the global --db option, error printing."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.console import Console

from hubbub.errors import HubbubError
from hubbub.store import Store, default_db_path

app = typer.Typer(
    name="hubbub",
    help="hubbub: open-source social listening and analytics. Collect, match, enrich, explain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

err_console = Console(stderr=True, soft_wrap=True)
out_console = Console(soft_wrap=True)


class State:
    """Global options, kept on the Typer context object."""

    db: str = default_db_path()


@app.callback()
def _global_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", envvar="HUBBUB_DB", help="DuckDB file to use (default ./hubbub.duckdb)."
        ),
    ] = None,
) -> None:
    state = State()
    if db:
        state.db = db
    ctx.obj = state


def open_store(ctx: typer.Context, *, read_only: bool = False) -> Store:
    """The store named by --db / HUBBUB_DB."""
    state = ctx.obj if isinstance(ctx.obj, State) else State()
    return Store(state.db, read_only=read_only)


def open_hubbub(ctx: typer.Context) -> Any:
    """The hubbub database named by --db / HUBBUB_DB (as the Python API's Hubbub)."""
    from hubbub.api import Hubbub  # the API sits above the store; import it when needed

    state = ctx.obj if isinstance(ctx.obj, State) else State()
    return Hubbub(state.db)


def fail(message: str, hint: str = "", code: int = 2) -> typer.Exit:
    """Print an error the hubbub way and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    if hint:
        err_console.print(f"  [bold]hint:[/] {hint}", highlight=False)
    return typer.Exit(code)


def run_app(application: typer.Typer) -> int:
    """Run the app. Errors are printed as messages, never as a traceback.

    Usage errors are Click's own (standalone mode prints them with the command's usage line).
    Set HUBBUB_DEBUG=1 to get the traceback of an unexpected error.
    """
    try:
        application()
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except HubbubError as exc:
        return _print_error(exc)
    except KeyboardInterrupt:
        err_console.print("interrupted: what was committed is kept; run the same command to resume")
        return 130
    except Exception as exc:
        if os.environ.get("HUBBUB_DEBUG"):
            raise
        fail(
            f"unexpected {type(exc).__name__}: {exc}",
            "this is a bug in hubbub; run again with HUBBUB_DEBUG=1 and report the traceback",
        )
        return 70
    return 0


def _print_error(exc: HubbubError) -> int:
    # The message and hint are printed with markup off: `pip install 'hubbub[embeddings]'`
    # or a query's `[1000 TO *]` would otherwise be eaten as Rich style tags.
    err_console.print("[bold red]error:[/] ", end="", highlight=False)
    err_console.print(exc.message, highlight=False, markup=False)
    excerpt = getattr(exc, "excerpt", None)  # query errors show the query with a caret
    if callable(excerpt):
        err_console.print(excerpt(), highlight=False, markup=False)
    if exc.hint:
        err_console.print("  [bold]hint:[/] ", end="", highlight=False)
        err_console.print(exc.hint, highlight=False, markup=False)
    return 2
