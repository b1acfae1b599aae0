"""A bad rule is refused with a message that names the problem and the fix (API, CLI: no
traceback); the CLI drives rules, runs and events end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hubbub
from hubbub.errors import HubbubError
from tests.alerts.conftest import import_part
from tests.alerts.servers import webhook_receiver
from tests.core.helpers import run_cli

ENV = "HUBBUB_TEST_CLI_SECRET"


@pytest.mark.parametrize(
    ("kwargs", "message", "hint"),
    [
        ({"kind": "volume_spike", "topic": "lufthansa"}, "no topic named 'lufthansa'", "topics list"),
        ({"kind": "sov_change", "group": "trains"}, "no topics in group 'trains'", "--group"),
        ({"kind": "sov_change"}, "needs a group", "--group"),
        ({"kind": "volume_spike", "webhook_url": "ftp://x/y", "secret_env": ENV}, "invalid webhook URL", "https://"),
        ({"kind": "volume_spike", "webhook_url": "localhost:9000", "secret_env": ENV}, "invalid webhook URL", "https://"),
        ({"kind": "volume_spike", "webhook_url": "https://example.org/h"}, "needs a signing secret", "--secret-env"),
        ({"kind": "volume_spike", "webhook_url": "https://example.org/h", "secret_env": "HUBBUB_NOT_SET_ANYWHERE"},
         "HUBBUB_NOT_SET_ANYWHERE", "export HUBBUB_NOT_SET_ANYWHERE"),
        ({"kind": "spike"}, "unknown alert kind 'spike'", "volume_spike"),
        ({"kind": "sentiment_drop", "params": {"pionts": 5}}, "has no parameter 'pionts'", "points"),
        ({"kind": "sentiment_drop", "params": {"points": "lots"}}, "is not a float", "points=10.0"),
        ({"kind": "sentiment_drop", "params": {"window": "1 day"}}, "cannot read the parameter window", "6h"),
        ({"kind": "volume_spike", "emails": ["ops at example.org"]}, "invalid e-mail address", "name@example.org"),
        ({"kind": "volume_spike", "query": "delay AND bag OR luggage"}, "", ""),
    ],
)
def test_bad_rules_are_refused_clearly(
    store_before: Path, kwargs: dict[str, object], message: str, hint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "x")
    monkeypatch.delenv("HUBBUB_NOT_SET_ANYWHERE", raising=False)
    with hubbub.open(store_before) as hb:
        with pytest.raises(HubbubError) as caught:
            hb.alerts.add("bad", **kwargs)  # type: ignore[arg-type]
        assert message in caught.value.message
        assert hint in caught.value.hint
        assert hb.alerts.list() == []  # nothing half-saved


def test_cli_refuses_a_bad_rule_without_traceback(store_before: Path) -> None:
    result = run_cli(
        "--db", store_before, "alerts", "add", "x", "--kind", "volume_spike", "--topic", "lufthansa"
    )
    assert result.returncode == 2
    assert "no topic named 'lufthansa'" in result.stderr and "Traceback" not in result.stderr
    result = run_cli(
        "--db", store_before, "alerts", "add", "x", "--kind", "volume_spike",
        "--webhook", "https://example.org/h", "--secret-env", "HUBBUB_NOT_SET_ANYWHERE",
    )
    assert result.returncode == 2 and "is not set" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("--db", store_before, "alerts", "add", "x", "--kind", "sov_change",
                     "--group", "airlines", "--param", "points")
    assert result.returncode == 2 and "KEY=VALUE" in result.stderr


def test_cli_add_run_events_show_test(store_before: Path, airline_parts: dict[str, Path]) -> None:
    env = {ENV: "cli-secret"}
    with webhook_receiver("cli-secret") as receiver:
        added = run_cli(
            "--db", store_before, "alerts", "add", "sov", "--kind", "sov_change", "--group", "airlines",
            "--param", "points=12", "--webhook", receiver.url, "--secret-env", ENV, env=env,
        )
        assert added.returncode == 0, added.stderr
        assert "points=12.0" in added.stdout
        listed = json.loads(run_cli("--db", store_before, "alerts", "list", "--json").stdout)
        assert listed[0]["params"]["points"] == 12.0 and listed[0]["secret_env"] == ENV
        quiet = run_cli("--db", store_before, "alerts", "run", env=env)
        assert quiet.returncode == 0 and "nothing new fired" in quiet.stdout
        with hubbub.open(store_before) as hb:
            hb.alerts.disable("sov")  # import without firing; the CLI run below does it
            import_part(hb, airline_parts["surge"])
            hb.alerts.enable("sov")
        fired = run_cli("--db", store_before, "alerts", "run", "--json", env=env)
        assert fired.returncode == 0, fired.stderr
        report = json.loads(fired.stdout)
        assert report["fired"] and all(
            d["status"] == "delivered" for e in report["fired"] for d in e["deliveries"]
        )
        assert len(receiver.received) == len(report["fired"])
        events = json.loads(run_cli("--db", store_before, "alerts", "events", "--json").stdout)
        assert len(events) == len(report["fired"])
        shown = json.loads(
            run_cli("--db", store_before, "alerts", "show", str(events[0]["event_id"])).stdout
        )
        assert shown["evidence"]["group"] == "airlines" and shown["deliveries"][0]["status"] == "delivered"
        tested = run_cli("--db", store_before, "alerts", "test", "sov", env=env)
        assert tested.returncode == 0 and receiver.received[-1]["test"] is True
    assert run_cli("--db", store_before, "alerts", "remove", "sov").returncode == 0
    missing = run_cli("--db", store_before, "alerts", "remove", "sov")
    assert missing.returncode == 2 and "no alert rule named 'sov'" in missing.stderr
