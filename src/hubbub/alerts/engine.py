"""Evaluating rules, recording what fired (once), and delivering it.

An event is recorded in `alert_events` under (rule, key) before it is delivered; a key that is
there already is never sent again, whatever the import or `alerts run` that sees it next. Each
delivery attempt's outcome is kept in `alert_deliveries`.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pyarrow as pa

from hubbub.alerts.conditions import Finding, evaluate
from hubbub.alerts.mail import SmtpSettings, send_mail
from hubbub.alerts.rules import AlertRule, get_rule, has_enabled_rules, list_rules
from hubbub.alerts.webhook import DeliveryResult, DeliverySettings, post_webhook
from hubbub.errors import HubbubError
from hubbub.store import Store


@dataclass
class FiredEvent:
    event_id: int
    rule: str
    kind: str
    key: str
    fired_at: datetime
    message: str
    evidence: dict[str, Any]
    deliveries: list[DeliveryResult] = field(default_factory=list)
    test: bool = False

    def payload(self) -> dict[str, Any]:
        """The JSON a webhook receives."""
        return {
            "event_id": self.event_id,
            "rule": self.rule,
            "kind": self.kind,
            "key": self.key,
            "fired_at": self.fired_at,
            "message": self.message,
            "evidence": self.evidence,
            "test": self.test,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.payload(), "deliveries": [d.as_dict() for d in self.deliveries]}


@dataclass
class AlertRun:
    at: datetime | None
    rules: int = 0
    fired: list[FiredEvent] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # rule -> why it could not be evaluated

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "rules": self.rules,
            "fired": [e.as_dict() for e in self.fired],
            "errors": self.errors,
        }


def as_utc(value: datetime) -> datetime:
    """A time as UTC; a naive one is taken to be UTC already (as everywhere in hubbub)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def data_clock(store: Store) -> datetime | None:
    """Just after the newest stored post: 'now' as far as the data goes."""
    row = store.one("SELECT max(created_at) FROM posts")
    if not row or row[0] is None:
        return None
    latest: datetime = row[0]
    return latest.astimezone(UTC) + timedelta(microseconds=1)


def run_alerts(
    store: Store,
    *,
    at: datetime | None = None,
    rules: Sequence[str] = (),
    deliver: bool = True,
    delivery: DeliverySettings = DeliverySettings(),
    smtp: SmtpSettings | None = None,
) -> AlertRun:
    """Evaluate the enabled rules (or the named ones) at `at` (default: the data clock), record
    and deliver what newly fired."""
    chosen = [get_rule(store, n) for n in rules] if rules else list_rules(store, enabled_only=True)
    clock = as_utc(at) if at is not None else data_clock(store)
    run = AlertRun(clock, rules=len(chosen))
    if clock is None:
        return run
    for rule in chosen:
        try:
            findings = evaluate(store, rule, clock)
        except HubbubError as exc:  # e.g. a topic removed after the rule was saved
            run.errors[rule.name] = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
            continue
        for event in _record(store, rule, findings, clock):
            if deliver:
                event.deliveries = deliver_event(store, rule, event, delivery, smtp)
            run.fired.append(event)
    return run


def after_import(store: Store) -> AlertRun | None:
    """The import hook: evaluate the enabled rules, if there are any (no rules: one tiny query)."""
    if not has_enabled_rules(store):
        return None
    return run_alerts(store)


def _state(store: Store, rule: str) -> set[str]:
    row = store.one("SELECT state FROM alert_rules WHERE name = ?", [rule])
    if not row or not row[0]:
        return set()
    return set(orjson.loads(row[0]).get("active", []))


def _record(store: Store, rule: AlertRule, findings: list[Finding], at: datetime) -> list[FiredEvent]:
    """Insert the findings that are new; return them as events (ids assigned)."""
    active_before = _state(store, rule.name)
    active_now = {f.key for f in findings if f.episodic}
    now = datetime.now(UTC)
    fired = []
    with store.transaction():
        for finding in findings:
            if finding.episodic:
                if finding.key in active_before:
                    continue  # still the same episode: said already
                key = f"{finding.key}@{at.isoformat()}"
            else:
                key = finding.key
            evidence = orjson.dumps(
                finding.evidence, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z
            ).decode()
            row = store.one(
                "INSERT INTO alert_events (rule, event_key, kind, fired_at, message, evidence)"
                " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM alert_events"
                " WHERE rule = ? AND event_key = ?) RETURNING event_id",
                [rule.name, key, rule.kind, now, finding.message, evidence, rule.name, key],
            )
            if row is None:
                continue
            fired.append(
                FiredEvent(int(row[0]), rule.name, rule.kind, key, now, finding.message,
                           orjson.loads(evidence))
            )
        store.con.execute(
            "UPDATE alert_rules SET state = ?, last_run = ? WHERE name = ?",
            [orjson.dumps({"active": sorted(active_now)}).decode(), now, rule.name],
        )
    return fired


