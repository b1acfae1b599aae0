"""The per-post embedding cache: the `post_embeddings` table (post_id, model, dim, vector).

A vector is computed once per post and model; `embed_stored` only embeds the posts that have
none yet, so running it again computes nothing. Readers stream the vectors in Arrow batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

import numpy as np
import pyarrow as pa

from hubbub.enrich._columns import post_texts
from hubbub.enrich.embeddings import DEFAULT_TIER, embed, embedding_model
from hubbub.enrich.static_embeddings import Vectors
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.store import Store

BATCH_ROWS: Final = 20_000


def embed_stored(
    store: Store,
    tier: str = DEFAULT_TIER,
    since: datetime | None = None,
    *,
    batch_rows: int = BATCH_ROWS,
) -> int:
    """Embed the stored posts (created at or after `since`) that have no vector of this model
    yet; returns how many were computed. Each batch commits on its own: an interrupted run
    keeps what it finished."""
    model = embedding_model(tier)
    check_table(store)
    where, params = ("AND p.created_at >= ?", [since]) if since else ("", [])
    missing = store.con.execute(
        "SELECT p.id FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_embeddings e"
        f" WHERE e.post_id = p.id AND e.model = ?) {where} ORDER BY p.id",
        [model.name, *params],
    ).fetchall()
    done = 0
    for start in range(0, len(missing), batch_rows):
        chunk = [row[0] for row in missing[start : start + batch_rows]]
        batch = store.con.sql(
            "SELECT id, title, text FROM posts WHERE id IN (SELECT unnest(?))", params=[chunk]
        ).to_arrow_table()
        vectors = embed(post_texts(batch), tier)
        _insert(store, batch.column("id"), model.name, vectors)
        done += batch.num_rows
    return done


def vector_of(store: Store, post_id: str, tier: str = DEFAULT_TIER) -> Vectors | None:
    """The cached vector of one post, or None."""
    row = store.one(
        "SELECT vector FROM post_embeddings WHERE post_id = ? AND model = ?",
        [post_id, embedding_model(tier).name],
    )
    return None if row is None else np.asarray(row[0], dtype=np.float32)


def cached_vectors(
    store: Store, tier: str = DEFAULT_TIER, rows_per_batch: int = 65_536
) -> Iterator[tuple[list[str], Vectors]]:
    """(post ids, their vectors as one matrix) batch by batch: memory stays bounded."""
    model = embedding_model(tier)
    reader = store.con.sql(
        "SELECT post_id, vector FROM post_embeddings WHERE model = ?", params=[model.name]
    ).to_arrow_reader(rows_per_batch)
    for batch in reader:
        if batch.num_rows == 0:
            continue
        flat = batch.column(1).flatten().to_numpy(zero_copy_only=False)
        yield batch.column(0).to_pylist(), flat.astype(np.float32).reshape(batch.num_rows, -1)


def _insert(store: Store, ids: pa.ChunkedArray, model: str, vectors: Vectors) -> None:
    n, dim = vectors.shape
    offsets = pa.array(np.arange(0, n * dim + 1, dim, dtype=np.int32))
    table = pa.table(
        {
            "post_id": ids.combine_chunks(),
            "model": pa.array([model] * n, pa.string()),
            "dim": pa.array(np.full(n, dim, dtype=np.int32)),
            "vector": pa.ListArray.from_arrays(offsets, pa.array(vectors.reshape(-1))),
            "computed_at": pa.array([datetime.now(UTC)] * n, pa.timestamp("us", tz="UTC")),
        }
    )
    con = store.con
    con.register("_vectors", table)
    try:
        with store.transaction():
            # The anti-join keeps (post_id, model) unique if two runs race on the same posts.
            con.execute(
                "INSERT INTO post_embeddings SELECT v.* FROM _vectors v WHERE NOT EXISTS"
                " (SELECT 1 FROM post_embeddings e WHERE e.post_id = v.post_id"
                " AND e.model = v.model)"
            )
    finally:
        con.unregister("_vectors")


def check_table(store: Store) -> None:
    row = store.one(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'post_embeddings'"
    )
    if not row or not row[0]:
        raise HubbubError(
            "this database has no post_embeddings table",
            "open it once with a newer hubbub (not read-only) so it migrates",
        )
