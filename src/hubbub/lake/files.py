"""Write and read post and match files in the lake layout (see `hubbub.lake.layout`).

A writer owns one file per partition, named after it (`part-WRITER.parquet`), so writing the
same posts again replaces that file instead of adding a copy. Each file is written under a
hidden temporary name in its partition folder and renamed into place, so a reader (DuckDB,
Spark) never sees half a file. With `replace` (the default) the other files of a partition the
writer touched are removed afterwards: whoever writes a partition last holds all of it, which is
what Spark's dynamic partition overwrite does too, so the two writers agree.

Reading goes through DuckDB's `read_parquet(..., hive_partitioning = true)`; the partition
columns come back from the folder names (`platform` as text, `day` as a date).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import duckdb
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hubbub.errors import HubbubError
from hubbub.lake.layout import (
    ENRICHMENT_COLUMNS,
    LAYOUT_VERSION,
    MARKER,
    MATCH_PARTITIONS,
    MATCHES,
    POST_PARTITIONS,
    POSTS,
    matches_glob,
    posts_glob,
)
from hubbub.model import POST_SCHEMA

_TS: Final = pa.timestamp("us", tz="UTC")
_STRINGS: Final = pa.list_(pa.string())
#: Enrichment the store keeps beyond the layout's ENRICHMENT_COLUMNS. hubbub's writers add them
#: after those so that a lake round trip loses nothing; a file without them (another writer's)
#: reads as nulls, because every reader here reads by column name (union_by_name).
EXTRA_ENRICHMENT_FIELDS: Final = (
    pa.field("lang_confidence", pa.float64()),
    pa.field("cashtags", _STRINGS),
    pa.field("emoji", _STRINGS),
    pa.field("emotion", pa.string()),
    pa.field("emotion_score", pa.float64()),
)
#: What a post file holds: every Post field but the partition column, then the enrichment.
POST_FILE_SCHEMA: Final = pa.schema(
    [f for f in POST_SCHEMA if f.name not in POST_PARTITIONS]
    + [
        pa.field("sentiment", pa.string()),
        pa.field("sentiment_score", pa.float64()),
        pa.field("sentiment_model", pa.string()),
        *EXTRA_ENRICHMENT_FIELDS,
    ]
)
assert tuple(POST_FILE_SCHEMA.names[-8:-5]) == ENRICHMENT_COLUMNS
MATCH_FILE_SCHEMA: Final = pa.schema(
    [
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("topic", pa.string(), nullable=False),
        pa.field("matched_at", _TS, nullable=False),
    ]
)
#: The columns a lake post has once read back: the file's, then the partition columns.
LAKE_POST_COLUMNS: Final = (*POST_FILE_SCHEMA.names, *POST_PARTITIONS)

_WRITER_ID: Final = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
# Characters Spark escapes in partition folder names (ExternalCatalogUtils), so both agree.
_ESCAPED: Final = frozenset("\"#%'*/:=?\\\x7f{[]^") | frozenset(chr(c) for c in range(32))
_POST_HIVE_TYPES: Final = "hive_types = {'platform': 'VARCHAR', 'day': 'DATE'}"
_MATCH_HIVE_TYPES: Final = "hive_types = {'platform': 'VARCHAR', 'day': 'DATE'}"


@dataclass
class LakeWriteReport:
    """What one write did: rows written, files written and files it replaced."""

    rows: int = 0
    files: list[str] = field(default_factory=list)
    replaced: int = 0


# -- the lake folder ---------------------------------------------------------------------------
def init_lake(root: str | os.PathLike[str]) -> Path:
    """Create the lake folder with its marker (layout version) if new; check it if not."""
    path = Path(root)
    if path.exists() and not path.is_dir():
        raise HubbubError(f"{path} is a file, not a lake folder", "give a folder for the lake")
    marker = path / MARKER
    if marker.exists():
        check_lake(path)
        return path
    if path.is_dir() and any(path.iterdir()):
        raise HubbubError(
            f"{path} is not empty and has no {MARKER}: not a hubbub lake",
            "give a new or empty folder, or an existing hubbub lake",
        )
    path.mkdir(parents=True, exist_ok=True)
    _write_atomically(marker, marker_bytes())
    return path


def marker_bytes() -> bytes:
    """The marker file's content (the Spark job writes the same bytes)."""
    return orjson.dumps({"layout": "hubbub-lake", "version": LAYOUT_VERSION}) + b"\n"


