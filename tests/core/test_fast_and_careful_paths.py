"""The fast path (DuckDB's JSON reader) and the record-by-record path give the same posts.

The fast path may decline a chunk (None) or hand single lines to the careful path; what it
must never do is accept a value differently from the careful path. The generated records
below mix values of every JSON type into every field to look for such a difference.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.landing import Segment
from hubbub.model import IMPORT_FIELDS
from hubbub.native_ndjson import read_lines
from hubbub.normalize import TRIM_CHARS
from hubbub.pipeline import (
    LineSpan,
    ParsedChunk,
    ParseSettings,
    _fast_path,
    _slow_path_lines,
    combine,
    parse_ndjson_chunk,
    parse_ndjson_span,
    split_lines,
)
from tests.realdata import post_records

SEGMENT = Segment(Path("x"), "src/000.ndjson.zst")
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def ndjson(records: list[Any]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def whole(lines: bytes) -> LineSpan:
    return LineSpan(0, len(lines), lines.count(b"\n"), 1)


def same(fast: ParsedChunk, careful: ParsedChunk) -> None:
    assert fast.table.to_pylist() == careful.table.to_pylist()
    assert [(r.line, r.reason, r.raw_ref) for r in fast.rejections] == [
        (r.line, r.reason, r.raw_ref) for r in careful.rejections
    ]
    assert fast.read == careful.read


def test_real_posts_agree(shared_data: Path) -> None:
    records = post_records(shared_data, limit=2000)
    records[0]["links"] = ["https://www.Example.com/a", "http://t.co/x"]
    records[1]["text"] = "\ufeff  padded text \u200b"
    records[2] = {k: v for k, v in records[2].items() if k != "id"} | {
        "platform": "x",
        "native_id": "42",
    }
    records[3]["kind"] = "reply"
    lines = ndjson(records)
    fast = _fast_path(lines, whole(lines), SEGMENT, NOW, ParseSettings())
    careful = _slow_path_lines(lines, whole(lines), SEGMENT, NOW, ParseSettings())
    assert fast is not None and not careful.rejections
    same(fast, careful)
    posts = fast.table.to_pylist()
    assert posts[0]["domains"] == ["example.com", "t.co"]
    assert posts[1]["text"] == "padded text"
    assert posts[2]["id"] == "x:42"


def test_real_posts_need_no_careful_reading(shared_data: Path) -> None:
    """Posts plainly in our schema are read by DuckDB alone: none is flagged."""
    lines = ndjson(post_records(shared_data, limit=5000))
    native = read_lines(lines, lines.count(b"\n"), NOW, 1 << 20)
    assert native is not None
    assert native.table.num_rows == lines.count(b"\n")
    assert len(native.flagged) == 0


def test_duckdb_exports_need_no_careful_reading(shared_data: Path) -> None:
    """Times as DuckDB's JSON export writes them ("+00" offsets) are read by DuckDB alone."""
    records = post_records(shared_data, limit=500)
    for record in records:
        record["created_at"] = "2025-01-01 00:00:25.530582+00"
        record["collected_at"] = "2025-01-02 10:00:00-05"
    lines = ndjson(records)
    native = read_lines(lines, len(records), NOW, 1 << 20)
    assert native is not None and len(native.flagged) == 0
    fast = _fast_path(lines, whole(lines), SEGMENT, NOW, ParseSettings())
    assert fast is not None
    same(fast, _slow_path_lines(lines, whole(lines), SEGMENT, NOW, ParseSettings()))


