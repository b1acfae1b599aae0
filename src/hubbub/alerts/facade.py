"""`hb.alerts` and `hb.digests`: the alert and digest API of one database, one method per CLI
command (`hubbub alerts add` is `hb.alerts.add`, and so on)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from hubbub.alerts import digests as _digests
from hubbub.alerts import engine, rules
from hubbub.alerts.mail import SmtpSettings
from hubbub.alerts.webhook import DeliverySettings
from hubbub.store import Store


class Alerts:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self,
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
    ) -> rules.AlertRule:
        """Save a rule (checked first: scope, parameters, webhook URL and secret, e-mails)."""
        return rules.add_rule(
            self.store, name, kind, topic=topic, group=group, query=query, params=params,
            webhook_url=webhook_url, secret_env=secret_env, emails=emails, enabled=enabled,
        )

    def list(self) -> builtins.list[rules.AlertRule]:
        return rules.list_rules(self.store)

    def get(self, name: str) -> rules.AlertRule:
        return rules.get_rule(self.store, name)

    def remove(self, name: str) -> None:
        rules.remove_rule(self.store, name)

    def enable(self, name: str) -> rules.AlertRule:
        return rules.set_enabled(self.store, name, True)

    def disable(self, name: str) -> rules.AlertRule:
        return rules.set_enabled(self.store, name, False)

    def run(
        self,
        *,
        at: datetime | None = None,
        rules: Sequence[str] = (),
        deliver: bool = True,
        delivery: DeliverySettings = DeliverySettings(),
        smtp: SmtpSettings | None = None,
    ) -> engine.AlertRun:
        """Evaluate rules now (default clock: just after the newest post) and deliver new events."""
        return engine.run_alerts(
            self.store, at=at, rules=rules, deliver=deliver, delivery=delivery, smtp=smtp
        )

    def test(
        self, name: str, *, delivery: DeliverySettings = DeliverySettings(), smtp: SmtpSettings | None = None
    ) -> engine.FiredEvent:
        """Send a test event through the rule's channels (not recorded as fired)."""
        return engine.send_test(self.store, name, delivery=delivery, smtp=smtp)

    def events(self, rule: str | None = None, limit: int = 50) -> pa.Table:
        return engine.list_events(self.store, rule, limit)

    def event(self, event_id: int) -> dict[str, Any]:
        return engine.get_event(self.store, event_id)


class Digests:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self,
        name: str,
        every: str,
        emails: Sequence[str],
        *,
        topic: str | None = None,
        group: str | None = None,
        query: str | None = None,
        headlines: int = 5,
    ) -> _digests.Digest:
        return _digests.add_digest(
            self.store, name, every, emails, topic=topic, group=group, query=query, headlines=headlines
        )

    def list(self) -> builtins.list[_digests.Digest]:
        return _digests.list_digests(self.store)

    def remove(self, name: str) -> None:
        _digests.remove_digest(self.store, name)

    def run(
        self,
        *,
        now: datetime | None = None,
        names: Sequence[str] = (),
        force: bool = False,
        smtp: SmtpSettings | None = None,
    ) -> builtins.list[_digests.DigestSend]:
        """Send the digests that are due (the function a server calls periodically)."""
        return _digests.run_due(self.store, now=now, names=names, force=force, smtp=smtp)