def check_lake(root: str | os.PathLike[str]) -> Path:
    """The lake folder, if it is one this version of hubbub can read."""
    path = Path(root)
    marker = path / MARKER
    if not marker.is_file():
        raise HubbubError(
            f"{path} is not a hubbub lake (no {MARKER})",
            "give the folder `hubbub export lake` or `hubbub spark run --lake` wrote",
        )
    try:
        version = orjson.loads(marker.read_bytes()).get("version")
    except (orjson.JSONDecodeError, AttributeError):
        raise HubbubError(f"{marker} is not valid JSON", "restore it from a backup") from None
    if version != LAYOUT_VERSION:
        raise HubbubError(
            f"{path} has lake layout version {version}; this hubbub reads version {LAYOUT_VERSION}",
            "upgrade hubbub, or export the data again",
        )
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def partition_folder(names: Sequence[str], values: Sequence[str]) -> str:
    """`platform=x/day=2016-01-02`, with the characters Spark escapes written as %XX."""
    return "/".join(f"{n}={_escape(v)}" for n, v in zip(names, values, strict=True))


def _escape(value: str) -> str:
    if not value:
        return "__HIVE_DEFAULT_PARTITION__"
    return "".join(f"%{ord(c):02X}" if c in _ESCAPED else c for c in value)


# -- writing -----------------------------------------------------------------------------------
def post_file_table(posts: pa.Table) -> pa.Table:
    """Posts (store or pipeline columns) as lake rows: the file columns plus `platform`, `day`."""
    columns = {}
    for f in POST_FILE_SCHEMA:
        if f.name in posts.column_names:
            columns[f.name] = posts.column(f.name).cast(f.type)
        else:
            columns[f.name] = pa.nulls(posts.num_rows, f.type)
    columns["platform"] = posts.column("platform").cast(pa.string())
    columns["day"] = utc_day(posts.column("created_at"))
    return pa.table(columns)


def utc_day(created_at: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The UTC calendar day of each timestamp (Arrow would use the column's time zone)."""
    naive = pc.cast(created_at, _TS).cast(pa.timestamp("us"))
    return pc.cast(naive, pa.date32())


def write_posts(
    lake: str | os.PathLike[str], posts: pa.Table, writer: str, *, replace: bool = True
) -> LakeWriteReport:
    """Write posts (with `platform`, `created_at` and any of the file columns) to the lake."""
    rows = post_file_table(posts).sort_by([("platform", "ascending"), ("day", "ascending")])
    return write_sorted(lake, POSTS, rows.to_batches(), writer, replace=replace)


def write_matches(
    lake: str | os.PathLike[str], matches: pa.Table, writer: str, *, replace: bool = True
) -> LakeWriteReport:
    """Write matches (post_id, topic, matched_at, and the matched post's `platform` and UTC
    `day`)."""
    rows = matches.select([*MATCH_FILE_SCHEMA.names, "platform", "day"]).sort_by(
        [("platform", "ascending"), ("day", "ascending")]
    )
    return write_sorted(lake, MATCHES, rows.to_batches(), writer, replace=replace)


def write_sorted(
    lake: str | os.PathLike[str],
    kind: str,
    batches: Iterable[pa.RecordBatch],
    writer: str,
    *,
    replace: bool = True,
) -> LakeWriteReport:
    """Write `kind` ("posts" or "matches") rows that arrive sorted by their partition columns.

    Batches are streamed: one Parquet file is open at a time, so memory holds one batch.
    """
    if not _WRITER_ID.match(writer):
        raise HubbubError(
            f"writer id {writer!r} is not usable in a file name", "use letters, digits, . _ -"
        )
    root = init_lake(lake)
    partitions, schema = (
        (POST_PARTITIONS, POST_FILE_SCHEMA)
        if kind == POSTS
        else (MATCH_PARTITIONS, MATCH_FILE_SCHEMA)
    )
    report = LakeWriteReport()
    seen: set[str] = set()
    current: _PartitionFile | None = None
    try:
        for batch in batches:
            for key, part in _runs(batch, partitions):
                if current is None or current.key != key:
                    if current is not None:
                        report.replaced += current.close(replace=replace)
                    if key in seen:
                        raise HubbubError(
                            f"rows of partition {key} came in twice: input not sorted",
                            "sort the rows by " + ", ".join(partitions),
                        )
                    seen.add(key)
                    folder = root / kind / key
                    current = _PartitionFile(key, folder / f"part-{writer}.parquet", schema)
                    report.files.append(str(current.final))
                current.write(part.select(schema.names).cast(schema))
                report.rows += part.num_rows
        if current is not None:
            report.replaced += current.close(replace=replace)
            current = None
    finally:
        if current is not None:
            current.abort()
    return report


def _runs(batch: pa.RecordBatch, partitions: Sequence[str]) -> Iterator[tuple[str, pa.RecordBatch]]:
    """(partition folder, rows) of each run of equal partition values in a sorted batch."""
    if batch.num_rows == 0:
        return
    values = [pc.fill_null(batch.column(name).cast(pa.string()), "") for name in partitions]
    # Compared in Arrow, not per row in Python: an export streams millions of rows through here.
    keys = pc.binary_join_element_wise(*values, "\x00") if len(values) > 1 else values[0]
    changed = pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1))
    starts = [0, *(np.flatnonzero(changed.to_numpy(zero_copy_only=False)) + 1).tolist()]
    for begin, end in itertools.pairwise([*starts, batch.num_rows]):
        folder = partition_folder(partitions, [v[begin].as_py() for v in values])
        yield folder, batch.slice(begin, end - begin)


