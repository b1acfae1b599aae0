"""Shared inputs of the scale benchmarks: real source posts and 1,000 topics in groups of 10.

    python benchmarks/lake_data.py OUTDIR     # writes OUTDIR/source.ndjson and OUTDIR/topics.yaml

Topics are `query_match.build_topics` over the real SemEval texts (brand-like names, phrases, NOT
exclusions, NEAR pairs); topic i is in group `g{i // 10}`, so every share-of-voice panel compares
ten competitors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from query_match import build_topics

from tests.realdata import post_records, semeval_tweets, write_ndjson

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
GROUP_SIZE = 10


def topic_specs(count: int = 1000) -> list[dict[str, str]]:
    texts = [text for _, _, text in semeval_tweets(SHARED)]
    topics = build_topics(texts, count)
    return [
        {"name": name, "query": query, "group": f"g{i // GROUP_SIZE}"}
        for i, (name, query) in enumerate(topics.items())
    ]


def write_inputs(folder: Path, count: int = 1000) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    source, topics = folder / "source.ndjson", folder / "topics.yaml"
    if not source.exists():
        write_ndjson(source, post_records(SHARED))
    if not topics.exists():
        topics.write_text(yaml.safe_dump(topic_specs(count), sort_keys=False), encoding="utf-8")
    return source, topics


if __name__ == "__main__":
    print(*write_inputs(Path(sys.argv[1])))
