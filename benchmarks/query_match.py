"""Stream matching: 10,000 realistic topics against real tweets, against a regex baseline.

    python benchmarks/query_match.py [--topics 10000] [--posts 50000] [--workers 2]

Topics are built from the real corpus (SemEval tweets): brand-like names (capitalised words and
hashtags), two-word phrases, NOT exclusions and NEAR pairs. The baseline is what many tools do:
one Python `re` alternation of every topic's main word, searched in each post (it answers far
less - no phrases, NOTs or proximity - so it is a generous baseline).

The matcher is also run in `--workers` forked processes, each matching a slice of the posts with
the matcher compiled once in the parent (what an importer on several cores would do).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hubbub.query import TopicMatcher, compile_topics
from tests.realdata import semeval_tweets

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def build_topics(texts: list[str], count: int, seed: int = 1) -> dict[str, str]:
    rng = random.Random(seed)
    names = Counter(w for t in texts for w in re.findall(r"(?<![\w@#])[A-Z][a-z]{3,}\b", t))
    tags = Counter(w.lower() for t in texts for w in re.findall(r"#\w{3,}", t))
    bigrams = Counter(
        f"{a} {b}".lower()
        for t in texts
        for a, b in zip(t.split(), t.split()[1:], strict=False)
        if a.isalpha() and b.isalpha() and len(a) > 3 and len(b) > 3
    )
    # Brand-like: words written capitalised at least 90% of the time (proper nouns), seen twice+.
    lower = Counter(w for t in texts for w in re.findall(r"\b[a-z]{4,}\b", t))
    brands = [w for w, n in names.most_common() if n >= 2 and n >= 9 * lower[w.lower()]]
    hashtags = [w for w, _ in tags.most_common(count // 4)]
    phrases = [p for p, _ in bigrams.most_common(count // 4 + 300)[300:]]
    topics: dict[str, str] = {}
    for i in range(count):
        brand = brands[i % len(brands)]
        kind = i % 5
        if kind == 0:
            query = brand
        elif kind == 1:
            query = f'{brand} OR "{rng.choice(phrases)}"'
        elif kind == 2:
            query = f"({brand} OR {rng.choice(hashtags)}) NOT {rng.choice(brands)}"
        elif kind == 3:
            query = f"{brand} NEAR/3 {rng.choice(brands).lower()}*"
        else:
            query = f'"{rng.choice(phrases)}" AND NOT {rng.choice(brands)}'
        topics[f"t{i}"] = query
    return topics


_MATCHER: TopicMatcher | None = None  # set before forking: workers inherit it, no pickling


def _match_slice(table: pa.Table) -> int:
    assert _MATCHER is not None
    return int(_MATCHER.match_batch(table).num_rows)


def match_in_processes(matcher: TopicMatcher, table: pa.Table, workers: int) -> tuple[int, float]:
    """(pairs found, posts/s) matching `table` in `workers` forked processes."""
    global _MATCHER
    _MATCHER = matcher
    size = -(-table.num_rows // (workers * 8))  # several slices each: balances the load
    slices = [table.slice(i, size) for i in range(0, table.num_rows, size)]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        start = time.perf_counter()
        found = sum(pool.map(_match_slice, slices))
        elapsed = time.perf_counter() - start
    return found, table.num_rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    texts = [t for _, _, t in semeval_tweets(SHARED)][: args.posts]
    topics = build_topics(texts, args.topics)
    table = pa.table(
        {
            "id": [f"p{i}" for i in range(len(texts))],
            "text": texts,
            "title": pa.nulls(len(texts), pa.string()),
        }
    )

    tracemalloc.start()
    start = time.perf_counter()
    matcher = compile_topics(topics)
    compile_s = time.perf_counter() - start
    memory_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()

    start, cpu = time.perf_counter(), time.process_time()
    pairs = matcher.match_batch(table)
    ours = len(texts) / (time.perf_counter() - start)
    # CPU time too: on a shared machine the wall clock also measures the other processes.
    ours_cpu = len(texts) / (time.process_time() - cpu)
    parallel_pairs, parallel = match_in_processes(matcher, table, args.workers)
    assert parallel_pairs == pairs.num_rows

    words = sorted(
        {re.escape(q.split()[0].strip('("')) for q in topics.values()}, key=len, reverse=True
    )
    baseline = re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)
    sample = texts[: min(len(texts), 5000)]
    start = time.perf_counter()
    hits = sum(1 for t in sample if baseline.search(t))
    regex = len(sample) / (time.perf_counter() - start)

    print(f"{len(topics):,} topics compiled in {compile_s:.2f}s, {memory_mb:.0f} MB")
    print(f"{'method':<52}{'posts/s':>12}")
    print(f"{'hubbub stream matcher (full boolean semantics)':<52}{ours:>12,.0f}")
    print(f"{'  same, per CPU second':<52}{ours_cpu:>12,.0f}")
    label = f"hubbub stream matcher, {args.workers} processes"
    print(f"{label:<52}{parallel:>12,.0f}")
    print(f"{'Python re alternation of main words (baseline)':<52}{regex:>12,.0f}")
    print(
        f"ratio vs baseline: {ours / regex:.1f}x (1 process), {parallel / regex:.1f}x"
        f" ({args.workers} processes); {pairs.num_rows:,} matches over {len(texts):,} posts"
        f" ({pairs.num_rows / len(texts):.1f} per post); baseline found a word in {hits:,}"
        f" of {len(sample):,}"
    )


if __name__ == "__main__":
    main()
