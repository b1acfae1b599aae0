"""The team features over REST, against a real uvicorn server on the real airline tweets."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from hubbub.web import create_app


@pytest.fixture()
def api(airline_hb: object) -> Iterator[httpx.Client]:
    db = airline_hb.store.path  # type: ignore[attr-defined]
    airline_hb.close()  # type: ignore[attr-defined]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        yield client
    server.should_exit = True
    thread.join(timeout=10)


def test_support_queue_over_rest(api: httpx.Client) -> None:
    owned = api.get("/api/v1/owned").json()
    assert {a["handle"] for a in owned} >= {"united", "jetblue"}
    queue = api.get("/api/v1/support/queue", params={"limit": 5}).json()
    assert len(queue) == 5
    assert [r["urgency"] for r in queue] == sorted((r["urgency"] for r in queue), reverse=True)
    first = queue[0]["post_id"]
    assert (
        api.post("/api/v1/support/assign", json={"post_id": first, "assignee": "dana"}).status_code
        == 200
    )
    assert (
        api.post("/api/v1/support/handle", json={"post_id": first, "note": "done"}).status_code
        == 200
    )
    stats = api.get("/api/v1/support/stats").json()
    assert stats["handled"] == 1 and stats["by_assignee"][0]["assignee"] == "dana"
    missing = api.post("/api/v1/support/assign", json={"post_id": "twitter:nope", "assignee": "x"})
    assert missing.status_code == 404 and "hint" in missing.json()["detail"]
    assert api.post("/api/v1/support/assign", json={"post_id": first}).status_code == 422


def test_best_times_and_creative_errors_over_rest(api: httpx.Client) -> None:
    best = api.get("/api/v1/owned/best-times").json()
    assert best["basis"] == "audience activity" and len(best["slots"]) == 24
    assert all(s["low"] is not None for s in best["slots"])
    bad = api.post("/api/v1/creative", json={"campaign": "c", "variant": "v", "rule": "a AND OR b"})
    assert bad.status_code == 422 and bad.json()["detail"]["column"] > 0
    assert api.get("/api/v1/creative/nothing/compare").status_code == 404
    assert api.get("/api/v1/owned/best-times", params={"tz": "Mars/Base"}).status_code == 400
