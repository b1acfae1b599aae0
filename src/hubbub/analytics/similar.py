"""Similar posts: the nearest neighbours of a post or a text by cosine over cached embeddings.

Missing vectors are computed first (once: they stay in `post_embeddings`), then the cache is
scanned batch by batch with one matrix product each, keeping a running top-k, so memory does
not grow with the store.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa

from hubbub.enrich.embedding_cache import cached_vectors, embed_stored, vector_of
from hubbub.enrich.embeddings import DEFAULT_TIER, embed
from hubbub.errors import HubbubError
from hubbub.store import Store

MAX_LIMIT: Final = 1_000
COLUMNS: Final = ("rank", "id", "score", "created_at", "platform", "author_handle", "url", "text")


def similar_posts(
    store: Store,
    post_id: str | None = None,
    *,
    text: str | None = None,
    limit: int = 10,
    model: str = DEFAULT_TIER,
) -> pa.Table:
    """The `limit` stored posts most similar to post `post_id` (itself left out) or to `text`.

    Columns: rank, id, score (cosine similarity, -1..1), created_at, platform, author_handle,
    url, text. Ties are broken by post id, so the answer is deterministic.
    """
    if (post_id is None) == (text is None):
        raise HubbubError(
            "give a post id or a text, not both nor neither",
            "e.g. `hubbub similar twitter:123` or `hubbub similar --text 'lost my bag'`",
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise HubbubError(f"--limit {limit} is out of range", f"give 1 to {MAX_LIMIT}")
    embed_stored(store, model)
    if post_id is not None:
        query = vector_of(store, post_id, model)
        if query is None:
            raise HubbubError(
                f"no post {post_id!r} in {store.path}",
                "give an id from `hubbub posts` (platform:native_id)",
            )
    else:
        query = embed([text or ""], model)[0]
    if not np.any(query):
        raise HubbubError(
            "the text has no word the embedding model knows, so nothing can be similar to it",
            "give a longer text with words (not only emoji, numbers or links)",
        )
    ids, scores = _top_k(store, query, model, limit, exclude=post_id)
    return _with_posts(store, ids, scores)


def _top_k(
    store: Store, query: np.ndarray, model: str, k: int, exclude: str | None
) -> tuple[list[str], list[float]]:
    best_ids: list[str] = []
    best_scores = np.zeros(0, dtype=np.float32)
    for ids, matrix in cached_vectors(store, model):
        scores = matrix @ query
        if exclude is not None and exclude in ids:
            scores[ids.index(exclude)] = -np.inf
        take = min(k, len(ids))
        top = np.argpartition(-scores, take - 1)[:take]
        best_ids = best_ids + [ids[i] for i in top]
        best_scores = np.concatenate([best_scores, scores[top]])
        order = sorted(range(len(best_ids)), key=lambda i: (-best_scores[i], best_ids[i]))[:k]
        best_ids = [best_ids[i] for i in order]
        best_scores = best_scores[order]
    keep = np.isfinite(best_scores)
    return [i for i, ok in zip(best_ids, keep, strict=True) if ok], best_scores[keep].tolist()


def _with_posts(store: Store, ids: list[str], scores: list[float]) -> pa.Table:
    found = pa.table(
        {
            "rank": pa.array(range(1, len(ids) + 1), pa.int64()),
            "id": pa.array(ids, pa.string()),
            "score": pa.array(scores, pa.float64()),
        }
    )
    store.con.register("_similar", found)
    try:
        return store.con.sql(
            "SELECT s.rank, s.id, round(s.score, 4) AS score, p.created_at, p.platform,"
            " p.author_handle, p.url, p.text FROM _similar s JOIN posts p ON p.id = s.id"
            " ORDER BY s.rank"
        ).to_arrow_table()
    finally:
        store.con.unregister("_similar")
