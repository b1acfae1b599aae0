"""Noise: spam, near-duplicates and a copy-paste campaign kept out of the numbers."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

import hubbub
from hubbub.noise import update_noise
from hubbub.noise.duplicates import cluster
from hubbub.noise.spam import spam_probability
from tests.realdata import crisislex_events, hourly_counts, post_records, write_ndjson


def youtube(shared_data: Path, name: str) -> tuple[list[str], np.ndarray]:
    path = shared_data / "corpus" / "youtube_spam_collection" / name
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["CONTENT"] for r in rows], np.array([int(r["CLASS"]) for r in rows])


def test_spam_model_on_a_video_it_was_not_trained_on(shared_data: Path) -> None:
    texts, truth = youtube(shared_data, "Youtube04-Eminem.csv")
    predicted = spam_probability(texts) >= 0.5
    tp = int((predicted & (truth == 1)).sum())
    precision, recall = tp / predicted.sum(), tp / (truth == 1).sum()
    assert precision >= 0.95 and recall >= 0.9


def test_retweet_chains_and_copies_are_grouped(shared_data: Path) -> None:
    path = next((shared_data / "corpus" / "crisislex_t6" / "2013_Boston_Bombings").glob("*.csv"))
    with path.open(encoding="utf-8", newline="") as f:
        texts = [r["tweet"] for r in csv.DictReader(f, skipinitialspace=True)]
    labels = cluster(texts)
    sizes = Counter(labels.tolist())
    groups = [c for c, n in sizes.items() if n > 1]
    assert len(groups) > 100
    # A retweet and its original land together: check the biggest group is one text really.
    biggest = max(sizes, key=sizes.__getitem__)
    members = [texts[i] for i in np.flatnonzero(labels == biggest)]
    core = {" ".join(t.lower().replace("rt ", "").split()[-6:]) for t in members}
    assert sizes[biggest] >= 20 and len(core) <= len(members) // 2


def test_injected_campaign_is_a_duplicate_driven_spike_and_leaves_the_default_view(
    shared_data: Path, tmp_path: Path
) -> None:
    # A real hourly series (LA airport shooting) with real tweet texts, then 2,000 copies of one
    # text from 50 accounts injected into one quiet hour three days later.
    _, _, stamps = next(
        e for e in crisislex_events(shared_data) if e[0] == "2013_LA_airport_shootings"
    )
    texts = post_records(shared_data, limit=len(stamps))
    for record, stamp in zip(texts, stamps, strict=False):
        record["created_at"] = stamp.isoformat()
    inject_at = datetime(2013, 11, 4, 14, tzinfo=UTC)
    campaign = [
        {
            "id": f"twitter:c{i}",
            "text": f"Amazing deal on sunglasses, only today! visit http://spam.example/{i % 7}",
            "created_at": (inject_at + timedelta(seconds=i)).isoformat(),
            "author_handle": f"promo{i % 50}",
        }
        for i in range(2000)
    ]
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, texts + campaign)
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.import_files([data])
        report = update_noise(hb.store)
        with_noise = hb.stats.spikes(include_noise=True)
        default = hb.stats.spikes()
        hour = lambda rows: {r["bucket"].replace(tzinfo=None): r["posts"] for r in rows}  # noqa: E731
        volume_all = hour(hb.stats.volume(bucket="hour", include_noise=True).to_pylist())
        volume_default = hour(hb.stats.volume(bucket="hour").to_pylist())
    assert report.campaign_copies >= 1999 and report.bot_authors >= 50
    injected = [
        s for s in with_noise if s.peak.replace(tzinfo=None) == inject_at.replace(tzinfo=None)
    ]
    assert injected and injected[0].explanation["duplicate_driven"] is True
    assert not any(s.peak.replace(tzinfo=None) == inject_at.replace(tzinfo=None) for s in default)
    real_onset = [s for s in default if s.explanation.get("duplicate_driven") is False]
    assert real_onset, "the real event is still a spike"
    assert volume_all[inject_at.replace(tzinfo=None)] >= 2000
    assert volume_default.get(inject_at.replace(tzinfo=None), 0) < 10
    _, counts = hourly_counts(stamps)
    assert sum(volume_default.values()) >= 0.95 * sum(counts)


@pytest.mark.parametrize("include", [True, False])
def test_include_noise_switch_on_the_cli(include: bool, tmp_path: Path, shared_data: Path) -> None:
    from tests.core.helpers import run_cli

    records = post_records(shared_data, limit=100)
    spam = [
        {
            "id": f"x:s{i}",
            "text": "Check out my channel and subscribe!! http://bit.ly/xyz",
            "created_at": "2014-01-01T00:00:00Z",
            "author_handle": f"s{i % 6}",
        }
        for i in range(30)
    ]
    data = tmp_path / "p.ndjson"
    write_ndjson(data, records + spam)
    db = tmp_path / "h.duckdb"
    assert run_cli("--db", db, "import", data).returncode == 0
    assert run_cli("--db", db, "noise").returncode == 0
    args = ["--db", db, "stats", "volume", "--bucket", "none", "--json"] + (
        ["--include-noise"] if include else []
    )
    import json

    posts = json.loads(run_cli(*args).stdout.splitlines()[0])["posts"]
    if include:
        assert posts == 130
    else:  # the 30 spam posts are gone; a few promotional real tweets may go with them
        assert 95 <= posts <= 100


def crisislex_t26_texts(shared_data: Path, limit: int | None = None) -> list[str]:
    texts: list[str] = []
    for path in sorted((shared_data / "corpus" / "crisislex_t26").glob("*/*tweets_labeled.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            texts += [r["Tweet Text"] for r in csv.DictReader(f, skipinitialspace=True)]
    return texts[:limit]


def test_word_hashes_are_one_to_one_with_words(shared_data: Path) -> None:
    # The vectorised word hashing must give a word the same hash wherever it stands, and
    # different words different hashes: checked against the words Python's \w+ finds.
    import re

    from hubbub.noise.tokens import Tokens, clean

    cleaned = [clean(t) for t in crisislex_t26_texts(shared_data, 3000)]
    tokens = Tokens.of(cleaned)
    words = [w for text in cleaned for w in re.findall(r"\w+", text)]
    assert len(words) == len(tokens.word_hashes) > 30_000
    by_hash: dict[int, set[str]] = {}
    for word, hashed in zip(words, tokens.word_hashes.tolist(), strict=True):
        by_hash.setdefault(hashed, set()).add(word)
    assert all(len(group) == 1 for group in by_hash.values())
    assert len(by_hash) == len(set(words))
    docs = [i for i, text in enumerate(cleaned) for _ in re.findall(r"\w+", text)]
    assert tokens.word_doc.tolist() == docs


def test_vectorised_jaccard_equals_python_sets(shared_data: Path) -> None:
    from hubbub.noise.duplicates import batch, candidate_pairs, collect, jaccard
    from hubbub.noise.tokens import Tokens, clean

    texts = crisislex_t26_texts(shared_data, 8000)
    sets = collect([batch(Tokens.of([clean(t) for t in texts]))])
    pairs = candidate_pairs(sets.signature)
    assert len(pairs) > 500
    fast = jaccard(sets, pairs)
    shingles = [
        set(sets.values[sets.offsets[k] : sets.offsets[k + 1]].tolist()) for k in range(sets.count)
    ]
    slow = [len(shingles[a] & shingles[b]) / len(shingles[a] | shingles[b]) for a, b in pairs]
    assert np.allclose(fast, slow)
    assert (fast >= 0.5).sum() > 0.5 * len(pairs)  # LSH proposes mostly real near-duplicates


def test_exact_and_near_copies_join_their_original(shared_data: Path) -> None:
    texts = crisislex_t26_texts(shared_data, 2000)
    original = max(texts, key=lambda t: len(t.split()))
    variants = [
        f"RT @someone: {original}",
        original.upper() + " http://t.co/abc",
        original.rsplit(" ", 1)[0],  # last word dropped: still most of the shingles
    ]
    labels = cluster([*texts, *variants])
    home = labels[texts.index(original)]
    assert all(label == home for label in labels[len(texts) :])
    assert (labels == home).sum() < len(variants) + 5  # and not a catch-all cluster
