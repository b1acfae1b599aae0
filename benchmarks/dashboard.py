"""Dashboard panel latency at 1M posts: real HTTP requests against `hubbub serve` (uvicorn).

    python benchmarks/dashboard.py [--posts 1000000] [--runs 30]

Posts: the SemEval tweets (real texts) resampled to the size asked for over 60 days, with 12
topics in one group (the same corpus as analytics_speed.py). Each panel is fetched `runs` times
as a signed-in member (session cookie), from a separate server process; p50 and p95 per panel.
Baselines measured in the same run: (a) the Python API call(s) behind the panel, in process, on
the same file - the ratio is what HTTP, auth, SVG and HTML add; (b) a static file over HTTP.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hubbub
from benchmarks.analytics_speed import TOPICS, make_posts
from hubbub.topics import add_topic, list_topics
from hubbub.web.users import add_user, create_session
from tests.realdata import write_ndjson

PANELS: dict[str, str] = {  # name -> URL under /w/main
    "volume, all posts (+spikes, forecast)": "/panels/volume",
    "volume, one topic (+spikes, forecast)": "/panels/volume?topic=apple",
    "sentiment, all posts": "/panels/sentiment",
    "share of voice, 12 topics": "/panels/sov?group=brands",
    "top posts, one topic": "/panels/top_posts?topic=nike",
    "top authors": "/panels/top_authors",
    "top hashtags": "/panels/top_hashtags",
    "headlines, one topic": "/panels/headlines?topic=apple",
    "top topics": "/panels/topics",
    "whole overview page (4 panels)": "/",
}


def direct_calls(hb: hubbub.Hubbub) -> dict[str, Callable[[], Any]]:
    """The Python API calls each panel makes (its numbers, without HTTP or drawing)."""
    s = hb.stats

    def volume(**scope: Any) -> None:
        s.volume(bucket="day", **scope)  # choosing the bucket
        s.volume(bucket="day", **scope)
        s.spikes(bucket="day", **scope)
        s.forecast(bucket="day", horizon=14, **scope)

    def headlines(**scope: Any) -> None:
        last = s.volume(bucket="day", **scope).column("bucket")[-1].as_py()
        from datetime import timedelta

        end = last + timedelta(days=1)
        s.headlines(start=end - timedelta(days=7), end=end, count=3, **scope)

    return {
        "volume, all posts (+spikes, forecast)": volume,
        "volume, one topic (+spikes, forecast)": lambda: volume(topics=["apple"]),
        "sentiment, all posts": lambda: (s.sentiment(bucket="day"), s.sentiment(bucket=None)),
        "share of voice, 12 topics": lambda: s.share_of_voice("brands"),
        "top posts, one topic": lambda: s.top("posts", limit=10, topics=["nike"]),
        "top authors": lambda: s.top("authors", limit=10),
        "top hashtags": lambda: s.top("hashtags", limit=10),
        "headlines, one topic": lambda: headlines(topics=["apple"]),
        "top topics": lambda: list_topics(hb.store),
    }


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "dash.duckdb"
        data = Path(tmp) / "posts.ndjson"
        write_ndjson(data, make_posts(args.posts))
        with hubbub.open(db) as hb:
            for name, query in TOPICS.items():
                add_topic(hb.store, name, query, "brands")
            started = time.perf_counter()
            hb.import_files([data], enrich=False)
            print(
                f"{args.posts:,} posts, {len(TOPICS)} topics imported in {time.perf_counter() - started:.0f}s"
            )
            # Sentiment for the panels without the enrichment cost (measured in ingest.py).
            hb.sql(
                "UPDATE posts SET sentiment = ['negative','neutral','positive'][(1 + hash(id) % 3)::BIGINT]"
            )
            add_user(hb.store, "bench", "benchmark only", "owner")
            secret, _ = create_session(hb.store, "bench")
            hb.sql("CHECKPOINT")
        # Reopened, as the server will open it: the baseline sees the same file state.
        with hubbub.open(db) as hb:
            baseline: dict[str, tuple[float, float]] = {}
            for name, call in direct_calls(hb).items():
                call()  # warm
                times = []
                for _ in range(max(5, args.runs // 3)):
                    t = time.perf_counter()
                    call()
                    times.append(time.perf_counter() - t)
                baseline[name] = percentiles(times)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "hubbub", "--db", str(db), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            with httpx.Client(
                base_url=url, timeout=120, cookies={"hubbub_session": f"main.{secret}"}
            ) as client:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        client.get("/static/hubbub.css")
                        break
                    except httpx.TransportError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.2)

                def fetch(path: str) -> float:
                    t = time.perf_counter()
                    response = client.get(path)
                    elapsed = time.perf_counter() - t
                    page = path.startswith("/w/")
                    if response.status_code != 200 or (
                        page
                        and ('class="panel' not in response.text or "panel-failed" in response.text)
                    ):
                        raise SystemExit(
                            f"{path}: HTTP {response.status_code} {response.text[:200]}"
                        )
                    return elapsed

                static = percentiles([fetch("/static/hubbub.css") for _ in range(args.runs)])
                print(
                    f"baseline (b) static file over HTTP: p50 {static[0] * 1000:.1f} ms, p95 {static[1] * 1000:.1f} ms"
                )
                print(
                    f"{'panel (HTTP, signed in)':<40}{'p50':>9}{'p95':>9}{'API p50':>10}{'ratio':>8}"
                )
                for name, path in PANELS.items():
                    fetch(f"/w/main{path}")  # warm
                    p50, p95 = percentiles([fetch(f"/w/main{path}") for _ in range(args.runs)])
                    direct = baseline.get(name)
                    ratio = f"{p50 / direct[0]:.2f}x" if direct else "-"
                    api = f"{direct[0] * 1000:.0f}ms" if direct else "-"
                    print(f"{name:<40}{p50 * 1000:>7.0f}ms{p95 * 1000:>7.0f}ms{api:>10}{ratio:>8}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("ratio = HTTP panel p50 / p50 of the Python API calls behind it (same file, same run).")
    print("Measured on a shared 2-core machine under load: absolute times are noisy.")


if __name__ == "__main__":
    main()
