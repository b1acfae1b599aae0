"""Similar-post retrieval: static vs minilm vs a TF-IDF baseline, measured in the same run.

    HF_HUB_OFFLINE=1 nice -n 10 .venv/bin/python benchmarks/embeddings.py [--data ../shared/data]

P@10: for every post of a labelled set, the share of its 10 nearest neighbours (cosine, the
post itself left out) that carry the same label. Three real sets, none of which the static
model's distillation read (training/distill_embeddings.py):
- TweetEval stance, train + validation: which of 5 subjects a tweet is about (abortion,
  atheism, climate, feminism, Hillary Clinton);
- CrisisLex T26: which of 26 crisis events a related tweet is about (a seeded sample);
- TweetEval emotion, train + validation: anger, joy, optimism or sadness (hard for any
  topical similarity: the chance level is printed).
Speed: posts per second embedding the 50k posts of the SemEval pool (minilm: 2,000 of them),
wall and per CPU-second (`time.process_time`, all threads). minilm is left out when the `embeddings` extra is missing.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from hubbub.enrich._text import normalize_all
from hubbub.enrich.datasets import load_semeval_pool, load_tweeteval
from hubbub.enrich.embeddings import embed, minilm_available

REPO = Path(__file__).resolve().parents[1]
SEED = 11
K = 10
CRISIS_SAMPLE = 6_000
MINILM_SPEED_POSTS = 2_000
STANCE_TARGETS = ("abortion", "atheism", "climate", "feminist", "hillary")


def stance_subjects(data: Path) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for target in STANCE_TARGETS:
        for split in ("train", "val"):
            t, _stance = load_tweeteval(data, f"stance/{target}", split)
            texts += t
            labels += [target] * len(t)
    return texts, labels


def emotions(data: Path) -> tuple[list[str], list[str]]:
    train = load_tweeteval(data, "emotion", "train")
    val = load_tweeteval(data, "emotion", "val")
    return train[0] + val[0], train[1] + val[1]


def crisis_events(data: Path) -> tuple[list[str], list[str]]:
    rows: list[tuple[str, str]] = []
    for path in sorted((data / "corpus" / "crisislex_t26").glob("*/*-tweets_labeled.csv")):
        event = path.parent.name
        with path.open(encoding="utf-8", errors="replace", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            rows += [(r[1], event) for r in reader if len(r) >= 5 and r[4].startswith("Related")]
    rng = random.Random(SEED)
    sample = rng.sample(rows, min(CRISIS_SAMPLE, len(rows)))
    return [t for t, _ in sample], [e for _, e in sample]


def precision_at_k(vectors: np.ndarray, labels: list[str], k: int = K) -> float:
    codes = np.unique(np.array(labels), return_inverse=True)[1]
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    top = np.argpartition(-sims, k, axis=1)[:, :k]
    return float((codes[top] == codes[:, None]).mean())


def chance(labels: list[str]) -> float:
    """P@10 of random neighbours: the chance a random other post shares the label."""
    n = len(labels)
    return sum(c * (c - 1) for c in Counter(labels).values()) / (n * (n - 1))


def tfidf(texts: list[str]) -> np.ndarray:
    # Fitted on the evaluated posts themselves: the baseline gets every advantage.
    vectorizer = TfidfVectorizer(sublinear_tf=True, token_pattern=r"(?u)[#@]?\b\w+\b")
    matrix = vectorizer.fit_transform(normalize_all(texts))
    return np.asarray(matrix.toarray(), dtype=np.float32)


def timed(fn: object, texts: list[str]) -> tuple[np.ndarray, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = fn(texts)  # type: ignore[operator]
    return vectors, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    methods: dict[str, object] = {
        "tfidf": tfidf,
        "static": lambda texts: embed(texts, "static"),
    }
    if minilm_available():
        methods["minilm"] = lambda texts: embed(texts, "minilm")
    else:
        print("minilm: the `embeddings` extra is not installed; left out")
    sets = {
        "stance subject (5)": stance_subjects(args.data),
        "crisis event (26)": crisis_events(args.data),
        "emotion (4)": emotions(args.data),
    }
    embed(["warm up"], "static")  # load the table outside the timings
    if "minilm" in methods:
        embed(["warm up"], "minilm")
    print(f"\nP@{K} of same-label neighbours (higher is better)")
    print(f"| set | posts | chance | {' | '.join(methods)} |")
    print(f"|---|---:|---:|{'---:|' * len(methods)}")
    for name, (texts, labels) in sets.items():
        cells = []
        for fn in methods.values():
            vectors = timed(fn, texts)[0]
            cells.append(f"{precision_at_k(vectors, labels):.3f}")
        print(
            f"| {name} | {len(texts):,} | {chance(labels):.3f} | {' | '.join(cells)} |", flush=True
        )
    # Speed on a larger set of posts none of the above read: the SemEval pool (the static
    # tier's word cache starts cold for most of its words; minilm on a slice of it).
    pool = [text for text, _label in load_semeval_pool(args.data)]
    sizes = {"tfidf": len(pool), "static": len(pool), "minilm": MINILM_SPEED_POSTS}
    speeds = {m: (sizes[m], *timed(fn, pool[: sizes[m]])[1:]) for m, fn in methods.items()}
    print("\nspeed, embedding SemEval pool posts (tfidf includes fitting its vocabulary)")
    print("| method | posts | posts/s (wall) | posts per CPU-second |")
    print("|---|---:|---:|---:|")
    for method, (n, wall, cpu) in speeds.items():
        print(f"| {method} | {n:,} | {n / wall:,.0f} | {n / cpu:,.0f} |")
    print(f"\nload: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
