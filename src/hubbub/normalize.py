"""Turn loosely typed input records into valid Post records, or say precisely why not.

This is the slow, careful path: every value is checked and converted one by one. Files already in
our schema take a vectorised fast path (see `fastpath.py`) and only fall back here when a batch
holds a bad record, so the error messages come from one place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

import orjson
import pyarrow as pa

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
    PostRecord,
    Rejected,
    post_id,
)

_KNOWN: Final = frozenset(IMPORT_FIELDS)
#: Trimmed from both ends of text and title (whitespace, BOM, zero-width space).
TRIM_CHARS: Final = " \t\r\n\ufeff\u200b"
_TRUE: Final = frozenset({"true", "1", "yes", "y", "t"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "f", ""})
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_EPOCH_MS_LIMIT: Final = 10**11  # larger epoch numbers are milliseconds, smaller are seconds


class FieldError(ValueError):
    """A value that cannot be converted to its field's type."""


def parse_time(value: Any) -> datetime:
    """A UTC datetime from an ISO-8601 string, an epoch number or a datetime.

    Naive times are taken as UTC: platforms and exports almost always mean UTC when they omit it.
    """
    try:
        return _parse_time(value)
    except (ValueError, OverflowError, OSError) as exc:  # e.g. year 33658, an epoch in 2**70
        if isinstance(exc, FieldError):
            raise
        raise FieldError(
            f"{str(value)[:40]!r} is not a date-time hubbub can store ({exc})"
        ) from None


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, bool):
        raise FieldError(f"expected a date-time, got {value!r}")
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS_LIMIT else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise FieldError("expected a date-time, got an empty string")
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = _parse_other_time(text)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    raise FieldError(f"expected a date-time, got {type(value).__name__}")


