"""Raw chunk -> validated Post table: parse, normalise, dedupe.

Two ways through, one result. NDJSON already in hubbub's schema is parsed by DuckDB's JSON
reader (`native_ndjson`, the fast path); the few lines it cannot vouch for go one by one through
`normalize_record`, the careful path, in their place. Anything else - a mapping, another
platform's format, or a chunk DuckDB cannot read at all (one broken line is enough) - goes
record by record through the careful path, which is what gives each rejected record its
precise reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from hubbub.filereaders import Lines, RawChunk, count_newlines
from hubbub.id_hashes import ids_repeat
from hubbub.landing import Segment
from hubbub.model import (
    IMPORT_FIELDS,
    IMPORT_SCHEMA,
    PostRecord,
    Rejected,
)
from hubbub.native_ndjson import NativeChunk, read_lines
from hubbub.normalize import (
    apply_mapping,
    domains_of,
    normalize_record,
    records_to_table,
)

NATIVE_MAPPING: Final = "file/1"
DEFAULT_MAX_RECORD_BYTES: Final = 1 << 20

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


@dataclass(frozen=True, slots=True)
class LineSpan:
    """Whole lines `lines[start:end]` of a chunk: `count` of them, the first being line
    `first_line` of the file and line `seg_first` of the chunk's landed segment."""

    start: int
    end: int
    count: int
    first_line: int
    seg_first: int = 1


