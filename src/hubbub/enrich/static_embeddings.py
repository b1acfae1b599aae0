"""The `static` embedding tier: MiniLM distilled into one table of word vectors (numpy only).

A post's vector is the L2-normalised sum of the table rows of its words. The rows already carry
their SIF weight (frequent words are short vectors), so the sum is the weighted mean up to its
length. The table is built by training/distill_embeddings.py and shipped in the package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from hubbub.enrich.wordpiece import RowLookup, split_words
from hubbub.errors import HubbubError

MODEL_PATH: Final = Path(__file__).parent / "models" / "embeddings_static.npz"

Vectors = npt.NDArray[np.float32]


class StaticEmbedder:
    """Folded texts (`normalize_for_model`) -> unit vectors; a text with no known word gets zeros."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        if not path.exists():
            raise HubbubError(
                f"the static embedding model {path} is missing",
                "reinstall hubbub, or rebuild it with training/distill_embeddings.py",
            )
        with np.load(path) as npz:
            self.name = str(npz["name"])
            tokens = [str(t) for t in npz["tokens"]]
            words = [str(w) for w in npz["words"]]
            self.table: Vectors = npz["vectors"].astype(np.float32) * npz["scales"][:, None]
        self.dim = int(self.table.shape[1])
        vocab = {t: i for i, t in enumerate(tokens)}
        extra = {w: len(tokens) + i for i, w in enumerate(words)}
        self._lookup = RowLookup(vocab, extra)

    def embed(self, texts: list[str]) -> Vectors:
        rows: list[int] = []
        indptr = [0]
        # The hot loop of the static tier: the word cache is read inline (a method call per
        # word cost a third of the time); only words not seen before take the slow path.
        cached = self._lookup.cache.get
        lookup = self._lookup.rows
        for text in texts:
            for word in split_words(text):
                found = cached(word)
                rows += lookup(word) if found is None else found
            indptr.append(len(rows))
        # A sparse (posts x rows) matrix of ones times the table sums each post's rows in C.
        counts = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), np.array(rows, dtype=np.int64), indptr),
            shape=(len(texts), self.table.shape[0]),
        )
        summed = np.asarray(counts @ self.table, dtype=np.float32)
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        np.divide(summed, norms, out=summed, where=norms > 0)
        return summed


@cache
def static_embedder() -> StaticEmbedder:
    """The shipped model, loaded once per process."""
    return StaticEmbedder()
