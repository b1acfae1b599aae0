"""Split payload files into raw values the way the importer does, and parse them."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from hubbub.model import PostRecord, Rejected
from hubbub.normalize import normalize_record
from hubbub.sources.base import PlatformFormat
from hubbub.sources.cassette import bodies_of, is_cassette, load_cassette

PAYLOAD_SUFFIXES = (".json", ".jsonl", ".yaml", ".yml")


def raw_values(path: Path) -> Iterator[Any]:
    """NDJSON lines; cassette bodies; elements of a JSON array; else the whole document.

    A line that is not JSON comes out as `BadLine` (the importer quarantines it).
    """
    if path.suffix == ".jsonl":
        yield from _lines(path)
        return
    try:
        doc = load_cassette(path)
    except Exception:
        yield from _lines(path)  # a stream capture: one JSON value per line
        return
    if is_cassette(doc):
        yield from bodies_of(doc)
    elif isinstance(doc, list):
        yield from doc
    else:
        yield doc


class BadLine(bytes):
    """A line that is not JSON."""


def _lines(path: Path) -> Iterator[Any]:
    for line in path.read_bytes().splitlines():
        if line.strip():
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError:
                yield BadLine(line)


def parse_file(fmt: PlatformFormat, path: Path) -> tuple[list[PostRecord], list[Rejected]]:
    posts: list[PostRecord] = []
    rejected: list[Rejected] = []
    for raw in raw_values(path):
        if isinstance(raw, BadLine) or not fmt.sniff(raw):
            continue  # as the cassette format does: OAuth tokens and the like are not offered
        for item in fmt.parse(raw):
            (rejected if isinstance(item, Rejected) else posts).append(item)
    return posts, rejected


def normalized(fmt: PlatformFormat, record: PostRecord) -> PostRecord:
    """The record as the pipeline stores it (fails the test if the pipeline would reject it)."""
    out = normalize_record(
        record,
        collected_at=datetime(2026, 1, 1, tzinfo=UTC),
        mapping_version=fmt.mapping_version,
        raw_ref=None,
    )
    assert not isinstance(out, Rejected), (out, record)
    return out


def by_id(posts: list[PostRecord], native_id: str) -> PostRecord:
    found = [p for p in posts if p["native_id"] == native_id]
    assert found, f"{native_id} not parsed"
    return found[0]


def with_unknown_fields(value: Any) -> Any:
    """A deep copy with an unknown field added to every object (platforms add fields all the time)."""
    value = copy.deepcopy(value)

    def add(node: Any) -> None:
        if isinstance(node, dict):
            for child in list(node.values()):
                add(child)
            node["zz_new_field_2027"] = {"nested": [1, "x", None]}
        elif isinstance(node, list):
            for child in node:
                add(child)

    add(value)
    return value


def parsed(fmt: PlatformFormat, raw: Any) -> tuple[list[PostRecord], list[Rejected]]:
    posts: list[PostRecord] = []
    rejected: list[Rejected] = []
    for item in fmt.parse(raw):
        (rejected if isinstance(item, Rejected) else posts).append(item)
    return posts, rejected
