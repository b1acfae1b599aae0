"""How long each analytic takes on a million real-text posts in DuckDB, on this machine.

    python benchmarks/analytics_speed.py [--posts 1000000]

Posts: the SemEval tweets (real texts) resampled to the size asked for, spread over 60 days with
a daily cycle; 12 topics (airlines, brands, events) matched while importing. Each analytic runs
5 times; the table shows the median and the worst.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hubbub
from hubbub.topics import add_topic
from tests.realdata import post_records, write_ndjson

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
TOPICS = {
    "apple": "apple OR iphone OR ipad",
    "samsung": "samsung OR galaxy",
    "google": "google OR android",
    "microsoft": "microsoft OR xbox OR windows",
    "sony": "sony OR playstation OR ps4",
    "nike": "nike OR #nike",
    "adidas": "adidas",
    "obama": "obama",
    "romney": "romney",
    "football": "football OR nfl",
    "music": '"new album" OR concert*',
    "weather": "snow OR storm* OR rain",
}


def make_posts(count: int, seed: int = 3) -> list[dict[str, object]]:
    base = post_records(SHARED)
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    posts = []
    for i in range(count):
        record = dict(base[i % len(base)])
        record["id"] = f"twitter:{i}"
        day = rng.randrange(60)
        hour = int(24 * (0.5 + 0.5 * math.sin(rng.random() * math.pi))) % 24  # busier midday
        record["created_at"] = (
            start + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        ).isoformat()
        posts.append(record)
    return posts


def timed(fn: Callable[[], Any], runs: int = 5) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "posts.ndjson"
        write_ndjson(data, make_posts(args.posts))
        hb = hubbub.open(Path(tmp) / "bench.duckdb")
        for name, query in TOPICS.items():
            add_topic(hb.store, name, query, "brands")
        started = time.perf_counter()
        hb.import_files([data], enrich=False)  # enrichment speed is measured in ingest.py
        print(
            f"{args.posts:,} posts imported with {len(TOPICS)} topics in {time.perf_counter() - started:.0f}s"
        )
        end = datetime(2024, 3, 1, tzinfo=UTC)
        day = timedelta(days=1)
        s = hb.stats
        checks: dict[str, Callable[[], Any]] = {
            "volume per day (all posts)": lambda: s.volume(bucket="day"),
            "volume per hour, one topic": lambda: s.volume(bucket="hour", topics=["apple"]),
            "volume per day by topic (group)": lambda: s.volume(
                bucket="day", group="brands", by_topic=True
            ),
            "share of voice (group)": lambda: s.share_of_voice("brands"),
            "share of voice per week": lambda: s.share_of_voice("brands", bucket="week"),
            "sentiment per day": lambda: s.sentiment(bucket="day"),
            "top authors by engagement": lambda: s.top("authors", order="engagement"),
            "top posts, one topic": lambda: s.top("posts", topics=["nike"]),
            "top hashtags": lambda: s.top("hashtags"),
            "spikes, hourly, one topic": lambda: s.spikes(topics=["weather"]),
            "forecast 14 days": lambda: s.forecast(bucket="day", horizon=14),
            "emerging terms (1 day vs 7)": lambda: s.emerging_terms(
                recent_start=end - day,
                recent_end=end,
                reference_start=end - 8 * day,
                reference_end=end - day,
                topics=["google"],
            ),
            "headlines (1 day, one topic)": lambda: s.headlines(
                start=end - day, end=end, topics=["apple"]
            ),
            "themes (7 days, sampled)": lambda: s.themes(start=end - 7 * day, end=end, track=False),
        }
        print(f"{'analytic':<34}{'median':>10}{'worst':>10}")
        for name, fn in checks.items():
            median, worst = timed(fn)
            print(f"{name:<34}{median * 1000:>8.0f}ms{worst * 1000:>8.0f}ms")
        hb.close()


if __name__ == "__main__":
    main()
