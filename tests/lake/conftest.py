"""A small lake resampled from real tweets, and the store holding the same posts."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from hubbub.api import Hubbub
from hubbub.lake.generate import GenerateReport, generate
from hubbub.lake.layout import matches_glob, posts_glob
from hubbub.lake.source_posts import load_source_posts
from hubbub.lake.topics_file import TopicSpec
from hubbub.store import Store
from hubbub.topics import add_topic
from tests.realdata import post_records, write_ndjson

SOURCE_POSTS = 4000
LAKE_POSTS = 30_000
TOPICS: list[TopicSpec] = [
    TopicSpec("apple", "apple OR iphone OR ipad", "tech"),
    TopicSpec("samsung", "samsung OR galaxy", "tech"),
    TopicSpec("google", "google OR android", "tech"),
    TopicSpec("facebook", "facebook", "tech"),
    TopicSpec("obama", "obama", None),
]


@pytest.fixture(scope="session")
def source_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real SemEval tweets imported (and enriched) by the real importer."""
    folder = tmp_path_factory.mktemp("source")
    posts = folder / "posts.ndjson"
    write_ndjson(posts, post_records(shared_data, limit=SOURCE_POSTS))
    db = folder / "source.duckdb"
    with Hubbub(str(db)) as hb:
        assert hb.import_files([posts]).new == SOURCE_POSTS
    return db


@pytest.fixture(scope="session")
def source_table(source_store: Path) -> pa.Table:
    return load_source_posts([source_store])


@pytest.fixture(scope="session")
def small_lake(
    source_table: pa.Table, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, GenerateReport]:
    lake = tmp_path_factory.mktemp("lake") / "lake"
    report = generate(
        source_table, lake, posts=LAKE_POSTS, seed=11, days=28, topics=TOPICS,
        chunk_posts=12_000, workers=2,
    )  # fmt: skip
    return lake, report


def read_lake(lake: Path) -> tuple[pa.Table, pa.Table]:
    """(posts with platform, matches) of a lake, as DuckDB reads them."""
    import duckdb

    con = duckdb.connect()
    posts = con.sql(
        f"SELECT * EXCLUDE (day) FROM read_parquet('{posts_glob(lake)}', hive_partitioning = true)"
        " ORDER BY id"
    ).to_arrow_table()
    matches = con.sql(
        f"SELECT post_id, topic, matched_at FROM read_parquet('{matches_glob(lake)}')"
        " ORDER BY post_id, topic"
    ).to_arrow_table()
    con.close()
    return posts, matches


@pytest.fixture(scope="session")
def lake_store(
    small_lake: tuple[Path, GenerateReport], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A store holding the lake's posts; its topics are added the user's way (which matches
    the stored posts with hubbub's own matcher, independently of the lake's matches)."""
    posts, _ = read_lake(small_lake[0])
    db = tmp_path_factory.mktemp("store") / "lake.duckdb"
    store = Store(str(db))
    with store.transaction():
        store.upsert_posts(posts)
    for topic in TOPICS:
        add_topic(store, topic.name, topic.query, topic.group)
    store.close()
    return db
