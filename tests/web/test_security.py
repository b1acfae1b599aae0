"""Security of the web surface: CSRF, workspace isolation, password storage, login rate limit,
roles. All against the real server of conftest.py (two workspaces of real data)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import duckdb
import httpx

from tests.web.conftest import Site
from tests.web.live import PASSWORD

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(site: Site, workspace: str, username: str, password: str = PASSWORD) -> httpx.Client:
    """A browser-like client signed in through the login form; its CSRF token on .csrf."""
    client = httpx.Client(base_url=site.url, timeout=60)
    form = client.get(f"/w/{workspace}/login")
    token = FORM_TOKEN.search(form.text)
    assert token, form.text
    done = client.post(
        f"/w/{workspace}/login",
        data={"csrf_token": token.group(1), "username": username, "password": password},
    )
    assert done.status_code == 303, done.text
    page = client.get(f"/w/{workspace}/topics")
    found = FORM_TOKEN.search(page.text)
    assert found
    client.headers["X-Test-CSRF"] = found.group(1)
    return client


def test_session_cookie_is_httponly_and_samesite(site: Site) -> None:
    client = httpx.Client(base_url=site.url)
    token = FORM_TOKEN.search(client.get("/w/airlines/login").text)
    assert token
    done = client.post(
        "/w/airlines/login",
        data={"csrf_token": token.group(1), "username": "air-viewer", "password": PASSWORD},
    )
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie


def test_forms_without_the_csrf_token_are_rejected(site: Site) -> None:
    client = sign_in(site, "airlines", "air-editor")
    good = client.headers["X-Test-CSRF"]
    topic = {"name": "csrf-probe", "query": "@delta"}
    assert client.post("/w/airlines/topics", data=topic).status_code == 403
    assert (
        client.post("/w/airlines/topics", data={**topic, "csrf_token": "forged"}).status_code == 403
    )
    api = client.post("/api/v1/topics", json=topic)  # the session cookie alone is not enough
    assert api.status_code == 403 and "CSRF" in api.json()["detail"]["error"]
    wrong = client.post("/api/v1/topics", json=topic, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    names = [t["name"] for t in client.get("/api/v1/topics").json()]
    assert "csrf-probe" not in names  # nothing was changed by the rejected requests
    made = client.post("/w/airlines/topics", data={**topic, "csrf_token": good})
    assert made.status_code == 303
    gone = client.post("/api/v1/topics/csrf-probe", headers={"X-CSRF-Token": good})
    assert gone.status_code == 405  # (sanity: the route is DELETE)
    assert (
        client.delete("/api/v1/topics/csrf-probe", headers={"X-CSRF-Token": good}).status_code
        == 204
    )
    # The login form is protected too (double-submit token before there is a session).
    fresh = httpx.Client(base_url=site.url)
    fresh.get("/w/airlines/login")
    blind = fresh.post("/w/airlines/login", data={"username": "air-owner", "password": PASSWORD})
    assert blind.status_code == 403 and "hubbub_session" not in blind.headers.get("set-cookie", "")


def test_a_token_of_one_workspace_cannot_read_another(site: Site) -> None:
    video = site.client(site.video.tokens["owner"])
    mine = video.get("/api/v1/topics").json()
    assert [t["name"] for t in mine] == ["music"]  # its own workspace, not the airlines
    assert video.get("/api/v1/me").json()["workspace"] == "video"
    for path in ("/api/v1/topics", "/api/v1/status", "/api/v1/posts", "/api/v1/stats/sov/airlines"):
        denied = site.client(site.video.tokens["owner"], workspace="airlines").get(path)
        assert denied.status_code == 403, path
        assert "airlines" in denied.json()["detail"]["hint"]
    assert video.get("/api/v1/topics/united").status_code == 404
    assert video.get("/api/v1/stats/sov/airlines").status_code == 404
    airlines = site.client(site.airlines.tokens["viewer"]).get("/api/v1/status").json()
    assert video.get("/api/v1/status").json()["posts"] != airlines["posts"]


def test_a_session_of_one_workspace_cannot_open_another_s_pages(site: Site) -> None:
    owner = site.client(site.airlines.tokens["owner"])
    slug = owner.post(
        "/api/v1/dashboards", json={"title": "Airline board", "panels": [{"kind": "topics"}]}
    ).json()["slug"]
    outsider = sign_in(site, "video", "vid-owner")
    for path in (
        "/w/airlines/",
        "/w/airlines/topics",
        f"/w/airlines/d/{slug}",
        "/w/airlines/panels/topics",
        "/w/airlines/explore?query=%40united",
        f"/w/airlines/d/{slug}/report.pdf",
    ):
        page = outsider.get(path)
        assert page.status_code == 403, path
        assert "united" not in page.text and "Airline board" not in page.text
    assert outsider.get("/w/video/").status_code == 200
    member = sign_in(site, "airlines", "air-viewer")
    shared = member.get(f"/w/airlines/d/{slug}")
    assert shared.status_code == 200 and "Airline board" in shared.text
    anonymous = httpx.get(f"{site.url}/w/airlines/d/{slug}")
    assert anonymous.status_code == 303 and anonymous.headers["location"].endswith("/login")


def test_passwords_are_stored_as_argon2_hashes(site: Site) -> None:
    owner = site.client(site.airlines.tokens["owner"])
    secret = "a memorable passphrase 42"
    assert (
        owner.post(
            "/api/v1/users", json={"username": "hashcheck", "password": secret, "role": "viewer"}
        ).status_code
        == 201
    )
    db = Path(owner.get("/api/v1/status").json()["db"])
    # The server holds the file open for writing; read a copy (with its WAL) instead.
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.duckdb"
        shutil.copyfile(db, copy)
        wal = db.with_name(db.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        con = duckdb.connect(str(copy), read_only=True)
        rows = con.execute("SELECT username, password_hash FROM users").fetchall()
        con.close()
    hashes = dict(rows)
    assert hashes["hashcheck"].startswith("$argon2id$")
    assert secret not in hashes["hashcheck"]
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    assert sign_in(site, "airlines", "hashcheck", secret).get("/w/airlines/").status_code == 200


def test_login_is_rate_limited_per_user_and_address(site: Site) -> None:
    client = httpx.Client(base_url=site.url)

    def attempt(username: str, password: str) -> int:
        token = FORM_TOKEN.search(client.get("/w/video/login").text)
        assert token
        return client.post(
            "/w/video/login",
            data={"csrf_token": token.group(1), "username": username, "password": password},
        ).status_code

    assert [attempt("vid-editor", "wrong guess") for _ in range(5)] == [401] * 5
    assert attempt("vid-editor", "wrong guess") == 429
    assert attempt("vid-editor", PASSWORD) == 429  # even the right password waits the minute
    assert attempt("vid-viewer", PASSWORD) == 303  # other accounts are not locked out


def test_a_viewer_cannot_change_anything(site: Site) -> None:
    viewer = site.client(site.airlines.tokens["viewer"])
    assert viewer.get("/api/v1/topics").status_code == 200
    assert viewer.post("/api/v1/topics", json={"name": "v", "query": "v"}).status_code == 403
    assert viewer.put("/api/v1/topics/united", json={"query": "x"}).status_code == 403
    assert viewer.delete("/api/v1/topics/united").status_code == 403
    assert (
        viewer.post(
            "/api/v1/dashboards", json={"title": "v", "panels": [{"kind": "topics"}]}
        ).status_code
        == 403
    )
    assert viewer.get("/api/v1/users").status_code == 403
    assert (
        viewer.post("/api/v1/users", json={"username": "v2", "password": "x" * 10}).status_code
        == 403
    )
    page = sign_in(site, "airlines", "air-viewer")
    csrf = page.headers["X-Test-CSRF"]
    topics = page.get("/w/airlines/topics").text
    assert 'id="topic-form"' not in topics and "viewer" in topics
    form = page.post("/w/airlines/topics", data={"name": "v", "query": "v", "csrf_token": csrf})
    assert form.status_code == 403
    assert [t["name"] for t in viewer.get("/api/v1/topics").json()].count("v") == 0
    editor = site.client(site.airlines.tokens["editor"])
    assert editor.get("/api/v1/users").status_code == 403  # members are the owners' business
