"""In-process ingest + enrich (fast tier) + match with 1,000 topics, against a naive baseline.

    python benchmarks/pipeline_throughput.py --lake LAKE --topics TOPICS.yaml \
        [--posts 1000000] [--workers 2] [--baseline 3000] [--import-posts 100000]

Input: `--posts` generated posts (`hubbub generate`, resampled from real tweets) written as
hubbub NDJSON without their sentiment labels, so enrichment has every post to label. Figures:

- stages, one process, on one slice: parse (the Arrow fast path), enrich (entities + fast
  sentiment; `lang` comes with the posts, as platforms give it), match (1,000 topics);
- the pipeline (parse -> enrich -> match over Arrow batches, what a Spark task runs) on all
  posts in `--workers` forked processes: wall posts/s and posts per CPU-second;
- `hubbub import` (landing, pipeline, DuckDB upserts and matches) on `--import-posts` posts;
- the baseline, per post on a smaller slice: `json.loads`, VADER `polarity_scores`, and a loop
  of one compiled regex per topic (its words and phrases, case-insensitive).

The ratio is posts per CPU-second against the baseline's, measured in the same run. A cProfile
of one chunk says where the pipeline's time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import pstats
import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hubbub.enrich import enrich
from hubbub.lake.layout import posts_glob
from hubbub.lake.topics_file import TopicSpec, load_topics_file
from hubbub.landing import Segment
from hubbub.pipeline import ParseSettings, parse_ndjson_chunk
from hubbub.query import TopicMatcher, compile_topics

CHUNK_LINES = 50_000
_SETTINGS = ParseSettings()
_MATCHER: TopicMatcher | None = None
_CHUNKS: list[bytes] = []


def write_ndjson(lake: Path, posts: int, out: Path) -> int:
    """The first `posts` posts of the lake as hubbub NDJSON, labels left out."""
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(
        f"""COPY (SELECT * EXCLUDE (day, sentiment, sentiment_score, sentiment_model)
                  FROM read_parquet('{posts_glob(lake)}', hive_partitioning = true)
                  ORDER BY created_at, id LIMIT {posts})
            TO '{out}' (FORMAT json)"""
    )
    con.close()
    return posts


def chunks_of(path: Path, lines: int) -> list[bytes]:
    out, buf = [], []
    with path.open("rb") as f:
        for line in f:
            buf.append(line)
            if len(buf) == lines:
                out.append(b"".join(buf))
                buf = []
    if buf:
        out.append(b"".join(buf))
    return out


def run_chunk(number: int) -> tuple[int, int, float, dict[str, float]]:
    """parse -> enrich -> match one chunk: (posts, matches, CPU seconds, CPU per stage)."""
    assert _MATCHER is not None
    lines = _CHUNKS[number]
    segment = Segment(Path("bench"), f"bench/{number}")
    stages: dict[str, float] = {}
    cpu = time.process_time()
    parsed = parse_ndjson_chunk(lines, 1, segment, datetime.now(UTC), _SETTINGS)
    stages["parse"] = time.process_time() - cpu
    mark = time.process_time()
    table = enrich(parsed.table)
    stages["enrich"] = time.process_time() - mark
    mark = time.process_time()
    found = _MATCHER.match_batch(table).num_rows
    stages["match"] = time.process_time() - mark
    return table.num_rows, int(found), time.process_time() - cpu, stages


def in_processes(workers: int) -> tuple[int, int, float, float]:
    """(posts, matches, wall s, worker CPU s) over every chunk."""
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    with context.Pool(workers) as pool:
        results = pool.map(run_chunk, range(len(_CHUNKS)), chunksize=1)
    wall = time.perf_counter() - start
    return (
        sum(r[0] for r in results),
        sum(r[1] for r in results),
        wall,
        sum(r[2] for r in results),
    )


def baseline_patterns(topics: list[TopicSpec]) -> list[tuple[str, re.Pattern[str]]]:
    """One regex per topic: its phrases and words (operators, fields and NOT parts dropped)."""
    patterns = []
    for t in topics:
        positive = re.split(r"\bNOT\b", t.query)[0]
        phrases = re.findall(r'"([^"]+)"', positive)
        rest = re.sub(r'"[^"]+"(~\d+)?', " ", positive)
        words = [
            w.rstrip("*")
            for w in re.findall(r"[#@]?[\w*]+", rest)
            if w not in {"AND", "OR", "NOT"} and not w.startswith("NEAR")
        ]
        alternatives = sorted({re.escape(x) for x in phrases + words if x}, key=len, reverse=True)
        patterns.append((t.name, re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)))
    return patterns


def baseline(
    lines: list[bytes], patterns: list[tuple[str, re.Pattern[str]]]
) -> tuple[float, float, int]:
    """(posts/s, posts per CPU-second, matches) of json.loads + VADER + a regex loop."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    found = 0
    start, cpu = time.perf_counter(), time.process_time()
    for line in lines:
        record = json.loads(line)
        text = record.get("text") or ""
        analyzer.polarity_scores(text)
        found += sum(1 for _, pattern in patterns if pattern.search(text))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return len(lines) / wall, len(lines) / cpu, found


