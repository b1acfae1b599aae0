"""Import files: land raw, parse, upsert, checkpoint; one transaction per chunk.

The order of work is what makes imports safe to kill: a chunk's raw bytes are durable in the
landing zone before its posts are committed, and its posts, rejections and progress row are
committed together. Killing an import at any moment and running it again therefore ends with
exactly the rows of one clean import. Reading and parsing the next chunks overlaps with
committing two chunks at once (Arrow, zstd and DuckDB release the GIL), which is most of the
speed.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import hashlib
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import blake3
import orjson
import pyarrow as pa

from hubbub.errors import HubbubError
from hubbub.filereaders import FileKind, RawChunk, detect_kind, open_decompressed, read_chunks
from hubbub.heap import reused_heap
from hubbub.id_hashes import ids_meet
from hubbub.landing import Landing, Segment
from hubbub.native_ndjson import warm as warm_native_reader
from hubbub.pipeline import (
    DEFAULT_MAX_RECORD_BYTES,
    NATIVE_MAPPING,
    LineSpan,
    ParsedChunk,
    ParseSettings,
    combine,
    parse_chunk,
    parse_ndjson_span,
    split_lines,
)
from hubbub.store import BatchCounts, Store

CONTAINER_FORMATS: Final = ("auto", "ndjson", "json", "csv", "parquet")

#: Called after each committed chunk with (file, bytes done in this file, file size).
ProgressCallback = Callable[[Path, int, int], None]
#: A step run on each parsed batch inside its transaction (topic matching, for instance).
BatchHook = Callable[[Store, pa.Table], None]


@dataclass
class ImportReport:
    """What an import did. `read` = new + updated + duplicate + rejected."""

    files: list[str] = field(default_factory=list)
    read: int = 0
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    rejected: int = 0
    seconds: float = 0.0
    import_id: int | None = None
    resumed: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.new + self.updated + self.duplicate

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ImportOptions:
    format: str = "auto"
    mapping: Mapping[str, str] = field(default_factory=dict)
    platform: str | None = None
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    enrich: bool = True


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """`["text=tweet_text", ...]` -> {"text": "tweet_text"}, checking field names."""
    # A file may bring its own labels (e.g. human sentiment), so those fields can be mapped too.
    from hubbub.model import IMPORT_FIELDS

    mapping: dict[str, str] = {}
    for pair in pairs:
        target, sep, source = pair.partition("=")
        target, source = target.strip(), source.strip()
        if not sep or not target or not source:
            raise HubbubError(f"--map {pair!r} is not FIELD=COLUMN", "e.g. --map text=tweet_text")
        if target not in IMPORT_FIELDS:
            raise HubbubError(
                f"--map {pair!r}: {target!r} is not a Post field",
                "fields are: " + ", ".join(IMPORT_FIELDS),
            )
        mapping[target] = source
    return mapping


def _resolve(path: Path, options: ImportOptions) -> tuple[FileKind, ParseSettings, str]:
    """The container kind, the parse settings and the format name recorded for this file."""
    fmt = options.format
    base = ParseSettings(
        mapping=dict(options.mapping),
        platform=options.platform,
        max_record_bytes=options.max_record_bytes,
    )
    if fmt in ("ndjson", "json", "csv", "parquet"):
        kind: FileKind = fmt  # type: ignore[assignment]
    elif fmt == "auto":
        kind = detect_kind(path)
    else:
        return _platform_settings(path, fmt, base)
    version = NATIVE_MAPPING if base.native else f"{kind}/1"
    settings = ParseSettings(
        mapping=base.mapping,
        platform=base.platform,
        mapping_version=version,
        max_record_bytes=base.max_record_bytes,
    )
    if fmt == "auto" and base.native and kind in ("ndjson", "json", "yaml", "xml"):
        platform_format = _sniff_platform(path, kind)
        if platform_format is not None:
            return _platform_settings(path, platform_format, base)
    return kind, settings, kind


def _platform_settings(
    path: Path, name: str, base: ParseSettings
) -> tuple[FileKind, ParseSettings, str]:
    try:
        from hubbub.sources.registry import get_format
    except ImportError:  # pragma: no cover - platform formats not installed
        raise HubbubError(
            f"unknown format {name!r}", "use one of " + ", ".join(CONTAINER_FORMATS)
        ) from None
    platform_format = get_format(name)
    kind = detect_kind(path)
    settings = ParseSettings(
        mapping=base.mapping,
        platform=base.platform,
        mapping_version=platform_format.mapping_version,
        value_parser=platform_format.parse,
        max_record_bytes=base.max_record_bytes,
    )
    return kind, settings, platform_format.name


def _sniff_platform(path: Path, kind: FileKind) -> str | None:
    """The platform whose payload the file's first record looks like, if any."""
    try:
        from hubbub.sources.registry import sniff_format
    except ImportError:  # pragma: no cover
        return None
    if kind == "ndjson":
        # The first line is enough; reading a whole 64 MB chunk for it cost ~0.1 s an import.
        line = _first_line(path)
        try:
            first: Any = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None
        return _native_or_sniffed(first, sniff_format)
    chunk = next(read_chunks(path, kind), None)
    if chunk is None:
        return None
    if chunk.records is not None:
        first = chunk.records[0] if chunk.records else None
    else:
        line = bytes(chunk.lines.split(b"\n", 1)[0])
        try:
            first = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None
    return _native_or_sniffed(first, sniff_format)


