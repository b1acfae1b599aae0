"""NDJSON already in hubbub's schema, parsed by DuckDB's JSON reader into Post columns.

DuckDB parses and types these lines ~2.5x cheaper than Arrow's JSON reader, which is what the
fast path used to run on. It is also more lenient: it turns `true` into 1, `12.5` into 12 and
`{"a": 1}` into the text '{"a":1}', where the careful path (`normalize.py`) rejects or converts
each value its own way. So `json_keys` first scans the chunk for the JSON types each key's
values had: a column whose values all had the right type is read with that type (DuckDB's
reading is then exact), any other column as text with a per-row check, and each row where
DuckDB's reading could differ from the careful path's is *flagged*. A flag does not reject
anything: the caller sends the flagged lines through the careful path one by one, so a file
gets exactly the posts and the reasons the careful path would give, at DuckDB's speed for the
rows (almost all of them) that are plainly in our schema.

Only a whole chunk that DuckDB cannot read (broken JSON, invalid UTF-8, a duplicate key, a
line that is not an object, a value of a type no cast can take) makes `read_lines` answer None.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from hubbub.json_keys import (
    ARRAY,
    BOOLEAN,
    INTEGER,
    NULL,
    NUMBER,
    SHAPES,
    STRING,
    KeyScanner,
)
from hubbub.model import (
    BOOL_FIELDS,
    IMPORT_FIELDS,
    IMPORT_SCHEMA,
    INT_FIELDS,
    KINDS,
    LIST_FIELDS,
    SENTIMENT_LABELS,
    STRING_FIELDS,
    TIME_FIELDS,
)

#: Set by the pipeline, never read from the input (the careful path overrides them too).
_NOT_READ: Final = frozenset({"raw_ref", "mapping_version"})

# An ISO-8601 date-time both DuckDB's cast and Python's datetime.fromisoformat read the same
# way: hours 00-23, seconds 00-59 (no leap second), up to microseconds, Z, +HH, +HHMM or
# +HH:MM (DuckDB's own JSON export writes +00). Anything else (epoch numbers, Twitter's own
# format, padding) is left to the careful path.
_ISO_TIME: Final = (
    r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?)?"
)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _clean(bits: int, allowed: int) -> bool:
    return bits & ~allowed == 0


def _column(name: str, bits: int) -> tuple[str, str, str | None]:
    """(type to read, expression, per-row flag or None) for one field present in a chunk,
    given the JSON types its values had (`json_keys` bits). A flag is only asked of rows
    where the field has a value."""
    raw = f'r."{name}"'
    if name in INT_FIELDS:
        if _clean(bits, INTEGER | NULL):
            return "BIGINT", raw, None
        # Only the canonical spelling of a whole number: not 12.5, true, 0x10, "1,000" or " 7".
        value = f"TRY_CAST({raw} AS BIGINT)"
        return "VARCHAR", value, f"{value} IS NULL OR {value}::VARCHAR <> {raw}"
    if name in BOOL_FIELDS:
        if _clean(bits, BOOLEAN | NULL):
            return "BOOLEAN", raw, None
        return "VARCHAR", f"({raw} = 'true')", f"{raw} NOT IN ('true', 'false')"
    if name in TIME_FIELDS:
        # DuckDB reads some strings Python does not ('infinity', ...). The key scan marks the
        # lines of strings that are not ISO-8601 as _ISO_TIME spells it; values of other
        # types are checked here.
        value = f"TRY_CAST({raw} AS TIMESTAMPTZ)"
        if _clean(bits, STRING | NULL):
            return "VARCHAR", value, f"{value} IS NULL"
        ok = f"regexp_full_match({raw}, '{_ISO_TIME}')"
        return "VARCHAR", value, f"{value} IS NULL OR NOT {ok}"
    if name in LIST_FIELDS:
        if _clean(bits, ARRAY | NULL):
            return "VARCHAR[]", raw, None
        # Some line had a list holding a number, object, ... (the careful path rejects those;
        # DuckDB turns them into strings): every line with this list is read carefully.
        return "VARCHAR[]", raw, "true"
    if name == "sentiment_score":
        if _clean(bits, INTEGER | NUMBER | NULL):
            return "DOUBLE", raw, f"NOT isfinite({raw})"
        value = f"TRY_CAST({raw} AS DOUBLE)"
        ok = f"regexp_full_match({raw}, '-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?')"
        return "VARCHAR", value, f"{value} IS NULL OR NOT {ok}"
    assert name in STRING_FIELDS or name == "sentiment", name
    suspect = None if _clean(bits, STRING | INTEGER | NULL) else _suspect(raw)
    if name == "sentiment":
        label = f"lower(trim({raw}))"
        labels = ", ".join(_sql_text(label) for label in SENTIMENT_LABELS)
        ascii_only = f"strlen({raw}) = length({raw})"  # DuckDB lowers 'İ' to 'i'; Python doesn't
        flag = f"NOT ({label} IN ({labels}) AND {ascii_only})"
        return "VARCHAR", label, flag if suspect is None else f"{suspect} OR {flag}"
    if name in ("text", "title"):
        # A value that starts or ends with one of TRIM_CHARS is rare (0.05% of tweets); the
        # key scan marks its line for the careful path, which strips it.
        return "VARCHAR", f"nullif({raw}, '')", suspect
    return "VARCHAR", raw, suspect


def _suspect(value: str) -> str:
    """True where a VARCHAR may be DuckDB's rendering of a non-string JSON value.

    Objects, arrays and booleans come out as their JSON text (the careful path rejects them);
    numbers come out as Python's str() would write them, except integers too long for 64 bits
    (which orjson refuses) and exponents (whose spelling we do not rely on).
    """
    return (
        f"(ascii({value}) IN (123, 91) OR {value} IN ('true', 'false')"
        f" OR ((ascii({value}) BETWEEN 48 AND 57 OR ascii({value}) = 45)"
        f" AND (length({value}) >= 20 OR regexp_matches({value}, '[eE]'))))"
    )


@dataclass(frozen=True)
class _Plan:
    """How to read chunks whose keys had these value types."""

    query: str  # over @path; selects `columns`, then _flag
    columns: tuple[str, ...]  # import columns the query returns; the others are all null


@functools.lru_cache(maxsize=64)
def _plan(seen: frozenset[tuple[str, int]]) -> _Plan | None:
    """The query for a chunk, or None if no row of it could skip the careful path."""
    bits = {name: b for name, b in seen if b & ~NULL and name not in _NOT_READ}
    has = bits.__contains__
    if not has("created_at") or not (has("text") or has("title")):
        return None
    if not has("id") and not (has("platform") and has("native_id")):
        return None  # ids made from content hashes, on the careful path
    read: dict[str, str] = {}
    values: dict[str, str] = {}
    flags: list[str] = []
    for name in IMPORT_FIELDS:
        if name in bits:
            read[name], values[name], flag = _column(name, bits[name])
            if flag is not None:
                # NULL-safe, so that the catch-all below (an unknown flag is a flag) never
                # sends a row careful just for lacking the field.
                flags.append(f'r."{name}" IS NOT NULL AND ({flag})')
    # platform and native_id default to the halves of id; the careful path insists on both.
    platform = "r.platform" if has("platform") else "NULL"
    native = "r.native_id" if has("native_id") else "NULL"
    if has("id"):
        colon = "strpos(r.id, ':')"
        bad_id = f"r.id IS NOT NULL AND ({colon} <= 1 OR {colon} = length(r.id))"
        flags.append(
            bad_id
            if not (has("platform") and has("native_id"))
            else f"(r.platform IS NULL OR r.native_id IS NULL) AND {bad_id}"
        )
        platform = f"coalesce({platform}, split_part(r.id, ':', 1))"
        native = f"coalesce({native}, substr(r.id, {colon} + 1))"
    flags.append(f"coalesce({platform}, '') = '' OR coalesce({native}, '') = ''")
    if has("platform"):
        flags.append(f"strpos({platform}, ':') > 0")  # the careful path rejects those
    # Where no line gave platform or native_id, an id that passed the flags above is already
    # platform:native_id, so it is not glued back together from its halves.
    whole = "r.id" if has("id") and not has("platform") and not has("native_id") else None
    values.update(platform=platform, native_id=native, id=whole or f"{platform} || ':' || {native}")
    flags.append(f"{values['created_at']} IS NULL")
    text, title = values.get("text", "NULL"), values.get("title", "NULL")
    flags.append(f"{text} IS NULL AND {title} IS NULL")
    if has("kind"):
        kinds = ", ".join(_sql_text(k) for k in KINDS)
        values["kind"] = "coalesce(r.kind, 'post')"
        flags.append(f"{values['kind']} NOT IN ({kinds})")
    # The import's time where a line has none. Made by DuckDB: a time zone aware Arrow array
    # built in Python (pa.scalar, even a cast) imports pandas, 0.4 s in a fresh process.
    values["collected_at"] = (
        f"coalesce({values['collected_at']}, $collected_at)"
        if has("collected_at")
        else "$collected_at::TIMESTAMPTZ"
    )
    columns = "{" + ", ".join(f"{_sql_text(k)}: {_sql_text(v)}" for k, v in read.items()) + "}"
    select = ",\n  ".join(f"{expr} AS {name}" for name, expr in values.items())
    any_flag = " OR ".join(f"({f})" for f in flags)
    query = (
        f"SELECT\n  {select},\n  coalesce({any_flag}, true) AS _flag\n"
        f"FROM read_ndjson(@path, columns = {columns}, format = 'newline_delimited',"
        " records = 'true', compression = 'none', maximum_object_size = @max_bytes) AS r"
    )
    return _Plan(query, tuple(values))


@dataclass
class NativeChunk:
    """DuckDB's reading of a chunk: one row per line, and the lines to read carefully."""

    table: pa.Table  # IMPORT_SCHEMA, but for raw_ref and mapping_version
    flagged: npt.NDArray[np.int64]  # 0-based lines whose rows must come from the careful path
    flagged_at: npt.NDArray[np.int64]  # where each of them starts in the lines read


