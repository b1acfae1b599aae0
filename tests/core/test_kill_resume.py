"""`kill -9` of an import at any moment, then the same import again: exactly one clean import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hubbub
from tests.realdata import post_records, write_ndjson

# Small chunks so that a kill lands between many commits, not only before the first.
CHUNK_ENV = {"HUBBUB_CHUNK_BYTES": str(256 * 1024)}


@pytest.fixture(scope="module")
def big_file(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("kill") / "posts.ndjson"
    lines = write_ndjson(path, post_records(shared_data), repeat=2)  # ~99k real tweets, ~40 MB
    return path, lines


def start_import(db: Path, data: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "hubbub", "--db", str(db), "import", str(data), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **CHUNK_ENV},
    )


def posts_and_distinct(db: Path) -> tuple[int, int]:
    with hubbub.open(db) as hb:
        row = hb.sql("SELECT count(*) AS n, count(DISTINCT id) AS d FROM posts").to_pylist()[0]
    return row["n"], row["d"]


@pytest.mark.parametrize("kill_after", [0.6, 1.5, 2.5, 4.0])
def test_kill_then_rerun_equals_one_clean_import(
    big_file: tuple[Path, int], tmp_path: Path, kill_after: float
) -> None:
    data, lines = big_file
    db = tmp_path / "h.duckdb"
    proc = start_import(db, data)
    time.sleep(kill_after)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    rerun = subprocess.run(
        [sys.executable, "-m", "hubbub", "--db", str(db), "import", str(data), "--json"],
        capture_output=True,
        env={**os.environ, **CHUNK_ENV},
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert posts_and_distinct(db) == (lines, lines)
    with hubbub.open(db) as hb:
        assert hb.sql("SELECT count(*) AS n FROM quarantine").to_pylist()[0]["n"] == 0


def test_interrupted_import_resumes_from_its_checkpoint(
    big_file: tuple[Path, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, lines = big_file
    monkeypatch.setattr("hubbub.filereaders.CHUNK_BYTES", 1 << 20)
    db = tmp_path / "h.duckdb"
    calls = 0

    def stop_after_three_chunks(path: Path, done: int, size: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt  # what Ctrl-C does between two commits

    with hubbub.open(db) as hb, pytest.raises(KeyboardInterrupt):
        hb.import_files([data], progress=stop_after_three_chunks)
    committed, _ = posts_and_distinct(db)
    assert 0 < committed < lines
    with hubbub.open(db) as hb:
        report = hb.import_files([data])
    assert report.resumed and "from byte" in report.resumed[0]
    assert report.new == lines - committed and report.read == lines - committed
    assert posts_and_distinct(db) == (lines, lines)


def test_checkpoint_follows_batches_committed_out_of_order(tmp_path: Path) -> None:
    from hubbub.store import Store

    with Store(tmp_path / "h.duckdb") as store:
        assert store.checkpoint("s") is None
        store.set_checkpoint("s", 0, 0, complete=False, state="{}")
        # Batches [0,10) and [20,30) committed, [10,20) not (killed while committing it).
        store.record_progress("s", 20, 30, 300, complete=False)
        store.record_progress("s", 0, 10, 100, complete=False)
        assert store.checkpoint("s") == (10, 100, False)
        # The resumed run cuts its batches elsewhere: [10,25) carries on past [20,30)'s start.
        store.record_progress("s", 10, 25, 250, complete=False)
        assert store.checkpoint("s") == (30, 300, False)
        store.record_progress("s", 30, 40, 400, complete=False)
        store.record_progress("s", 40, 40, 400, complete=True)  # the file's empty last batch
        assert store.checkpoint("s") == (40, 400, True)
        store.settle_progress("s", state='{"format": "ndjson"}')
        assert store.one("SELECT count(*) FROM import_progress") == (0,)
        assert store.checkpoint("s") == (40, 400, True)
        assert store.one("SELECT state FROM checkpoints WHERE source = 's'") == (
            '{"format": "ndjson"}',
        )
