"""One real server with two workspaces of real data, shared by the web tests of a worker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from hubbub.web import create_app
from hubbub.web.report import CHROMIUM_FLAGS
from tests.web.live import Members, add_members, airline_store, running, youtube_store


@dataclass
class Site:
    url: str
    airlines: Members  # workspace "airlines": airline tweets, topics united and jetblue
    video: Members  # workspace "video": YouTube comments

    def client(self, token: str | None = None, workspace: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if workspace:
            headers["X-Hubbub-Workspace"] = workspace
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture(scope="session")
def site(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    airlines = airline_store(shared_data, folder / "airlines.duckdb")
    video = youtube_store(shared_data, folder / "video.duckdb")
    members = add_members(airlines, "air"), add_members(video, "vid")
    app = create_app(workspaces={"airlines": str(airlines), "video": str(video)})
    with running(app) as url:
        yield Site(url, *members)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """The system's headless Chromium driven by Playwright (one per test module)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install -y chromium)")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS))
        yield launched
        launched.close()