class _Reader(threading.local):
    """One in-memory DuckDB per thread: a connection is not safe to share between threads."""

    con: duckdb.DuckDBPyConnection | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            # One thread: the import's other core is busy storing the previous chunk.
            self.con = duckdb.connect(config={"threads": "1"})
            # Naive times are UTC, as on the careful path (DuckDB would take the local zone).
            self.con.execute("SET TimeZone = 'UTC'")
        return self.con


_READER: Final = _Reader()
_SCANNER: Final = KeyScanner(IMPORT_FIELDS, padded=("text", "title"), times=sorted(TIME_FIELDS))


def warm() -> None:
    """Load the key scan's compiled kernel (numba: ~0.7 s in a fresh process), so that an
    import can do it while it reads its first chunk instead of before parsing it."""
    _SCANNER.scan(b'{"id": "x:1"}\n')


def read_lines(
    lines: bytes | bytearray | memoryview, line_count: int, collected_at: datetime, max_record_bytes: int
) -> NativeChunk | None:
    """Read NDJSON `lines` (each ending in a newline); None if DuckDB cannot read them all, or
    if no row could skip the careful path anyway."""
    seen, marked, marked_at = _SCANNER.scan_lines(lines, line_count)
    if "" in seen:
        return None  # a key written with escapes: the scan cannot tell which field it is
    plan = _plan(frozenset((name, bits & ~SHAPES) for name, bits in seen.items()))
    if plan is None:
        return None
    with _as_file(lines) as path:
        query = plan.query.replace("@path", _sql_text(str(path))).replace(
            "@max_bytes", str(max(int(max_record_bytes) + 1, 1))
        )
        params = {"collected_at": collected_at}
        try:
            table = _READER.connection().sql(query, params=params).to_arrow_table()
        except (duckdb.Error, UnicodeDecodeError):
            # (DuckDB's message quotes the bad line, cut mid-character at times, which the
            # binding then fails to decode.) The careful path says what is wrong, line by line.
            return None
    if table.num_rows != line_count:
        return None  # DuckDB skips blank lines: rows no longer line up with lines
    flag = table.column("_flag")
    if not pc.any(flag).as_py():
        return NativeChunk(_all_columns(table, plan), marked, marked_at)
    flagged = np.union1d(np.flatnonzero(flag.to_numpy(zero_copy_only=False)), marked)
    return NativeChunk(_all_columns(table, plan), flagged, _line_starts(lines, flagged))


