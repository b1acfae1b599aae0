"""Raw chunk -> validated Post table: parse, normalise, dedupe.

Two ways through, one result. NDJSON already in hubbub's schema is parsed by Arrow's
multithreaded JSON reader and completed with vectorised compute (the fast path). Anything else -
a mapping, another platform's format, or a chunk holding even one bad record - goes record by
record through `normalize_record`, which is what gives each rejected record its precise reason.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from hubbub.landing import Segment
from hubbub.model import (
    IMPORT_FIELDS,
    IMPORT_SCHEMA,
    KINDS,
    POST_SCHEMA,
    SENTIMENT_LABELS,
    PostRecord,
    Rejected,
)
from hubbub.normalize import (
    TRIM_CHARS,
    apply_mapping,
    domains_of,
    normalize_record,
    records_to_table,
)

NATIVE_MAPPING: Final = "file/1"
DEFAULT_MAX_RECORD_BYTES: Final = 1 << 20

# The fast path reads every field as nullable; completeness is checked afterwards.
_READ_SCHEMA: Final = pa.schema([f.with_nullable(True) for f in IMPORT_SCHEMA])
_READ_OPTIONS: Final = pajson.ReadOptions(use_threads=True, block_size=1 << 22)
_PARSE_OPTIONS: Final = pajson.ParseOptions(
    explicit_schema=_READ_SCHEMA, unexpected_field_behavior="ignore"
)
_KIND_SET: Final = pa.array(KINDS)

#: Parses one decoded raw value into posts (a platform format's `parse`).
ValueParser = Callable[[Any], Iterator[PostRecord | Rejected]]


@dataclass
class Rejection:
    """One rejected input record, with where it came from."""

    line: int
    reason: str
    hint: str
    raw: bytes
    raw_ref: str | None


@dataclass
class ParsedChunk:
    table: pa.Table
    rejections: list[Rejection] = field(default_factory=list)
    read: int = 0  # records read: posts produced + rejected
    in_chunk_duplicates: int = 0


@dataclass(frozen=True)
class ParseSettings:
    """How to turn raw records of one import into posts."""

    mapping: Mapping[str, str] = field(default_factory=dict)
    platform: str | None = None
    mapping_version: str = NATIVE_MAPPING
    value_parser: ValueParser | None = None  # a platform format; None = hubbub's own schema
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    enrich: bool = True  # language, entities and fast sentiment on every post

    @property
    def native(self) -> bool:
        return not self.mapping and self.value_parser is None and self.platform is None


def parse_ndjson_chunk(
    lines: bytes,
    first_line: int,
    segment: Segment,
    collected_at: datetime,
    s: ParseSettings,
    line_count: int | None = None,
) -> ParsedChunk:
    """`line_count`: the newlines in `lines`, if the caller has counted them already."""
    if not lines:
        return ParsedChunk(IMPORT_SCHEMA.empty_table())
    if s.native:
        table = _fast_path(lines, segment, collected_at, s, line_count)
        if table is not None:
            return dedupe(ParsedChunk(table, read=table.num_rows))
    return dedupe(_slow_path_lines(lines, first_line, segment, collected_at, s))


def parse_record_chunk(
    records: list[Any],
    line_numbers: list[int],
    lines: bytes,
    segment: Segment,
    collected_at: datetime,
    s: ParseSettings,
) -> ParsedChunk:
    """Decoded records (CSV rows, JSON array elements, Parquet rows) -> posts."""
    raws = lines.split(b"\n")
    out = _Collector(segment, collected_at, s)
    for index, (record, line) in enumerate(zip(records, line_numbers, strict=True)):
        out.add_value(record, line, index + 1, raws[index])
    return dedupe(out.result())


def _fast_path(
    lines: bytes,
    segment: Segment,
    collected_at: datetime,
    s: ParseSettings,
    line_count: int | None = None,
) -> pa.Table | None:
    """Arrow-parse a chunk in our schema; None if any record needs the careful path."""
    lines_count = lines.count(b"\n") if line_count is None else line_count
    if not lines_count:
        return None
    # Blank lines get their own rejection reason. Arrow skips them, so a chunk holding one
    # yields fewer rows than lines (checked below): no need for a separate scan for "\n\n".
    if _may_hold_long_line(lines, s.max_record_bytes):
        return None
    try:
        table = pajson.read_json(
            io.BytesIO(lines), read_options=_READ_OPTIONS, parse_options=_PARSE_OPTIONS
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if table.num_rows != lines_count:
        return None  # e.g. whitespace-only lines, which Arrow skips
    return _complete(table, segment, collected_at)


def _may_hold_long_line(lines: bytes, limit: int) -> bool:
    """False only if no line is `limit` bytes or longer; cheap: one search per limit/2 bytes.

    A line of length >= 2w covers a whole aligned window of width w, so if every aligned window
    holds a newline, no line reaches 2w = limit. True means "look closer", not "found one".
    """
    width = max(limit // 2, 1)
    return any(
        lines.find(b"\n", start, start + width) < 0 for start in range(0, len(lines) - width, width)
    )


def _complete(table: pa.Table, segment: Segment, collected_at: datetime) -> pa.Table | None:
    n = table.num_rows
    ident, platform, native = table["id"], table["platform"], table["native_id"]
    if ident.null_count < n:
        # platform and native_id default to the two halves of "platform:native_id".
        parts = pc.split_pattern(ident, ":", max_splits=1)
        if pc.min(pc.list_value_length(parts)).as_py() != 2:
            return None  # an id without a colon: the careful path explains
        platform = pc.coalesce(platform, pc.list_element(parts, 0))
        native = pc.coalesce(native, pc.list_element(parts, 1))
    if platform.null_count or native.null_count:
        return None  # default platforms and content-hash ids are made on the careful path
    if (
        pc.any(pc.equal(pc.utf8_length(platform), 0)).as_py()
        or pc.any(pc.equal(pc.utf8_length(native), 0)).as_py()
    ):
        return None
    ident = pc.binary_join_element_wise(platform, native, ":")
    if table["created_at"].null_count:
        return None
    text, title = _trim(table["text"]), _trim(table["title"])
    if not pc.all(pc.or_kleene(pc.is_valid(text), pc.is_valid(title))).as_py():
        return None
    kind = pc.fill_null(table["kind"], "post")
    if not pc.all(pc.is_in(kind, _KIND_SET)).as_py():
        return None
    sentiment = pc.utf8_lower(pc.utf8_trim_whitespace(table["sentiment"]))
    labelled_ok = pc.or_(pc.is_null(sentiment), pc.is_in(sentiment, pa.array(SENTIMENT_LABELS)))
    if not pc.all(labelled_ok).as_py():
        return None  # the careful path names the bad label
    columns: dict[str, Any] = {name: table[name] for name in IMPORT_FIELDS}
    columns["sentiment"] = sentiment
    columns.update(
        text=text,
        title=title,
        id=ident,
        platform=platform,
        native_id=native,
        kind=kind,
        collected_at=pc.fill_null(
            table["collected_at"], pa.scalar(collected_at, POST_SCHEMA.field("collected_at").type)
        ),
        mapping_version=pa.array([NATIVE_MAPPING] * n, pa.string()),
        raw_ref=pc.binary_join_element_wise(
            segment.ref_prefix, pc.cast(pa.array(np.arange(1, n + 1)), pa.string()), ":"
        ),
    )
    columns["domains"] = _fill_domains(table["links"], table["domains"])
    return pa.table(columns, schema=IMPORT_SCHEMA)


def _trim(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """As the careful path does: trimmed, and empty becomes missing."""
    trimmed = pc.utf8_trim(column, TRIM_CHARS)
    return pc.if_else(pc.equal(pc.utf8_length(trimmed), 0), pa.scalar(None, pa.string()), trimmed)


def _fill_domains(links: pa.ChunkedArray, domains: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    need = pc.and_(pc.is_valid(links), pc.is_null(domains))
    if not pc.any(need).as_py():
        return domains
    link_list, domain_list = links.to_pylist(), domains.to_pylist()
    filled = [
        domains_of(lk) if d is None and lk is not None else d
        for lk, d in zip(link_list, domain_list, strict=True)
    ]
    return pa.array(filled, pa.list_(pa.string()))


def _slow_path_lines(
    lines: bytes, first_line: int, segment: Segment, collected_at: datetime, s: ParseSettings
) -> ParsedChunk:
    out = _Collector(segment, collected_at, s)
    raws = lines.split(b"\n")
    if raws and raws[-1] == b"":
        raws.pop()
    for index, raw in enumerate(raws):
        line = first_line + index
        if len(raw) > s.max_record_bytes:
            out.reject(
                line,
                index + 1,
                raw,
                f"record is {len(raw) / 1e6:.1f} MB, over the {s.max_record_bytes / 1e6:.1f} MB limit",
                "if it is a real record, import again with a larger --max-record-bytes",
            )
            continue
        if not raw.strip():
            out.reject(
                line,
                index + 1,
                raw,
                "empty line, not a JSON record",
                "nothing to import; safe to ignore",
            )
            continue
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            reason, hint = _json_error(raw, exc)
            out.reject(line, index + 1, raw, reason, hint)
            continue
        out.add_value(value, line, index + 1, raw)
    return out.result()


def _json_error(raw: bytes, exc: orjson.JSONDecodeError) -> tuple[str, str]:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return (
            f"invalid UTF-8 at byte {bad.start}",
            "re-export the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        )
    if exc.pos >= len(raw.rstrip()) - 1:
        return (
            f"truncated JSON: {exc.msg} at column {exc.colno}",
            "the record was cut off; re-export it",
        )
    return f"invalid JSON: {exc.msg} at column {exc.colno}", "fix the record's JSON syntax"


class _Collector:
    """Accumulates posts and rejections of one chunk on the careful path."""

    def __init__(self, segment: Segment, collected_at: datetime, s: ParseSettings) -> None:
        self.segment, self.collected_at, self.s = segment, collected_at, s
        self.posts: list[PostRecord] = []
        self.rejections: list[Rejection] = []

    def reject(self, line: int, seg_line: int, raw: bytes, reason: str, hint: str) -> None:
        self.rejections.append(Rejection(line, reason, hint, raw, self.segment.ref(seg_line)))

    def add_value(self, value: Any, line: int, seg_line: int, raw: bytes) -> None:
        s = self.s
        ref = self.segment.ref(seg_line)
        if s.value_parser is not None:
            for item in s.value_parser(value):
                self._add_record(item, line, seg_line, raw, ref, s.mapping_version)
            return
        if not isinstance(value, dict):
            self.reject(
                line,
                seg_line,
                raw,
                f"expected a JSON object, got {type(value).__name__}",
                'each line must be one object like {"text": ...}',
            )
            return
        if "_invalid_csv_row" in value:
            self.reject(
                line,
                seg_line,
                raw,
                "CSV row has the wrong number of columns",
                "check quoting of that row",
            )
            return
        record = apply_mapping(value, s.mapping) if s.mapping else value
        self._add_record(record, line, seg_line, raw, ref, s.mapping_version)

    def _add_record(
        self,
        item: PostRecord | Rejected,
        line: int,
        seg_line: int,
        raw: bytes,
        ref: str,
        version: str,
    ) -> None:
        if isinstance(item, Rejected):
            self.reject(line, seg_line, raw, item.reason, item.hint)
            return
        post = normalize_record(
            item,
            collected_at=self.collected_at,
            mapping_version=version,
            raw_ref=ref,
            default_platform=self.s.platform,
            raw=raw,
        )
        if isinstance(post, Rejected):
            self.reject(line, seg_line, raw, post.reason, post.hint)
        else:
            self.posts.append(post)

    def result(self) -> ParsedChunk:
        table = records_to_table(self.posts) if self.posts else IMPORT_SCHEMA.empty_table()
        return ParsedChunk(table, self.rejections, read=len(self.posts) + len(self.rejections))


def dedupe(chunk: ParsedChunk) -> ParsedChunk:
    """Keep one row per id: the latest snapshot, later lines winning ties."""
    table = chunk.table
    if table.num_rows < 2 or pc.count_distinct(table["id"]).as_py() == table.num_rows:
        return chunk
    order = pa.array(np.arange(table.num_rows))
    ranked = table.append_column("_ord", order).sort_by(
        [("id", "ascending"), ("collected_at", "descending"), ("_ord", "descending")]
    )
    ids = ranked["id"].to_numpy(zero_copy_only=False)
    keep = np.ones(len(ids), dtype=bool)
    keep[1:] = ids[1:] != ids[:-1]
    kept = ranked.filter(pa.array(keep)).sort_by("_ord").drop_columns(["_ord"])
    chunk.in_chunk_duplicates = table.num_rows - kept.num_rows
    chunk.table = kept
    return chunk
