"""Themes: group a window's posts into topics of conversation, label them, track them over time.

Pipeline (scikit-learn, memory bounded so 500k posts fit easily in 24 GB):
1. Hashed word unigrams+bigrams with sublinear TF-IDF (no vocabulary kept in memory).
2. Truncated SVD to 100 dimensions (latent semantic analysis), rows L2-normalised.
3. MiniBatchKMeans with k ~ sqrt(n / 2) capped at `max_themes`.
4. A post whose cosine similarity to its theme's centre is below `min_similarity` is an outlier:
   it belongs to no theme, and the answer says how many there were.
5. Labels: class-based TF-IDF (c-TF-IDF, as in BERTopic): the terms most specific to each theme.

Tracking: the themes of a window are stored with their label terms. The next window's themes are
linked to an earlier theme when their label terms overlap enough (Jaccard), so "the same theme
again" keeps its id and a new conversation gets a new one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from hubbub.analytics.scope import Scope
from hubbub.analytics.terms import terms
from hubbub.errors import HubbubError
from hubbub.store import Store

_DIMENSIONS: Final = 100
_LABEL_TERMS: Final = 6


@dataclass
class Theme:
    theme_id: int
    label: list[str]
    posts: int
    examples: list[dict[str, Any]] = field(default_factory=list)
    is_new: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "theme_id": self.theme_id,
            "label": " ".join(self.label),
            "terms": self.label,
            "posts": self.posts,
            "new": self.is_new,
            "examples": self.examples,
        }


@dataclass
class ThemeResult:
    themes: list[Theme]
    posts: int
    outliers: int
    assignments: dict[str, int | None]  # post id -> theme id (None: outside every theme)
    sampled: int | None = None  # posts actually clustered, when the window was sampled

    def as_dict(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "outliers": self.outliers,
            "sampled": self.sampled,
            "themes": [t.as_dict() for t in self.themes],
        }


def cluster_texts(
    texts: list[str], *, max_themes: int = 30, min_similarity: float = 0.3, seed: int = 0
) -> tuple[npt.NDArray[np.int64], list[list[str]]]:
    """Theme index per text (-1 = outlier) and the label terms of each theme."""
    from sklearn.cluster import MiniBatchKMeans  # type: ignore[import-untyped]
    from sklearn.decomposition import TruncatedSVD  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer  # type: ignore[import-untyped]
    from sklearn.preprocessing import normalize  # type: ignore[import-untyped]

    n = len(texts)
    if n < 10:
        raise HubbubError(
            f"only {n} posts in the window", "themes need at least 10 posts; widen the window"
        )
    hashed = HashingVectorizer(
        analyzer=terms, n_features=2**20, alternate_sign=False, norm=None
    ).transform(texts)
    hashed = hashed[:, np.flatnonzero(hashed.getnnz(axis=0) > 1)]  # terms in >= 2 posts only
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(hashed)
    dims = min(_DIMENSIONS, tfidf.shape[1] - 1, n - 1)
    vectors = normalize(TruncatedSVD(dims, random_state=seed).fit_transform(tfidf))
    k = int(min(max_themes, max(2, round(np.sqrt(n / 2)))))
    km = MiniBatchKMeans(k, random_state=seed, batch_size=4096, n_init=3).fit(vectors)
    centres = normalize(km.cluster_centers_)
    similarity = np.einsum("ij,ij->i", vectors, centres[km.labels_])
    labels = np.where(similarity >= min_similarity, km.labels_, -1).astype(np.int64)
    return labels, _c_tf_idf_labels(texts, labels, k)


def _c_tf_idf_labels(texts: list[str], labels: npt.NDArray[np.int64], k: int) -> list[list[str]]:
    """Per theme, the terms with the highest class-based TF-IDF (Grootendorst 2022)."""
    per_theme: list[Counter[str]] = [Counter() for _ in range(k)]
    for text, label in zip(texts, labels, strict=True):
        if label >= 0:
            per_theme[label].update(terms(text))
    totals = Counter[str]()
    for counts in per_theme:
        totals.update(counts)
    average = sum(totals.values()) / max(k, 1)
    out = []
    for counts in per_theme:
        size = sum(counts.values()) or 1
        scored = {
            w: (c / size) * np.log(1 + average / totals[w]) for w, c in counts.items() if c >= 2
        }
        out.append(
            [w for w, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:_LABEL_TERMS]]
        )
    return out


def find_themes(
    store: Store,
    scope: Scope,
    *,
    start: datetime,
    end: datetime,
    max_themes: int = 30,
    min_similarity: float = 0.3,
    track: bool = True,
    examples: int = 2,
    sample: int | None = 3000,
) -> ThemeResult:
    """Themes of [start, end). With `track`, themes are linked to (and saved as) tracked themes.

    A window with more than `sample` posts is clustered on a random sample of that many (seeded,
    so repeatable); theme sizes and the outlier count are then scaled to the whole window and the
    result says it was sampled. `sample=None` clusters every post (minutes for 500k posts).
    """
    where, params = scope.where()
    total_row = store.one(
        f"SELECT count(*) FROM posts p WHERE {where} AND p.created_at >= ? AND p.created_at < ?",
        [*params, start, end],
    )
    total = int(total_row[0]) if total_row else 0
    sampled = sample is not None and total > sample
    rows = store.con.execute(
        f"SELECT * FROM (SELECT p.id, concat_ws(' ', p.title, p.text), p.url FROM posts p WHERE {where}"
        " AND p.created_at >= ? AND p.created_at < ?)"
        + (
            f" USING SAMPLE reservoir({int(sample)} ROWS) REPEATABLE (7)"
            if sampled and sample
            else ""
        )
        + " ORDER BY 1",
        [*params, start, end],
    ).fetchall()
    ids, texts, urls = [r[0] for r in rows], [r[1] or "" for r in rows], [r[2] for r in rows]
    labels, label_terms = cluster_texts(texts, max_themes=max_themes, min_similarity=min_similarity)
    scale = total / len(ids) if sampled and ids else 1.0
    sizes = Counter(
        {k: round(v * scale) for k, v in Counter(int(x) for x in labels if x >= 0).items()}
    )
    themes: list[Theme] = []
    local_to_id: dict[int, int] = {}
    known = _known_themes(store) if track else []
    for local, size in sizes.most_common():
        label = label_terms[local]
        match = _best_match(label, known)
        theme_id = match if match is not None else _next_id(store, themes, track)
        local_to_id[local] = theme_id
        example_posts = [
            {"id": ids[i], "text": texts[i], "url": urls[i]}
            for i in np.flatnonzero(labels == local)[:examples]
        ]
        themes.append(Theme(theme_id, label, size, example_posts, is_new=match is None))
    if track:
        _save(store, themes, start, end)
    assignments = {
        pid: (local_to_id[int(lab)] if lab >= 0 else None)
        for pid, lab in zip(ids, labels, strict=True)
    }
    outliers = round(int((labels < 0).sum()) * scale)
    return ThemeResult(themes, total, outliers, assignments, sampled=len(ids) if sampled else None)


def _ensure_table(store: Store) -> None:
    store.con.execute(
        "CREATE TABLE IF NOT EXISTS themes (theme_id BIGINT, label VARCHAR[], window_start TIMESTAMPTZ,"
        " window_end TIMESTAMPTZ, posts BIGINT, saved_at TIMESTAMPTZ)"
    )


def _known_themes(store: Store) -> list[tuple[int, set[str]]]:
    _ensure_table(store)
    rows = store.con.execute(
        "SELECT theme_id, arg_max(label, window_end) FROM themes GROUP BY 1"
    ).fetchall()
    return [(int(r[0]), set(r[1])) for r in rows]


def _best_match(
    label: list[str], known: list[tuple[int, set[str]]], threshold: float = 0.3
) -> int | None:
    best, best_score = None, threshold
    words = set(label)
    for theme_id, other in known:
        score = len(words & other) / max(len(words | other), 1)
        if score >= best_score:
            best, best_score = theme_id, score
    return best


def _next_id(store: Store, so_far: list[Theme], track: bool) -> int:
    used = max((t.theme_id for t in so_far), default=0)
    if track:
        row = store.one("SELECT coalesce(max(theme_id), 0) FROM themes")
        used = max(used, int(row[0]) if row else 0)
    return used + 1


def _save(store: Store, themes: list[Theme], start: datetime, end: datetime) -> None:
    now = datetime.now(UTC)
    with store.transaction():
        store.con.execute(
            "DELETE FROM themes WHERE window_start = ? AND window_end = ?", [start, end]
        )
        store.con.executemany(
            "INSERT INTO themes VALUES (?, ?, ?, ?, ?, ?)",
            [[t.theme_id, t.label, start, end, t.posts, now] for t in themes],
        )
