"""Re-run enrichment over posts already in the store, batch by batch, updating them in place."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

import pyarrow as pa

from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.store import Store

#: Post columns each enricher reads (besides id) and the columns it writes back.
_READS: Final = ("title", "text", "lang")
_WRITES: Final = {
    "language": ("lang", "lang_confidence"),
    "entities": ("hashtags", "mentions", "links", "domains", "cashtags", "emoji"),
    "sentiment": ("sentiment", "sentiment_score", "sentiment_model"),
    "emotion": ("emotion", "emotion_score"),
}
BATCH_ROWS: Final = 20_000


def enrich_stored(
    store: Store,
    only: set[str] | frozenset[str] | None = None,
    since: datetime | None = None,
    *,
    sentiment_model: str = "fast",
    batch_rows: int = BATCH_ROWS,
) -> int:
    """Enrich stored posts (created at or after `since`); returns how many posts were updated.

    Assumes the ENRICHMENT_SCHEMA columns exist on `posts`. Each batch is one UPDATE in its
    own transaction, so an interrupted run keeps what it finished and a re-run is harmless.
    """
    from hubbub.enrich import check_only, enrich  # the package imports this module

    chosen = check_only(only, sentiment_model)
    writes = list(dict.fromkeys(c for name in sorted(chosen) for c in _WRITES[name]))
    _check_columns(store, writes)
    reads = list(dict.fromkeys(["id", *_READS, *writes]))
    where, params = ("WHERE created_at >= ?", [since]) if since else ("", [])
    ids = store.con.execute(f"SELECT id FROM posts {where} ORDER BY id", params).fetchall()
    updated = 0
    for start in range(0, len(ids), batch_rows):
        chunk = [row[0] for row in ids[start : start + batch_rows]]
        batch = store.con.sql(
            f"SELECT {', '.join(reads)} FROM posts WHERE id IN (SELECT unnest(?))", params=[chunk]
        ).to_arrow_table()
        done = enrich(batch, chosen, sentiment_model=sentiment_model).select(["id", *writes])
        _update(store, done, writes)
        updated += done.num_rows
    return updated


def _check_columns(store: Store, columns: list[str]) -> None:
    have = {
        row[0]
        for row in store.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'posts'"
        ).fetchall()
    }
    missing = [c for c in columns if c not in have]
    if missing:
        raise HubbubError(
            f"the posts table has no column {', '.join(missing)}",
            "this database predates enrichment; open it with a newer hubbub to migrate it",
        )


def _update(store: Store, table: pa.Table, columns: list[str]) -> None:
    con = store.con
    con.register("_enriched", table)
    try:
        sets = ", ".join(f"{c} = _enriched.{c}" for c in columns)
        with store.transaction():
            con.execute(f"UPDATE posts SET {sets} FROM _enriched WHERE posts.id = _enriched.id")
    finally:
        con.unregister("_enriched")
