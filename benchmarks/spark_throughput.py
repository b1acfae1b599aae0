"""End to end on one machine: `hubbub import` against `hubbub spark run --master local[2]`.

    python benchmarks/spark_throughput.py --lake LAKE --topics TOPICS.yaml \
        [--posts 1000000] [--master 'local[2]'] [--scratch DIR]

Both read the same NDJSON (`--posts` generated posts from `hubbub generate`'s lake, labels
removed, as benchmarks/pipeline_throughput.py writes them) and run parse -> dedupe -> enrich
(fast tier) -> match with the same topics; the import stores posts and matches in DuckDB, the
Spark job writes them to a fresh lake. Each runs as its own `hubbub` command, timed with its
whole process tree (Spark's JVM and Python workers count): wall seconds, and the CPU seconds
the machine was busy meanwhile (so run it on a quiet machine).
The in-process import is the baseline of the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline_throughput import write_ndjson

import hubbub
from hubbub.lake.topics_file import load_topics_file
from hubbub.topics import add_topic

HUBBUB = str(Path(sys.executable).with_name("hubbub"))
PART_LINES = 50_000


def split_lines(source: Path, folder: Path, lines: int) -> None:
    """`source` as files of `lines` lines each in `folder` (part-00000.ndjson, ...)."""
    folder.mkdir()
    with source.open("rb") as src:
        part, out = 0, None
        for i, line in enumerate(src):
            if i % lines == 0:
                if out:
                    out.close()
                out = (folder / f"part-{part:05d}.ndjson").open("wb")
                part += 1
            assert out is not None
            out.write(line)
        if out:
            out.close()


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(x) for x in fields]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def timed(args: list[str]) -> tuple[float, float, str]:
    """(wall s, machine CPU s, stdout) of one command.

    CPU is the machine's busy time over the run: Spark's JVM and its Python workers are not
    children the command waits for, so rusage would miss them. Measure on a quiet machine.
    """
    busy = busy_seconds()
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    cpu = busy_seconds() - busy
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--lake", type=Path, required=True, help="a generated lake to read posts from"
    )
    parser.add_argument("--topics", type=Path, required=True)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--scratch", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hubbub-spark-bench-", dir=args.scratch))
    try:
        ndjson = folder / "posts.ndjson"
        write_ndjson(args.lake, args.posts, ndjson)
        # Spark reads each input file whole in one task: give it files of landing-segment size.
        parts = folder / "input"
        split_lines(ndjson, parts, PART_LINES)
        db = folder / "import.duckdb"
        topics = load_topics_file(args.topics)
        with hubbub.open(db) as hb:  # set-up, outside the clock
            for t in topics:
                add_topic(hb.store, t.name, t.query, t.group)
        rows = []
        wall, cpu, out = timed([HUBBUB, "--db", str(db), "import", str(ndjson), "--json"])
        report = json.loads(out)
        rows.append(("hubbub import (in-process baseline)", report["new"], wall, cpu))
        env_lake = folder / "lake"
        wall, cpu, out = timed(
            [
                HUBBUB, "spark", "run", "--lake", str(env_lake), "--topics", str(args.topics),
                "--input", str(parts), "--master", args.master, "--json",
            ]
        )  # fmt: skip
        spark = json.loads(out)
        rows.append((f"hubbub spark run --master {args.master}", spark["posts"], wall, cpu))
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    load = os.getloadavg()
    print(f"{args.posts:,} generated posts, {len(topics):,} topics; load average {load[0]:.1f}")
    print(
        f"\n{'run':<44}{'posts':>10}{'wall s':>9}{'posts/s':>10}{'CPU s':>8}{'per CPU-s':>11}{'ratio':>7}"
    )
    base = rows[0][1] / rows[0][2]
    for label, posts, wall, cpu in rows:
        rate = posts / wall
        print(
            f"{label:<44}{posts:>10,}{wall:>9.1f}{rate:>10,.0f}{cpu:>8.1f}{posts / cpu:>11,.0f}{rate / base:>6.2f}x"
        )
    print("ratio = wall posts/s against the in-process import, same run")


if __name__ == "__main__":
    main()
