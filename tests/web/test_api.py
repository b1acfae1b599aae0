"""The REST API served by a real uvicorn server on loopback, over real airline tweets."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

import hubbub
from hubbub.web import create_app
from tests.realdata import AIRLINE_LABELLED


@pytest.fixture(scope="module")
def api(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("web") / "h.duckdb"
    with hubbub.open(db) as hb:
        hb.import_files(
            [shared_data / "corpus" / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv"],
            platform="twitter",
            mapping=AIRLINE_LABELLED,
        )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        yield client
    server.should_exit = True
    thread.join(timeout=10)


def test_status_and_openapi(api: httpx.Client) -> None:
    status = api.get("/api/v1/status").json()
    assert status["posts"] > 10_000
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/api/v1/topics", "/api/v1/stats/volume", "/api/v1/stats/sov/{group_name}"} <= set(
        paths
    )


def test_topics_lifecycle_and_query_errors(api: httpx.Client) -> None:
    bad = api.post("/api/v1/topics", json={"name": "u", "query": "@united AND bag OR luggage"})
    assert bad.status_code == 422
    assert bad.json()["line"] == 1 and bad.json()["column"] == 17 and "^" in bad.json()["excerpt"]
    made = api.post(
        "/api/v1/topics", json={"name": "united", "query": "@united", "group": "airlines"}
    )
    assert made.status_code == 201 and made.json()["matches"] > 1000
    api.post("/api/v1/topics", json={"name": "jetblue", "query": "@jetblue", "group": "airlines"})
    sov = api.get("/api/v1/stats/sov/airlines").json()
    assert {r["topic"] for r in sov["rows"]} == {"united", "jetblue"}
    assert sum(r["share_of_voice"] for r in sov["rows"]) == pytest.approx(100, abs=0.05)
    sentiment = api.get(
        "/api/v1/stats/sentiment", params={"topic": "united", "bucket": "none"}
    ).json()
    assert (
        sentiment["rows"][0]["net_sentiment"] < 0
    )  # people write to airlines when things go wrong
    assert api.get("/api/v1/topics/nope").status_code == 404
    assert api.delete("/api/v1/topics/jetblue").status_code == 204
    assert [t["name"] for t in api.get("/api/v1/topics").json()] == ["united"]


def test_posts_search_and_stats(api: httpx.Client) -> None:
    found = api.get(
        "/api/v1/posts", params={"query": '"lost luggage" OR (bag NEAR/2 lost)', "limit": 5}
    ).json()
    assert found["total"] > 10 and len(found["posts"]) == 5
    volume = api.get("/api/v1/stats/volume", params={"bucket": "day"}).json()
    assert volume["definition"] and len(volume["rows"]) >= 8
    spikes = api.get("/api/v1/stats/spikes").json()["spikes"]
    assert isinstance(spikes, list)
    assert api.get("/api/v1/stats/volume", params={"bucket": "fortnight"}).status_code == 422
    assert api.get("/api/v1/stats/top/planets").status_code == 400
