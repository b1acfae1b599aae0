"""Dashboard panels over generated lakes (Parquet + DuckDB, 2 threads): p50/p95, memory, growth.

    python benchmarks/lake_panels.py --lake 1M=/scratch/lake1m --lake 10M=... --lake 100M=... \
        --topics topics.yaml [--runs 40] [--scan-runs 3] [--plot docs/lake_panels.png]

Each lake is measured in its own process (so its peak resident memory is its own), with DuckDB
limited to 2 threads and a 6 GB memory limit. Panels, each over a different topic group per run
(groups of 10 topics from the topics file):

- from the daily rollups: volume per day (the year), volume per day by topic (a group, last 90
  days), share of voice of a group (last 30 days, and per week over the year), sentiment per day
  (the year), sentiment per week by topic (a group, last 90 days);
- by a pruned scan of posts (what the rollups cannot answer): volume per hour over the last 7
  days, sentiment per day in America/New_York over the last 30 days;
- the baseline, measured in the same run: the same rollup panels answered by scanning every post
  (`source="scan"`), fewer runs. The ratio is the scan's p50 over the rollup's.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hubbub.lake.layout import posts_glob
from hubbub.lake.panels import LakePanels
from hubbub.lake.topics_file import load_topics_file

Panel = Callable[[LakePanels, list[str], str], Any]

ROLLUP_PANELS: dict[str, Panel] = {
    "volume/day (year)": lambda p, g, s: p.volume(bucket="day", source=s),
    "volume/day by topic (group, 90 d)": lambda p, g, s: p.volume(
        bucket="day", by_topic=True, topics=g, since=_ago(90), source=s
    ),
    "share of voice (group, 30 d)": lambda p, g, s: p.share_of_voice(g, since=_ago(30), source=s),
    "share of voice/week (group, year)": lambda p, g, s: p.share_of_voice(
        g, bucket="week", source=s
    ),
    "sentiment/day (year)": lambda p, g, s: p.sentiment(bucket="day", source=s),
    "sentiment/week by topic (group, 90 d)": lambda p, g, s: p.sentiment(
        bucket="week", by_topic=True, topics=g, since=_ago(90), source=s
    ),
}
SCAN_PANELS: dict[str, Panel] = {
    "volume/hour (7 d, pruned scan)": lambda p, g, s: p.volume(bucket="hour", since=_ago(7)),
    "sentiment/day New York (30 d, pruned scan)": lambda p, g, s: p.sentiment(
        bucket="day", tz="America/New_York", since=_ago(30)
    ),
}
_END: datetime | None = None


def _ago(days: int) -> datetime:
    assert _END is not None
    return _END - timedelta(days=days)


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    """(p50, p95 wall ms, mean CPU ms): on a loaded machine the CPU figure is the stable one."""
    times, cpu = [], time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    cpu_ms = (time.process_time() - cpu) * 1000 / runs
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, cpu_ms


def measure(lake: Path, topics_file: Path, runs: int, scan_runs: int) -> dict[str, Any]:
    global _END
    groups: dict[str, list[str]] = {}
    for t in load_topics_file(topics_file):
        if t.group:
            groups.setdefault(t.group, []).append(t.name)
    group_list = list(groups.values())
    con = duckdb.connect()
    posts, last = con.execute(
        f"SELECT count(*), max(day) FROM read_parquet('{posts_glob(lake)}', hive_partitioning = true)"
    ).fetchall()[0]
    con.close()
    _END = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    cpu = time.process_time()
    start = time.perf_counter()
    panels = LakePanels(lake, threads=2)
    panels.con.execute("SET memory_limit = '6GB'")
    open_ms = (time.perf_counter() - start) * 1000
    rollup_rows = panels.rollup_rows
    result: dict[str, Any] = {"posts": posts, "open_ms": open_ms, "rollup_rows": rollup_rows}
    counter = iter(range(10**9))

    def run(panel: Panel, source: str) -> Callable[[], Any]:
        return lambda: panel(panels, group_list[next(counter) % len(group_list)], source)

    for name, panel in ROLLUP_PANELS.items():
        run(panel, "auto")()  # warm: the first query plans and loads
        result[name] = _timed(run(panel, "auto"), runs)
        result[name + " [full scan]"] = _timed(run(panel, "scan"), scan_runs)
    for name, panel in SCAN_PANELS.items():
        run(panel, "auto")()
        result[name] = _timed(run(panel, "auto"), max(scan_runs, 5))
    panels.close()
    result["cpu_s"] = time.process_time() - cpu
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def plot(results: dict[str, dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    sizes = [r["posts"] for r in results.values()]
    fig, ax = plt.subplots(figsize=(8, 5))
    for name in [*ROLLUP_PANELS, *SCAN_PANELS]:
        ax.plot(sizes, [r[name][1] for r in results.values()], marker="o", label=name)
    for name in ["volume/day (year)", "share of voice/week (group, year)"]:
        ax.plot(
            sizes, [r[name + " [full scan]"][1] for r in results.values()], marker="x",
            linestyle="--", label=name + " [full scan]",
        )  # fmt: skip
    ax.axhline(300, color="red", linewidth=0.8, linestyle=":", label="300 ms target")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("generated posts in the lake")
    ax.set_ylabel("p95 latency (ms), 2 threads")
    ax.set_title("hubbub lake panels: rollups vs scans as the lake grows")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lake", action="append", default=[], help="LABEL=DIR (repeat)")
    parser.add_argument("--topics", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--scan-runs", type=int, default=3)
    parser.add_argument("--plot", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--one", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:  # the child: one lake, figures as JSON on stdout
        print(json.dumps(measure(args.one, args.topics, args.runs, args.scan_runs)))
        return
    results: dict[str, dict[str, Any]] = {}
    for item in args.lake:
        label, _, folder = item.partition("=")
        child = subprocess.run(
            [sys.executable, __file__, "--one", folder, "--topics", str(args.topics),
             "--runs", str(args.runs), "--scan-runs", str(args.scan_runs)],
            stdout=subprocess.PIPE, text=True, check=True,
        )  # fmt: skip
        results[label] = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{label}: measured ({results[label]['posts']:,} posts)", file=sys.stderr)
    labels = list(results)
    header = f"{'panel (p50 / p95 wall ms, CPU ms)':<46}" + "".join(
        f"{label:>27}" for label in labels
    )
    print(header)
    for name in [*ROLLUP_PANELS, *SCAN_PANELS]:
        names = [name, name + " [full scan]"] if name in ROLLUP_PANELS else [name]
        for key in names:
            cells = "".join(
                f"{results[lb][key][0]:>9.1f} /{results[lb][key][1]:>8.1f},{results[lb][key][2]:>8.1f}"
                for lb in labels
            )
            print(f"{key:<46}{cells}")
    print(
        f"{'rollups: open + load (ms)':<46}"
        + "".join(f"{results[lb]['open_ms']:>27.0f}" for lb in labels)
    )
    print(f"{'rollup rows':<46}" + "".join(f"{results[lb]['rollup_rows']:>27,}" for lb in labels))
    print(
        f"{'peak RSS (MB)':<46}" + "".join(f"{results[lb]['peak_rss_mb']:>27,.0f}" for lb in labels)
    )
    print(
        f"{'CPU seconds (whole measurement)':<46}"
        + "".join(f"{results[lb]['cpu_s']:>27,.1f}" for lb in labels)
    )
    if len(labels) > 1:
        first, last = results[labels[0]], results[labels[-1]]
        growth = last["posts"] / first["posts"]
        print(f"\ngrowth {labels[0]} -> {labels[-1]} ({growth:,.0f}x posts), p50 ratio:")
        for name in [*ROLLUP_PANELS, *SCAN_PANELS]:
            ratio = last[name][0] / first[name][0]
            line = f"  {name:<46}{ratio:>7.1f}x"
            if name in ROLLUP_PANELS:
                scan = last[name + " [full scan]"][0] / last[name][0]
                line += f"   (at {labels[-1]}: full scan {scan:,.0f}x slower than rollups)"
            print(line)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.plot is not None:
        print(f"plot: {args.plot}" if plot(results, args.plot) else "matplotlib missing: no plot")


if __name__ == "__main__":
    main()
