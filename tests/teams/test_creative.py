"""Creative tests: on simulated variants with known true rates the winner is called correctly when
the data suffices, and "not enough data" is said when it does not. Seeded: the same every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson
import pytest

import hubbub
from hubbub.errors import HubbubError
from hubbub.query import QuerySyntaxError
from hubbub.teams.creative import compare_counts
from tests.realdata import semeval_tweets

RUNS = 200


def simulate(
    rng: np.random.Generator, rates: dict[str, float], posts: int, mean_views: float
) -> dict[str, list[tuple[int, int]]]:
    """Posts of each variant: views vary a lot (log-normal) and so does each post's own rate
    around its variant's true rate (Beta, concentration 200): real creative data is overdispersed."""
    data = {}
    for name, rate in rates.items():
        views = np.maximum(1, rng.lognormal(np.log(mean_views), 1.0, size=posts)).astype(int)
        own = rng.beta(rate * 200, (1 - rate) * 200, size=posts)
        data[name] = [(int(rng.binomial(v, p)), int(v)) for v, p in zip(views, own, strict=True)]
    return data


def verdicts(rates: dict[str, float], posts: int, mean_views: float, seed: int) -> list[str | None]:
    rng = np.random.default_rng(seed)
    return [
        compare_counts("sim", simulate(rng, rates, posts, mean_views), seed=run).winner
        for run in range(RUNS)
    ]


def test_winner_called_correctly_when_the_data_suffices() -> None:
    for rates, posts in (({"A": 0.02, "B": 0.03}, 150), ({"A": 0.05, "B": 0.04, "C": 0.065}, 150)):
        truth = max(rates, key=lambda k: rates[k])
        calls = verdicts(rates, posts, mean_views=2000, seed=1)
        assert calls.count(truth) / RUNS >= 0.95, (rates, calls.count(truth))


def test_not_enough_data_when_it_does_not_suffice() -> None:
    # Equal variants: crowning either would be a false winner.
    same = verdicts({"A": 0.03, "B": 0.03}, 100, 2000, seed=2)
    assert same.count(None) / RUNS >= 0.95
    # A real but small difference, few posts: the honest answer is "keep testing".
    small = verdicts({"A": 0.030, "B": 0.033}, 8, 500, seed=3)
    assert small.count(None) / RUNS >= 0.9
    # Under the minimum number of posts no winner is ever called, however large the gap.
    rng = np.random.default_rng(4)
    thin = compare_counts("sim", simulate(rng, {"A": 0.01, "B": 0.2}, 3, 5000))
    assert (
        thin.winner is None and "not enough data" in thin.verdict and "fewer than 5" in thin.verdict
    )


def test_two_viral_posts_are_still_only_two_posts() -> None:
    # Millions of views on very few posts: a pooled binomial would be "certain"; posts are the unit.
    data = {"A": [(30_000, 1_000_000), (5_000, 1_000_000)] * 3, "B": [(20_000, 1_000_000)] * 6}
    result = compare_counts("viral", data)
    assert result.winner is None


def _owned_posts(shared_data: Path, tmp_path: Path) -> Path:
    """Real tweet texts as posts of our account @acme, each with views and engagement: variant
    'video' posts (hashtag #summervideo) earn a higher true rate than 'photo' posts."""
    rng = np.random.default_rng(11)
    records = []
    for i, (tweet_id, _label, text) in enumerate(semeval_tweets(shared_data)):
        if i >= 120:
            break
        variant = "summervideo" if i % 2 else "summerphoto"
        rate = 0.05 if variant == "summervideo" else 0.025
        views = int(rng.lognormal(np.log(3000), 0.8))
        likes = int(rng.binomial(views, rng.beta(rate * 50, (1 - rate) * 50)))
        records.append(
            {
                "id": f"twitter:{tweet_id}",
                "created_at": f"2024-06-{1 + i % 28:02d}T{9 + i % 10:02d}:00:00Z",
                "author_handle": "acme",
                "author_followers": 20_000,
                "text": f"{text} #{variant}",
                "likes": likes,
                "views": views,
            }
        )
    path = tmp_path / "owned.ndjson"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def test_campaign_variants_by_rule_over_owned_posts(shared_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "creative.duckdb"
    with hubbub.open(db) as hb:
        hb.import_files([_owned_posts(shared_data, tmp_path)], platform="twitter")
        hb.owned.add("@acme")
        hb.creative.add("summer", "video", rule="#summervideo")
        hb.creative.add("summer", "photo", rule="#summerphoto")
        result = hb.creative.compare("summer")
        assert result.trials_from == "views"
        assert {v.variant: v.posts for v in result.variants} == {"photo": 60, "video": 60}
        assert result.winner == "video" and result.enough_data
        video = next(v for v in result.variants if v.variant == "video")
        assert (
            video.low is not None and video.high is not None and video.low < video.rate < video.high
        )
        with pytest.raises(QuerySyntaxError):
            hb.creative.add("summer", "bad", rule="summer AND OR")
        with pytest.raises(HubbubError, match="no campaign"):
            hb.creative.compare("winter")
    out = subprocess.run(
        [sys.executable, "-m", "hubbub", "--db", str(db), "creative", "compare", "summer"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "video wins" in out.stdout and "P(best)" in out.stdout
