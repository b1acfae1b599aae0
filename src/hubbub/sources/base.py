"""The one small interface a platform implements to be importable (httpx's Transport is the model).

A *raw value* is one JSON value exactly as a platform sent it: one line of an NDJSON/JSONL file, one
element of a top-level JSON array, or a whole JSON document (an API response page). The landing
zone keeps every raw value before it is parsed, so a parser fix can re-map old data (`hubbub remap`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from hubbub.model import PostRecord, Rejected


class PlatformFormat(Protocol):
    """Maps a platform's raw values to Post records."""

    #: Short name used on the command line: `hubbub import FILE --format NAME`.
    name: str
    #: Bumped whenever the mapping changes, stored on every post as `mapping_version`.
    mapping_version: str

    def sniff(self, raw: Any) -> bool:
        """True if this raw value (the first of a file) looks like this platform's payload."""
        ...

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        """Yield the posts in one raw value (a page may hold many), or a rejection per bad one.

        Records use the Post field names of `hubbub.model.POST_SCHEMA`; `created_at` may be a
        timezone-aware `datetime` or an ISO-8601 string. `platform` and `native_id` are required;
        `id`, `mapping_version`, `collected_at` and `raw_ref` are filled in by the pipeline.
        Unknown fields in the payload must be ignored, never an error.
        """
        ...
