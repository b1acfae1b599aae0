"""`hubbub spark run` in local mode on real tweets gives the posts and matches an in-process
import gives (acceptance 1), and survives a killed task without duplicating posts (acceptance 4).

The input has what real input has: two files whose posts overlap (the second holds later
snapshots with higher counts), a gzipped file, a record repeated within a file and a truncated
line. The in-process side is `hubbub import` of the same files into a DuckDB store with the
same topics; collected_at and raw_ref say when and from where a run read a post, so they are
the only columns allowed to differ (raw_ref is compared too when both read landing segments).
"""

from __future__ import annotations

import gzip
import json
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pytest

import hubbub
import hubbub.spark
from hubbub.lake.files import POST_FILE_SCHEMA, read_matches, read_posts
from hubbub.lake.topics_file import TopicSpec, load_topics_file
from hubbub.spark.stages import FAULT_ENV, read_rejections
from hubbub.topics import add_topic
from tests.core.helpers import run_cli
from tests.realdata import post_records

# One worker runs them all (`--dist loadgroup`): one Spark session, one copy of the inputs.
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

MASTER = "local[2,3]"  # two cores, and up to three attempts per task (local mode retries)
TOPICS = [
    {"name": "sports", "query": "#nfl OR football OR game*", "group": "interests"},
    {"name": "music", "query": "concert OR album OR song*", "group": "interests"},
    {"name": "obama", "query": "obama OR president"},
    {"name": "google", "query": "google AND NOT android"},
    {"name": "birthday", "query": '"happy birthday" OR bday'},
]
#: Every lake post column but the two that record when and from where a run read the post.
COMPARED = [c for c in POST_FILE_SCHEMA.names if c not in ("collected_at", "raw_ref")]
TRUNCATED = b'{"id": "twitter:1", "text": "cut of'  # a line cut short


@dataclass
class Inputs:
    files: list[Path]
    topics: Path
    store: Path  # the same files imported in-process
    landing_store: Path  # the first file alone, imported in-process (its landing zone is input)


@pytest.fixture(scope="module")
def inputs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    folder = tmp_path_factory.mktemp("spark-input")
    posts = post_records(shared_data, limit=1300)
    first = folder / "first.ndjson.gz"
    with gzip.open(first, "wb") as out:
        out.writelines(orjson.dumps(p) + b"\n" for p in posts[:1000])
    later = [{**p, "likes": int(p["likes"]) + 1000} for p in posts[700:]]  # type: ignore[call-overload]
    second = folder / "second.ndjson"
    lines = [orjson.dumps(p) for p in later]
    lines.insert(50, lines[10])  # the same record twice in one file
    lines.append(TRUNCATED)  # rejected: line 602 of the file
    second.write_bytes(b"\n".join(lines) + b"\n")
    topics = folder / "topics.yaml"
    topics.write_text(json.dumps(TOPICS))  # JSON is YAML

    def imported(db: Path, files: list[Path]) -> Path:
        with hubbub.open(db) as hb:
            for t in TOPICS:
                add_topic(hb.store, t["name"], t["query"], t.get("group"))
            report = hb.import_files(files)
        assert report.rejected == (1 if second in files else 0)
        return db

    return Inputs(
        [first, second],
        topics,
        imported(folder / "both.duckdb", [first, second]),
        imported(folder / "first.duckdb", [first]),
    )


def _stored(db: Path, columns: list[str]) -> tuple[pa.Table, list[tuple[str, str]]]:
    with hubbub.open(db) as hb:
        posts = hb.sql(f"SELECT {', '.join(columns)}, platform FROM posts ORDER BY id")
        pairs = hb.sql("SELECT post_id, topic FROM matches ORDER BY post_id, topic")
    return posts, [(r["post_id"], r["topic"]) for r in pairs.to_pylist()]


def _lake(lake: Path, columns: list[str]) -> tuple[pa.Table, list[tuple[str, str]]]:
    posts = read_posts(lake).select([*columns, "platform"])
    pairs = read_matches(lake).to_pylist()
    return posts, [(r["post_id"], r["topic"]) for r in pairs]


def _assert_same(lake: Path, db: Path, columns: list[str]) -> int:
    lake_posts, lake_pairs = _lake(lake, columns)
    stored_posts, stored_pairs = _stored(db, columns)
    assert lake_posts.column("id").to_pylist() == stored_posts.column("id").to_pylist()
    for name in [*columns, "platform"]:
        assert lake_posts.column(name).to_pylist() == stored_posts.column(name).to_pylist(), name
    assert lake_pairs == stored_pairs
    return lake_posts.num_rows


