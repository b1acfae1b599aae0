"""The key scan against a reference: orjson's reading of the same lines."""

from __future__ import annotations

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
    STRING,
    KeyScanner,
)
from hubbub.model import IMPORT_FIELDS
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
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from([*IMPORT_FIELDS[:8], "x", "text:", 'a"b']), inner, max_size=3),
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
