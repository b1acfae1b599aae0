"""Headlines rewritten by an OpenAI-compatible endpoint (a real local HTTP server answering in
that API's shape), and the extractive fallback when the endpoint fails."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import hubbub
from hubbub.analytics import Scope
from hubbub.analytics.headlines import headlines
from hubbub.analytics.llm import LlmEndpoint
from tests.realdata import post_records, write_ndjson


class Endpoint:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = False


@pytest.fixture()
def llm() -> Iterator[tuple[Endpoint, str]]:
    state = Endpoint()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), **body}
            )
            if state.fail:
                self.send_response(500)
                self.end_headers()
                return
            posts = body["messages"][1]["content"].count("\n- ") + 1
            answer = {
                "id": "x",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {
                            "role": "assistant",
                            "content": f" Summary of {posts} posts \n",
                        },
                    }
                ],
            }
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_llm_rewrites_each_headline_from_its_posts(
    llm: tuple[Endpoint, str], shared_data: Path, tmp_path: Path
) -> None:
    state, url = llm
    day = datetime(2024, 5, 2, tzinfo=UTC)
    records = post_records(shared_data, limit=600)
    for i, r in enumerate(records):
        r["created_at"] = (day - timedelta(days=1) + timedelta(minutes=3 * i)).isoformat()
    data = tmp_path / "p.ndjson"
    write_ndjson(data, records)
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.import_files([data], enrich=False)
        endpoint = LlmEndpoint(url, "test-model", api_key="k")
        found = headlines(
            hb.store, Scope(), start=day, end=day + timedelta(days=1), count=3, llm=endpoint
        )
        state.fail = True
        fallback = headlines(
            hb.store, Scope(), start=day, end=day + timedelta(days=1), count=3, llm=endpoint
        )
    assert found and all(
        h["method"] == "llm" and h["headline"].startswith("Summary of") for h in found
    )
    assert all(h["extractive"] for h in found)
    first = state.requests[0]
    assert (
        first["path"] == "/v1/chat/completions"
        and first["model"] == "test-model"
        and first["auth"] == "Bearer k"
    )
    assert found[0]["supporting"][0]["text"][:40] in first["messages"][1]["content"]
    assert all(h["method"] == "extractive" and "llm_error" in h for h in fallback)
