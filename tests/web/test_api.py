"""The REST API served by a real uvicorn server on loopback, over real airline tweets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hubbub.web import create_app
from tests.web.live import add_members, airline_store, running


@pytest.fixture(scope="module")
def api(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = airline_store(shared_data, tmp_path_factory.mktemp("web") / "h.duckdb", topics=False)
    owner = add_members(db, "api").tokens["owner"]
    with (
        running(create_app(str(db))) as url,
        httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {owner}"}, timeout=30
        ) as client,
    ):
        yield client


def test_status_and_openapi(api: httpx.Client) -> None:
    status = api.get("/api/v1/status").json()
    assert status["posts"] > 10_000
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/api/v1/topics", "/api/v1/stats/volume", "/api/v1/stats/sov/{group_name}"} <= set(
        paths
    )
    assert {"/api/v1/users", "/api/v1/dashboards", "/api/v1/dashboards/{slug}/report"} <= set(paths)
    assert api.get("/api/v1/me").json() == {
        "workspace": "main",
        "username": "api-owner",
        "role": "owner",
        "created_at": api.get("/api/v1/me").json()["created_at"],
    }


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


def test_dashboards_and_members_over_the_api(api: httpx.Client) -> None:
    made = api.post(
        "/api/v1/dashboards",
        json={"title": "Weekly", "panels": [{"kind": "volume"}, {"kind": "top_authors"}]},
    )
    assert made.status_code == 201, made.text
    slug = made.json()["slug"]
    assert api.get(f"/api/v1/dashboards/{slug}").json()["title"] == "Weekly"
    assert any(d["slug"] == slug for d in api.get("/api/v1/dashboards").json())
    bad = api.post("/api/v1/dashboards", json={"title": "x", "panels": [{"kind": "pie"}]})
    assert bad.status_code == 400 and "unknown panel" in bad.json()["error"]
    added = api.post(
        "/api/v1/users", json={"username": "newbie", "password": "long enough pw", "role": "viewer"}
    )
    assert added.status_code == 201 and added.json()["role"] == "viewer"
    assert {u["username"] for u in api.get("/api/v1/users").json()} >= {"api-owner", "newbie"}
    short = api.post("/api/v1/users", json={"username": "x", "password": "short"})
    assert short.status_code == 400 and "too short" in short.json()["error"]
    assert api.delete("/api/v1/users/newbie").status_code == 204
    assert api.delete(f"/api/v1/dashboards/{slug}").status_code == 204
    assert api.get(f"/api/v1/dashboards/{slug}").status_code == 404


def test_every_api_endpoint_needs_a_credential(api: httpx.Client) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for path, methods in paths.items():
        concrete = path.replace("{", "").replace("}", "")
        for method in methods:
            response = httpx.request(method.upper(), str(api.base_url.join(concrete)))
            assert response.status_code == 401, (method, path, response.status_code)