def test_odd_lines_go_careful_in_their_place(shared_data: Path) -> None:
    good = post_records(shared_data, limit=6)
    odd: list[Any] = [
        good[0],
        good[1] | {"likes": 12.5},  # DuckDB would read 12
        good[2] | {"author_verified": 1},  # the careful path reads true
        good[3] | {"text": {"a": 1}},  # DuckDB would read '{"a":1}'
        good[4] | {"created_at": 1350000000},  # epoch seconds, careful only
        good[5] | {"kind": "story"},
    ]
    lines = ndjson(odd)
    fast = _fast_path(lines, whole(lines), SEGMENT, NOW, ParseSettings())
    careful = _slow_path_lines(lines, whole(lines), SEGMENT, NOW, ParseSettings())
    assert fast is not None
    same(fast, careful)
    assert [r.line for r in fast.rejections] == [2, 4, 6]
    assert [p["raw_ref"] for p in fast.table.to_pylist()] == [
        "src/000.ndjson.zst:1",
        "src/000.ndjson.zst:3",
        "src/000.ndjson.zst:5",
    ]


def test_odd_times_and_padded_texts_agree(shared_data: Path) -> None:
    # The key scan, not a per-row check in DuckDB, sends these lines careful.
    from tests.core.test_json_keys import ISO_SHAPES, NOT_ISO_SHAPES

    times = ISO_SHAPES + NOT_ISO_SHAPES
    records = post_records(shared_data, limit=len(times) + 2 * len(TRIM_CHARS))
    for record, time in zip(records, times, strict=False):
        record["created_at"] = time
    for k, char in enumerate(TRIM_CHARS):
        records[len(times) + 2 * k]["text"] = f"{char}lead"
        records[len(times) + 2 * k + 1]["text"] = f"tail {char}{char}"
    lines = ndjson(records)
    native = read_lines(lines, len(records), NOW, 1 << 20)
    assert native is not None
    # The last ISO shape ("2024-13-45...") is flagged by DuckDB's cast; the rest by the scan.
    assert native.flagged.tolist() == list(range(len(ISO_SHAPES) - 1, len(records)))
    fast = _fast_path(lines, whole(lines), SEGMENT, NOW, ParseSettings())
    assert fast is not None
    same(fast, _slow_path_lines(lines, whole(lines), SEGMENT, NOW, ParseSettings()))
    texts = [p["text"] for p in fast.table.to_pylist()][-2 * len(TRIM_CHARS) :]
    assert texts == ["lead", "tail"] * len(TRIM_CHARS)


def test_unreadable_chunks_are_declined() -> None:
    base = {"id": "x:1", "text": "hi", "created_at": "2024-01-01T00:00:00Z"}
    for bad in (
        b'{"id": "x:1", "text": "cut',
        b'{"text": "a", "text": "b", "created_at": "2024-01-01"}',
        b"[1, 2]",
        b"",
        b'{"te\\u0078t": true, "id": "x:2", "created_at": "2024-01-01"}',
    ):
        lines = ndjson([base]) + bad + b"\n"
        assert _fast_path(lines, whole(lines), SEGMENT, NOW, ParseSettings()) is None, bad


text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda t: bool(t.strip(TRIM_CHARS)))

# Values of every JSON type, and strings shaped like other types.
odd_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    st.integers(0, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(-1e6, 1e6).map(lambda f: round(f, 2)),
    text,
    st.sampled_from(
        [
            "12",
            " 12 ",
            "0x10",
            "1,000",
            "1_000",
            "12.0",
            "1e3",
            "true",
            "yes",
            "",
            "  ",
            "[1]",
            '["a"]',
            "{}",
            "a b",
            "infinity",
            "nan",
            "POSİTIVE",
            " Positive ",
            "\tneutral",
            "2024-01-01",
            "2024-01-01T10:00:00Z",
            "2024-01-01 10:00:00",
            "2024-01-01T10:00:00.1234567Z",
            "2024-01-01T10:00:00+05:30",
            "2024-01-01 10:00:00.123456+00",
            "2024-01-01T10:00:00+0530",
            "2024-01-01T10:00:00-05",
            "2024-01-01T10:00:00+05:3",
            "2024-01-01T10:00",
            "2024-01-01Z",
            "2024-02-30T00:00:00",
            "2024-01-01T23:59:60",
            "Mon Jan 01 10:00:00 +0000 2024",
            "1704103200",
            "1704103200000",
            "post",
            "reply",
            "x:1",
            ":1",
            "x:",
            "12345678901234567890123",
        ]
    ),
)
odd_value = st.one_of(
    odd_scalar,
    st.lists(st.one_of(text, odd_scalar), max_size=3),
    st.dictionaries(st.sampled_from(["a", "text"]), odd_scalar, max_size=2),
)
fields = st.sampled_from([f for f in IMPORT_FIELDS if f not in ("raw_ref", "mapping_version")])


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": draw(st.from_regex(r"\A[a-z]{1,6}:[A-Za-z0-9]{1,10}\Z")),
        "text": draw(text),
        "created_at": draw(
            st.datetimes(
                min_value=datetime(2000, 1, 1),
                max_value=datetime(2030, 1, 1),
                timezones=st.just(UTC),
            ).map(lambda d: d.isoformat())
        ),
        "likes": draw(st.integers(0, 10**9)),
    }
    for name in draw(st.lists(fields, max_size=3, unique=True)):
        record[name] = draw(odd_value)
    return record


