"""What default enrichment costs on import: `enrich(table)` over real tweets, per enricher.

    python benchmarks/enrich_import.py [--data ../shared/data] [--posts 20000]

Posts are SemEval-pool tweets as Post rows with no platform lang, hashtags or links (the worst
case: everything is computed). One core, models loaded before the clock starts.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from hubbub.enrich import enrich
from hubbub.enrich.datasets import load_semeval_pool
from hubbub.normalize import records_to_table


def posts(texts: list[str]) -> pa.Table:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return records_to_table(
        [
            {
                "id": f"bench:{i}",
                "platform": "bench",
                "native_id": str(i),
                "created_at": now,
                "collected_at": now,
                "kind": "post",
                "text": text,
                "mapping_version": "bench",
            }
            for i, text in enumerate(texts)
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--posts", type=int, default=20_000)
    args = parser.parse_args()
    table = posts([t for t, _ in load_semeval_pool(args.data)][: args.posts])
    enrich(table.slice(0, 10), {"language", "entities", "sentiment", "emotion"})  # load models
    runs: list[tuple[str, set[str] | None]] = [
        ("language", {"language"}),
        ("entities", {"entities"}),
        ("sentiment (fast, after language)", {"language", "sentiment"}),
        ("default (language+entities+fast)", None),
        ("emotion (after language)", {"language", "emotion"}),
    ]
    print(f"{table.num_rows:,} tweets, one core")
    for name, only in runs:
        start = time.perf_counter()
        enrich(table, only)
        rate = table.num_rows / (time.perf_counter() - start)
        print(f"  {name:36s} {rate:10,.0f} posts/s")


if __name__ == "__main__":
    main()