class _PartitionFile:
    """One partition's file while it is written: hidden until it is complete."""

    def __init__(self, key: str, final: Path, schema: pa.Schema) -> None:
        self.key, self.final = key, final
        final.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
        self.writer = pq.ParquetWriter(str(self.tmp), schema, compression="zstd")

    def write(self, rows: pa.RecordBatch) -> None:
        self.writer.write_batch(rows)

    def close(self, *, replace: bool) -> int:
        """Rename into place; with `replace`, remove the partition's other files. Returns how
        many were removed."""
        self.writer.close()
        self.tmp.replace(self.final)
        removed = 0
        if replace:
            for other in self.final.parent.glob("*.parquet"):
                if other != self.final:
                    other.unlink(missing_ok=True)
                    removed += 1
        return removed

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()
        self.tmp.unlink(missing_ok=True)


# -- reading -----------------------------------------------------------------------------------
def has_files(lake: str | os.PathLike[str], kind: str) -> bool:
    """Whether the lake holds any `kind` file (DuckDB fails on a glob that matches nothing)."""
    depth = len(POST_PARTITIONS if kind == POSTS else MATCH_PARTITIONS)
    return any(Path(lake).glob("/".join([kind, *["*"] * depth, "*.parquet"])))


def posts_relation_sql(lake: str | os.PathLike[str]) -> str:
    """SQL for every post file of a lake (columns: LAKE_POST_COLUMNS)."""
    return (
        f"read_parquet({_quote(posts_glob(os.fspath(lake)))}, hive_partitioning = true,"
        f" union_by_name = true, {_POST_HIVE_TYPES})"
    )


def matches_relation_sql(lake: str | os.PathLike[str]) -> str:
    """SQL for every match file of a lake (post_id, topic, matched_at, day)."""
    return (
        f"read_parquet({_quote(matches_glob(os.fspath(lake)))}, hive_partitioning = true,"
        f" union_by_name = true, {_MATCH_HIVE_TYPES})"
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_posts(lake: str | os.PathLike[str], where: str = "TRUE") -> pa.Table:
    """All posts of a lake (or those matching a SQL condition), by id."""
    check_lake(lake)
    if not has_files(lake, POSTS):
        return pa.schema(
            [*POST_FILE_SCHEMA, pa.field("platform", pa.string()), pa.field("day", pa.date32())]
        ).empty_table()
    with duckdb.connect() as con:
        return con.sql(
            f"SELECT * FROM {posts_relation_sql(lake)} WHERE {where} ORDER BY id"
        ).to_arrow_table()


def read_matches(lake: str | os.PathLike[str]) -> pa.Table:
    """All matches of a lake, by post and topic."""
    check_lake(lake)
    if not has_files(lake, MATCHES):
        return pa.schema([*MATCH_FILE_SCHEMA, pa.field("day", pa.date32())]).empty_table()
    with duckdb.connect() as con:
        return con.sql(
            f"SELECT * FROM {matches_relation_sql(lake)} ORDER BY post_id, topic"
        ).to_arrow_table()
