"""The live fetch loop against a real local HTTP server replaying recorded Mastodon pages.

The server (stdlib http.server in a thread) answers like mastodon.social did when rtoot recorded
four pages of #ichbinhanna: the same bodies and the same Link headers (host rewritten), and can be
told to misbehave first: 429 with Retry-After, 500, a response too slow for the client's timeout,
or a malformed body.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest
import yaml

from hubbub.sources.live import (
    Endpoint,
    LiveFetchError,
    RetryPolicy,
    fetch_pages,
    link_header_next,
)
from hubbub.sources.mastodon import FORMAT as MASTODON

CASSETTE = "formats/mastodon/rtoot_vcr_fixtures/handle_params_max_id.yml"
PATH = "/api/v1/timelines/tag/ichbinhanna"


class Replay:
    """Recorded pages by max_id, and a queue of faults to serve before them."""

    def __init__(self, shared_data: Path) -> None:
        doc = yaml.load((shared_data / CASSETTE).read_bytes(), Loader=yaml.CSafeLoader)
        self.pages: dict[str, tuple[bytes, str]] = {}
        for interaction in doc["http_interactions"]:
            query = parse_qs(urlsplit(interaction["request"]["uri"]).query)
            max_id = query.get("max_id", [""])[0]
            link = interaction["response"]["headers"]["link"]
            self.pages[max_id] = (interaction["response"]["body"]["string"].encode(), link)
        self.faults: list[str] = []
        self.requests: list[str] = []


def _handler(replay: Replay, base: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            replay.requests.append(self.path)
            fault = replay.faults.pop(0) if replay.faults else ""
            if fault == "429":
                self._send(429, b'{"error": "Too many requests"}', {"Retry-After": "2"})
            elif fault == "429-reset":
                reset = str(int(time.time()) + 3)
                self._send(429, b"{}", {"x-rate-limit-reset": reset})
            elif fault == "500":
                self._send(500, b"<html>Internal Server Error</html>")
            elif fault == "slow":  # a normal page, served slowly
                time.sleep(1.0)
                max_id = parse_qs(urlsplit(self.path).query).get("max_id", [""])[0]
                body, link = replay.pages.get(max_id, (b"[]", ""))
                link = link.replace("https://mastodon.social", base[0])
                self._send(200, body, {"Link": link} if link else {})
            elif fault == "timeout":
                time.sleep(0.6)
                self._send(200, b"[]")
            elif fault == "malformed":
                self._send(200, b'[{"id": "1", "content": "<p>cut off')
            elif fault == "401":
                self._send(401, b'{"error": "The access token is invalid"}')
            else:
                max_id = parse_qs(urlsplit(self.path).query).get("max_id", [""])[0]
                body, link = replay.pages.get(max_id, (b"[]", ""))
                link = link.replace("https://mastodon.social", base[0])
                self._send(200, body, {"Link": link} if link else {})

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            # The client may have given up already (the timeout case).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    return Handler


@pytest.fixture()
def server(shared_data: Path) -> Iterator[tuple[Replay, str]]:
    replay = Replay(shared_data)
    base: list[str] = [""]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(replay, base))
    base[0] = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield replay, base[0]
    httpd.shutdown()
    httpd.server_close()


class Sleeps(list[float]):
    """Records the waits instead of sleeping, so the tests take no time."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _endpoint(base: str) -> Endpoint:
    return Endpoint("mastodon-tag", base + PATH, link_header_next, params={"limit": "40"})


def _posts(pages: list[Any]) -> int:
    return sum(1 for page in pages for _ in MASTODON.parse(page.body))


def test_walks_all_recorded_pages(server: tuple[Replay, str]) -> None:
    replay, base = server
    with httpx.Client(timeout=5) as client:
        pages = list(fetch_pages(client, _endpoint(base), retry=RetryPolicy(sleep=Sleeps())))
    assert [len(p.body) for p in pages] == [40, 40, 40, 40, 0]
    assert pages[-1].state["done"] is True
    assert _posts(pages) >= 160
    assert "max_id=109381239922445751" in replay.requests[1]


def test_checkpoint_resumes_after_the_last_stored_page(server: tuple[Replay, str]) -> None:
    _, base = server
    with httpx.Client(timeout=5) as client:
        first = list(fetch_pages(client, _endpoint(base), max_pages=2))
        state = orjson.loads(orjson.dumps(first[-1].state))  # JSON-able, as a checkpoint is
        assert state["cursor"] == {
            "limit": "40",
            "local": "FALSE",
            "max_id": "109331391626387733",
            "only_media": "FALSE",
        }
        rest = list(fetch_pages(client, _endpoint(base), state=state))
    ids = [s["id"] for page in first + rest for s in page.body]
    assert len(ids) == len(set(ids)) == 160  # no page twice, none missed
    assert rest[-1].state["pages"] == 5


def test_429_waits_as_retry_after_says(server: tuple[Replay, str]) -> None:
    replay, base = server
    replay.faults = ["429"]
    sleeps = Sleeps()
    with httpx.Client(timeout=5) as client:
        page = next(fetch_pages(client, _endpoint(base), retry=RetryPolicy(sleep=sleeps)))
    assert sleeps == [2.0]
    assert len(page.body) == 40


def test_429_waits_until_x_rate_limit_reset(server: tuple[Replay, str]) -> None:
    replay, base = server
    replay.faults = ["429-reset"]
    sleeps = Sleeps()
    with httpx.Client(timeout=5) as client:
        next(fetch_pages(client, _endpoint(base), retry=RetryPolicy(sleep=sleeps)))
    assert len(sleeps) == 1 and 1.0 <= sleeps[0] <= 3.0


def test_500_and_timeout_back_off_and_retry(server: tuple[Replay, str]) -> None:
    replay, base = server
    replay.faults = ["500", "timeout", "500"]
    sleeps = Sleeps()
    policy = RetryPolicy(sleep=sleeps, base_delay=0.5)
    with httpx.Client(timeout=0.2) as client:
        page = next(fetch_pages(client, _endpoint(base), retry=policy))
    assert sleeps == [0.5, 1.0, 2.0]  # exponential
    assert len(page.body) == 40


def test_malformed_page_is_retried(server: tuple[Replay, str]) -> None:
    replay, base = server
    replay.faults = ["malformed"]
    with httpx.Client(timeout=5) as client:
        page = next(fetch_pages(client, _endpoint(base), retry=RetryPolicy(sleep=Sleeps())))
    assert len(page.body) == 40


def test_gives_up_with_a_resumable_state(server: tuple[Replay, str]) -> None:
    replay, base = server
    with httpx.Client(timeout=5) as client:
        pages = fetch_pages(client, _endpoint(base), retry=RetryPolicy(sleep=Sleeps()))
        first = next(pages)
        replay.faults = ["malformed"] * 3
        with pytest.raises(LiveFetchError) as info:
            list(
                fetch_pages(
                    client,
                    _endpoint(base),
                    state=first.state,
                    retry=RetryPolicy(sleep=Sleeps(), max_attempts=3),
                )
            )
    assert "not valid JSON" in info.value.message
    assert info.value.state == first.state  # resume from the page that failed


def test_bad_token_stops_at_once(server: tuple[Replay, str]) -> None:
    replay, base = server
    replay.faults = ["401"]
    sleeps = Sleeps()
    with httpx.Client(timeout=5) as client, pytest.raises(LiveFetchError) as info:
        next(fetch_pages(client, _endpoint(base), retry=RetryPolicy(sleep=sleeps)))
    assert "401" in info.value.message and "token" in info.value.hint
    assert sleeps == []
