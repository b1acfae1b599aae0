"""Noise signals throughput on real tweets: spam model, near-duplicate clustering, both.

    python benchmarks/noise.py [--posts 50000]

Baseline in the same run: a keyword spam rule (the usual first attempt).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hubbub.noise.duplicates import cluster
from hubbub.noise.spam import spam_probability
from tests.realdata import semeval_tweets

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
KEYWORDS = ("check out", "subscribe", "my channel", "http", "free", "visit", "follow me", "click")


def rate(n: int, fn: object) -> float:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=50_000)
    args = parser.parse_args()
    texts = [t for _, _, t in semeval_tweets(SHARED)][: args.posts]
    spam_probability(texts[:10])  # load the model outside the timing
    rows = [
        (
            "keyword spam rule (baseline)",
            rate(len(texts), lambda: [any(k in t.lower() for k in KEYWORDS) for t in texts]),
        ),
        ("spam model", rate(len(texts), lambda: spam_probability(texts))),
        ("near-duplicate clustering", rate(len(texts), lambda: cluster(texts))),
        ("both", rate(len(texts), lambda: (spam_probability(texts), cluster(texts)))),
    ]
    print(f"{len(texts):,} real tweets")
    for name, posts_per_s in rows:
        print(f"{name:<32}{posts_per_s:>12,.0f} posts/s")


if __name__ == "__main__":
    main()