@settings(max_examples=300, deadline=None)
@given(st.lists(records(), min_size=1, max_size=12))
def test_random_records_agree(batch: list[dict[str, Any]]) -> None:
    lines = ndjson(batch)
    careful = _slow_path_lines(lines, whole(lines), SEGMENT, NOW, ParseSettings())
    fast = _fast_path(lines, whole(lines), SEGMENT, NOW, ParseSettings())
    if fast is not None:
        same(fast, careful)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "id": st.from_regex(r"\A[a-z]{1,6}:[A-Za-z0-9]{1,10}\Z"),
                "text": text,
                "created_at": st.datetimes(
                    min_value=datetime(2000, 1, 1),
                    max_value=datetime(2030, 1, 1),
                    timezones=st.just(UTC),
                ).map(lambda d: d.isoformat()),
                "likes": st.integers(0, 10**9),
            },
            optional={
                "title": text,
                "author_followers": st.integers(0, 10**9),
                "author_verified": st.booleans(),
                "hashtags": st.lists(text, max_size=3),
                "sentiment": st.sampled_from(["positive", " Negative", "NEUTRAL"]),
            },
        ),
        min_size=1,
        max_size=20,
        unique_by=lambda r: r["id"],
    )
)
def test_well_formed_records_take_the_fast_path(batch: list[dict[str, object]]) -> None:
    lines = ndjson(batch)
    careful = _slow_path_lines(lines, whole(lines), SEGMENT, NOW, ParseSettings())
    fast = _fast_path(lines, whole(lines), SEGMENT, NOW, ParseSettings())
    assert fast is not None and not careful.rejections
    same(fast, careful)


def test_a_chunk_parsed_in_spans_is_the_chunk_parsed_whole(shared_data: Path) -> None:
    records: list[Any] = post_records(shared_data, limit=900)
    records[500]["likes"] = "12"  # flagged: the careful path reads this row in its place
    records[700] = dict(records[10])  # a duplicate of a post in another span
    records[700]["likes"] = 10**6
    lines = ndjson(records).replace(b"\n", b"\n{broken\n", 1)  # line 2: the careful path
    lines += b"\n" + ndjson(records[5:7])  # an empty line, and two more duplicates
    count = lines.count(b"\n")
    expected = parse_ndjson_chunk(lines, 41, SEGMENT, NOW, ParseSettings(), count)
    assert expected.in_chunk_duplicates == 3 and len(expected.rejections) == 2
    for parts in (2, 3, 7):
        spans = split_lines(lines, 41, count, parts)
        assert len(spans) == parts and sum(span.count for span in spans) == count
        assert b"".join(lines[span.start : span.end] for span in spans) == lines
        joined = combine(
            [parse_ndjson_span(lines, span, SEGMENT, NOW, ParseSettings()) for span in spans]
        )
        same(joined, expected)
        assert joined.in_chunk_duplicates == expected.in_chunk_duplicates
    assert [(r.line, r.raw_ref) for r in expected.rejections] == [
        (42, "src/000.ndjson.zst:2"),
        (41 + 901, "src/000.ndjson.zst:902"),
    ]
