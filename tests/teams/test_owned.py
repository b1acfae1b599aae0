"""Owned-account performance and best times to post, always with intervals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson
import pytest

import hubbub
from hubbub.errors import HubbubError
from tests.conftest import REPO
from tests.realdata import semeval_tweets

SAMPLE_MAPPING = {
    "native_id": "COMMENT_ID",
    "author_handle": "AUTHOR",
    "created_at": "DATE",
    "text": "CONTENT",
}


def test_best_times_on_the_bundled_sample_is_a_chart_with_intervals(tmp_path: Path) -> None:
    db = tmp_path / "sample.duckdb"
    with hubbub.open(db) as hb:
        files = sorted((REPO / "sample" / "youtube_spam_collection").glob("*.csv"))
        assert hb.import_files(files, mapping=SAMPLE_MAPPING, platform="youtube").new > 1000
        result = hb.owned.best_times("hour")
    # The sample has no engagement counts and no owned account: hubbub says so and shows when
    # the audience is active, per hour of day, each hour with its interval.
    assert result.basis == "audience activity"
    assert "owned posts have engagement" in result.note
    assert [s.key for s in result.slots] == [f"{h:02d}:00" for h in range(24)]
    with_interval = [s for s in result.slots if s.low is not None]
    assert len(with_interval) == 24
    for s in with_interval:
        assert s.low is not None and s.high is not None
        assert s.low <= s.value <= s.high
    assert result.best == max(with_interval, key=lambda s: s.value).key

    cli = subprocess.run(
        [sys.executable, "-m", "hubbub", "--db", str(db), "owned", "best-times"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    lines = [line for line in cli.stdout.splitlines() if line.strip().startswith(tuple("012"))]
    assert len(lines) == 24
    assert all("├" in line and "┤" in line and "[" in line and "n=" in line for line in lines)
    assert "90% intervals" in cli.stdout and "best" in cli.stdout


def _acme_posts(shared_data: Path, tmp_path: Path) -> Path:
    """180 real tweet texts as @acme's posts over 30 days at 09:00, 13:00 and 18:00 UTC; the
    evening posts earn twice the engagement rate. A third carry a link, some a video link."""
    rng = np.random.default_rng(5)
    hours = (9, 13, 18)
    records = []
    for i, (tweet_id, _label, text) in enumerate(semeval_tweets(shared_data)):
        if i >= 180:
            break
        hour = hours[i % 3]
        followers = 10_000 + i * 10
        rate = 0.02 if hour == 18 else 0.01
        links = (
            ["https://youtu.be/abc"]
            if i % 6 == 1
            else ["https://example.com/a"]
            if i % 6 == 4
            else []
        )
        records.append(
            {
                "id": f"twitter:{tweet_id}",
                "created_at": f"2024-03-{1 + i // 6:02d}T{hour:02d}:{i % 60:02d}:00Z",
                "author_handle": "Acme",
                "author_followers": followers,
                "text": text,
                "likes": int(rng.binomial(followers, rate * rng.uniform(0.7, 1.3))),
                "links": links,
            }
        )
    path = tmp_path / "acme.ndjson"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def test_owned_best_times_and_performance(shared_data: Path, tmp_path: Path) -> None:
    with hubbub.open(tmp_path / "acme.duckdb") as hb:
        hb.import_files([_acme_posts(shared_data, tmp_path)], platform="twitter")
        assert hb.owned.best_times().basis == "audience activity"  # nothing is owned yet
        hb.owned.add("@acme", "twitter", label="Acme")
        assert [a.handle for a in hb.owned.list()] == ["acme"]

        best = hb.owned.best_times("hour")
        assert best.basis == "owned engagement rate"
        assert [s.key for s in best.slots] == ["09:00", "13:00", "18:00"]
        assert best.best == "18:00" and best.clear
        evening = best.slots[2]
        assert (
            evening.low is not None and 0.017 < evening.low < evening.value < evening.high < 0.023
        )  # type: ignore[operator]

        # In another time zone the same posts fall in other hours.
        assert hb.owned.best_times("hour", tz="Asia/Tokyo").best == "03:00"

        formats = {s.key: s for s in hb.owned.performance("format").slots}
        assert set(formats) == {"link", "text", "video"}
        assert formats["video"].n == 30 and formats["link"].n == 30 and formats["text"].n == 120
        weekdays = hb.owned.performance("weekday")
        assert sum(s.n for s in weekdays.slots) == 180
        with pytest.raises(HubbubError, match="cannot group by"):
            hb.owned.performance("colour")
        with pytest.raises(HubbubError, match="unknown time zone"):
            hb.owned.best_times(tz="Mars/Olympus")
        hb.owned.remove("acme", "twitter")
        with pytest.raises(HubbubError, match="not an owned account"):
            hb.owned.remove("acme", "twitter")
