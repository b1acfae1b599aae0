"""Export speed and memory: hubbub's streamed CSV/Parquet exports against DuckDB's own COPY of
the same rows (the practical limit), and the memory a whole-table fetch would take.

    python benchmarks/exports.py [--posts 500000]

Posts: the SemEval tweets (real texts) repeated with fresh ids up to the size asked for. Each
export runs in a fresh child process that samples its own resident memory while it works.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hubbub
from tests.realdata import post_records, write_ndjson

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

CHILD = r"""
import json, os, sys, threading, time
import hubbub
db, how, out = sys.argv[1:4]
hb = hubbub.open(db)
page = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * page
# Peak of the current RSS while the export runs (ru_maxrss keeps the peak of start-up instead).
base, peak, done = rss(), [0], threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.005)
threading.Thread(target=sample, daemon=True).start()
t = time.perf_counter()
if how == "duckdb-copy":
    fmt = "parquet" if out.endswith(".parquet") else "csv"
    hb.store.con.execute(f"COPY (SELECT * FROM posts ORDER BY created_at, id) TO '{out}' (FORMAT {fmt})")
elif how == "fetch-all":
    table = hb.sql("SELECT * FROM posts ORDER BY created_at, id")
else:
    hb.export_posts(out)
seconds = time.perf_counter() - t
done.set()
peak[0] = max(peak[0], rss())
print(json.dumps({"seconds": seconds, "growth_mb": (peak[0] - base) / 2**20}))
"""


def measure(db: Path, how: str, out: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), how, str(out)], capture_output=True, text=True, check=True
    )
    line = next(x for x in reversed(result.stdout.splitlines()) if x.startswith("{\"seconds"))
    return json.loads(line)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=500_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = post_records(SHARED)
        repeat = -(-args.posts // len(records))
        data = folder / "posts.ndjson"
        write_ndjson(data, records, repeat=repeat)
        db = folder / "h.duckdb"
        with hubbub.open(db) as hb:
            hb.import_files([data], enrich=False)
            posts = hb.sql("SELECT count(*) AS n FROM posts").column(0)[0].as_py()
        print(f"{posts:,} posts (real SemEval texts, repeated); measured under shared load")
        rows = []
        for fmt in ("parquet", "csv"):
            base = measure(db, "duckdb-copy", folder / f"copy.{fmt}")
            ours = measure(db, "hubbub", folder / f"ours.{fmt}")
            rows.append((fmt, base, ours))
        fetch = measure(db, "fetch-all", folder / "none")
        print("| format | DuckDB COPY s | hubbub export s | time vs COPY | peak RSS growth MB: COPY / hubbub |")
        print("|---|---:|---:|---:|---:|")
        for fmt, base, ours in rows:
            print(
                f"| {fmt} | {base['seconds']:.2f} | {ours['seconds']:.2f} |"
                f" {ours['seconds'] / base['seconds']:.2f}x |"
                f" {base['growth_mb']:.0f} / {ours['growth_mb']:.0f} |"
            )
        print(f"whole table fetched into memory (what streaming avoids): +{fetch['growth_mb']:.0f} MB")


if __name__ == "__main__":
    main()
