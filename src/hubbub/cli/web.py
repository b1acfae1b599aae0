"""`hubbub serve`, `hubbub users ...` and `hubbub report`: the dashboard, its members, its reports."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from hubbub.cli.common import State, out_console
from hubbub.cli.output import dumps
from hubbub.errors import HubbubError
from hubbub.store import Store

users_app = typer.Typer(
    help="Members of a workspace (its --db): roles owner, editor, viewer.", no_args_is_help=True
)


def _db(ctx: typer.Context) -> str:
    state = ctx.obj if isinstance(ctx.obj, State) else State()
    return state.db


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Login name (letters, digits, . _ @ -).")],
    role: Annotated[
        str,
        typer.Option("--role", "-r", help="owner, editor (changes topics, dashboards) or viewer."),
    ] = "editor",
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env",
            help="Read the password from this environment variable; if it is unset or empty,"
            " generate one and print it once.",
        ),
    ] = None,
) -> None:
    """Add a member to the workspace (password asked, or from --password-env). Stored as argon2."""
    from hubbub.web.users import add_user

    generated = False
    if password_env is not None:
        password = os.environ.get(password_env, "")
        if not password:
            password, generated = secrets.token_urlsafe(12), True
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with Store(_db(ctx)) as store:
        user = add_user(store, username, password, role)
    out_console.print(f"user [bold]{user.username}[/] added as {user.role}", highlight=False)
    if generated:
        out_console.print(
            f"generated password for {user.username} (shown once): {password}", highlight=False
        )


@users_app.command("list")
def users_list(
    ctx: typer.Context, json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """List the members of the workspace with their role."""
    from hubbub.web.users import list_users

    with Store(_db(ctx)) as store:
        found = list_users(store)
    if json_:
        sys.stdout.write(dumps([u.as_dict() for u in found]) + "\n")
        return
    if not found:
        out_console.print("no users yet: hubbub users add NAME --role owner")
    for user in found:
        out_console.print(
            f"{user.username}\t{user.role}\t{user.created_at:%Y-%m-%d}", highlight=False
        )


@users_app.command("remove")
def users_remove(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The member to remove.")]
) -> None:
    """Remove a member, their sessions and API tokens (the last owner cannot be removed)."""
    from hubbub.web.users import remove_user

    with Store(_db(ctx)) as store:
        remove_user(store, username)
    out_console.print(f"user [bold]{username}[/] removed", highlight=False)


@users_app.command("token")
def users_token(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The member the token acts as.")],
    label: Annotated[str | None, typer.Option("--label", help="What the token is for.")] = None,
) -> None:
    """Create an API token (Authorization: Bearer TOKEN) for a member; it is printed once."""
    from hubbub.web.users import create_token

    with Store(_db(ctx)) as store:
        token = create_token(store, username, label)
    sys.stdout.write(token + "\n")


dashboards_app = typer.Typer(
    help="Saved dashboards of a workspace (shareable inside it; `hubbub report` renders them).",
    no_args_is_help=True,
)


@dashboards_app.command("add")
def dashboards_add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The dashboard's title.")],
    panel: Annotated[
        list[str],
        typer.Option(
            "--panel",
            "-p",
            help="KIND or KIND:TOPIC (sov:GROUP), repeatable. Kinds: volume, sentiment, sov,"
            " top_posts, top_authors, top_hashtags, headlines, topics.",
        ),
    ],
    owner: Annotated[str, typer.Option("--owner", help="Member recorded as its author.")] = "cli",
) -> None:
    """Save a dashboard; prints its slug (its link is /w/WORKSPACE/d/SLUG)."""
    from hubbub.web.dashboards import save_dashboard
    from hubbub.web.panels import PanelSpec

    specs = []
    for value in panel:
        kind, _, subject = value.partition(":")
        specs.append(
            PanelSpec(kind, group=subject or None)
            if kind == "sov"
            else PanelSpec(kind, subject or None)
        )
    with Store(_db(ctx)) as store:
        board = save_dashboard(store, title, specs, owner)
    sys.stdout.write(board.slug + "\n")


@dashboards_app.command("list")
def dashboards_list(
    ctx: typer.Context, json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """List saved dashboards with their slug and panels."""
    from hubbub.web.dashboards import list_dashboards

    with Store(_db(ctx)) as store:
        boards = list_dashboards(store)
    if json_:
        sys.stdout.write(dumps([b.as_dict() for b in boards]) + "\n")
        return
    for board in boards:
        panels = ", ".join(
            p.kind + (f":{p.topic or p.group}" if p.topic or p.group else "") for p in board.panels
        )
        out_console.print(f"{board.slug}\t{board.title}\t{panels}", highlight=False)


@dashboards_app.command("remove")
def dashboards_remove(
    ctx: typer.Context, slug: Annotated[str, typer.Argument(help="The dashboard's slug.")]
) -> None:
    """Delete a saved dashboard."""
    from hubbub.web.dashboards import delete_dashboard

    with Store(_db(ctx)) as store:
        delete_dashboard(store, slug)
    out_console.print(f"dashboard {slug} removed", highlight=False)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workspace: Annotated[
        list[str] | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Serve NAME=PATH (a DuckDB file) as workspace NAME; repeat for several."
            " Without it, --db is served as workspace 'main'.",
        ),
    ] = None,
) -> None:
    """Serve the dashboard (/w/NAME/) and the REST API (/api/v1, OpenAPI docs at /docs)."""
    import uvicorn

    from hubbub.web import create_app
    from hubbub.web.workspaces import parse_workspace_option

    spaces = dict(parse_workspace_option(w) for w in workspace or [])
    if len(spaces) != len(workspace or []):
        raise HubbubError("a workspace name is given twice", "give each --workspace its own NAME")
    if not spaces:
        spaces = {"main": _db(ctx)}
    app = create_app(workspaces=spaces)
    for name, path in spaces.items():
        out_console.print(
            f"hubbub dashboard on http://{host}:{port}/w/{name}/ (database {path})", highlight=False
        )
    out_console.print(f"REST API docs on http://{host}:{port}/docs", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def report(
    ctx: typer.Context,
    dashboard: Annotated[str, typer.Argument(help="A saved dashboard's title or slug.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file: .pdf or .png.")],
    workspace: Annotated[
        str, typer.Option("--workspace", help="Workspace name printed on the report.")
    ] = "main",
) -> None:
    """Render a saved dashboard as a PDF or PNG report with headless Chromium."""
    from hubbub.api import Hubbub
    from hubbub.web.dashboards import find_dashboard
    from hubbub.web.report import write_report

    with Hubbub(_db(ctx)) as hb:
        written = write_report(hb, workspace, find_dashboard(hb.store, dashboard), out)
    out_console.print(
        f"report written to {written} ({written.stat().st_size:,} bytes)", highlight=False
    )


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(dashboards_app, name="dashboards")
    app.command()(serve)
    app.command()(report)
