"""The alerts and digests REST routes, mounted in the app, over real data and a real SMTP server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hubbub.web import create_app
from tests.alerts.servers import Mailbox, webhook_receiver
from tests.web.live import add_members

ENV = "HUBBUB_TEST_REST_SECRET"


@pytest.fixture()
def client(store_before: Path) -> Iterator[TestClient]:
    # Every API call needs a member's token; an editor may change alert rules.
    token = add_members(Path(store_before), f"m{uuid.uuid4().hex[:8]}").tokens["editor"]
    with TestClient(
        create_app(str(store_before)), headers={"Authorization": f"Bearer {token}"}
    ) as c:
        yield c


def test_rules_crud_validation_and_test_fire(
    client: TestClient, smtp: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "rest-secret")
    with webhook_receiver("rest-secret") as receiver:
        rule = {
            "name": "jb",
            "kind": "sentiment_drop",
            "topic": "jetblue",
            "params": {"points": 15},
            "webhook_url": receiver.url,
            "secret_env": ENV,
            "emails": ["cx@example.org"],
        }
        made = client.post("/api/v1/alerts", json=rule)
        assert made.status_code == 201, made.text
        assert made.json()["params"] == {"window": "1d", "points": 15.0, "min_posts": 30}
        assert client.post("/api/v1/alerts", json=rule).status_code == 409
        assert [r["name"] for r in client.get("/api/v1/alerts").json()] == ["jb"]
        fired = client.post("/api/v1/alerts/jb/test").json()
        assert [d["status"] for d in fired["deliveries"]] == ["delivered", "delivered"]
        assert receiver.received[0]["test"] is True and len(smtp.messages) == 1
    off = client.post("/api/v1/alerts/jb/enabled", params={"enabled": False}).json()
    assert off["enabled"] is False
    assert client.post("/api/v1/alerts/run").json()["rules"] == 0
    assert client.get("/api/v1/alerts/events").json() == []
    assert client.delete("/api/v1/alerts/jb").status_code == 204
    assert client.get("/api/v1/alerts/jb").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"name": "x", "kind": "volume_spike", "topic": "lufthansa"}, 400, "no topic named"),
        (
            {"name": "x", "kind": "volume_spike", "webhook_url": "nope", "secret_env": ENV},
            400,
            "invalid webhook URL",
        ),
        (
            {
                "name": "x",
                "kind": "volume_spike",
                "webhook_url": "https://e.org",
                "secret_env": "HUBBUB_NOT_SET_ANYWHERE",
            },
            400,
            "is not set",
        ),
        ({"name": "x", "kind": "tsunami"}, 422, "volume_spike"),
        ({"name": "", "kind": "volume_spike"}, 422, "name"),
        ({"name": "x", "kind": "volume_spike", "query": "a AND b OR c"}, 422, "column"),
        ({"name": "x", "kind": "volume_spike", "colour": "red"}, 422, "colour"),
    ],
)
def test_bad_rules_are_4xx(
    client: TestClient,
    body: dict[str, object],
    status: int,
    text: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV, "x")
    answer = client.post("/api/v1/alerts", json=body)
    assert answer.status_code == status and text in answer.text


def test_digests_routes(client: TestClient, smtp: Mailbox) -> None:
    made = client.post(
        "/api/v1/digests", json={"name": "d", "every": "weekly", "emails": ["a@example.org"]}
    )
    assert made.status_code == 201
    assert client.post("/api/v1/digests", json={"name": "e", "emails": []}).status_code == 422
    sent = client.post("/api/v1/digests/run", params={"now": "2015-02-21T00:00:00Z"}).json()
    assert [s["status"] for s in sent] == ["sent"] and sent[0]["headlines"]
    assert client.post("/api/v1/digests/run", params={"now": "2015-02-22T00:00:00Z"}).json() == []
    assert len(smtp.messages) == 1
    assert client.delete("/api/v1/digests/d").status_code == 204
    assert client.delete("/api/v1/digests/d").status_code == 404
