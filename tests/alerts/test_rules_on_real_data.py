"""Each rule kind fires on real data when its condition arrives (through the import hook), stays
silent when it is absent, never fires the same event twice, and is delivered to a real webhook
receiver (signature checked) and a real SMTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

import hubbub
from hubbub.alerts import DeliverySettings
from tests.alerts.conftest import import_part
from tests.alerts.servers import Mailbox, webhook_receiver

SECRET_ENV = "HUBBUB_TEST_HOOK_SECRET"
FAST = DeliverySettings(attempts=3, backoff=0.05, timeout=5)


def add_airline_rules(hb: hubbub.Hubbub, url: str, email: str) -> None:
    channels = {"webhook_url": url, "secret_env": SECRET_ENV, "emails": [email]}
    hb.alerts.add("aa-spike", "volume_spike", topic="american", **channels)
    hb.alerts.add("jetblue-mood", "sentiment_drop", topic="jetblue", params={"points": 15}, **channels)
    hb.alerts.add("new-terms", "emerging_term", **channels)
    hb.alerts.add("airline-sov", "sov_change", group="airlines", params={"points": 10}, **channels)


def test_each_kind_fires_once_on_the_real_surge_and_not_before(
    store_before: Path,
    airline_parts: dict[str, Path],
    smtp: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SECRET_ENV, "s3cret-for-tests")
    with webhook_receiver("s3cret-for-tests") as receiver, hubbub.open(store_before) as hb:
        add_airline_rules(hb, receiver.url, "pr-team@example.org")

        # Up to 20 Feb nothing unusual happened: no rule fires.
        quiet = hb.alerts.run(delivery=FAST)
        assert quiet.rules == 4 and not quiet.errors
        assert quiet.fired == [], [e.message for e in quiet.fired]

        # 21-22 Feb arrive by import: the hook evaluates the rules and delivers.
        import_part(hb, airline_parts["surge"])
        events = hb.alerts.events(limit=100).to_pylist()
        by_rule: dict[str, list[dict[str, object]]] = {}
        for e in events:
            by_rule.setdefault(str(e["rule"]), []).append(e)
        assert set(by_rule) == {"aa-spike", "jetblue-mood", "new-terms", "airline-sov"}

        sov = [str(e["message"]) for e in by_rule["airline-sov"]]
        assert any("'american'" in m and "went up" in m for m in sov), sov
        assert any("jetblue" in str(e["message"]) and "fell" in str(e["message"])
                   for e in by_rule["jetblue-mood"])
        assert any("@americanair" in str(e["message"]) for e in by_rule["new-terms"])
        assert all("american" in str(e["message"]) for e in by_rule["aa-spike"])

        # Evidence: numbers and the posts behind them.
        spike = hb.alerts.event(int(by_rule["aa-spike"][-1]["event_id"]))  # type: ignore[call-overload]
        assert spike["evidence"]["count"] >= 10 * max(spike["evidence"]["expected"], 1)
        assert spike["evidence"]["top_posts"]
        mood = hb.alerts.event(int(by_rule["jetblue-mood"][0]["event_id"]))  # type: ignore[call-overload]
        assert mood["evidence"]["change_points"] <= -15
        assert mood["evidence"]["top_negative_posts"]
        assert all(d["status"] == "delivered" for d in mood["deliveries"])

        # Every event reached the receiver once, correctly signed, and an e-mail was sent for each.
        assert receiver.bad_signatures == 0
        assert sorted(p["event_id"] for p in receiver.received) == sorted(
            int(e["event_id"]) for e in events  # type: ignore[call-overload]
        )
        assert len(smtp.messages) == len(events)
        recipients, first = smtp.messages[0]
        assert recipients == ["pr-team@example.org"] and first["Subject"].startswith("[hubbub] ")

        # The same data again, a run by hand, and the next days: nothing is sent twice.
        fired_before = len(events)
        import_part(hb, airline_parts["surge"])  # 0 new posts
        again = hb.alerts.run(delivery=FAST)
        assert again.fired == []
        import_part(hb, airline_parts["after"])
        later = hb.alerts.events(limit=1000).to_pylist()
        keys = [(e["rule"], e["event_id"]) for e in later]
        assert len(keys) == len(set(keys))
        spike_keys = hb.sql("SELECT event_key FROM alert_events WHERE rule = 'aa-spike'").column(0)
        assert len(spike_keys) == len(set(spike_keys.to_pylist()))
        # American stays far above its old share on the 23rd: the same episode, not a new alert.
        sov_after = hb.sql(
            "SELECT count(*) FROM alert_events WHERE rule = 'airline-sov'"
            " AND event_key LIKE 'sov:american:up%'"
        ).column(0)[0].as_py()
        assert sov_after == 1
        assert len(receiver.received) == len(later) >= fired_before


def test_disabled_rules_and_an_empty_rule_table_cost_nothing(
    store_before: Path, airline_parts: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "x")
    with hubbub.open(store_before) as hb:
        hb.alerts.add("off", "sov_change", group="airlines", enabled=False)
        import_part(hb, airline_parts["surge"])
        assert hb.alerts.events().num_rows == 0
        hb.alerts.enable("off")
        assert len(hb.alerts.run(deliver=False).fired) >= 1  # the condition is there
