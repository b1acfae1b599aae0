"""`hubbub alerts ...` and `hubbub digests ...`: alert rules, their events, scheduled digests."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Annotated, Any

import pyarrow as pa
import typer

from hubbub.alerts.durations import parse_duration
from hubbub.alerts.rules import KIND_HELP, KINDS, parse_param_pairs
from hubbub.api import Hubbub
from hubbub.cli.common import err_console, open_hubbub, out_console
from hubbub.cli.output import OutputFormat, dumps, print_table

alerts_app = typer.Typer(
    help="Alert rules (volume spike, sentiment drop, emerging term, share-of-voice change),"
    " checked after every import; delivered by signed webhook and e-mail.",
    no_args_is_help=True,
)
digests_app = typer.Typer(
    help="Daily or weekly digest e-mails with the period's headlines and key numbers.",
    no_args_is_help=True,
)

_KINDS_TEXT = "; ".join(
    f"{k}: {KIND_HELP[k]} (params: {', '.join(f'{p}={v}' for p, v in KINDS[k].items())})" for k in KINDS
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Topic = Annotated[str | None, typer.Option("--topic", "-t", help="Watch the posts of this topic.")]
Group = Annotated[
    str | None, typer.Option("--group", "-g", help="Watch the posts of this topic group.")
]
QueryOpt = Annotated[
    str | None, typer.Option("--query", "-q", help="Watch the posts matching this query.")
]
Email = Annotated[
    list[str] | None, typer.Option("--email", help="Send to this e-mail address (repeatable).")
]


def _open(ctx: typer.Context) -> Hubbub:
    return open_hubbub(ctx)  # type: ignore[no-any-return]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@alerts_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Rule name.")],
    kind: Annotated[str, typer.Option("--kind", "-k", help=f"What to watch. {_KINDS_TEXT}.")],
    topic: Topic = None,
    group: Group = None,
    query: QueryOpt = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="KEY=VALUE to change a parameter of the kind (repeatable)."),
    ] = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="POST each event as signed JSON to this URL.")
    ] = None,
    secret_env: Annotated[
        str | None,
        typer.Option(
            "--secret-env",
            help="Name of the environment variable holding the webhook's HMAC secret"
            " (the secret itself is never stored).",
        ),
    ] = None,
    email: Email = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Save the rule switched off.")] = False,
) -> None:
    """Add an alert rule; every part of it is checked before it is saved."""
    with _open(ctx) as hb:
        rule = hb.alerts.add(
            name, kind, topic=topic, group=group, query=query,
            params=parse_param_pairs(param or []), webhook_url=webhook, secret_env=secret_env,
            emails=email or [], enabled=not disabled,
        )
    params = ", ".join(f"{k}={v}" for k, v in rule.params.items())
    out_console.print(
        f"alert rule [bold]{rule.name}[/] added: {rule.kind} on {rule.scope_text()} ({params})",
        highlight=False,
    )


@alerts_app.command("list")
def list_(ctx: typer.Context, json_: Json = False) -> None:
    """List alert rules with their scope, parameters and channels."""
    with _open(ctx) as hb:
        rules = hb.alerts.list()
    if json_:
        sys.stdout.write(dumps([r.as_dict() for r in rules]) + "\n")
        return
    if not rules:
        out_console.print("no alert rules yet: hubbub alerts add NAME --kind volume_spike --topic T ...")
        return
    rows = [
        {
            "name": r.name, "kind": r.kind, "scope": r.scope_text(), "enabled": r.enabled,
            "params": ", ".join(f"{k}={v}" for k, v in r.params.items()),
            "channels": ", ".join(([r.webhook_url] if r.webhook_url else []) + r.emails),
            "last_run": r.last_run,
        }
        for r in rules
    ]
    print_table(pa.Table.from_pylist(rows), OutputFormat.table)


@alerts_app.command("remove")
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Rule name.")]) -> None:
    """Remove an alert rule (its fired events are kept)."""
    with _open(ctx) as hb:
        hb.alerts.remove(name)
    out_console.print(f"alert rule {name} removed", highlight=False)


@alerts_app.command("enable")
def enable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Rule name.")]) -> None:
    """Switch a rule on."""
    with _open(ctx) as hb:
        hb.alerts.enable(name)
    out_console.print(f"alert rule {name} enabled", highlight=False)


@alerts_app.command("disable")
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Rule name.")]) -> None:
    """Switch a rule off (it keeps its settings and events)."""
    with _open(ctx) as hb:
        hb.alerts.disable(name)
    out_console.print(f"alert rule {name} disabled", highlight=False)


def _print_event(event: dict[str, Any]) -> None:
    out_console.print(f"• [bold]{event['rule']}[/]: {event['message']}", highlight=False)
    for d in event.get("deliveries", []):
        note = f" ({d['error']})" if d.get("error") else ""
        out_console.print(
            f"    {d['channel']} {d['target']}: {d['status']} after {d['attempts']} attempt(s){note}",
            highlight=False,
        )


@alerts_app.command("run")
def run(
    ctx: typer.Context,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", "-r", help="Only this rule (repeatable).")
    ] = None,
    at: Annotated[
        datetime | None,
        typer.Option("--at", help="Evaluate as of this UTC time (default: just after the newest post)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Record what fires but deliver nothing.")
    ] = False,
    json_: Json = False,
) -> None:
    """Evaluate the enabled rules now and deliver what newly fired (each event fires once)."""
    with _open(ctx) as hb:
        result = hb.alerts.run(at=_utc(at), rules=rule or [], deliver=not dry_run)
    if json_:
        sys.stdout.write(dumps(result.as_dict()) + "\n")
        return
    for name, error in result.errors.items():
        err_console.print(f"[bold red]rule {name}:[/] {error}", highlight=False)
    if not result.fired:
        out_console.print(f"{result.rules} rule(s) checked: nothing new fired", highlight=False)
    for event in result.fired:
        _print_event(event.as_dict())
    if result.errors:
        raise typer.Exit(1)


@alerts_app.command("test")
def test(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Rule name.")]) -> None:
    """Send a test event through a rule's channels (not recorded as fired)."""
    with _open(ctx) as hb:
        event = hb.alerts.test(name)
    _print_event(event.as_dict())
    if any(d.status != "delivered" for d in event.deliveries):
        raise typer.Exit(1)


