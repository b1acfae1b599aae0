"""Scheduled digests: a daily or weekly e-mail with the window's headlines and key numbers.

`run_due(store)` sends every digest whose period has passed since it was last sent (a server
calls it periodically; `hubbub digests run` calls it once, or in a loop with --every). The
window of a digest is the period that ends at the run's `now`.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from hubbub.alerts.mail import SmtpSettings, send_mail
from hubbub.alerts.rules import check_emails, check_scope
from hubbub.analytics import metrics
from hubbub.analytics.facade import make_scope
from hubbub.analytics.headlines import headlines
from hubbub.errors import HubbubError
from hubbub.store import Store

PERIODS: Final = {"daily": timedelta(days=1), "weekly": timedelta(weeks=1)}


@dataclass
class Digest:
    name: str
    every: str
    emails: list[str]
    topic: str | None = None
    group: str | None = None
    query: str | None = None
    headlines: int = 5
    last_sent: datetime | None = None
    created_at: datetime | None = None

    def scope_args(self) -> dict[str, Any]:
        return {"topics": (self.topic,) if self.topic else (), "group": self.group, "query": self.query}

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "every": self.every,
            "emails": self.emails,
            "topic": self.topic,
            "group": self.group,
            "query": self.query,
            "headlines": self.headlines,
            "last_sent": self.last_sent,
            "created_at": self.created_at,
        }


@dataclass
class DigestSend:
    name: str
    window_start: datetime
    window_end: datetime
    recipients: list[str]
    status: str  # sent | failed
    subject: str = ""
    headlines: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "recipients": self.recipients,
            "status": self.status,
            "subject": self.subject,
            "headlines": self.headlines,
            "error": self.error,
        }


_COLUMNS: Final = "name, every, emails, topic, group_name, query, headlines, last_sent, created_at"


def _digest(row: tuple[Any, ...]) -> Digest:
    return Digest(row[0], row[1], list(row[2] or []), row[3], row[4], row[5], int(row[6]), row[7], row[8])


def add_digest(
    store: Store,
    name: str,
    every: str,
    emails: Sequence[str],
    *,
    topic: str | None = None,
    group: str | None = None,
    query: str | None = None,
    headlines: int = 5,
) -> Digest:
    name = name.strip()
    if not name or len(name) > 100:
        raise HubbubError(f"digest name {name!r} is empty or too long", "use up to 100 characters")
    if every not in PERIODS:
        raise HubbubError(f"a digest is sent daily or weekly, not {every!r}", "use --every daily or weekly")
    if not emails:
        raise HubbubError("a digest needs at least one recipient", "add --email name@example.org")
    addresses = check_emails(emails)
    if not 1 <= headlines <= 20:
        raise HubbubError(f"{headlines} headlines is out of range", "use 1 to 20 (3 to 5 read best)")
    check_scope(store, topic, group, query)
    if store.one("SELECT 1 FROM digests WHERE name = ?", [name]):
        raise HubbubError(f"digest {name!r} exists already", f"remove it first: hubbub digests remove {name}")
    store.con.execute(
        "INSERT INTO digests VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        [name, every, addresses, topic, group, query, headlines, datetime.now(UTC)],
    )
    return get_digest(store, name)


def list_digests(store: Store) -> list[Digest]:
    return [_digest(r) for r in store.con.execute(f"SELECT {_COLUMNS} FROM digests ORDER BY name").fetchall()]


def get_digest(store: Store, name: str) -> Digest:
    row = store.one(f"SELECT {_COLUMNS} FROM digests WHERE name = ?", [name])
    if row is None:
        raise HubbubError(f"no digest named {name!r}", "see `hubbub digests list`")
    return _digest(row)


def remove_digest(store: Store, name: str) -> None:
    get_digest(store, name)
    store.con.execute("DELETE FROM digests WHERE name = ?", [name])


def is_due(digest: Digest, now: datetime) -> bool:
    return digest.last_sent is None or now >= digest.last_sent + PERIODS[digest.every]


def key_numbers(store: Store, digest: Digest, start: datetime, end: datetime) -> dict[str, Any]:
    """Posts, engagement and net sentiment of the window, and the same for the window before."""
    out: dict[str, Any] = {}
    for label, (lo, hi) in {"now": (start, end), "before": (start - (end - start), start)}.items():
        scope = make_scope(**digest.scope_args(), since=lo, until=hi)
        volume = metrics.volume(store, scope, bucket=None).to_pylist()
        mood = metrics.sentiment(store, scope, bucket=None).to_pylist()
        out[f"posts_{label}"] = int(volume[0]["posts"]) if volume else 0
        out[f"engagement_{label}"] = int(volume[0]["engagement"] or 0) if volume else 0
        out[f"net_sentiment_{label}"] = mood[0]["net_sentiment"] if mood else None
    before = out["posts_before"]
    out["posts_change_pct"] = round(100.0 * (out["posts_now"] - before) / before, 1) if before else None
    return out


def render(digest: Digest, start: datetime, end: datetime, found: list[dict[str, Any]],
           numbers: dict[str, Any]) -> tuple[str, str]:
    """(subject, plain text) of a digest e-mail."""
    scope = ", ".join(
        x for x in [
            f"topic {digest.topic}" if digest.topic else "",
            f"group {digest.group}" if digest.group else "",
            f"query {digest.query}" if digest.query else "",
        ] if x
    ) or "all posts"
    subject = f"[hubbub] {digest.every} digest {digest.name}: {end:%Y-%m-%d}"
    change = numbers["posts_change_pct"]
    lines = [
        f"hubbub {digest.every} digest '{digest.name}' ({scope})",
        f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC",
        "",
        "Key numbers:",
        f"  posts: {numbers['posts_now']:,}" + (f" ({change:+.1f}% on the period before)" if change is not None else ""),
        f"  engagement: {numbers['engagement_now']:,}",
        f"  net sentiment: {numbers['net_sentiment_now']}"
        f" (period before: {numbers['net_sentiment_before']})",
        "",
        "Headlines:" if found else "Headlines: nothing to summarise in this period.",
    ]
    for h in found:
        lines.append(f"* {h['headline']} ({h['posts']} posts, theme '{h['term']}')")
        for s in h["supporting"]:
            lines.append(f"    {s['url'] or s['id']}")
    return subject, "\n".join(lines) + "\n"


def send_digest(store: Store, digest: Digest, now: datetime, smtp: SmtpSettings | None = None) -> DigestSend:
    end = now
    start = end - PERIODS[digest.every]
    scope = make_scope(**digest.scope_args())
    found = headlines(store, scope, start=start, end=end, count=digest.headlines)
    numbers = key_numbers(store, digest, start, end)
    subject, text = render(digest, start, end, found, numbers)
    result = DigestSend(digest.name, start, end, digest.emails, "sent", subject, found)
    try:
        send_mail(smtp or SmtpSettings.from_environment(), digest.emails, subject, text)
    except HubbubError as exc:
        result.status, result.error = "failed", f"{exc.message} ({exc.hint})"
    except (OSError, smtplib.SMTPException) as exc:
        result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
    with store.transaction():
        store.con.execute(
            "INSERT INTO digest_sends VALUES (?, ?, ?, ?, ?, ?, ?)",
            [digest.name, datetime.now(UTC), start, end, digest.emails, result.status, result.error],
        )
        if result.status == "sent":  # a failed send stays due and is tried at the next run
            store.con.execute("UPDATE digests SET last_sent = ? WHERE name = ?", [now, digest.name])
    return result


def run_due(
    store: Store,
    *,
    now: datetime | None = None,
    names: Sequence[str] = (),
    force: bool = False,
    smtp: SmtpSettings | None = None,
) -> list[DigestSend]:
    """Send each digest that is due at `now` (default: the current time). `force`: send the named
    (or all) digests even if not due."""
    clock = now or datetime.now(UTC)
    clock = clock.replace(tzinfo=UTC) if clock.tzinfo is None else clock.astimezone(UTC)
    chosen = [get_digest(store, n) for n in names] if names else list_digests(store)
    return [send_digest(store, d, clock, smtp) for d in chosen if force or is_due(d, clock)]
