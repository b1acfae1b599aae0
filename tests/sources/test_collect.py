"""`hubbub collect` against a local server replaying recorded Mastodon pages: resumes from its
checkpoint after an interruption and never duplicates or skips a post."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hubbub
from hubbub.collect import add_source, collect_source, get_source
from hubbub.errors import HubbubError
from hubbub.sources.live import RetryPolicy
from tests.core.helpers import run_cli
from tests.sources.test_live import PATH, Replay, Sleeps


def test_collect_in_two_runs_equals_one_full_walk(
    server: tuple[Replay, str], tmp_path: Path
) -> None:
    replay, base = server
    with hubbub.open(tmp_path / "full.duckdb") as hb:
        add_source(hb, "tag", "mastodon", base + PATH, params={"limit": "40"})
        full = collect_source(hb, get_source(hb, "tag"), retry=RetryPolicy(sleep=Sleeps()))
        expected = {r["id"] for r in hb.sql("SELECT id FROM posts").to_pylist()}
    assert full.done and full.pages == 5 and len(expected) >= 150

    with hubbub.open(tmp_path / "split.duckdb") as hb:
        add_source(hb, "tag", "mastodon", base + PATH, params={"limit": "40"})
        first = collect_source(hb, get_source(hb, "tag"), max_pages=2)
        replay.faults += ["429", "500"]  # the second run meets a rate limit and a server error
        second = collect_source(hb, get_source(hb, "tag"), retry=RetryPolicy(sleep=Sleeps()))
        got = [r["id"] for r in hb.sql("SELECT id FROM posts").to_pylist()]
        source = get_source(hb, "tag")
    assert first.pages == 2 and not first.done
    assert second.pages == 3 and second.done and second.error is None
    assert len(got) == len(set(got)) and set(got) == expected
    assert source.state and source.state["done"] and source.posts_collected == len(expected)


def test_cli_sources_and_collect(server: tuple[Replay, str], tmp_path: Path) -> None:
    _, base = server
    db = tmp_path / "h.duckdb"
    added = run_cli(
        "--db",
        db,
        "sources",
        "add",
        "tag",
        "--platform",
        "mastodon",
        "--url",
        base + PATH,
        "--param",
        "limit=40",
    )
    assert added.returncode == 0, added.stderr
    collected = run_cli("--db", db, "collect", "--json", "--max-pages", "3")
    assert collected.returncode == 0, collected.stderr
    report = json.loads(collected.stdout.splitlines()[0])
    assert report["pages"] == 3 and report["new"] > 100
    listed = run_cli("--db", db, "sources", "list")
    assert "tag" in listed.stdout and "3 pages" in listed.stdout


def test_tokens_stay_in_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBBUB_TEST_TOKEN", "s3cret-value")
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        add_source(
            hb,
            "x",
            "twitter_v2",
            "https://api.x.com/2/tweets/search/recent",
            token_env="HUBBUB_TEST_TOKEN",
        )
        stored = hb.sql("SELECT * FROM live_sources").to_pylist()[0]
        assert stored["token_env"] == "HUBBUB_TEST_TOKEN"
        assert "s3cret-value" not in json.dumps(stored, default=str)
        monkeypatch.delenv("HUBBUB_TEST_TOKEN")
        with pytest.raises(HubbubError, match=r"needs a token in \$HUBBUB_TEST_TOKEN"):
            collect_source(hb, get_source(hb, "x"))


def test_collector_killed_mid_walk_resumes_without_duplicates_or_gaps(
    server: tuple[Replay, str], tmp_path: Path
) -> None:
    """`kill -9` of `hubbub collect` while it walks slow pages, then the same command again."""
    import os
    import signal
    import subprocess
    import sys
    import time

    replay, base = server
    db = tmp_path / "h.duckdb"
    assert (
        run_cli(
            "--db",
            db,
            "sources",
            "add",
            "tag",
            "--platform",
            "mastodon",
            "--url",
            base + PATH,
            "--param",
            "limit=40",
        ).returncode
        == 0
    )
    replay.faults += ["slow"] * 3  # the first pages take a while: the kill lands mid-walk
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubbub", "--db", str(db), "collect"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    deadline = time.monotonic() + 60
    while len(replay.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(replay.requests) < 6, "the walk should not have finished before the kill"
    rerun = run_cli("--db", db, "collect", "--json")
    assert rerun.returncode == 0, rerun.stderr
    with hubbub.open(db) as hb:
        got = [r["id"] for r in hb.sql("SELECT id FROM posts").to_pylist()]
        source = get_source(hb, "tag")
    with hubbub.open(tmp_path / "full.duckdb") as hb:
        add_source(hb, "tag", "mastodon", base + PATH, params={"limit": "40"})
        collect_source(hb, get_source(hb, "tag"), retry=RetryPolicy(sleep=Sleeps()))
        expected = {r["id"] for r in hb.sql("SELECT id FROM posts").to_pylist()}
    assert len(got) == len(set(got)) and set(got) == expected
    assert source.state and source.state["done"]