def _parse_other_time(text: str) -> datetime:
    # The formats platforms really send besides ISO-8601: Twitter v1 and CSV exports.
    for fmt in ("%a %b %d %H:%M:%S %z %Y", "%Y-%m-%d %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S %z"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    if text.lstrip("-").replace(".", "", 1).isdigit():
        return _parse_time(float(text))
    raise FieldError(f"{text[:40]!r} is not a date-time (use ISO-8601, e.g. 2024-05-01T12:00:00Z)")


def _to_int(value: Any) -> int:
    number = _whole_number(value)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise FieldError(f"{number} is too large to store (the limit is 2**63 - 1)"[:80])
    return number


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise FieldError(f"expected a whole number, got {str(value).lower()}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise FieldError(f"expected a whole number, got {value[:40]!r}") from None
            if number.is_integer():
                return int(number)
    raise FieldError(f"expected a whole number, got {value!r}"[:80])


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise FieldError(f"expected true or false, got {value!r}"[:80])


def _to_list(value: Any) -> list[str]:
    if isinstance(value, str):
        # CSV cells hold lists as JSON arrays or as space/comma separated words.
        text = value.strip()
        if text.startswith("["):
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                raise FieldError(f"expected a list, got {value[:40]!r}") from None
        else:
            return [part for part in text.replace(",", " ").split() if part]
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            raise FieldError("expected a list of strings")
        return list(value)
    raise FieldError(f"expected a list of strings, got {type(value).__name__}")


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise FieldError(f"expected text, got {type(value).__name__}")


def domains_of(links: Iterable[str]) -> list[str]:
    """Host names of links, lower case, without `www.`, in first-seen order, no repeats."""
    seen: dict[str, None] = {}
    for link in links:
        try:
            host = (urlsplit(link if "//" in link else "//" + link).hostname or "").lower()
        except ValueError:  # e.g. "http://[x": not a URL urllib can read, so no domain
            continue
        host = host.removeprefix("www.")
        if host:
            seen.setdefault(host, None)
    return list(seen)


def content_id(raw: bytes) -> str:
    """A stable id for records that have none, so that re-importing them stays idempotent."""
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


def apply_mapping(record: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """Rename input columns to Post fields: `mapping` is {post_field: input_column}.

    An input column may be a dotted path into nested JSON (`user.screen_name`). Columns that
    are not mapped keep their name, so a file that is half in our schema needs only the rest.
    """
    out = dict(record)
    for field, source in mapping.items():
        out.pop(source, None)
        out[field] = _lookup(record, source)
    return out


def _lookup(record: Mapping[str, Any], path: str) -> Any:
    if path in record:
        return record[path]
    value: Any = record
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def normalize_record(
    record: Mapping[str, Any],
    *,
    collected_at: datetime,
    mapping_version: str,
    raw_ref: str | None,
    default_platform: str | None = None,
    raw: bytes = b"",
) -> PostRecord | Rejected:
    """Check and convert one record; never raises for bad data, returns `Rejected` instead."""
    post: dict[str, Any] = {}
    for name, value in record.items():
        if name not in _KNOWN or value is None:
            continue  # unknown fields are kept in the raw payload, never an error
        try:
            post[name] = _convert(name, value)
        except FieldError as exc:
            return Rejected(
                f"field {name!r}: {exc}", "fix the value or map another column with --map"
            )
    for name in ("text", "title"):
        if isinstance(post.get(name), str):
            # Exports often end texts with a stray byte-order mark or zero-width space.
            post[name] = post[name].strip(TRIM_CHARS)
            if not post[name]:
                post.pop(name)
    return _complete(post, collected_at, mapping_version, raw_ref, default_platform, raw)


def _convert(name: str, value: Any) -> Any:
    if name == "sentiment":
        label = _to_str(value).strip().lower()
        if label not in SENTIMENT_LABELS:
            raise FieldError(f"expected one of {', '.join(SENTIMENT_LABELS)}, got {label[:20]!r}")
        return label
    if name == "sentiment_score":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise FieldError(f"expected a number, got {value!r}"[:80])
        try:
            return float(value)
        except ValueError:
            raise FieldError(f"expected a number, got {value!r}"[:80]) from None
    if name in STRING_FIELDS:
        return _to_str(value)
    if name in INT_FIELDS:
        if isinstance(value, str) and not value.strip():
            return None
        return _to_int(value)
    if name in TIME_FIELDS:
        return parse_time(value)
    if name in BOOL_FIELDS:
        return _to_bool(value)
    if name in LIST_FIELDS:
        return _to_list(value)
    raise AssertionError(f"field {name} has no converter")  # pragma: no cover - schema bug


def _complete(
    post: dict[str, Any],
    collected_at: datetime,
    mapping_version: str,
    raw_ref: str | None,
    default_platform: str | None,
    raw: bytes,
) -> PostRecord | Rejected:
    if "id" in post and ("platform" not in post or "native_id" not in post):
        platform, sep, native = post["id"].partition(":")
        if not sep or not platform or not native:
            return Rejected(
                f"id {post['id'][:40]!r} is not of the form platform:native_id",
                "give platform and native_id columns instead, or --platform NAME",
            )
        post.setdefault("platform", platform)
        post.setdefault("native_id", native)
    post.setdefault("platform", default_platform or "file")
    if ":" in str(post["platform"]):
        # The store reads platform back from id (`platform:native_id`, split at the first ':').
        return Rejected(
            f"platform {str(post['platform'])[:40]!r} holds a ':'",
            "name the platform without ':' (--platform NAME or a platform column)",
        )
    if "native_id" not in post:
        if not raw:
            return Rejected("missing native_id", "map the id column with --map native_id=COLUMN")
        post["native_id"] = content_id(raw)
    post["id"] = post_id(post["platform"], post["native_id"])
    if "created_at" not in post:
        return Rejected("missing created_at", "map the date column with --map created_at=COLUMN")
    if not post.get("text") and not post.get("title"):
        return Rejected("missing text (and no title)", "map the text column with --map text=COLUMN")
    kind = post.setdefault("kind", "post")
    if kind not in KINDS:
        return Rejected(
            f"kind {kind!r} is not one of {', '.join(KINDS)}", "fix or drop the kind field"
        )
    post.setdefault("collected_at", collected_at)
    post["mapping_version"] = mapping_version
    if raw_ref is not None:
        post["raw_ref"] = raw_ref
    if "links" in post and "domains" not in post:
        post["domains"] = domains_of(post["links"])
    return post


def records_to_table(records: list[PostRecord]) -> pa.Table:
    """An Arrow table with the import schema (Post fields, then labels) from normalised records."""
    columns = {name: [r.get(name) for r in records] for name in IMPORT_FIELDS}
    return pa.table(columns, schema=IMPORT_SCHEMA)
