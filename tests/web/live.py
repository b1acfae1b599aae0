"""Real servers for web tests: the app under uvicorn on a free loopback port, real workspaces."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Page

import hubbub
from hubbub.store import Store
from hubbub.topics import add_topic
from hubbub.web.users import add_user, create_token
from tests.realdata import AIRLINE_LABELLED

PASSWORD = "correct horse battery"  # test accounts only; real ones come from the CLI or setup


@contextmanager
def running(app: FastAPI) -> Iterator[str]:
    """Serve `app` in a thread; yields its base URL and stops it afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("uvicorn did not start within 30 s")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def airline_store(shared_data: Path, db: Path, *, topics: bool = True) -> Path:
    """Real airline tweets (Twitter US Airline Sentiment), with two competing topics."""
    with hubbub.open(db) as hb:
        hb.import_files(
            [shared_data / "corpus" / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv"],
            platform="twitter",
            mapping=AIRLINE_LABELLED,
        )
        if topics:
            add_topic(hb.store, "united", "@united", "airlines")
            add_topic(hb.store, "jetblue", "@jetblue", "airlines")
    return db


def youtube_store(shared_data: Path, db: Path) -> Path:
    """Real YouTube comments (the spam collection), a workspace with other data."""
    files = sorted((shared_data / "corpus" / "youtube_spam_collection").glob("*.csv"))
    with hubbub.open(db) as hb:
        hb.import_files(
            files,
            platform="youtube",
            mapping={
                "native_id": "COMMENT_ID",
                "author_handle": "AUTHOR",
                "created_at": "DATE",
                "text": "CONTENT",
            },
        )
        add_topic(hb.store, "music", "song OR music", "media")
    return db


@dataclass
class Members:
    """Accounts and tokens of one workspace, by role."""

    tokens: dict[str, str] = field(default_factory=dict)


def add_members(db: Path, prefix: str) -> Members:
    members = Members()
    with Store(db) as store:
        for role in ("owner", "editor", "viewer"):
            add_user(store, f"{prefix}-{role}", PASSWORD, role)
            members.tokens[role] = create_token(store, f"{prefix}-{role}", "tests")
    return members


def sign_in(page: Page, url: str, workspace: str, username: str, password: str) -> None:
    """Sign in through the login form, as a person does."""
    page.goto(f"{url}/w/{workspace}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
