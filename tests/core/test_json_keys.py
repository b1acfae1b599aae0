"""The key scan against a reference: orjson's reading of the same lines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.json_keys import (
    ARRAY,
    BOOLEAN,
    ESCAPED_KEY,
    INTEGER,
    MIXED_ARRAY,
    NULL,
    NUMBER,
    OBJECT,
    PADDED,
    STRING,
    KeyScanner,
)
from hubbub.model import IMPORT_FIELDS
from hubbub.native_ndjson import _ISO_TIME
from hubbub.normalize import TRIM_CHARS
from tests.realdata import post_records

SCANNER = KeyScanner(IMPORT_FIELDS)


def kind(value: Any) -> int:
    if isinstance(value, bool):
        return BOOLEAN
    if value is None:
        return NULL
    if isinstance(value, str):
        return STRING
    if isinstance(value, int):
        return INTEGER if len(str(abs(value))) <= 18 else NUMBER
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, dict):
        return OBJECT
    return ARRAY if all(isinstance(v, str) for v in value) else MIXED_ARRAY


def reference(records: list[dict[str, Any]]) -> dict[str, int]:
    """Top-level and nested keys alike, as the scan documents."""
    seen: dict[str, int] = {}

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if orjson.dumps(key)[1:-1] != key.encode():  # written with an escape
                    seen[""] = ESCAPED_KEY
                if key in IMPORT_FIELDS:
                    seen[key] = seen.get(key, 0) | kind(item)
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    for record in records:
        visit(record)
    return seen


def lines(records: list[Any], *, pretty: bool = False) -> bytes:
    option = orjson.OPT_INDENT_2 if pretty else 0
    return b"".join(orjson.dumps(r, option=option).replace(b"\n", b" ") + b"\n" for r in records)


def test_real_posts(shared_data: Path) -> None:
    records = post_records(shared_data, limit=3000)
    found = SCANNER.scan(lines(records))
    assert found == reference(records)
    assert found["text"] == STRING and found["likes"] == INTEGER


def test_each_kind_of_value() -> None:
    record = {
        "text": 1,
        "likes": 1.5,
        "replies": -12,
        "views": 10**19,
        "hashtags": ["a", 2],
        "links": ["x", "y\\"],
        "mentions": [],
        "author_verified": False,
        "country": None,
        "title": {"text": "nested", "lang": ["en"]},
        "unknown": {"id": "x:1"},
    }
    assert SCANNER.scan(lines([record])) == reference([record])
    assert SCANNER.scan(lines([record], pretty=True)) == reference([record])


def test_escaped_keys_are_reported() -> None:
    found = SCANNER.scan(b'{"te\\u0078t": true, "id": "x:1"}\n')
    assert found[""] == ESCAPED_KEY
    # An escape in a value is nothing special.
    assert "" not in SCANNER.scan(b'{"text": "a \\"quoted\\" \\u00e9 word: x", "id": "x:1"}\n')


def test_broken_json_is_harmless() -> None:
    for data in (b'{"text": "cut', b'{"text": [', b'{"likes": -', b":::", b'"', b"\\"):
        SCANNER.scan(data)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from([*IMPORT_FIELDS[:8], "x", "text:", 'a"b']), inner, max_size=3
        )
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from([*IMPORT_FIELDS, "other", "te:xt"]), json_values),
        max_size=6,
    ),
    st.booleans(),
)
def test_random_json(records: list[dict[str, Any]], pretty: bool) -> None:
    assert SCANNER.scan(lines(records, pretty=pretty)) == reference(records)


# The shape checks: which lines a scan marks for the careful path.
CHECKING = KeyScanner(IMPORT_FIELDS, padded=("text", "title"), times=("created_at",))


def marked_lines(records: list[dict[str, Any]]) -> list[int]:
    data = lines(records)
    _, marked, _ = CHECKING.scan_lines(data, len(records))
    return [int(k) for k in marked]


def test_padded_texts_are_marked_on_their_line() -> None:
    records: list[dict[str, Any]] = [{"text": "plain"}]
    for char in TRIM_CHARS:
        records += [{"text": f"{char}start"}, {"text": f"end{char}"}, {"title": f"{char}t"}]
    records.append({"text": 'quoted "end"'})
    records.append({"text": "tail \\"})
    records.append({"text": "caf\u00e9 \u2014 \U0001f60b"})  # multibyte, none of them trimmed
    padded = [k for k, r in enumerate(records) if any(v != v.strip(TRIM_CHARS) for v in r.values())]
    assert marked_lines(records) == padded
    data = lines(records)
    _, marked, starts = CHECKING.scan_lines(data, len(records))
    line_starts = [0, *[k + 1 for k, byte in enumerate(data) if byte == 10][:-1]]
    assert starts.tolist() == [line_starts[k] for k in marked.tolist()]
    assert CHECKING.scan(lines(records))["text"] & PADDED


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                [*TRIM_CHARS, "a", "\u00e9", "\\", '"', "\u2014", "\ufffd", "\x08"]
            ),
            max_size=6,
        ),
        min_size=1,
        max_size=12,
    )
)
def test_random_texts_are_marked_exactly_when_strip_changes_them(texts: list[str]) -> None:
    records = [{"text": t, "id": "x:1"} for t in texts]
    must = {k for k, t in enumerate(texts) if t != t.strip(TRIM_CHARS)}
    got = set(marked_lines(records))
    assert must <= got  # every padded text goes careful
    # A mark beyond those only for a text ending in a \\uXXXX escape (orjson writes \b as one).
    assert all(orjson.dumps(texts[k]).endswith((b'\\u0008"', b'\\b"')) for k in got - must)


ISO_SHAPES = [
    "2024-01-01",
    "2024-01-01T10:00",
    "2024-01-01 10:00:59",
    "2024-01-01T23:59:59.123456Z",
    "2024-01-01T00:00:00+00",
    "2024-01-01T00:00:00-0530",
    "2024-01-01T00:00:00+05:30",
    "2025-01-01 00:00:25.530582+00",
    "2024-13-45T10:00:00Z",
]
NOT_ISO_SHAPES = [
    "0999-01-01",
    "2024-1-01",
    "2024-01-01T24:00:00Z",
    "2024-01-01T10:60",
    "2024-01-01T10",
    "2024-01-01T10:00:60Z",
    "2024-01-01T10:00:00.1234567Z",
    "2024-01-01T10:00:00.Z",
    "2024-01-01T10:00:00+05:",
    "2024-01-01T10:00:00+24:00",
    "2024-01-01T10:00:00z",
    "2024-01-01T10:00:00Z ",
    " 2024-01-01",
    "infinity",
    "Wed Oct 10 20:19:24 +0000 2018",
    "2024-01-01T10:00:00+0",
    "2024-01-01T10:00:00+05:3",
    "2024-01-01X10:00",
    "",
    "2024\u201301-01",
    "2024-01-01T10:00:00\u00b1",
]


def test_times_are_marked_unless_iso_as_the_fast_path_reads_them() -> None:
    records = [{"created_at": t} for t in ISO_SHAPES + NOT_ISO_SHAPES]
    expected = [
        k for k, t in enumerate(ISO_SHAPES + NOT_ISO_SHAPES) if not re.fullmatch(_ISO_TIME, t)
    ]
    assert expected == list(range(len(ISO_SHAPES), len(records)))
    assert marked_lines(records) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789-:T Z+.", max_size=32),
            st.datetimes().map(lambda d: d.isoformat()),
            st.builds(
                lambda d, cut, tz: d.isoformat(sep=" ")[:cut] + tz,
                st.datetimes(),
                st.integers(10, 26),
                st.sampled_from(["", "Z", "+00", "-05:30", "+0530", "+5", "+05:", "+24"]),
            ),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_random_times_are_marked_exactly_when_not_iso(times: list[str]) -> None:
    records = [{"created_at": t} for t in times]
    expected = [k for k, t in enumerate(times) if not re.fullmatch(_ISO_TIME, t)]
    assert marked_lines(records) == expected