def _first_line(path: Path) -> bytes:
    """The first line of a (maybe compressed) file; zstd streams have no readline."""
    blocks: list[bytes] = []
    with open_decompressed(path) as stream:
        while block := stream.read(1 << 16):
            blocks.append(block)
            if b"\n" in block:
                break
    return b"".join(blocks).split(b"\n", 1)[0]


def _native_or_sniffed(first: Any, sniff_format: Callable[[Any], Any]) -> str | None:
    if not isinstance(first, dict) or _looks_native(first):
        return None
    found = sniff_format(first)
    return found.name if found is not None else None


def _looks_native(record: dict[str, Any]) -> bool:
    """hubbub's own schema: a "platform:native_id" id (a bare platform id like a tweet's is not
    ours), or platform/native_id fields, with a date and a text."""
    ident = record.get("id")
    prefixed = (
        isinstance(ident, str) and ":" in ident and not ident.startswith(("urn:", "at:", "tag:"))
    )
    ours = prefixed or "native_id" in record or "platform" in record
    return ours and "created_at" in record and ("text" in record or "title" in record)


def _source_key(
    path: Path, settings: ParseSettings, format_name: str, *, legacy: bool = False
) -> str:
    """Content-addressed: the same bytes imported the same way are the same source.

    BLAKE3 (`file3-`) hashes ~4 GB/s, against BLAKE2b's 0.8 (`file-`, the key before):
    the hash is the one step of an import nothing else can overlap with. `legacy` gives the
    old key, which is still looked up while a database holds checkpoints made with it.
    """
    digest: Any
    if legacy:
        digest = hashlib.blake2b(digest_size=16)
        with path.open("rb") as stream:
            while block := stream.read(1 << 22):
                digest.update(block)
    else:
        digest = blake3.blake3(max_threads=blake3.blake3.AUTO)
        if path.stat().st_size:
            digest.update_mmap(path)
    digest.update(
        orjson.dumps(
            [
                format_name,
                sorted(settings.mapping.items()),
                settings.platform,
                settings.max_record_bytes,
            ],
        )
    )
    return f"file-{digest.hexdigest()}" if legacy else f"file3-{digest.hexdigest(16)}"


_PARSERS: Final = 2  # threads parsing chunks (the machines this runs on have 2 cores or more)
# Batches committing at once, each on its own connection. DuckDB compresses a batch's row
# groups in its commit, on one thread: that was half an import's CPU, and with one lane the
# last batches were committed one by one with the other core idle.
_LANES: Final = 2
_CHUNKS_AHEAD: Final = 2  # chunks read ahead of the committer (each ~50 MB of raw lines)


