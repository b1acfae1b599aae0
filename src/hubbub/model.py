"""The canonical Post and its one Arrow schema.

Every platform parser produces Post records (plain dicts keyed by the field names below); the
pipeline turns batches of them into Arrow tables with `POST_SCHEMA`, and the store keeps exactly
these columns. Keeping one schema here means a new field is added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import pyarrow as pa

#: Kinds of post. A repost is a share without new text; a quote shares with new text.
KINDS: Final = ("post", "reply", "repost", "quote", "comment")

_TS = pa.timestamp("us", tz="UTC")
_STRINGS = pa.list_(pa.string())

#: The canonical Post fields, in storage order (see DESIGN.md "Post").
POST_SCHEMA: Final = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),  # "platform:native_id"
        pa.field("platform", pa.string(), nullable=False),
        pa.field("native_id", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("created_at", _TS, nullable=False),
        pa.field("collected_at", _TS, nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("parent_id", pa.string()),
        pa.field("root_id", pa.string()),
        pa.field("author_id", pa.string()),
        pa.field("author_handle", pa.string()),
        pa.field("author_name", pa.string()),
        pa.field("author_followers", pa.int64()),
        pa.field("author_verified", pa.bool_()),
        pa.field("title", pa.string()),
        pa.field("text", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("country", pa.string()),
        pa.field("likes", pa.int64()),
        pa.field("replies", pa.int64()),
        pa.field("reposts", pa.int64()),
        pa.field("quotes", pa.int64()),
        pa.field("views", pa.int64()),
        pa.field("hashtags", _STRINGS),
        pa.field("mentions", _STRINGS),
        pa.field("links", _STRINGS),
        pa.field("domains", _STRINGS),
        pa.field("media_count", pa.int64()),
        pa.field("raw_ref", pa.string()),
        pa.field("mapping_version", pa.string(), nullable=False),
    ]
)

POST_FIELDS: Final = tuple(POST_SCHEMA.names)

#: Labels a file may bring along with its posts (`--map sentiment=label_column`); enrichment
#: fills the same columns for posts that come without them.
SENTIMENT_LABELS: Final = ("negative", "neutral", "positive")
LABEL_SCHEMA: Final = pa.schema(
    [pa.field("sentiment", pa.string()), pa.field("sentiment_score", pa.float64())]
)
#: What the pipeline hands to the store: the Post fields, then the labels.
IMPORT_SCHEMA: Final = pa.schema([*POST_SCHEMA, *LABEL_SCHEMA])
IMPORT_FIELDS: Final = tuple(IMPORT_SCHEMA.names)

#: Counts that change when a post is seen again; a change is kept as a snapshot.
ENGAGEMENT_FIELDS: Final = ("likes", "replies", "reposts", "quotes", "views")

#: Fields whose Python type is checked on import, by kind.
INT_FIELDS: Final = frozenset(f.name for f in POST_SCHEMA if pa.types.is_integer(f.type))
BOOL_FIELDS: Final = frozenset(f.name for f in POST_SCHEMA if pa.types.is_boolean(f.type))
LIST_FIELDS: Final = frozenset(f.name for f in POST_SCHEMA if pa.types.is_list(f.type))
TIME_FIELDS: Final = frozenset(f.name for f in POST_SCHEMA if pa.types.is_timestamp(f.type))
STRING_FIELDS: Final = frozenset(f.name for f in POST_SCHEMA if pa.types.is_string(f.type))

#: A Post as parsers hand it over: field name -> value (missing keys mean unknown).
PostRecord = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rejected:
    """A raw record that could not become a Post, with a reason a person can act on."""

    reason: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.reason} ({self.hint})" if self.hint else self.reason


def post_id(platform: str, native_id: str) -> str:
    """The canonical id: `platform:native_id`."""
    return f"{platform}:{native_id}"


def empty_posts() -> pa.Table:
    """A zero-row table with the Post schema."""
    return POST_SCHEMA.empty_table()
