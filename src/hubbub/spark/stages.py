"""What runs inside Spark's Python workers: hubbub's own pipeline functions over Arrow batches.

Nothing here imports pyspark. Each stage is a function from an iterator of Arrow record batches
to an iterator of record batches, the shape `DataFrame.mapInArrow` wants, and calls exactly
what an in-process import calls: the importer's file readers and format resolution, the
pipeline's parse and in-chunk dedupe, `enrich` (fast tier) and the compiled topic matcher.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Final
from urllib.parse import unquote, urlparse

import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from hubbub.filereaders import read_chunks
from hubbub.importer import ImportOptions
from hubbub.importer import _resolve as resolve_file  # the importer's own format choice
from hubbub.lake.files import POST_FILE_SCHEMA, utc_day
from hubbub.landing import Segment
from hubbub.model import IMPORT_SCHEMA
from hubbub.pipeline import ParsedChunk, parse_chunk
from hubbub.query import TopicMatcher, compile_topics

#: Columns the parse stage adds, so the global dedupe can keep the record an import keeps.
ORDER_COLUMNS: Final = (
    pa.field("_input", pa.int32()),  # position of the --input argument
    pa.field("_path", pa.string()),  # file within it (sorted by name, as landing segments are)
    pa.field("_seq", pa.int64()),  # post's position within its file
)
PARSED_SCHEMA: Final = pa.schema(
    [f.with_nullable(True) for f in IMPORT_SCHEMA] + list(ORDER_COLUMNS)
)
#: Enriched posts: the lake file columns, the partition columns, and the topics each matched.
ENRICHED_SCHEMA: Final = pa.schema(
    [f.with_nullable(True) for f in POST_FILE_SCHEMA]
    + [
        pa.field("platform", pa.string()),
        pa.field("day", pa.date32()),
        pa.field("_topics", pa.list_(pa.string())),
    ]
)
#: A rejected input record, as the Spark job keeps it (the store's quarantine table, in a file).
QUARANTINE_SCHEMA: Final = pa.schema(
    [
        pa.field("file", pa.string()),  # the input file's URI
        pa.field("line", pa.int64()),  # line (NDJSON) or record number in that file
        pa.field("reason", pa.string()),  # "FILE line N: what is wrong"
        pa.field("hint", pa.string()),  # what to do about it
        pa.field("raw", pa.binary()),  # the record's bytes as read
        pa.field("raw_ref", pa.string()),
    ]
)
#: The environment variable naming the test's fault marker file (see `FaultHook`).
FAULT_ENV: Final = "HUBBUB_SPARK_FAULT_MARKER"
_SEGMENT_NAME: Final = re.compile(r"^\d{15}\.ndjson\.zst$")


@dataclass(frozen=True)
class FaultHook:
    """Test hook for task retries: the first task attempt that finds no marker file creates it
    and kills its Python worker (`os._exit`), as a lost executor would; later attempts run.
    Off unless $HUBBUB_SPARK_FAULT_MARKER names a file (on a file system all workers see)."""

    marker: str | None = None

    def maybe_fail(self) -> None:
        if self.marker is None:
            return
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.close(fd)
        os._exit(1)


@dataclass(frozen=True)
class ParseStage:
    """Input files (rows of Spark's binaryFile source: path, content) -> parsed posts."""

    collected_at: datetime
    options: ImportOptions = field(default_factory=ImportOptions)
    #: Folder (URI) for this run's rejected records; None drops them.
    quarantine: str | None = None

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for row in batch.to_pylist():
                yield from self.parse_file(int(row["_input"]), str(row["path"]), row["content"])

    def parse_file(self, input_index: int, uri: str, content: bytes) -> Iterator[pa.RecordBatch]:
        name = PurePosixPath(unquote(urlparse(uri).path)).name
        with tempfile.TemporaryDirectory(prefix="hubbub-spark-") as folder:
            # The importer's readers take a path (and look at its name for the format).
            local = Path(folder) / name
            local.write_bytes(content)
            kind, settings, _ = resolve_file(local, self.options)
            seq = 0
            for chunk in read_chunks(local, kind):
                segment = Segment(local, _ref_prefix(uri, chunk.position))
                parsed = parse_chunk(chunk, segment, self.collected_at, settings)
                if parsed.rejections and self.quarantine is not None:
                    write_rejections(self.quarantine, uri, chunk.position, parsed)
                if parsed.table.num_rows:
                    yield from _with_order(parsed, input_index, uri, seq).to_batches()
                    seq += parsed.table.num_rows


def write_rejections(folder: str, uri: str, position: int, parsed: ParsedChunk) -> str:
    """Write a chunk's rejected records to one Parquet file in `folder`; returns its path.

    The name depends only on the input file and the chunk, so a retried task attempt
    overwrites its predecessor's file instead of adding a copy.
    """
    fs, root = pafs.FileSystem.from_uri(folder)
    digest = hashlib.sha1(uri.encode()).hexdigest()[:16]
    path = f"{root.rstrip('/')}/{digest}-{position:015d}.parquet"
    rows = parsed.rejections
    where = urlparse(uri)
    name = unquote(where.path) if where.scheme == "file" else uri  # a local file by its path
    table = pa.table(
        {
            "file": [name] * len(rows),
            "line": [r.line for r in rows],
            "reason": [f"{name} line {r.line}: {r.reason}" for r in rows],
            "hint": [r.hint for r in rows],
            "raw": [r.raw for r in rows],
            "raw_ref": [r.raw_ref for r in rows],
        },
        schema=QUARANTINE_SCHEMA,
    )
    fs.create_dir(root, recursive=True)
    pq.write_table(table, path, filesystem=fs)
    return path


def read_rejections(folder: str) -> pa.Table:
    """Every rejected record written to `folder` (empty when there were none)."""
    fs, root = pafs.FileSystem.from_uri(folder)
    if fs.get_file_info(root).type == pafs.FileType.NotFound:
        return QUARANTINE_SCHEMA.empty_table()
    files = fs.get_file_info(pafs.FileSelector(root))
    tables = [
        pq.read_table(f.path, filesystem=fs)
        for f in sorted(files, key=lambda f: f.path)
        if f.path.endswith(".parquet")
    ]
    return pa.concat_tables(tables) if tables else QUARANTINE_SCHEMA.empty_table()


def _ref_prefix(uri: str, position: int) -> str:
    """raw_ref prefix: a landing segment is referred to as the importer refers to it
    ("source/segment"); any other file by its name and the chunk's position."""
    path = PurePosixPath(unquote(urlparse(uri).path))
    if _SEGMENT_NAME.match(path.name):
        return f"{path.parent.name}/{path.name}"
    return f"{path.name}/{position:015d}"


def _with_order(parsed: ParsedChunk, input_index: int, uri: str, seq: int) -> pa.Table:
    table = parsed.table
    n = table.num_rows
    table = table.append_column(ORDER_COLUMNS[0], pa.array(np.full(n, input_index, np.int32)))
    table = table.append_column(ORDER_COLUMNS[1], pa.array([uri] * n, pa.string()))
    table = table.append_column(ORDER_COLUMNS[2], pa.array(np.arange(seq, seq + n)))
    return table.cast(PARSED_SCHEMA)


# Compiled once per Python worker process, not once per batch: 1,000 topics take a while.
_MATCHERS: dict[tuple[tuple[str, str], ...], TopicMatcher] = {}


def _matcher(topics: tuple[tuple[str, str], ...]) -> TopicMatcher | None:
    if not topics:
        return None
    if topics not in _MATCHERS:
        _MATCHERS[topics] = compile_topics(dict(topics))
    return _MATCHERS[topics]


@dataclass(frozen=True)
class EnrichMatchStage:
    """Deduplicated posts -> enriched (fast tier) posts with the topics each one matches."""

    topics: tuple[tuple[str, str], ...]
    fault: FaultHook = field(default_factory=FaultHook)

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield from self.enrich_and_match(pa.Table.from_batches([batch])).to_batches()
            # After the first output, so a killed attempt has already handed rows to the writer.
            self.fault.maybe_fail()

    def enrich_and_match(self, table: pa.Table) -> pa.Table:
        # Imported here, as the importer does: the models load scikit-learn.
        from hubbub.enrich import enrich

        table = enrich(table.select(IMPORT_SCHEMA.names).cast(IMPORT_SCHEMA))
        matcher = _matcher(self.topics)
        topics: list[list[str]] = [[] for _ in range(table.num_rows)]
        if matcher is not None and table.num_rows:
            pairs = matcher.match_batch(table)
            row_of = {post_id: i for i, post_id in enumerate(table.column("id").to_pylist())}
            for post_id, topic in zip(
                pairs.column("post_id").to_pylist(), pairs.column("topic").to_pylist(), strict=True
            ):
                topics[row_of[post_id]].append(topic)
        columns: dict[str, Any] = {f.name: table.column(f.name) for f in POST_FILE_SCHEMA}
        columns["platform"] = table.column("platform")
        columns["day"] = utc_day(table.column("created_at"))
        columns["_topics"] = pa.array(topics, pa.list_(pa.string()))
        return pa.table(columns).cast(ENRICHED_SCHEMA)


def topic_items(topics: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Topics in a hashable, ordered form (the stage is pickled to every worker)."""
    return tuple(sorted(topics.items()))
