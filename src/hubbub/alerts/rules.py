"""Alert rules: what to watch (kind + scope + parameters) and where to say it (channels).

A rule is checked completely when it is saved (scope exists, parameters readable, webhook URL
valid, its secret's environment variable set), so a mistake shows at once, not at 3 a.m.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

import orjson

from hubbub.alerts.durations import parse_duration
from hubbub.errors import HubbubError
from hubbub.store import Store

#: Each kind with its parameters and their defaults (the type of a default is the parameter's type).
KINDS: Final[dict[str, dict[str, Any]]] = {
    # A bucket of the scope's volume far above its trailing baseline (analytics spike detector).
    "volume_spike": {"bucket": "hour", "threshold": 5.0, "min_count": 10, "lookback": "2d"},
    # Net sentiment of the last `window` below that of the window before by `points` or more.
    "sentiment_drop": {"window": "1d", "points": 10.0, "min_posts": 30},
    # A term over-represented in the last `window` against the `reference` before it.
    "emerging_term": {"window": "1d", "reference": "7d", "min_z": 4.0, "min_posts": 5, "terms": 5},
    # A topic's share of its group's mentions moved by `points` or more between two windows.
    "sov_change": {"window": "1d", "points": 10.0, "min_posts": 30},
}
KIND_HELP: Final = {
    "volume_spike": "volume far above its trailing baseline (hubbub's spike detector)",
    "sentiment_drop": "net sentiment of the last window fell by POINTS against the window before",
    "emerging_term": "a term over-represented in the last window against a reference window",
    "sov_change": "a topic's share of voice in its group moved by POINTS between two windows",
}
_DURATION_PARAMS: Final = {"window", "reference", "lookback"}
_EMAIL: Final = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$|^[^@\s,;<>]+@localhost$")
_ENV_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class AlertRule:
    name: str
    kind: str
    topic: str | None = None
    group: str | None = None
    query: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    webhook_url: str | None = None
    secret_env: str | None = None
    emails: list[str] = field(default_factory=list)
    enabled: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_run: datetime | None = None

    def scope_args(self) -> dict[str, Any]:
        """Keyword arguments for the analytics (`hb.stats.*(**rule.scope_args())`)."""
        return {"topics": (self.topic,) if self.topic else (), "group": self.group, "query": self.query}

    def scope_text(self) -> str:
        parts = [
            f"topic '{self.topic}'" if self.topic else "",
            f"group '{self.group}'" if self.group else "",
            f"query '{self.query}'" if self.query else "",
        ]
        return ", ".join(p for p in parts if p) or "all posts"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "topic": self.topic,
            "group": self.group,
            "query": self.query,
            "params": self.params,
            "webhook_url": self.webhook_url,
            "secret_env": self.secret_env,
            "emails": self.emails,
            "enabled": self.enabled,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "last_run": self.last_run,
        }


def check_params(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The kind's defaults overlaid with `params`, each converted to its type."""
    if kind not in KINDS:
        raise HubbubError(f"unknown alert kind {kind!r}", "use one of: " + ", ".join(KINDS))
    out = dict(KINDS[kind])
    for key, value in params.items():
        if key not in out:
            raise HubbubError(
                f"{kind} has no parameter {key!r}",
                f"its parameters are: {', '.join(f'{k} (default {v})' for k, v in KINDS[kind].items())}",
            )
        default = KINDS[kind][key]
        try:
            converted: Any = type(default)(value)
        except (TypeError, ValueError):
            raise HubbubError(
                f"parameter {key}={value!r} of {kind} is not a {type(default).__name__}",
                f"write it like {key}={default}",
            ) from None
        if isinstance(converted, int | float) and converted < 0:
            raise HubbubError(f"parameter {key}={value!r} must not be negative", f"e.g. {key}={default}")
        if key in _DURATION_PARAMS:
            parse_duration(converted, what=f"parameter {key}")
        if key == "bucket" and converted not in ("hour", "day", "week"):
            raise HubbubError(f"bucket {converted!r} is not hour, day or week", "e.g. bucket=hour")
        out[key] = converted
    return out


