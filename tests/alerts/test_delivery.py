"""Webhook delivery against a real receiver: retries on 5xx with backoff, no retry on 4xx, a
missing secret is reported; the signature scheme as documented; test-fires."""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path

import pytest

import hubbub
from hubbub.alerts import DeliverySettings, sign, verify
from tests.alerts.conftest import import_part
from tests.alerts.servers import Mailbox, free_port, webhook_receiver

ENV = "HUBBUB_TEST_DELIVERY_SECRET"
FAST = DeliverySettings(attempts=3, backoff=0.05, timeout=2)


def test_signature_scheme_matches_the_readme() -> None:
    body, ts = b'{"event_id": 1}', int(time.time())
    expected = "sha256=" + hmac.new(b"k", f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    assert sign("k", body, ts) == expected
    assert verify("k", body, str(ts), expected)
    assert not verify("k", body + b" ", str(ts), expected)  # body changed
    assert not verify("other", body, str(ts), expected)  # wrong secret
    assert not verify("k", body, str(ts - 3600), sign("k", body, ts - 3600))  # replayed later


def _sov_rule(hb: hubbub.Hubbub, url: str) -> None:
    hb.alerts.add("sov", "sov_change", group="airlines", webhook_url=url, secret_env=ENV)


def test_webhook_retries_after_a_500_then_succeeds(
    store_before: Path, airline_parts: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "retry-secret")
    with webhook_receiver("retry-secret", fail_first=1) as receiver, hubbub.open(store_before) as hb:
        _sov_rule(hb, receiver.url)
        import_part(hb, airline_parts["surge"])  # the hook fires with the default backoff
        first = hb.sql(
            "SELECT status, attempts, http_status FROM alert_deliveries ORDER BY event_id LIMIT 1"
        ).to_pylist()[0]
    assert first == {"status": "delivered", "attempts": 2, "http_status": 200}
    assert receiver.received and receiver.bad_signatures == 0
    # The retry is the same delivery (receivers can de-duplicate on X-Hubbub-Delivery).
    assert receiver.delivery_ids[0] == receiver.delivery_ids[1]


def test_a_4xx_is_not_retried_and_a_dead_receiver_is_recorded(
    store_before: Path, airline_parts: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "s")
    with webhook_receiver("s", status_after=410) as receiver, hubbub.open(store_before) as hb:
        _sov_rule(hb, receiver.url)
        hb.alerts.add(
            "dead", "sov_change", group="airlines",
            webhook_url=f"http://127.0.0.1:{free_port()}/nobody", secret_env=ENV,
        )
        import_part(hb, airline_parts["surge"])
        run = hb.alerts.run(delivery=FAST)  # the hook already ran: check what it recorded
        assert run.fired == []
        rows = hb.sql(
            "SELECT e.rule, d.status, d.attempts, d.http_status, d.error FROM alert_deliveries d"
            " JOIN alert_events e USING (event_id) ORDER BY e.rule"
        ).to_pylist()
    gone = [r for r in rows if r["rule"] == "sov"]
    dead = [r for r in rows if r["rule"] == "dead"]
    assert gone and all(r["status"] == "failed" and r["attempts"] == 1 and r["http_status"] == 410 for r in gone)
    assert dead and all(r["status"] == "failed" and r["attempts"] == 4 and r["http_status"] is None for r in dead)
    assert all("ConnectError" in r["error"] for r in dead)
    assert receiver.attempts == len(gone)


def test_missing_secret_at_delivery_is_reported_not_raised(
    store_before: Path, smtp: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "here-when-saved")
    with hubbub.open(store_before) as hb:
        hb.alerts.add("r", "sov_change", group="airlines", webhook_url="https://example.org/h",
                      secret_env=ENV, emails=["ops@example.org"])
        monkeypatch.delenv(ENV)
        event = hb.alerts.test("r")
    webhook, email = event.deliveries
    assert webhook.status == "failed" and ENV in (webhook.error or "")
    assert email.status == "delivered"
    assert "Test of alert rule 'r'" in smtp.bodies()[0]


def test_a_timed_out_attempt_is_retried(
    store_before: Path, airline_parts: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "slow")
    with webhook_receiver("slow", slow_first=2.0) as receiver, hubbub.open(store_before) as hb:
        hb.alerts.add("sov", "sov_change", group="airlines", topic="american",
                      webhook_url=receiver.url, secret_env=ENV, enabled=False)
        import_part(hb, airline_parts["surge"])
        hb.alerts.enable("sov")
        run = hb.alerts.run(delivery=DeliverySettings(attempts=3, backoff=0.05, timeout=0.5))
    [event] = run.fired
    [webhook] = event.deliveries
    assert (webhook.status, webhook.attempts) == ("delivered", 2)
    assert len(receiver.received) == 1 and receiver.received[0]["event_id"] == event.event_id
