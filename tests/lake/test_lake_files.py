"""The Parquet lake on one machine: export a store of real tweets, import it into a fresh store,
and get the same posts and matches back; writing or importing again adds nothing; a newer
snapshot in the lake updates a stored post and keeps the old counts in `snapshots`."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import orjson
import pyarrow.parquet as pq
import pytest

import hubbub
from hubbub.errors import HubbubError
from hubbub.lake.files import (
    POST_FILE_SCHEMA,
    init_lake,
    partition_folder,
    posts_relation_sql,
    read_matches,
    read_posts,
    write_matches,
    write_posts,
)
from hubbub.lake.layout import MARKER
from hubbub.topics import add_topic
from tests.core.helpers import run_cli
from tests.realdata import post_records, write_ndjson

TOPICS = {
    "sports": "#nfl OR football OR game*",
    "music": "concert OR album OR song*",
    "obama": "obama OR president",
}


@pytest.fixture(scope="module")
def store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,500 real tweets, enriched and matched, in a store."""
    folder = tmp_path_factory.mktemp("lake-store")
    write_ndjson(folder / "tweets.ndjson", post_records(shared_data, limit=1500))
    db = folder / "h.duckdb"
    with hubbub.open(db) as hb:
        for name, query in TOPICS.items():
            add_topic(hb.store, name, query, "test")
        report = hb.import_files([folder / "tweets.ndjson"])
    assert report.new == 1500
    return db


def _posts(hb: hubbub.Hubbub) -> list[dict[str, object]]:
    return hb.sql("SELECT * FROM posts ORDER BY id").to_pylist()


def _matches(hb: hubbub.Hubbub) -> list[tuple[object, ...]]:
    rows = hb.sql("SELECT post_id, topic, matched_at FROM matches ORDER BY post_id, topic")
    return [tuple(r.values()) for r in rows.to_pylist()]