def _line_starts(
    lines: bytes | bytearray | memoryview, indices: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Where each of the 0-based lines `indices` starts in `lines`."""
    ends = np.flatnonzero(np.frombuffer(lines, np.uint8) == 10)
    return np.concatenate([[0], ends + 1])[indices]


def _all_columns(table: pa.Table, plan: _Plan) -> pa.Table:
    """The import columns: those the query read, and defaults for the keys no line had."""
    n = table.num_rows
    columns: list[pa.Array | pa.ChunkedArray] = []
    for field in IMPORT_SCHEMA:
        if field.name in plan.columns:
            columns.append(table.column(field.name).cast(field.type))
        elif field.name == "kind":
            columns.append(pa.repeat(pa.scalar("post", field.type), n))
        else:
            columns.append(pa.nulls(n, field.type))
    return pa.Table.from_arrays(columns, schema=IMPORT_SCHEMA)


@contextlib.contextmanager
def _as_file(data: bytes | bytearray | memoryview) -> Iterator[Path]:
    """`data` as a file DuckDB can open: an anonymous memory file on Linux, else a temp file."""
    if hasattr(os, "memfd_create") and Path("/proc/self/fd").is_dir():
        fd = os.memfd_create("hubbub-chunk", os.MFD_CLOEXEC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            yield Path(f"/proc/self/fd/{fd}")
        finally:
            os.close(fd)
        return
    with tempfile.TemporaryDirectory(prefix="hubbub-chunk-") as folder:
        path = Path(folder) / "chunk.ndjson"
        path.write_bytes(data)
        yield path
