"""The team features over REST, against a real uvicorn server on the real airline tweets:
members read, editors change, viewers cannot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import hubbub
from hubbub.web import create_app
from tests.web.live import add_members, running


@pytest.fixture()
def api(airline_hb: hubbub.Hubbub) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    db = Path(airline_hb.store.path)
    airline_hb.close()
    members = add_members(db, "air")
    with running(create_app(str(db))) as base:
        editor = httpx.Client(
            base_url=base,
            timeout=60,
            headers={"Authorization": f"Bearer {members.tokens['editor']}"},
        )
        viewer = httpx.Client(
            base_url=base,
            timeout=60,
            headers={"Authorization": f"Bearer {members.tokens['viewer']}"},
        )
        with editor, viewer:
            yield editor, viewer


def test_support_queue_over_rest(api: tuple[httpx.Client, httpx.Client]) -> None:
    editor, viewer = api
    owned = viewer.get("/api/v1/owned").json()
    assert {a["handle"] for a in owned} >= {"united", "jetblue"}
    queue = viewer.get("/api/v1/support/queue", params={"limit": 5}).json()
    assert len(queue) == 5
    assert [r["urgency"] for r in queue] == sorted((r["urgency"] for r in queue), reverse=True)
    first = queue[0]["post_id"]
    denied = viewer.post("/api/v1/support/assign", json={"post_id": first, "assignee": "dana"})
    assert denied.status_code == 403
    assert (
        editor.post(
            "/api/v1/support/assign", json={"post_id": first, "assignee": "dana"}
        ).status_code
        == 200
    )
    assert (
        editor.post("/api/v1/support/handle", json={"post_id": first, "note": "done"}).status_code
        == 200
    )
    stats = viewer.get("/api/v1/support/stats").json()
    assert stats["handled"] == 1 and stats["by_assignee"][0]["assignee"] == "dana"
    missing = editor.post(
        "/api/v1/support/assign", json={"post_id": "twitter:nope", "assignee": "x"}
    )
    assert missing.status_code == 404 and "hint" in missing.json()["detail"]
    assert editor.post("/api/v1/support/assign", json={"post_id": first}).status_code == 422
    assert httpx.get(editor.base_url.join("/api/v1/support/queue")).status_code == 401


def test_best_times_and_creative_errors_over_rest(api: tuple[httpx.Client, httpx.Client]) -> None:
    editor, viewer = api
    best = viewer.get("/api/v1/owned/best-times").json()
    assert best["basis"] == "audience activity" and len(best["slots"]) == 24
    assert all(s["low"] is not None for s in best["slots"])
    bad = editor.post(
        "/api/v1/creative", json={"campaign": "c", "variant": "v", "rule": "a AND OR b"}
    )
    assert bad.status_code == 422 and bad.json()["detail"]["column"] > 0
    assert (
        viewer.post("/api/v1/creative", json={"campaign": "c", "variant": "v"}).status_code == 403
    )
    assert viewer.get("/api/v1/creative/nothing/compare").status_code == 404
    assert viewer.get("/api/v1/owned/best-times", params={"tz": "Mars/Base"}).status_code == 400
