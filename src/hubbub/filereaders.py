"""Read input files into chunks of raw records: NDJSON, JSON, CSV and Parquet, plain or compressed.

A chunk carries the exact raw bytes to land (one record per line) and, for formats that are not
NDJSON, the decoded records. Positions let an interrupted import resume where its last committed
chunk ended: a byte offset for NDJSON, a record index for the others.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Literal, cast

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import zstandard

from hubbub.errors import HubbubError

# The most a read takes in: ~150k tweets. HUBBUB_CHUNK_BYTES overrides it (small chunks make
# a killed import lose less work).
CHUNK_BYTES: Final = int(os.environ.get("HUBBUB_CHUNK_BYTES", 64 * 1024 * 1024))
CHUNK_RECORDS: Final = 50_000
# DuckDB's row group size. A commit of whole row groups is written compressed once; a commit
# that ends in a partial row group has it rewritten at the next checkpoint, which made the
# store's share of an import ~2x dearer. So an NDJSON chunk is one row group of lines whenever
# a block holds that many: one, not several, so that the store can start on the first one
# early and has little left to do once the last is parsed.
ROW_GROUP_LINES: Final = 122_880
_GZIP_MAGIC: Final = b"\x1f\x8b"
_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"

#: Raw lines of a chunk: bytes, or a bytearray where that saved a copy of them.
Lines = bytes | bytearray

FileKind = Literal["ndjson", "json", "csv", "parquet", "yaml", "xml"]


_COUNT_BLOCK: Final = 1 << 18


def count_newlines(data: Lines, start: int = 0, end: int | None = None) -> int:
    """`data.count(b"\n", start, end)`, at twice its speed on large data (numpy compares 256 KB
    at a time; bytes.count goes byte by byte: 15 vs 32 ms for 64 MB)."""
    stop = len(data) if end is None else min(end, len(data))
    if stop - start < _COUNT_BLOCK:
        return data.count(b"\n", start, stop)
    array = np.frombuffer(data, np.uint8)
    return sum(
        int(np.count_nonzero(array[i : min(i + _COUNT_BLOCK, stop)] == 10))
        for i in range(start, stop, _COUNT_BLOCK)
    )


@dataclass
class RawChunk:
    """Consecutive raw records of one file."""

    position: int  # where the chunk starts (byte offset for NDJSON, record index otherwise)
    end: int  # where the next chunk starts
    first_line: int  # 1-based line (NDJSON) or data row (CSV) of the first record
    lines: Lines  # raw records as NDJSON, one per line, as landed
    records: list[Any] | None = None  # decoded records, for non-NDJSON input
    line_numbers: list[int] = field(default_factory=list)  # for decoded records
    last: bool = False
    line_count: int = -1  # newlines in `lines`, when the reader counted them (-1: not counted)

    def newlines(self) -> int:
        """Lines in the chunk; counted once (a pass over 64 MB costs ~50 ms)."""
        if self.line_count < 0:
            self.line_count = count_newlines(self.lines)
        return self.line_count


def open_decompressed(path: Path) -> IO[bytes]:
    """The file's bytes, transparently decompressing gzip and zstd (by content, not name)."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise HubbubError(f"cannot read {path}: {exc.strerror}", "check the path") from None
    magic = raw.read(4)
    raw.seek(0)
    if magic[:2] == _GZIP_MAGIC:
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    if magic == _ZSTD_MAGIC:
        return cast(IO[bytes], zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
    return raw


def _stem(path: Path) -> str:
    name = path.name.lower()
    for suffix in (".gz", ".zst", ".zstd"):
        name = name.removesuffix(suffix)
    return name


def detect_kind(path: Path) -> FileKind:
    """The container format, by extension first, else by the first bytes."""
    name = _stem(path)
    if name.endswith((".csv", ".tsv")):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".ndjson", ".jsonl")):
        return "ndjson"
    if name.endswith((".yaml", ".yml")):
        return "yaml"  # vcrpy cassettes: recorded API responses
    if name.endswith((".xml", ".rss", ".atom")):
        return "xml"
    with open_decompressed(path) as stream:
        head = stream.read(1 << 16)
    if head.startswith(b"PAR1"):
        return "parquet"
    stripped = head.lstrip()
    if stripped.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        return "xml"
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        first, newline, _ = stripped.partition(b"\n")
        try:
            orjson.loads(first)
        except orjson.JSONDecodeError:
            return "json"  # a pretty-printed document spans lines
        return "ndjson" if newline else "json"
    if name.endswith(".json"):
        return "json"
    raise HubbubError(
        f"cannot tell the format of {path}",
        "name it .ndjson/.jsonl/.json/.csv/.parquet or pass --format",
    )