def split_lines(lines: Lines, first_line: int, line_count: int, parts: int) -> list[LineSpan]:
    """`lines` cut into about `parts` spans of whole lines, each about as long, in order.

    A chunk is parsed in parts on several threads so that its posts are ready sooner: the
    store cannot start before the first chunk is parsed, and is busy alone after the last.
    """
    spans: list[LineSpan] = []
    start, line, seg = 0, first_line, 1
    for k in range(1, parts):
        cut = lines.find(b"\n", max(start, len(lines) * k // parts - 1))
        if cut < 0 or cut + 1 >= len(lines):
            break
        count = count_newlines(lines, start, cut + 1)
        spans.append(LineSpan(start, cut + 1, count, line, seg))
        start, line, seg = cut + 1, line + count, seg + count
    done = sum(span.count for span in spans)
    spans.append(LineSpan(start, len(lines), line_count - done, line, seg))
    return spans


def parse_ndjson_chunk(
    lines: Lines,
    first_line: int,
    segment: Segment,
    collected_at: datetime,
    s: ParseSettings,
    line_count: int | None = None,
) -> ParsedChunk:
    """`line_count`: the newlines in `lines`, if the caller has counted them already."""
    count = count_newlines(lines) if line_count is None else line_count
    span = LineSpan(0, len(lines), count, first_line)
    return dedupe(parse_ndjson_span(lines, span, segment, collected_at, s))


def parse_ndjson_span(
    lines: Lines, span: LineSpan, segment: Segment, collected_at: datetime, s: ParseSettings
) -> ParsedChunk:
    """The posts of one span of a chunk's lines, not yet deduplicated (see `combine`)."""
    if span.start >= span.end:
        return ParsedChunk(IMPORT_SCHEMA.empty_table())
    if s.native:
        fast = _fast_path(lines, span, segment, collected_at, s)
        if fast is not None:
            return fast
    return _slow_path_lines(lines, span, segment, collected_at, s)


def combine(parts: list[ParsedChunk]) -> ParsedChunk:
    """The spans of one chunk, parsed apart, as one deduplicated chunk."""
    if len(parts) == 1:
        return dedupe(parts[0])
    # An empty part was not enriched, so it lacks the enrichment columns: leave it out.
    tables = [part.table for part in parts if part.table.num_rows] or [parts[0].table]
    table = pa.concat_tables(tables, promote_options="default")
    return dedupe(
        ParsedChunk(
            table,
            [rejection for part in parts for rejection in part.rejections],
            read=sum(part.read for part in parts),
        )
    )


def parse_chunk(
    chunk: RawChunk, segment: Segment, collected_at: datetime, s: ParseSettings
) -> ParsedChunk:
    """A chunk from `filereaders.read_chunks`, whichever kind of file it came from."""
    if chunk.records is None:
        return parse_ndjson_chunk(
            chunk.lines, chunk.first_line, segment, collected_at, s, chunk.newlines()
        )
    return parse_record_chunk(
        chunk.records, chunk.line_numbers, chunk.lines, segment, collected_at, s
    )


def parse_record_chunk(
    records: list[Any],
    line_numbers: list[int],
    lines: Lines,
    segment: Segment,
    collected_at: datetime,
    s: ParseSettings,
) -> ParsedChunk:
    """Decoded records (CSV rows, JSON array elements, Parquet rows) -> posts."""
    raws = bytes(lines).split(b"\n")  # (records' lines are bytes already: no copy)
    out = _Collector(segment, collected_at, s)
    for index, (record, line) in enumerate(zip(records, line_numbers, strict=True)):
        out.add_value(record, line, index + 1, raws[index])
    return dedupe(out.result())


def _fast_path(
    lines: Lines, span: LineSpan, segment: Segment, collected_at: datetime, s: ParseSettings
) -> ParsedChunk | None:
    if not span.count:
        return None
    if _may_hold_long_line(lines, s.max_record_bytes, span.start, span.end):
        return None
    view = memoryview(lines)[span.start : span.end]
    native = read_lines(view, span.count, collected_at, s.max_record_bytes)
    if native is None:
        return None
    n = native.table.num_rows
    seg_lines = np.arange(span.seg_first, span.seg_first + n)
    table = native.table.set_column(
        IMPORT_FIELDS.index("raw_ref"),
        IMPORT_SCHEMA.field("raw_ref"),
        pc.binary_join_element_wise(
            segment.ref_prefix, pc.cast(pa.array(seg_lines), pa.string()), ":"
        ),
    ).set_column(
        IMPORT_FIELDS.index("mapping_version"),
        IMPORT_SCHEMA.field("mapping_version"),
        pa.repeat(pa.scalar(NATIVE_MAPPING, pa.string()), n),
    )
    if len(native.flagged):
        # (Domains after: a flagged row's links may be anything until the careful path reads it.)
        merged = _with_careful_rows(lines, span, native, table, segment, collected_at, s)
        merged.table = _with_domains(merged.table)
        return merged
    return ParsedChunk(_with_domains(table), read=n)


def _with_careful_rows(
    lines: Lines,
    span: LineSpan,
    native: NativeChunk,
    table: pa.Table,
    segment: Segment,
    collected_at: datetime,
    s: ParseSettings,
) -> ParsedChunk:
    """`table` with the flagged lines' rows replaced by the careful path's reading of them
    (a post, or nothing where it rejects the line). The rows between are zero-copy slices: a
    take of the whole table cost more than the careful reading of a few hundred lines."""
    careful = _Collector(segment, collected_at, s)
    for index, start in zip(native.flagged.tolist(), native.flagged_at.tolist(), strict=True):
        begin = span.start + start
        careful.add_line(
            bytes(lines[begin : lines.find(b"\n", begin)]),
            span.first_line + index,
            span.seg_first + index,
        )
    redone = careful.result()
    row_of = {seg_line - span.seg_first: k for k, seg_line in enumerate(careful.post_seg_lines)}
    pieces, after = [], 0
    for index in native.flagged.tolist():
        pieces.append(table.slice(after, index - after))
        if (row := row_of.get(index)) is not None:
            pieces.append(redone.table.slice(row, 1))
        after = index + 1
    pieces.append(table.slice(after))
    return ParsedChunk(pa.concat_tables(pieces), redone.rejections, read=table.num_rows)


def _with_domains(table: pa.Table) -> pa.Table:
    """Domains filled in from links where the input gave links but no domains."""
    domains = _fill_domains(table["links"], table["domains"])
    return table.set_column(IMPORT_FIELDS.index("domains"), IMPORT_SCHEMA.field("domains"), domains)


def _may_hold_long_line(lines: Lines, limit: int, begin: int, end: int) -> bool:
    """False only if no line of `lines[begin:end]` is `limit` bytes or longer; cheap: one
    search per limit/2 bytes.

    A line of length >= 2w covers a whole aligned window of width w, so if every aligned window
    holds a newline, no line reaches 2w = limit. True means "look closer", not "found one".
    """
    width = max(limit // 2, 1)
    return any(
        lines.find(b"\n", start, start + width) < 0 for start in range(begin, end - width, width)
    )


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
    lines: Lines, span: LineSpan, segment: Segment, collected_at: datetime, s: ParseSettings
) -> ParsedChunk:
    out = _Collector(segment, collected_at, s)
    raws = bytes(memoryview(lines)[span.start : span.end]).split(b"\n")
    if raws and raws[-1] == b"":
        raws.pop()
    for index, raw in enumerate(raws):
        out.add_line(raw, span.first_line + index, span.seg_first + index)
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
        self.post_seg_lines: list[int] = []  # where each post came from in the segment
        self.rejections: list[Rejection] = []

    def reject(self, line: int, seg_line: int, raw: bytes, reason: str, hint: str) -> None:
        self.rejections.append(Rejection(line, reason, hint, raw, self.segment.ref(seg_line)))

    def add_line(self, raw: bytes, line: int, seg_line: int) -> None:
        """One NDJSON line (without its newline): line `line` of the file, `seg_line` of the
        segment."""
        if len(raw) > self.s.max_record_bytes:
            limit = self.s.max_record_bytes / 1e6
            self.reject(
                line,
                seg_line,
                raw,
                f"record is {len(raw) / 1e6:.1f} MB, over the {limit:.1f} MB limit",
                "if it is a real record, import again with a larger --max-record-bytes",
            )
            return
        if not raw.strip():
            self.reject(
                line,
                seg_line,
                raw,
                "empty line, not a JSON record",
                "nothing to import; safe to ignore",
            )
            return
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            reason, hint = _json_error(raw, exc)
            self.reject(line, seg_line, raw, reason, hint)
            return
        self.add_value(value, line, seg_line, raw)

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
            self.post_seg_lines.append(seg_line)

    def result(self) -> ParsedChunk:
        table = records_to_table(self.posts) if self.posts else IMPORT_SCHEMA.empty_table()
        return ParsedChunk(table, self.rejections, read=len(self.posts) + len(self.rejections))


def dedupe(chunk: ParsedChunk) -> ParsedChunk:
    """Keep one row per id: the latest snapshot, later lines winning ties."""
    table = chunk.table
    if table.num_rows < 2 or not ids_repeat(table["id"]):
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