def test_spark_job_gives_the_in_process_posts_and_matches(inputs: Inputs, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    report = hubbub.spark.run(lake, topics=inputs.topics, inputs=inputs.files, master=MASTER)
    assert report.posts == 1300 and report.topics == len(TOPICS)
    assert _assert_same(lake, inputs.store, COMPARED) == 1300
    # The truncated line is kept, as the in-process import keeps it in its quarantine.
    assert report.rejected == 1 and report.quarantine is not None
    (rejected,) = read_rejections(report.quarantine).to_pylist()
    with hubbub.open(inputs.store) as hb:
        (stored,) = hb.sql("SELECT line, raw FROM quarantine").to_pylist()
    assert (
        (rejected["line"], rejected["raw"]) == (stored["line"], stored["raw"]) == (602, TRUNCATED)
    )
    assert rejected["reason"].startswith(f"{inputs.files[1]} line 602: ")
    assert "JSON" in rejected["reason"] and rejected["hint"]
    posts = read_posts(lake).to_pylist()
    # Posts seen in both files are the later snapshot, as in-process; sentiment was computed.
    assert sum(p["likes"] >= 1000 for p in posts) == 600
    assert {p["sentiment_model"] for p in posts} == {"hubbub-sentiment-fast-2"}
    assert report.matches == len(read_matches(lake)) > 150
    # The job refreshed the daily rollups the lake panels answer from.
    rollups = duckdb.sql(
        f"SELECT sum(posts) FILTER (topic IS NULL), sum(posts) FILTER (topic IS NOT NULL)"
        f" FROM read_parquet('{lake}/rollups/daily/*.parquet')"
    ).fetchall()
    assert rollups == [(1300, report.matches)]
    # The lake Spark wrote is one `hubbub import lake` reads, into the same store contents.
    with hubbub.open(tmp_path / "from-lake.duckdb") as hb:
        imported = hb.import_lake(lake)
    assert (imported.new, imported.matches_new) == (1300, report.matches)


def test_spark_job_reads_landing_segments(inputs: Inputs, tmp_path: Path) -> None:
    landing = inputs.landing_store.with_name("first.landing")
    assert list(landing.glob("*/*.ndjson.zst"))
    lake = tmp_path / "lake"
    hubbub.spark.run(lake, topics=load_topics_file(inputs.topics), inputs=[landing], master=MASTER)
    # From the landing zone each post even points at the same raw record.
    assert _assert_same(lake, inputs.landing_store, [*COMPARED, "raw_ref"]) == 1000
    assert len(read_matches(lake)) > 100
    # Run again with a topic nothing matches: the old matches of those days must go too,
    # though the run writes no match partition for them.
    nothing = [TopicSpec("nothing", "zzqxv")]
    report = hubbub.spark.run(lake, topics=nothing, inputs=[landing], master=MASTER)
    assert (report.posts, report.matches) == (1000, 0)
    assert len(read_matches(lake)) == 0 and read_posts(lake).num_rows == 1000


def test_killed_task_is_retried_without_duplicates(
    inputs: Inputs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake, marker = tmp_path / "lake", tmp_path / "fault.marker"
    monkeypatch.setenv(FAULT_ENV, str(marker))
    report = hubbub.spark.run(lake, topics=inputs.topics, inputs=inputs.files, master=MASTER)
    assert marker.exists()  # a task attempt did kill its Python worker mid-write
    assert report.posts == 1300
    first_matches = _assert_same(lake, inputs.store, COMPARED)
    assert first_matches == 1300
    # The same job again (through the CLI, in its own Spark) leaves the lake as it was.
    monkeypatch.delenv(FAULT_ENV)
    args = [a for f in inputs.files for a in ("--input", str(f))]
    again = run_cli(
        "spark",
        "run",
        "--lake",
        lake,
        "--topics",
        inputs.topics,
        *args,
        "--master",
        "local[2]",
        "--json",
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout)["posts"] == 1300
    # The retried parse task rewrote its quarantine file instead of adding a second copy.
    assert report.rejected == 1 == json.loads(again.stdout)["rejected"]
    assert _assert_same(lake, inputs.store, COMPARED) == 1300


def test_bad_topics_file_fails_before_spark_starts(tmp_path: Path) -> None:
    topics = tmp_path / "topics.yaml"
    topics.write_text("- name: broken\n  query: 'nike AND'\n")
    got = run_cli(
        "spark", "run", "--lake", tmp_path / "lake", "--topics", topics, "--input", tmp_path
    )
    assert got.returncode == 2
    assert "topic 'broken'" in got.stderr and "Traceback" not in got.stderr
    topics.write_text("just nike\n")  # a scalar, not a list or map of topics
    got = run_cli(
        "spark", "run", "--lake", tmp_path / "lake", "--topics", topics, "--input", tmp_path
    )
    assert got.returncode == 2 and "list of topics" in got.stderr
    missing = run_cli(
        "spark", "run", "--lake", tmp_path / "lake", "--topics", topics.with_name("none.yaml")
    )
    assert missing.returncode == 2 and "cannot read the topics file" in missing.stderr


def test_bad_inputs_fail_before_spark_starts(inputs: Inputs, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    missing = run_cli("spark", "run", "--lake", lake, "--topics", inputs.topics, "--input", "nope/")
    assert missing.returncode == 2 and "no such input: nope/" in missing.stderr
    # A file too big for one task (sparse: 300 MB long, nothing on disk) in a folder.
    folder = tmp_path / "in"
    folder.mkdir()
    with (folder / "huge.ndjson").open("wb") as f:
        f.truncate(300_000_000)
    started = time.perf_counter()
    huge = run_cli("spark", "run", "--lake", lake, "--topics", inputs.topics, "--input", folder)
    assert huge.returncode == 2 and "Traceback" not in huge.stderr
    assert "huge.ndjson is 300 MB" in huge.stderr and "split -l" in huge.stderr
    assert time.perf_counter() - started < 5  # no JVM was started to find this out
    assert not lake.exists()