def read_ndjson(path: Path, start: int = 0, start_line: int = 1) -> Iterator[RawChunk]:
    """Chunks of whole lines, starting at byte offset `start` (which begins line `start_line`)."""
    with open_decompressed(path) as stream:
        _skip(stream, start)
        if isinstance(stream, io.BufferedReader):
            yield from _plain_chunks(stream, start, start_line)
            return
        position, line = start, start_line
        carry, carry_lines = b"", 0
        while True:
            block = stream.read(CHUNK_BYTES)
            if not block:
                break
            data = carry + block
            total = carry_lines + count_newlines(block)  # each byte is counted once
            if not total:
                carry = data  # one line longer than a block: keep reading
                continue
            while True:  # a block of short lines can hold several row groups
                lines_in = min(total, ROW_GROUP_LINES)
                cut = _newline_followed_by(data, total - lines_in, total)
                lines, data, total = data[: cut + 1], data[cut + 1 :], total - lines_in
                end = position + len(lines)
                yield RawChunk(position, end, line, lines, line_count=lines_in)
                position, line = end, line + lines_in
                if total < ROW_GROUP_LINES:
                    break
            carry, carry_lines = data, total
        yield _last_chunk(position, line, carry)


def _plain_chunks(stream: io.BufferedReader, start: int, start_line: int) -> Iterator[RawChunk]:
    """`read_ndjson` of an uncompressed file, which can seek: the same chunks, but the lines
    a chunk holds back are read again with the next block rather than glued to it (two fewer
    copies of ~50 MB a chunk)."""
    position, line, held = start, start_line, 0  # held: bytes after the last chunk, read
    size = CHUNK_BYTES  # what the next read takes in beyond the held bytes
    while True:
        # Into a bytearray cut to the chunk's end afterwards: slicing ~50 MB of bytes out of
        # what was read cost a copy and a page fault per 4 KB of it (~5% of an import's CPU).
        data = bytearray(held + size)
        del data[stream.readinto(data) :]
        if len(data) == held:
            yield _last_chunk(position, line, data)  # only the held-back lines are left
            return
        total = count_newlines(data)
        short = total < ROW_GROUP_LINES and len(data) == held + size < held + CHUNK_BYTES
        if not total or short:
            # One line longer than a block, or lines longer than the last chunk's: read on.
            held, size = len(data), CHUNK_BYTES
            stream.seek(position)
            continue
        lines_in = min(total, ROW_GROUP_LINES)
        cut = _newline_followed_by(data, total - lines_in, total)
        held = len(data) - (cut + 1)
        del data[cut + 1 :]  # (in place: shortening a bytearray by less than half moves nothing)
        end = position + len(data)
        if end >= os.fstat(stream.fileno()).st_size:
            # The file's end: this chunk is the last (no empty chunk after it to commit).
            yield RawChunk(position, end, line, data, last=True, line_count=lines_in)
            return
        yield RawChunk(position, end, line, data, line_count=lines_in)
        position, line = end, line + lines_in
        # Read about one row group's bytes next (as long as this one's, plus 1/16), not a
        # whole block: what is read past the chunk's end is read again with the next one.
        size = max(min(CHUNK_BYTES, len(data) + len(data) // 16) - held, 1 << 16)
        stream.seek(position)


def _last_chunk(position: int, line: int, rest: Lines) -> RawChunk:
    """The end of a file: whole lines held back, then maybe a last line without newline."""
    if not rest:
        return RawChunk(position, position, line, b"", last=True)
    lines = rest if rest.endswith(b"\n") else rest + b"\n"
    return RawChunk(position, position + len(rest), line, lines, last=True)


def _newline_followed_by(data: Lines, after: int, total: int) -> int:
    """The offset of the newline in `data` (which holds `total` > `after` newlines) that has
    exactly `after` newlines after it. Chunks end there so that they hold whole row groups."""
    if not after:
        return data.rfind(b"\n")
    # Guess from the mean line length, count the newlines after the guess (a tail of at most
    # one row group's bytes), then step over the few lines between the guess and the answer.
    start = max(0, len(data) - after * len(data) // total)
    seen = count_newlines(data, start)
    if seen > after:
        cut = start - 1
        for _ in range(seen - after):
            cut = data.find(b"\n", cut + 1)
    else:
        cut = start
        for _ in range(after - seen + 1):
            cut = data.rfind(b"\n", 0, cut)
    return cut


def _skip(stream: IO[bytes], count: int) -> None:
    if count and stream.seekable():
        stream.seek(count)
        return
    while count > 0:
        got = stream.read(min(count, CHUNK_BYTES))
        if not got:
            break
        count -= len(got)


def read_json_document(path: Path, start: int = 0) -> Iterator[RawChunk]:
    """A JSON array is many records; any other JSON document is one record."""
    with open_decompressed(path) as stream:
        data = stream.read()
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        line = data[: exc.pos].count(b"\n") + 1
        raise HubbubError(
            f"{path}: not valid JSON at line {line}: {exc.msg}",
            "fix the file, or if it has one record per line name it .ndjson",
        ) from None
    records = doc if isinstance(doc, list) else [doc]
    yield from _record_chunks(records, start, lambda i: i + 1)


def read_csv(path: Path, start: int = 0, delimiter: str | None = None) -> Iterator[RawChunk]:
    """CSV rows as dicts of strings (the mapping step gives them types)."""
    if delimiter is None:
        delimiter = "\t" if _stem(path).endswith(".tsv") else ","
    bad_rows: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append(row.text or "")
        return "skip"

    with open_decompressed(path) as stream:
        data = stream.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header = next(iter(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace")), "")
    names = [n.strip() for n in header.rstrip("\r\n").split(delimiter)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
        )
    except pa.ArrowInvalid as exc:
        raise HubbubError(
            f"{path}: not a readable CSV file: {exc}", "check the delimiter"
        ) from None
    rows: list[Any] = table.to_pylist()
    rows.extend({"_invalid_csv_row": text} for text in bad_rows)
    yield from _record_chunks(rows, start, lambda i: i + 2)  # row 1 is the header


def read_parquet(path: Path, start: int = 0) -> Iterator[RawChunk]:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise HubbubError(f"{path}: not a readable Parquet file: {exc}") from None
    yield from _record_chunks(table.to_pylist(), start, lambda i: i + 1)


def _record_chunks(records: list[Any], start: int, number: Any) -> Iterator[RawChunk]:
    total = len(records)
    for begin in range(start, total, CHUNK_RECORDS):
        part = records[begin : begin + CHUNK_RECORDS]
        lines = b"".join(orjson.dumps(r, default=str) + b"\n" for r in part)
        end = begin + len(part)
        yield RawChunk(
            begin,
            end,
            number(begin),
            lines,
            part,
            [number(i) for i in range(begin, end)],
            last=end >= total,
        )
    if start >= total:
        yield RawChunk(total, total, number(total), b"", [], [], last=True)


def read_yaml_cassette(path: Path, start: int = 0) -> Iterator[RawChunk]:
    """A vcrpy YAML cassette is one raw value (its recorded responses are parsed by format)."""
    from hubbub.sources.cassette import load_cassette

    try:
        doc = load_cassette(path)
    except Exception as exc:  # yaml raises many kinds; all mean the same to the user
        raise HubbubError(
            f"{path}: not a readable YAML cassette: {exc}", "check the file"
        ) from None
    yield from _record_chunks([doc], start, lambda i: i + 1)


def read_xml_feed(path: Path, start: int = 0) -> Iterator[RawChunk]:
    """An RSS or Atom document is one raw value: {"feed_xml": text, "feed_url": None}."""
    with open_decompressed(path) as stream:
        text = stream.read().decode("utf-8", errors="replace")
    yield from _record_chunks([{"feed_xml": text, "feed_url": None}], start, lambda i: i + 1)


def read_chunks(
    path: Path, kind: FileKind, start: int = 0, start_line: int = 1
) -> Iterator[RawChunk]:
    if kind == "ndjson":
        return read_ndjson(path, start, start_line)
    if kind == "json":
        return read_json_document(path, start)
    if kind == "csv":
        return read_csv(path, start)
    if kind == "yaml":
        return read_yaml_cassette(path, start)
    if kind == "xml":
        return read_xml_feed(path, start)
    return read_parquet(path, start)
