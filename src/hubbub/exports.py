"""File exports of posts and topic matches: CSV or Parquet, streamed in Arrow batches.

DuckDB hands the rows over as a stream of record batches and each batch is written as it comes,
so an export of any size holds one batch (64k rows) in memory. The file appears under its name
only when complete (written beside it, then renamed), so a failed export leaves no partial file.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hubbub.analytics.facade import make_scope
from hubbub.errors import HubbubError
from hubbub.query.sql import register_functions
from hubbub.store import Store

FORMATS: Final = ("csv", "parquet")
_BATCH_ROWS: Final = 65_536


@dataclass
class ExportReport:
    path: str
    format: str
    rows: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def choose_format(out: Path, fmt: str | None) -> str:
    """The asked format, else the one the file name says (.csv, .parquet/.pq)."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise HubbubError(f"unknown export format {fmt!r}", "use --format csv or --format parquet")
        return fmt
    suffix = out.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise HubbubError(
        f"cannot tell the format of {out.name!r} from its name", "end it in .csv or .parquet, or give --format"
    )


def posts_sql(
    store: Store,
    *,
    topics: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    query: str | None = None,
    include_noise: bool = True,
) -> tuple[str, list[Any]]:
    """The SELECT of an export of posts, and its parameters."""
    for topic in topics:
        if not store.one("SELECT 1 FROM topics WHERE name = ?", [topic]):
            raise HubbubError(f"no topic named {topic!r}", "see `hubbub topics list`")
    register_functions(store.con)  # the query filter uses hubbub's tokenizer in SQL
    scope = make_scope(
        topics=topics, since=since, until=until, query=query, include_noise=include_noise
    )
    where, params = scope.where()
    return f"SELECT p.* FROM posts p WHERE {where} ORDER BY p.created_at, p.id", params


def matches_sql(
    store: Store,
    *,
    topics: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[str, list[Any]]:
    clauses: list[str] = ["TRUE"]
    params: list[Any] = []
    for topic in topics:
        if not store.one("SELECT 1 FROM topics WHERE name = ?", [topic]):
            raise HubbubError(f"no topic named {topic!r}", "see `hubbub topics list`")
    if topics:
        clauses.append(f"m.topic IN ({', '.join('?' * len(topics))})")
        params.extend(topics)
    if since is not None:
        clauses.append("p.created_at >= ?")
        params.append(since)
    if until is not None:
        clauses.append("p.created_at < ?")
        params.append(until)
    return (
        "SELECT m.post_id, m.topic, t.group_name AS topic_group, m.matched_at, p.created_at,"
        " p.platform, p.url FROM matches m JOIN posts p ON p.id = m.post_id"
        " LEFT JOIN topics t ON t.name = m.topic"
        f" WHERE {' AND '.join(clauses)} ORDER BY p.created_at, m.post_id, m.topic",
        params,
    )


def _csv_ready(store: Store, sql: str, params: list[Any]) -> str:
    """CSV has no lists: list columns become JSON arrays (`["a","b"]`), which read back exactly."""
    relation = store.con.sql(f"SELECT * FROM ({sql}) LIMIT 0", params=params or None)
    lists = [
        name for name, kind in zip(relation.columns, relation.dtypes, strict=True)
        if str(kind).endswith("[]")
    ]
    if not lists:
        return sql
    replaced = ", ".join(f"to_json({name})::VARCHAR AS {name}" for name in lists)
    return f"SELECT * REPLACE ({replaced}) FROM ({sql})"


def write_query(store: Store, sql: str, params: list[Any], out: Path, fmt: str) -> int:
    """Stream the rows of `sql` into `out` as `fmt`; returns the number of rows written."""
    if fmt == "csv":
        sql = _csv_ready(store, sql, params)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    rows = 0
    try:
        reader = store.con.sql(sql, params=params or None).to_arrow_reader(_BATCH_ROWS)
        schema: pa.Schema = reader.schema
        writer: Any = (
            pacsv.CSVWriter(str(partial), schema)
            if fmt == "csv"
            else pq.ParquetWriter(str(partial), schema, compression="zstd")
        )
        with writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
        partial.replace(out)
    except OSError as exc:
        raise HubbubError(f"cannot write {out}: {exc.strerror or exc}", "check the folder exists and is writable") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return rows


def export_posts(
    store: Store,
    out: str | os.PathLike[str],
    *,
    format: str | None = None,
    topics: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    query: str | None = None,
    include_noise: bool = True,
) -> ExportReport:
    """Posts (every stored column) matching the filters, oldest first."""
    path = Path(out)
    fmt = choose_format(path, format)
    started = time.perf_counter()
    sql, params = posts_sql(
        store, topics=topics, since=since, until=until, query=query, include_noise=include_noise
    )
    rows = write_query(store, sql, params, path, fmt)
    return ExportReport(str(path), fmt, rows, round(time.perf_counter() - started, 3))


def export_matches(
    store: Store,
    out: str | os.PathLike[str],
    *,
    format: str | None = None,
    topics: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> ExportReport:
    """Topic matches with the post's date, platform and URL, oldest post first."""
    path = Path(out)
    fmt = choose_format(path, format)
    started = time.perf_counter()
    sql, params = matches_sql(store, topics=topics, since=since, until=until)
    rows = write_query(store, sql, params, path, fmt)
    return ExportReport(str(path), fmt, rows, round(time.perf_counter() - started, 3))
