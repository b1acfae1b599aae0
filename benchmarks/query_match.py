"""Stream matching: 10,000 realistic topics against real tweets, against a regex baseline.

    python benchmarks/query_match.py [--topics 10000] [--posts 50000]

Topics are built from the real corpus (SemEval tweets): brand-like names (capitalised words and
hashtags), two-word phrases, NOT exclusions and NEAR pairs. The baseline is what many tools do:
one Python `re` alternation of every topic's main word, searched in each post (it answers far
less - no phrases, NOTs or proximity - so it is a generous baseline).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hubbub.query import compile_topics
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=50_000)
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

    start = time.perf_counter()
    pairs = matcher.match_batch(table)
    ours = len(texts) / (time.perf_counter() - start)

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
    print(f"{'Python re alternation of main words (baseline)':<52}{regex:>12,.0f}")
    print(
        f"ratio: {ours / regex:.1f}x; {pairs.num_rows:,} matches over {len(texts):,} posts; "
        f"baseline found a word in {hits:,} of {len(sample):,}"
    )


if __name__ == "__main__":
    main()