@alerts_app.command("events")
def events(
    ctx: typer.Context,
    rule: Annotated[str | None, typer.Option("--rule", "-r", help="Only this rule's events.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many, newest first.")] = 20,
    json_: Json = False,
) -> None:
    """Fired events, newest first, with how their deliveries went."""
    with _open(ctx) as hb:
        table = hb.alerts.events(rule, limit)
    if json_:
        sys.stdout.write(dumps(table.to_pylist()) + "\n")
        return
    print_table(table.drop_columns(["evidence"]), OutputFormat.table)


@alerts_app.command("show")
def show(ctx: typer.Context, event_id: Annotated[int, typer.Argument(help="Event id.")]) -> None:
    """One fired event in full: message, evidence (as JSON) and deliveries."""
    with _open(ctx) as hb:
        event = hb.alerts.event(event_id)
    sys.stdout.write(dumps(event) + "\n")


@digests_app.command("add")
def digest_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Digest name.")],
    every: Annotated[str, typer.Option("--every", help="daily or weekly.")] = "daily",
    email: Email = None,
    topic: Topic = None,
    group: Group = None,
    query: QueryOpt = None,
    headlines: Annotated[int, typer.Option("--headlines", "-n", help="Headlines per digest (1-20).")] = 5,
) -> None:
    """Add a digest: the period's headlines and key numbers, e-mailed daily or weekly."""
    with _open(ctx) as hb:
        digest = hb.digests.add(
            name, every, email or [], topic=topic, group=group, query=query, headlines=headlines
        )
    out_console.print(
        f"digest [bold]{digest.name}[/] added: {digest.every} to {', '.join(digest.emails)}",
        highlight=False,
    )


@digests_app.command("list")
def digest_list(ctx: typer.Context, json_: Json = False) -> None:
    """List digests and when each was last sent."""
    with _open(ctx) as hb:
        found = hb.digests.list()
    if json_:
        sys.stdout.write(dumps([d.as_dict() for d in found]) + "\n")
        return
    if not found:
        out_console.print("no digests yet: hubbub digests add NAME --every daily --email you@example.org")
        return
    rows = [{**d.as_dict(), "emails": ", ".join(d.emails)} for d in found]
    print_table(pa.Table.from_pylist(rows), OutputFormat.table)


@digests_app.command("remove")
def digest_remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Digest name.")]) -> None:
    """Remove a digest."""
    with _open(ctx) as hb:
        hb.digests.remove(name)
    out_console.print(f"digest {name} removed", highlight=False)


@digests_app.command("run")
def digest_run(
    ctx: typer.Context,
    name: Annotated[list[str] | None, typer.Option("--name", help="Only this digest (repeatable).")] = None,
    now: Annotated[
        datetime | None,
        typer.Option("--now", help="Act as if it were this UTC time (digests of past periods)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Send even if not due yet.")] = False,
    every: Annotated[
        str | None,
        typer.Option("--every", help="Keep running, checking every 15m, 1h ... (Ctrl-C stops)."),
    ] = None,
    json_: Json = False,
) -> None:
    """Send the digests that are due (tracks when each was last sent)."""
    pause = parse_duration(every, what="--every interval").total_seconds() if every else None
    failed = False
    while True:
        with _open(ctx) as hb:
            sent = hb.digests.run(now=_utc(now), names=name or [], force=force)
        if json_:
            sys.stdout.write(dumps([s.as_dict() for s in sent]) + "\n")
        elif not sent:
            out_console.print("no digest is due", highlight=False)
        for s in sent:
            failed = failed or s.status != "sent"
            if not json_:
                note = f": {s.error}" if s.error else f" ({len(s.headlines)} headlines)"
                out_console.print(f"digest {s.name} to {', '.join(s.recipients)}: {s.status}{note}",
                                  highlight=False)
        if pause is None:
            break
        time.sleep(pause)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(digests_app, name="digests")
