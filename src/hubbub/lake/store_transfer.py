"""Move posts and matches between the DuckDB store and a Parquet lake.

`export_lake` streams the store out partition by partition (one file per partition, named for
the writer, so exporting again replaces rather than adds). `import_lake` reads the lake with
DuckDB and feeds it, in batches, through the store's own upsert: a post already stored is
updated only when the lake's copy is a newer snapshot, and the replaced engagement counts are
kept in `snapshots`, exactly as when the same posts arrive from a file.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from typing import Any, Final

import duckdb
import pyarrow as pa

from hubbub.lake.files import (
    POST_FILE_SCHEMA,
    LakeWriteReport,
    check_lake,
    has_files,
    matches_relation_sql,
    posts_relation_sql,
    write_sorted,
)
from hubbub.lake.layout import MATCHES, POSTS
from hubbub.lake.rollups import refresh
from hubbub.store import BatchCounts, Store

DEFAULT_WRITER: Final = "duckdb"
_BATCH_ROWS: Final = 100_000
_DAY: Final = "(p.created_at AT TIME ZONE 'UTC')::DATE AS day"


@dataclass
class LakeExportReport:
    lake: str
    posts: int
    matches: int
    files: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LakeImportReport:
    """`read` lake posts (after dropping copies of one id), of which new/updated/duplicate."""

    lake: str
    read: int = 0
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    matches_read: int = 0
    matches_new: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def export_lake(
    store: Store, lake: str | os.PathLike[str], *, writer: str = DEFAULT_WRITER
) -> LakeExportReport:
    """Write every stored post and match to the lake; a partition written replaces its files."""
    started = time.perf_counter()
    columns = ", ".join(f"p.{name}" for name in POST_FILE_SCHEMA.names)
    posts_sql = f"SELECT {columns}, p.platform, {_DAY} FROM posts p ORDER BY p.platform, day, p.id"
    matches_sql = (
        f"SELECT m.post_id, m.topic, m.matched_at, p.platform, {_DAY} FROM matches m"
        " JOIN posts p ON p.id = m.post_id ORDER BY p.platform, day, m.post_id, m.topic"
    )
    posts = _write_query(store, posts_sql, lake, POSTS, writer)
    matches = _write_query(store, matches_sql, lake, MATCHES, writer)
    refresh(
        os.fspath(lake)
    )  # the lake panels answer from the rollups: keep them in step with the posts
    return LakeExportReport(
        str(lake),
        posts.rows,
        matches.rows,
        len(posts.files) + len(matches.files),
        round(time.perf_counter() - started, 3),
    )


def _write_query(
    store: Store, sql: str, lake: str | os.PathLike[str], kind: str, writer: str
) -> LakeWriteReport:
    # A cursor of its own: the store's connection stays free while the result streams.
    with store.con.cursor() as cursor:
        reader = cursor.sql(sql).to_arrow_reader(_BATCH_ROWS)
        return write_sorted(lake, kind, reader, writer)


def import_lake(store: Store, lake: str | os.PathLike[str]) -> LakeImportReport:
    """Upsert the lake's posts (by id) and matches into the store. Running it twice changes
    nothing the second time."""
    started = time.perf_counter()
    check_lake(lake)
    report = LakeImportReport(str(lake))
    with duckdb.connect() as reader:
        if has_files(lake, POSTS):
            _import_posts(store, reader, lake, report)
        if has_files(lake, MATCHES):
            _import_matches(store, reader, lake, report)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _import_posts(
    store: Store,
    reader: duckdb.DuckDBPyConnection,
    lake: str | os.PathLike[str],
    r: LakeImportReport,
) -> None:
    # Only the columns the store has: another writer's extra columns are not ours to import.
    stored = {row[0] for row in store.con.execute("DESCRIBE posts").fetchall()}
    found = [
        row[0]
        for row in reader.sql(f"DESCRIBE SELECT * FROM {posts_relation_sql(lake)}").fetchall()
    ]
    columns = ", ".join(f'"{name}"' for name in found if name in stored)
    # Two writers may have left a copy of one post: keep its latest snapshot, as upserts do.
    sql = (
        f"SELECT {columns} FROM {posts_relation_sql(lake)}"
        " QUALIFY row_number() OVER (PARTITION BY id ORDER BY collected_at DESC) = 1"
    )
    counts = BatchCounts()
    for batch in reader.sql(sql).to_arrow_reader(_BATCH_ROWS):
        table = pa.Table.from_batches([batch])
        with store.transaction():
            counts += store.upsert_posts(table)
        r.read += table.num_rows
    r.new, r.updated, r.duplicate = counts.new, counts.updated, counts.duplicate


def _import_matches(
    store: Store,
    reader: duckdb.DuckDBPyConnection,
    lake: str | os.PathLike[str],
    r: LakeImportReport,
) -> None:
    # A pair seen twice keeps its first matched_at, as matching on import does.
    sql = (
        f"SELECT post_id, topic, min(matched_at) AS matched_at FROM {matches_relation_sql(lake)}"
        " GROUP BY post_id, topic"
    )
    con = store.con
    for batch in reader.sql(sql).to_arrow_reader(_BATCH_ROWS):
        con.register("_lake_matches", pa.Table.from_batches([batch]))
        try:
            with store.transaction():
                before = store.one("SELECT count(*) FROM matches")
                con.execute(
                    "INSERT INTO matches SELECT post_id, topic, matched_at FROM _lake_matches"
                    " ON CONFLICT DO NOTHING"
                )
                after = store.one("SELECT count(*) FROM matches")
        finally:
            con.unregister("_lake_matches")
        r.matches_read += batch.num_rows
        r.matches_new += int(after[0] if after else 0) - int(before[0] if before else 0)
