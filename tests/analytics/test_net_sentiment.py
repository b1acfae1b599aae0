"""Net sentiment per airline on the real airline corpus, with the corpus's own human labels
imported alongside the posts, checked against an independent computation with the csv module."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

import hubbub
from hubbub.topics import add_topic
from tests.realdata import AIRLINE_LABELLED, AIRLINES


def test_net_sentiment_per_airline_matches_an_independent_computation(
    shared_data: Path, tmp_path: Path
) -> None:
    path = shared_data / "corpus" / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv"
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        for name, handle in AIRLINES.items():
            add_topic(hb.store, name, handle, "airlines")
        hb.import_files([path], platform="twitter", mapping=AIRLINE_LABELLED)
        got = {
            r["topic"]: r
            for r in hb.stats.sentiment(bucket=None, group="airlines", by_topic=True).to_pylist()
        }
        overall = hb.stats.sentiment(bucket=None).to_pylist()[0]

    kept: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}", row["tweet_created"]):
                kept[row["tweet_id"]] = row
    per: dict[str, Counter[str]] = {name: Counter() for name in AIRLINES}
    for row in kept.values():
        handles = {m.lower() for m in re.findall(r"@\w+", row["text"])}
        for name, handle in AIRLINES.items():
            if handle in handles:
                per[name][row["airline_sentiment"]] += 1
    for name, counts in per.items():
        pos, neg = counts["positive"], counts["negative"]
        assert (
            got[name]["positive"] == pos
            and got[name]["negative"] == neg
            and got[name]["neutral"] == counts["neutral"]
        )
        assert got[name]["net_sentiment"] == pytest.approx(
            100 * (pos - neg) / (pos + neg), abs=0.006
        )
    everything = Counter(r["airline_sentiment"] for r in kept.values())
    assert overall["unlabelled"] == 0
    assert overall["net_sentiment"] == pytest.approx(
        100
        * (everything["positive"] - everything["negative"])
        / (everything["positive"] + everything["negative"]),
        abs=0.006,
    )