def deliver_event(
    store: Store,
    rule: AlertRule,
    event: FiredEvent,
    delivery: DeliverySettings = DeliverySettings(),
    smtp: SmtpSettings | None = None,
) -> list[DeliveryResult]:
    """Send an event through the rule's channels; record each outcome (not for test events)."""
    results = []
    if rule.webhook_url and rule.secret_env:
        results.append(post_webhook(rule.webhook_url, event.payload(), rule.secret_env, delivery))
    if rule.emails:
        results.append(_email(rule, event, smtp))
    if not event.test:
        now = datetime.now(UTC)
        for r in results:
            store.con.execute(
                "INSERT INTO alert_deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [event.event_id, r.channel, r.target, r.status, r.attempts, r.http_status, r.error, now],
            )
    return results


def _email(rule: AlertRule, event: FiredEvent, smtp: SmtpSettings | None) -> DeliveryResult:
    target = ", ".join(rule.emails)
    try:
        settings = smtp or SmtpSettings.from_environment()
        send_mail(
            settings,
            rule.emails,
            f"[hubbub] {'TEST: ' if event.test else ''}{rule.name}: {event.message[:120]}",
            render_text(rule, event),
        )
    except HubbubError as exc:
        return DeliveryResult("email", target, "failed", 0, error=f"{exc.message} ({exc.hint})")
    except (OSError, smtplib.SMTPException) as exc:
        return DeliveryResult("email", target, "failed", 1, error=f"{type(exc).__name__}: {exc}")
    return DeliveryResult("email", target, "delivered", 1)


def _post_lines(posts: list[dict[str, Any]]) -> list[str]:
    lines = []
    for p in posts:
        text = " ".join(str(p.get("text") or "").split())[:160]
        lines.append(f"  - {text}\n    {p.get('url') or p.get('id')}")
    return lines


def render_text(rule: AlertRule, event: FiredEvent) -> str:
    """The plain-text e-mail: the message, the numbers, then the posts to read (with links)."""
    ev = event.evidence
    lines = [event.message, "", f"Rule: {rule.name} ({rule.kind}, {rule.scope_text()})", ""]
    numbers = {k: v for k, v in ev.items() if isinstance(v, int | float | str) and not isinstance(v, bool)}
    if numbers:
        lines.append("Numbers:")
        lines.extend(f"  {k}: {v}" for k, v in numbers.items())
        lines.append("")
    for key in ("top_posts", "top_negative_posts", "examples"):
        if ev.get(key):
            lines.append(key.replace("_", " ").capitalize() + ":")
            lines.extend(_post_lines(ev[key]))
            lines.append("")
    for key in ("top_authors", "top_hashtags", "top_domains"):
        if ev.get(key):
            lines.append(
                key.replace("_", " ").capitalize() + ": "
                + ", ".join(f"{x['key']} ({x['posts']})" for x in ev[key])
            )
    lines.append(f"\nEvent {event.event_id} fired at {event.fired_at:%Y-%m-%d %H:%M} UTC by hubbub.")
    return "\n".join(lines)


def send_test(
    store: Store,
    name: str,
    *,
    delivery: DeliverySettings = DeliverySettings(),
    smtp: SmtpSettings | None = None,
) -> FiredEvent:
    """Send a sample event through a rule's channels now (nothing is recorded as fired)."""
    rule = get_rule(store, name)
    event = FiredEvent(
        0, rule.name, rule.kind, "test", datetime.now(UTC),
        f"Test of alert rule '{rule.name}' ({rule.kind}, {rule.scope_text()})",
        {"note": "a test sent by `hubbub alerts test`; no condition was evaluated"},
        test=True,
    )
    event.deliveries = deliver_event(store, rule, event, delivery, smtp)
    return event


def list_events(store: Store, rule: str | None = None, limit: int = 50) -> pa.Table:
    """Fired events, newest first, with how their deliveries went."""
    where = "WHERE e.rule = ?" if rule else ""
    params: list[Any] = [rule] if rule else []
    return store.query(
        f"""SELECT e.event_id, e.rule, e.kind, e.fired_at, e.message,
                   string_agg(d.channel || ':' || d.status || ' (' || d.attempts || ')', ', '
                              ORDER BY d.channel) AS deliveries,
                   e.evidence
            FROM alert_events e LEFT JOIN alert_deliveries d ON d.event_id = e.event_id
            {where} GROUP BY ALL ORDER BY e.event_id DESC LIMIT ?""",
        [*params, limit],
    )


def get_event(store: Store, event_id: int) -> dict[str, Any]:
    table = store.query("SELECT * FROM alert_events WHERE event_id = ?", [event_id])
    if table.num_rows == 0:
        raise HubbubError(f"no alert event {event_id}", "see `hubbub alerts events`")
    row: dict[str, Any] = table.to_pylist()[0]
    row["evidence"] = orjson.loads(row["evidence"]) if row["evidence"] else {}
    row["deliveries"] = store.query(
        "SELECT channel, target, status, attempts, http_status, error, updated_at"
        " FROM alert_deliveries WHERE event_id = ? ORDER BY updated_at", [event_id]
    ).to_pylist()
    return row