def full_import(
    ndjson: Path, posts: int, topics: list[TopicSpec], folder: Path
) -> tuple[float, float]:
    """(posts/s, posts per CPU-second) of `hubbub import` with the topics stored."""
    from hubbub.api import Hubbub
    from hubbub.store import Store

    part = folder / "import.ndjson"
    with ndjson.open("rb") as src, part.open("wb") as out:
        for i, line in enumerate(src):
            if i == posts:
                break
            out.write(line)
    db = folder / "import.duckdb"
    store = Store(str(db))
    now = datetime.now(UTC)
    store.con.executemany(
        "INSERT INTO topics VALUES (?, ?, ?, ?, ?)",
        [[t.name, t.query, t.group, now, now] for t in topics],
    )
    store.close()
    with Hubbub(str(db)) as hb:
        start, cpu = time.perf_counter(), time.process_time()
        report = hb.import_files([part])
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert report.new == posts, report
    return posts / wall, posts / cpu


def profile_chunk(top: int = 14) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run_chunk(0)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main() -> None:
    global _MATCHER, _CHUNKS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lake", type=Path, required=True)
    parser.add_argument("--topics", type=Path, required=True)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", type=int, default=3000, help="posts for the naive baseline")
    parser.add_argument("--import-posts", type=int, default=100_000, help="0 to skip")
    parser.add_argument("--scratch", type=Path, default=None, help="where the NDJSON goes")
    args = parser.parse_args()
    topics = load_topics_file(args.topics)
    folder = Path(tempfile.mkdtemp(prefix="hubbub-throughput-", dir=args.scratch))
    try:
        ndjson = folder / "posts.ndjson"
        write_ndjson(args.lake, args.posts, ndjson)
        _CHUNKS = chunks_of(ndjson, CHUNK_LINES)
        start = time.perf_counter()
        _MATCHER = compile_topics({t.name: t.query for t in topics})
        compile_s = time.perf_counter() - start
        run_chunk(0)  # warm: models loaded, the matcher has seen a chunk's words (as a stream does)

        # Stages, one process: the second chunk (fresh text for the matcher's vocabulary).
        posts, _, cpu_one, stages = run_chunk(1 if len(_CHUNKS) > 1 else 0)
        posts_all, matches, wall, cpu = in_processes(args.workers)
        sample = _CHUNKS[0].split(b"\n")[: args.baseline]
        base_wall, base_cpu, base_found = baseline(sample, baseline_patterns(topics))
        imported = (
            full_import(ndjson, args.import_posts, topics, folder) if args.import_posts else None
        )
        profile = profile_chunk()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"{len(topics):,} topics compiled in {compile_s:.1f}s; {posts_all:,} generated posts,")
    print(f"{matches:,} matches ({matches / posts_all:.2f} per post); chunks of {CHUNK_LINES:,}")
    print(f"\nstages, 1 process, {posts:,} posts (posts per CPU-second):")
    for name, seconds in stages.items():
        print(f"  {name:<8}{posts / seconds:>12,.0f}   {100 * seconds / cpu_one:5.1f}% of the time")
    print(f"  {'all':<8}{posts / cpu_one:>12,.0f}")
    rows: list[tuple[str, float, float]] = [
        (f"pipeline parse+enrich+match, {args.workers} processes", posts_all / wall,
         posts_all / cpu),
    ]  # fmt: skip
    if imported is not None:
        rows.append((f"hubbub import (store + landing), {args.import_posts:,} posts", *imported))
    rows.append(
        (f"baseline json.loads+VADER+regex loop, {len(sample):,} posts", base_wall, base_cpu)
    )
    print(f"\n{'method':<62}{'posts/s':>10}{'per CPU s':>11}{'ratio':>8}")
    for label, rate, per_cpu in rows:
        print(f"{label:<62}{rate:>10,.0f}{per_cpu:>11,.0f}{per_cpu / base_cpu:>7.1f}x")
    print("ratio = posts per CPU-second against the baseline's, measured in this run")
    print(f"baseline found {base_found:,} topic hits in {len(sample):,} posts")
    print("\nwhere one chunk's time goes (cProfile, by own time):")
    print("\n".join(profile.splitlines()[:40]))


if __name__ == "__main__":
    main()