def test_export_then_import_gives_the_same_posts_and_matches(store: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with hubbub.open(store) as hb:
        exported = hb.export_lake(lake)
        posts, matches = _posts(hb), _matches(hb)
    assert exported.posts == 1500 and exported.matches == len(matches) > 100
    with hubbub.open(tmp_path / "fresh.duckdb") as fresh:
        report = fresh.import_lake(lake)
        assert (report.read, report.new, report.matches_new) == (1500, 1500, len(matches))
        assert _posts(fresh) == posts  # every column, enrichment included
        assert _matches(fresh) == matches
        again = fresh.import_lake(lake)
        assert (again.new, again.updated, again.duplicate, again.matches_new) == (0, 0, 1500, 0)
        assert fresh.sql("SELECT count(*) AS n FROM posts").to_pylist() == [{"n": 1500}]


def test_layout_partitions_and_rewrite_replaces(store: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with hubbub.open(store) as hb:
        hb.export_lake(lake)
        days = hb.sql(
            "SELECT count(DISTINCT (created_at AT TIME ZONE 'UTC')::DATE) AS n FROM posts"
        ).to_pylist()[0]["n"]
        first = sorted(p.relative_to(lake) for p in lake.rglob("*.parquet"))
        hb.export_lake(lake)
    assert orjson.loads((lake / MARKER).read_bytes())["version"] == 1
    post_files = [p for p in first if p.parts[0] == "posts"]
    assert len(post_files) == days > 10
    assert all(
        p.parts[1] == "platform=twitter" and p.name == "part-duckdb.parquet" for p in post_files
    )
    # A file holds no partition column (Spark's layout), and the folder names give them back.
    assert "platform" not in pq.read_schema(lake / post_files[0]).names
    assert sorted(p.relative_to(lake) for p in lake.rglob("*.parquet")) == first
    assert not list(lake.rglob("*.tmp"))
    assert read_posts(lake).num_rows == 1500
    with duckdb.connect() as con:
        row = con.sql(
            f"SELECT count(*), count(DISTINCT id), min(platform), max(platform),"
            f" bool_and(day = (created_at AT TIME ZONE 'UTC')::DATE)"
            f" FROM {posts_relation_sql(lake)}"
        ).fetchall()[0]
    assert row == (1500, 1500, "twitter", "twitter", True)


def test_another_writer_replaces_a_partition_it_writes(store: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with hubbub.open(store) as hb:
        hb.export_lake(lake)
        one_day = hb.sql(
            "SELECT * FROM posts WHERE (created_at AT TIME ZONE 'UTC')::DATE ="
            " (SELECT (max(created_at) AT TIME ZONE 'UTC')::DATE FROM posts)"
        )
    # The same posts written again by another writer: the partition holds them once.
    report = write_posts(lake, one_day, "other")
    assert report.rows == one_day.num_rows and report.replaced == 1
    assert read_posts(lake).num_rows == 1500
    # Without replace, a second writer's file stands beside the first (parallel writers).
    write_posts(lake, one_day, "third", replace=False)
    assert len(list(Path(report.files[0]).parent.glob("*.parquet"))) == 2


def test_rewriting_one_platforms_matches_keeps_the_others_of_that_day(
    store: Path, tmp_path: Path
) -> None:
    import pyarrow as pa

    lake = tmp_path / "lake"
    with hubbub.open(store) as hb:
        hb.export_lake(lake)
    exported = read_matches(lake)
    assert exported.num_rows > 0
    day = exported.column("day")[0]
    same_day = exported.filter(pa.compute.equal(exported.column("day"), day))
    # The same day's matches of another platform, as another writer's run would leave them.
    other = same_day.set_column(
        same_day.schema.get_field_index("platform"),
        "platform",
        pa.array(["reddit"] * same_day.num_rows),
    )
    write_matches(lake, other, "reddit-run")
    # A run over the first platform alone rewrites its partition of that day...
    write_matches(lake, same_day, "duckdb")
    after = read_matches(lake).filter(pa.compute.equal(read_matches(lake).column("day"), day))
    # ...and the other platform's matches of that day are still there.
    platforms = after.column("platform").to_pylist()
    assert platforms.count("reddit") == platforms.count("twitter") == same_day.num_rows


def test_newer_snapshot_in_the_lake_updates_and_keeps_history(store: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with hubbub.open(store) as hb:
        posts = hb.sql("SELECT * FROM posts ORDER BY id LIMIT 40")
    later = posts.to_pylist()
    for row in later:
        row["likes"] = int(row["likes"] or 0) + 1000
        row["collected_at"] = row["collected_at"].replace(year=row["collected_at"].year + 1)
    import pyarrow as pa

    write_posts(lake, pa.Table.from_pylist(later, schema=posts.schema), "later")
    fresh_db = tmp_path / "copy.duckdb"
    with hubbub.open(store) as hb:
        hb.export_lake(tmp_path / "base")
    with hubbub.open(fresh_db) as hb:
        hb.import_lake(tmp_path / "base")
        report = hb.import_lake(lake)
        assert (report.new, report.updated, report.duplicate) == (0, 40, 0)
        likes = hb.sql(
            "SELECT id, likes FROM posts WHERE id IN (SELECT id FROM posts ORDER BY id LIMIT 40) ORDER BY id"
        )
        assert [r["likes"] for r in likes.to_pylist()] == [r["likes"] for r in later]
        history = hb.sql("SELECT post_id, likes FROM snapshots ORDER BY post_id").to_pylist()
        assert [(r["post_id"], r["likes"]) for r in history] == [
            (r["id"], r["likes"]) for r in posts.to_pylist()
        ]


def test_cli_export_and_import_lake(store: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    out = run_cli("--db", store, "export", "lake", lake, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["posts"] == 1500
    fresh = tmp_path / "fresh.duckdb"
    got = run_cli("--db", fresh, "import", "lake", lake, "--json")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["new"] == 1500
    text = run_cli("--db", fresh, "import", "lake", lake)
    assert "0 new" in text.stdout and "1,500 duplicate" in text.stdout


def test_not_a_lake_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("hello")
    got = run_cli("--db", tmp_path / "h.duckdb", "import", "lake", tmp_path / "stuff")
    assert got.returncode == 2
    assert "not a hubbub lake" in got.stderr and "Traceback" not in got.stderr
    with pytest.raises(HubbubError, match="not empty"):
        init_lake(tmp_path / "stuff")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / MARKER).write_text('{"version": 99}')
    with pytest.raises(HubbubError, match="layout version 99"):
        read_matches(tmp_path / "old")


def test_partition_folders_escape_as_spark_does() -> None:
    assert partition_folder(["platform", "day"], ["web", "2016-01-02"]) == (
        "platform=web/day=2016-01-02"
    )
    assert partition_folder(["platform"], ["a/b:c=d"]) == "platform=a%2Fb%3Ac%3Dd"
    assert POST_FILE_SCHEMA.names[:2] == ["id", "native_id"]