class Importer:
    """Imports files into a store, landing raw records first."""

    def __init__(self, store: Store, landing: Landing, hooks: Sequence[BatchHook] = ()) -> None:
        self.store, self.landing, self.hooks = store, landing, list(hooks)

    def run(
        self,
        paths: Sequence[str | Path],
        options: ImportOptions,
        progress: ProgressCallback | None = None,
    ) -> ImportReport:
        files = [Path(p) for p in paths]
        for path in files:
            if not path.is_file():
                raise HubbubError(f"no such file: {path}", "check the path")
        if options.format not in CONTAINER_FORMATS:
            _resolve(files[0], options)  # fails early, clearly, on an unknown format name
        started = time.perf_counter()
        report = ImportReport(files=[str(p) for p in files])
        report.import_id = self._start_import(files, options.format)
        self.landing.clean_temporary()
        with reused_heap():
            for path in files:
                self._import_file(path, options, report, progress)
        report.seconds = round(time.perf_counter() - started, 3)
        self._finish_import(report, "done")
        return report

    def _import_file(
        self,
        path: Path,
        options: ImportOptions,
        report: ImportReport,
        progress: ProgressCallback | None,
    ) -> None:
        kind, settings, format_name = _resolve(path, options)
        settings = dataclasses.replace(settings, enrich=options.enrich)
        # The first chunk is read while the file is hashed for its source key (which says
        # where a resumed import starts): most imports start at byte 0.
        ahead = _ReadAhead(read_chunks(path, kind)) if kind == "ndjson" else None
        try:
            source = _source_key(path, settings, format_name)
        except BaseException:
            if ahead is not None:
                ahead.discard()
            raise
        checkpoint = self.store.checkpoint(source)
        if checkpoint is None and self._has_legacy_checkpoints():
            legacy = _source_key(path, settings, format_name, legacy=True)
            if (found := self.store.checkpoint(legacy)) is not None:
                source, checkpoint = legacy, found
        start, start_line = 0, 1
        if checkpoint is not None and not checkpoint[2]:
            start, start_line = checkpoint[0], checkpoint[1] + 1
            if ahead is not None:
                ahead.discard()
                ahead = None
            report.resumed.append(f"{path} from {'byte' if kind == 'ndjson' else 'record'} {start}")
        size = path.stat().st_size
        collected_at = datetime.now(UTC)
        option_json = orjson.dumps(
            {
                "format": format_name,
                "mapping": dict(settings.mapping),
                "platform": settings.platform,
                "kind": kind,
                "file": str(path),
            }
        ).decode()
        if checkpoint is None or checkpoint[2]:
            # The row that resumes and `hubbub remap` read the file's options from.
            self.store.set_checkpoint(source, 0, 0, complete=False, state=option_json)
        batch = _Batch(source, path, format_name, option_json, report.import_id, kind)

        def finish(chunk: RawChunk, parsed: ParsedChunk, committed: Future[BatchCounts]) -> None:
            counts = committed.result()
            report.read += parsed.read
            report.new += counts.new
            report.updated += counts.updated
            report.duplicate += counts.duplicate + parsed.in_chunk_duplicates
            report.rejected += len(parsed.rejections)
            self._save_counts(report)
            if progress is not None:
                progress(
                    path,
                    min(chunk.end, size) if kind == "ndjson" else (size if chunk.last else 0),
                    size,
                )

        lanes = [self.store.cursor() for _ in range(_LANES)]
        committers = [
            ThreadPoolExecutor(1, thread_name_prefix=f"hubbub-commit-{k}") for k in range(_LANES)
        ]
        in_flight: collections.deque[tuple[RawChunk, ParsedChunk, Future[BatchCounts]]]
        in_flight = collections.deque()
        before: tuple[pa.ChunkedArray, Future[BatchCounts]] | None = None
        try:
            # One DuckDB thread: each batch appends on its own (see Store.bulk_writing).
            with self.store.bulk_writing():
                chunks = self._parsed_chunks(
                    path, kind, start, start_line, source, collected_at, settings, ahead
                )
                for index, (chunk, parsed, landed) in enumerate(chunks):
                    lane = index % _LANES
                    committed = committers[lane].submit(
                        self._commit, lanes[lane], batch, chunk, parsed, landed, before
                    )
                    before = (parsed.table["id"], committed)
                    in_flight.append((chunk, parsed, committed))
                    if len(in_flight) == _LANES:
                        finish(*in_flight.popleft())
                while in_flight:
                    finish(*in_flight.popleft())
            self.store.settle_progress(source, option_json)
        finally:
            for committer in committers:  # a batch being committed is let finish
                committer.shutdown(wait=True, cancel_futures=True)
            for cursor in lanes:
                cursor.close()

    def _commit(
        self,
        lane: Store,
        batch: _Batch,
        chunk: RawChunk,
        parsed: ParsedChunk,
        landed: Future[Segment],
        before: tuple[pa.ChunkedArray, Future[BatchCounts]] | None,
    ) -> BatchCounts:
        """Commit one parsed chunk on `lane`, while the one `before` it may be committing on
        the other lane."""
        table = parsed.table
        if before is not None and table.num_rows and ids_meet(table["id"], before[0]):
            # A post in both: this batch must see the other one's rows to upsert it.
            before[1].result()
        with lane.transaction():
            counts = lane.upsert_posts(table) if table.num_rows else BatchCounts()
            for hook in self.hooks:
                hook(lane, table)
            lane.quarantine(
                [
                    {
                        "source": batch.source,
                        "file": str(batch.path),
                        "line": r.line,
                        "reason": f"{batch.path} line {r.line}: {r.reason}",
                        "hint": r.hint,
                        "raw": r.raw,
                        "raw_ref": r.raw_ref,
                        "format": batch.format_name,
                        "options": batch.option_json,
                        "import_id": batch.import_id,
                    }
                    for r in parsed.rejections
                ]
            )
            lane.record_progress(
                batch.source,
                chunk.position,
                chunk.end,
                _lines_after(chunk, batch.kind),
                complete=chunk.last,
            )
            # Raw first: the chunk's segment is durable before its posts are committed.
            # (Waited for here, not by the parser, so parsing the next chunk can start.)
            landed.result()
        return counts

    def _parsed_chunks(
        self,
        path: Path,
        kind: FileKind,
        start: int,
        start_line: int,
        source: str,
        collected_at: datetime,
        settings: ParseSettings,
        ahead: _ReadAhead | None = None,
    ) -> Iterator[tuple[RawChunk, ParsedChunk, Future[Segment]]]:
        """Read chunks on a worker thread; land each on one thread and parse it on one of two
        others, a few chunks ahead of the committer. Each comes with its landing, which the
        committer waits for before it commits."""
        pending: queue.Queue[
            tuple[RawChunk, Future[ParsedChunk], Future[Segment]] | BaseException | None
        ] = queue.Queue(_CHUNKS_AHEAD)
        stop = threading.Event()
        # Two parsers: while the committer waits for a chunk, the parse of the next one can
        # use the other core. Landing (zstd + fsync) has its own thread; all release the GIL.
        lander = ThreadPoolExecutor(1, thread_name_prefix="hubbub-land")
        parsers = ThreadPoolExecutor(_PARSERS, thread_name_prefix="hubbub-parse")
        enrich_lock = threading.Lock()  # the models load lazily; one thread loads them

        def enriched(parsed: ParsedChunk) -> ParsedChunk:
            if settings.enrich and parsed.table.num_rows:
                # Imported here: the models load scikit-learn, which costs a CLI that only
                # prints help two seconds.
                from hubbub.enrich import enrich

                with enrich_lock:
                    parsed.table = enrich(parsed.table)
            return parsed

        def parse_span(chunk: RawChunk, span: LineSpan, segment: Segment) -> ParsedChunk:
            return enriched(parse_ndjson_span(chunk.lines, span, segment, collected_at, settings))

        def parse(chunk: RawChunk, segment: Segment) -> Future[ParsedChunk]:
            if chunk.records is not None:
                return parsers.submit(
                    lambda: enriched(parse_chunk(chunk, segment, collected_at, settings))
                )
            # NDJSON: its spans on both parsers at once, so that each chunk is ready sooner.
            spans = split_lines(chunk.lines, chunk.first_line, chunk.newlines(), _PARSERS)
            return _gathered(
                [parsers.submit(parse_span, chunk, span, segment) for span in spans], combine
            )

        def read() -> None:
            try:
                raw = (
                    ahead.chunks()
                    if ahead is not None
                    else read_chunks(path, kind, start, start_line)
                )
                for chunk in raw:
                    if stop.is_set():
                        return
                    landed = lander.submit(self.landing.write, source, chunk.position, chunk.lines)
                    segment = self.landing.segment(source, chunk.position)
                    pending.put((chunk, parse(chunk, segment), landed))
                pending.put(None)
            except BaseException as exc:  # handed to the committing thread, which re-raises
                pending.put(exc)

        if kind == "ndjson" and settings.native:
            parsers.submit(warm_native_reader)  # while the first chunk is read and landed
        reader = threading.Thread(target=read, name="hubbub-read", daemon=True)
        reader.start()
        try:
            while (item := pending.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                chunk, parsed, landed = item
                yield chunk, parsed.result(), landed
        finally:
            # Interrupted or failed: let the workers finish the chunks they hold and stop.
            stop.set()
            while reader.is_alive():
                with contextlib.suppress(queue.Empty):
                    pending.get(timeout=0.05)
            reader.join()
            parsers.shutdown(wait=True, cancel_futures=True)
            lander.shutdown(wait=True)

    def _has_legacy_checkpoints(self) -> bool:
        row = self.store.one("SELECT count(*) FROM checkpoints WHERE source LIKE 'file-%'")
        return bool(row and row[0])

    # -- the imports table ------------------------------------------------------------------------
    def _start_import(self, files: list[Path], fmt: str) -> int:
        row = self.store.one(
            "INSERT INTO imports (started_at, files, format, status) VALUES (?, ?, ?, 'running')"
            " RETURNING import_id",
            [datetime.now(UTC), [str(f) for f in files], fmt],
        )
        assert row is not None
        return int(row[0])

    def _save_counts(self, report: ImportReport) -> None:
        self.store.con.execute(
            "UPDATE imports SET read=?, new=?, updated=?, duplicate=?, rejected=? WHERE import_id=?",
            [
                report.read,
                report.new,
                report.updated,
                report.duplicate,
                report.rejected,
                report.import_id,
            ],
        )

    def _finish_import(self, report: ImportReport, status: str) -> None:
        self.store.con.execute(
            "UPDATE imports SET status=?, finished_at=? WHERE import_id=?",
            [status, datetime.now(UTC), report.import_id],
        )


@dataclass(frozen=True)
class _Batch:
    """What every committed batch of one file records besides its posts."""

    source: str
    path: Path
    format_name: str
    option_json: str
    import_id: int | None
    kind: FileKind


class _ReadAhead:
    """The chunks of a file from its start, the first read at once on a thread of its own."""

    def __init__(self, chunks: Iterator[RawChunk]) -> None:
        self._chunks = chunks
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="hubbub-read-ahead")
        self._first = self._pool.submit(next, chunks, None)
        self._pool.shutdown(wait=False)

    def chunks(self) -> Iterator[RawChunk]:
        first = self._first.result()
        if first is not None:
            yield first
            yield from self._chunks

    def discard(self) -> None:
        """Not needed after all (a resumed import): the file is closed once the read is done."""
        close = getattr(self._chunks, "close", None)  # a generator: closing it closes the file
        if close is not None:
            self._first.add_done_callback(lambda _: close())


def _gathered(
    parts: list[Future[ParsedChunk]], join: Callable[[list[ParsedChunk]], ParsedChunk]
) -> Future[ParsedChunk]:
    """A future of `join` of the parts' results, computed by the thread that finishes the last
    part (so that no worker sits blocked waiting for another)."""
    whole: Future[ParsedChunk] = Future()
    left = [len(parts)]
    lock = threading.Lock()

    def part_done(_: Future[ParsedChunk]) -> None:
        with lock:
            left[0] -= 1
            if left[0]:
                return
        try:
            whole.set_result(join([part.result() for part in parts]))
        except BaseException as exc:  # a failed or cancelled part fails the whole
            whole.set_exception(exc)

    for part in parts:
        part.add_done_callback(part_done)
    return whole


def _lines_after(chunk: RawChunk, kind: FileKind) -> int:
    """The checkpoint's record count: lines consumed (NDJSON) or records consumed (others)."""
    if kind == "ndjson":
        return chunk.first_line - 1 + chunk.newlines()
    return chunk.end