def parse_param_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """`["points=15", "window=1d"]` -> a dict (the CLI's --param KEY=VALUE)."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise HubbubError(f"cannot read --param {pair!r}", "write it as KEY=VALUE, e.g. points=15")
        out[key.strip()] = value.strip()
    return out


def check_webhook(url: str | None, secret_env: str | None) -> None:
    if url is None:
        if secret_env:
            raise HubbubError("--secret-env is set but there is no webhook", "add --webhook URL")
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HubbubError(
            f"invalid webhook URL {url!r}", "give a full http:// or https:// URL with a host"
        )
    if not secret_env:
        raise HubbubError(
            "a webhook needs a signing secret",
            "put the secret in an environment variable and name it: --secret-env HUBBUB_HOOK_SECRET",
        )
    if not _ENV_NAME.match(secret_env):
        raise HubbubError(
            f"{secret_env!r} is not an environment variable name", "e.g. --secret-env HUBBUB_HOOK_SECRET"
        )
    if not os.environ.get(secret_env):
        raise HubbubError(
            f"the environment variable {secret_env} (the webhook's signing secret) is not set",
            f"set it where hubbub runs, e.g. export {secret_env}=$(openssl rand -hex 32)",
        )


def check_emails(emails: Sequence[str]) -> list[str]:
    out = []
    for email in emails:
        email = email.strip()
        if not _EMAIL.match(email):
            raise HubbubError(f"invalid e-mail address {email!r}", "write it like name@example.org")
        out.append(email)
    return out


def check_scope(store: Store, topic: str | None, group: str | None, query: str | None) -> None:
    """The topic and group exist; the query parses (its error shows where it is wrong)."""
    if topic is not None and not store.one("SELECT 1 FROM topics WHERE name = ?", [topic]):
        raise HubbubError(f"no topic named {topic!r}", "see `hubbub topics list`, or add it first")
    if group is not None and not store.one("SELECT 1 FROM topics WHERE group_name = ?", [group]):
        raise HubbubError(
            f"no topics in group {group!r}", "add some: hubbub topics add NAME QUERY --group G"
        )
    if query is not None:
        from hubbub.query import parse

        parse(query)


def add_rule(
    store: Store,
    name: str,
    kind: str,
    *,
    topic: str | None = None,
    group: str | None = None,
    query: str | None = None,
    params: Mapping[str, Any] | None = None,
    webhook_url: str | None = None,
    secret_env: str | None = None,
    emails: Sequence[str] = (),
    enabled: bool = True,
) -> AlertRule:
    """Save a new rule after checking every part of it."""
    name = name.strip()
    if not name or len(name) > 100:
        raise HubbubError(f"rule name {name!r} is empty or too long", "use up to 100 characters")
    checked = check_params(kind, params or {})
    check_scope(store, topic, group, query)
    if kind == "sov_change" and not group:
        raise HubbubError("a sov_change rule needs a group", "add --group G (the competing topics)")
    check_webhook(webhook_url, secret_env)
    addresses = check_emails(emails)
    if store.one("SELECT 1 FROM alert_rules WHERE name = ?", [name]):
        raise HubbubError(
            f"alert rule {name!r} exists already", f"remove it first: hubbub alerts remove {name}"
        )
    now = datetime.now(UTC)
    store.con.execute(
        "INSERT INTO alert_rules (name, kind, topic, group_name, query, params, webhook_url,"
        " secret_env, emails, enabled, state, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
        [
            name,
            kind,
            topic,
            group,
            query,
            orjson.dumps(checked).decode(),
            webhook_url,
            secret_env,
            addresses,
            enabled,
            now,
            now,
        ],
    )
    return get_rule(store, name)


_COLUMNS: Final = (
    "name, kind, topic, group_name, query, params, webhook_url, secret_env, emails, enabled,"
    " created_at, updated_at, last_run"
)


def _rule(row: tuple[Any, ...]) -> AlertRule:
    return AlertRule(
        name=row[0],
        kind=row[1],
        topic=row[2],
        group=row[3],
        query=row[4],
        params=orjson.loads(row[5]) if row[5] else {},
        webhook_url=row[6],
        secret_env=row[7],
        emails=list(row[8] or []),
        enabled=bool(row[9]),
        created_at=row[10],
        updated_at=row[11],
        last_run=row[12],
    )


def list_rules(store: Store, *, enabled_only: bool = False) -> list[AlertRule]:
    where = "WHERE enabled" if enabled_only else ""
    rows = store.con.execute(f"SELECT {_COLUMNS} FROM alert_rules {where} ORDER BY name").fetchall()
    return [_rule(r) for r in rows]


def get_rule(store: Store, name: str) -> AlertRule:
    row = store.one(f"SELECT {_COLUMNS} FROM alert_rules WHERE name = ?", [name])
    if row is None:
        raise HubbubError(f"no alert rule named {name!r}", "see `hubbub alerts list`")
    return _rule(row)


def set_enabled(store: Store, name: str, enabled: bool) -> AlertRule:
    get_rule(store, name)
    store.con.execute(
        "UPDATE alert_rules SET enabled = ?, updated_at = ? WHERE name = ?",
        [enabled, datetime.now(UTC), name],
    )
    return get_rule(store, name)


def remove_rule(store: Store, name: str) -> None:
    """Remove a rule. Its fired events stay (history), so a rule re-added under the same name
    does not resend them."""
    get_rule(store, name)
    store.con.execute("DELETE FROM alert_rules WHERE name = ?", [name])


def has_enabled_rules(store: Store) -> bool:
    row = store.one("SELECT count(*) FROM alert_rules WHERE enabled")
    return bool(row and row[0])
