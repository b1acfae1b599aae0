"""NDJSON import throughput: hubbub against DuckDB read_ndjson and a naive loop, same run.

    python benchmarks/ingest.py [--posts 500000] [--repeat 3]

Each figure is posts per wall second and per CPU-second of the process (all its threads), the
best of `--repeat` alternating runs of DuckDB and hubbub: on a shared machine the CPU figures
move much less than the wall figures, and the load average is printed with them.

(a) DuckDB `read_ndjson` straight into a table: the practical limit for this input.
(b) a naive loop: json.loads + one INSERT per row (what a first script would do).
hubbub does more than (a): it lands every raw line in compressed segments (fsynced), validates
every record, keeps snapshots and checkpoints, and counts new/updated/duplicate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hubbub
from hubbub.cli import choose_arrow_allocator
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
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs of (a) and hubbub")
    args = parser.parse_args()
    choose_arrow_allocator()  # the allocator `hubbub import` runs with
    records = post_records(SHARED)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "posts.ndjson"
        repeat = -(-args.posts // len(records))
        lines = write_ndjson(data, records, repeat)
        size_mb = data.stat().st_size / 1e6
        print(f"input: {lines:,} real tweets in our schema, {size_mb:.0f} MB NDJSON")

        duck, ours = Rate(), Rate()
        for run in range(args.repeat):

            def load_duckdb(run: int = run) -> None:
                con = duckdb.connect(str(folder / f"duck{run}.duckdb"))
                con.execute(f"CREATE TABLE posts AS SELECT * FROM read_ndjson('{data}')")
                con.close()

            def load_hubbub(run: int = run) -> None:
                hb = hubbub.open(folder / f"hubbub{run}.duckdb")
                report = hb.import_files([data], enrich=False)
                assert report.new == lines, report
                hb.close()

            duck.measure(lines, load_duckdb)
            ours.measure(lines, load_hubbub)

        enriched_lines = min(args.enriched_posts, lines)
        subset = folder / "subset.ndjson"
        with data.open("rb") as src, subset.open("wb") as out:
            for _, line in zip(range(enriched_lines), src, strict=False):
                out.write(line)
        enriched = Rate()

        def load_enriched() -> None:
            hb = hubbub.open(folder / "enriched.duckdb")
            hb.import_files([subset])
            hb.close()

        enriched.measure(enriched_lines, load_enriched)

        naive_lines = min(args.naive_posts, lines)
        naive = Rate()
        naive.measure(naive_lines, lambda: naive_loop(folder, data, naive_lines))

    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"{'method':<44}{'posts/s':>10}{'vs duckdb':>11}{'posts/CPU-s':>13}{'vs duckdb':>11}")
    for name, rate in (
        ("DuckDB read_ndjson -> table (limit)", duck),
        ("hubbub import (land+validate+upsert)", ours),
        (f"hubbub import + default enrichers ({enriched_lines:,})", enriched),
        (f"naive json.loads + INSERT ({naive_lines:,})", naive),
    ):
        print(
            f"{name:<44}{rate.wall:>10,.0f}{rate.wall / duck.wall:>10.2f}x"
            f"{rate.cpu:>13,.0f}{rate.cpu / duck.cpu:>10.2f}x"
        )
    print(f"hubbub / naive: {ours.wall / naive.wall:.0f}x")


class Rate:
    """The best posts/s (wall) and posts per CPU-second over the runs measured."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def measure(self, posts: int, work: Callable[[], None]) -> None:
        # Each run starts with nothing left to write back: the run before it wrote and fsynced
        # a database of ~100 MB, whose write-back otherwise slows the next run's fsyncs.
        os.sync()
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        self.wall = max(self.wall, posts / (time.perf_counter() - wall))
        self.cpu = max(self.cpu, posts / max(time.process_time() - cpu, 1e-9))


def naive_loop(folder: Path, data: Path, naive_lines: int) -> None:
    """(b): what a first script would do."""
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


if __name__ == "__main__":
    main()
