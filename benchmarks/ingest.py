"""NDJSON import throughput: hubbub against DuckDB read_ndjson and a naive loop, same run.

    python benchmarks/ingest.py [--posts 500000]

(a) DuckDB `read_ndjson` straight into a table: the practical limit for this input.
(b) a naive loop: json.loads + one INSERT per row (what a first script would do).
hubbub does more than (a): it lands every raw line in compressed segments (fsynced), validates
every record, keeps snapshots and checkpoints, and counts new/updated/duplicate.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hubbub
from tests.realdata import post_records, write_ndjson

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=500_000)
    parser.add_argument("--naive-posts", type=int, default=20_000, help="the naive loop is slow")
    parser.add_argument(
        "--enriched-posts",
        type=int,
        default=100_000,
        help="posts imported with the default enrichers on",
    )
    args = parser.parse_args()
    records = post_records(SHARED)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "posts.ndjson"
        repeat = -(-args.posts // len(records))
        lines = write_ndjson(data, records, repeat)
        size_mb = data.stat().st_size / 1e6
        print(f"input: {lines:,} real tweets in our schema, {size_mb:.0f} MB NDJSON")

        start = time.perf_counter()
        con = duckdb.connect(str(folder / "duck.duckdb"))
        con.execute(f"CREATE TABLE posts AS SELECT * FROM read_ndjson('{data}')")
        con.close()
        duck = lines / (time.perf_counter() - start)

        hb = hubbub.open(folder / "hubbub.duckdb")
        start = time.perf_counter()
        report = hb.import_files([data], enrich=False)
        ours = lines / (time.perf_counter() - start)
        assert report.new == lines, report
        hb.close()

        enriched_lines = min(args.enriched_posts, lines)
        subset = folder / "subset.ndjson"
        with data.open("rb") as src, subset.open("wb") as out:
            for _, line in zip(range(enriched_lines), src, strict=False):
                out.write(line)
        hb = hubbub.open(folder / "enriched.duckdb")
        start = time.perf_counter()
        hb.import_files([subset])
        enriched = enriched_lines / (time.perf_counter() - start)
        hb.close()

        naive_lines = min(args.naive_posts, lines)
        start = time.perf_counter()
        con = duckdb.connect(str(folder / "naive.duckdb"))
        con.execute(
            "CREATE TABLE posts (id VARCHAR, created_at VARCHAR, author_handle VARCHAR,"
            " text VARCHAR, likes BIGINT, replies BIGINT, reposts BIGINT)"
        )
        with data.open() as stream:
            for _, line in zip(range(naive_lines), stream, strict=False):
                r = json.loads(line)
                con.execute(
                    "INSERT INTO posts VALUES (?,?,?,?,?,?,?)",
                    [
                        r["id"],
                        r["created_at"],
                        r["author_handle"],
                        r["text"],
                        r["likes"],
                        r["replies"],
                        r["reposts"],
                    ],
                )
        con.close()
        naive = naive_lines / (time.perf_counter() - start)

    print(f"{'method':<40}{'posts/s':>12}{'vs duckdb':>12}")
    for name, rate in (
        ("DuckDB read_ndjson -> table (limit)", duck),
        ("hubbub import (land+validate+upsert)", ours),
        (f"hubbub import + default enrichers ({enriched_lines:,})", enriched),
        (f"naive json.loads + INSERT ({naive_lines:,})", naive),
    ):
        print(f"{name:<40}{rate:>12,.0f}{rate / duck:>11.2f}x")
    print(f"hubbub / naive: {ours / naive:.0f}x")


if __name__ == "__main__":
    main()
