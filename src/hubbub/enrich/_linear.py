"""A linear classifier over hashed word and character n-grams, stored as one small .npz file.

Hashing needs no vocabulary to ship, so a model file is just its weight matrix plus the
featuriser settings; scoring is one sparse-times-dense product, which keeps the fast tier fast.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import HashingVectorizer  # type: ignore[import-untyped]

from hubbub.enrich._lexicon import LEXICON_FEATURES, Lexicon
from hubbub.enrich._text import normalize_all
from hubbub.errors import HubbubError

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class FeatureSpec:
    """How texts become hashed features. Stored in the model file so scoring matches training."""

    n_bits: int = 18
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = None
    #: Append VADER's four lexicon scores (neg, neu, pos, compound): a lexicon knows words the
    #: training tweets never used, worth about three points of macro-recall here.
    vader: bool = False
    #: Scale of the VADER columns against the unit-length n-gram parts. A few dense columns
    #: among a million sparse ones are under-used by a regularised model at weight 1.
    vader_weight: float = 1.0
    #: Append the AFINN / Pattern lexicon features (`_lexicon.LEXICON_FEATURES`); the word
    #: lists are stored in the model file.
    lexicon: bool = False
    lexicon_weight: float = 0.5
    #: How word n-grams are built: "sklearn" (scikit-learn's HashingVectorizer over
    #: `normalize_for_model` text) or "compiled" (`word_hashing`: a numba kernel over Arrow
    #: buffers, 1-2-grams only, ten times quicker; the fast tier from version 2 on).
    words: str = "sklearn"

    def to_json(self) -> str:
        return json.dumps(
            {
                "n_bits": self.n_bits,
                "word_ngrams": self.word_ngrams,
                "char_ngrams": self.char_ngrams,
                "vader": self.vader,
                "vader_weight": self.vader_weight,
                "lexicon": self.lexicon,
                "lexicon_weight": self.lexicon_weight,
                "words": self.words,
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> FeatureSpec:
        d: dict[str, Any] = json.loads(raw)
        chars = d.get("char_ngrams")
        return cls(
            n_bits=int(d["n_bits"]),
            word_ngrams=(int(d["word_ngrams"][0]), int(d["word_ngrams"][1])),
            char_ngrams=(int(chars[0]), int(chars[1])) if chars else None,
            vader=bool(d.get("vader", False)),
            vader_weight=float(d.get("vader_weight", 1.0)),
            lexicon=bool(d.get("lexicon", False)),
            lexicon_weight=float(d.get("lexicon_weight", 0.5)),
            words=str(d.get("words", "sklearn")),
        )


class Featurizer:
    """Texts -> L2-normalised hashed n-gram counts (word part and optional char part)."""

    def __init__(self, spec: FeatureSpec, lexicon: Lexicon | None = None) -> None:
        if spec.lexicon and lexicon is None:
            raise HubbubError(
                "this model needs lexicon word lists and its file has none",
                "retrain it with training/train_sentiment.py",
            )
        if spec.words not in ("sklearn", "compiled"):
            raise HubbubError(
                f"this model's word features are {spec.words!r}, which this hubbub cannot build",
                "upgrade hubbub or retrain the model with training/train_sentiment.py",
            )
        if spec.words == "compiled" and (
            spec.word_ngrams != (1, 2) or spec.char_ngrams or spec.vader or spec.lexicon
        ):
            raise HubbubError(
                "compiled word features are word 1-2-grams alone",
                "use words='sklearn' for other n-grams, characters or lexicon features",
            )
        self.spec = spec
        self.lexicon = lexicon if spec.lexicon else None
        n = 2**spec.n_bits
        # Words keep punctuation-like tokens (":)", "!!") because they carry sentiment in posts.
        # (Compiled word features are `word_hashing`'s: no vectorizer to build.)
        self._word = (
            None
            if spec.words == "compiled"
            else HashingVectorizer(
                n_features=n,
                ngram_range=spec.word_ngrams,
                token_pattern=r"[#@]?\w[\w']*|[!?]+|[:;=][-']?[()dDpP/\\|]",
                lowercase=False,
                alternate_sign=False,
                norm="l2",
            )
        )
        self._char = (
            HashingVectorizer(
                n_features=n,
                analyzer="char_wb",
                ngram_range=spec.char_ngrams,
                lowercase=False,
                alternate_sign=False,
                norm="l2",
            )
            if spec.char_ngrams
            else None
        )

    @property
    def n_features(self) -> int:
        hashed = (2 if self._char else 1) * 2**self.spec.n_bits
        dense = (len(VADER_FEATURES) if self.spec.vader else 0) + (
            len(LEXICON_FEATURES) if self.lexicon else 0
        )
        return int(hashed + dense)

    @property
    def compiled(self) -> bool:
        """True when the features come from the `word_hashing` kernel alone."""
        return self.spec.words == "compiled"

    def transform(self, texts: Sequence[str] | pa.Array) -> sp.csr_matrix:
        if self.compiled:
            from hubbub.enrich import word_hashing  # numba loads only when a model needs it

            return word_hashing.features(word_hashing.prepare(texts), self.spec.n_bits)
        if isinstance(texts, pa.Array):
            texts = [t or "" for t in texts.to_pylist()]
        docs = normalize_all(texts)
        assert self._word is not None  # the compiled case returned above
        parts = [self._word.transform(docs)]
        if self._char is not None:
            parts.append(self._char.transform(docs))
        if self.spec.vader:
            # VADER reads the raw text: capitals and "!!!" are part of its rules.
            parts.append(sp.csr_matrix(vader_features(texts) * self.spec.vader_weight))
        if self.lexicon is not None:
            parts.append(sp.csr_matrix(self.lexicon.features(docs) * self.spec.lexicon_weight))
        if len(parts) == 1:
            return sp.csr_matrix(parts[0])
        return sp.csr_matrix(sp.hstack(parts, format="csr"))


VADER_FEATURES = ("neg", "neu", "pos", "compound")


def vader_features(docs: Sequence[str]) -> FloatArray:
    """VADER's scores of each text, one row per text."""
    from hubbub.enrich.vader import vader_scores

    return np.array(
        [[s[k] for k in VADER_FEATURES] for s in vader_scores(docs)], dtype=np.float32
    ).reshape(len(docs), len(VADER_FEATURES))


class LinearModel:
    """Softmax over `X @ W + b`; `labels[i]` names column i."""

    def __init__(
        self,
        spec: FeatureSpec,
        weights: FloatArray,
        bias: FloatArray,
        labels: Sequence[str],
        name: str,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.featurizer = Featurizer(spec, lexicon)
        self.weights = weights
        self.bias = bias
        self.labels = tuple(labels)
        self.name = name

    def decision(self, features: sp.csr_matrix) -> FloatArray:
        return np.asarray(features @ self.weights, dtype=np.float32) + self.bias

    def proba(self, texts: Sequence[str] | pa.Array) -> FloatArray:
        if self.featurizer.compiled:  # scored inside the kernel: no feature matrix is built
            from hubbub.enrich import word_hashing

            prepared = word_hashing.prepare(texts)
            return softmax(
                word_hashing.scores(prepared, self.featurizer.spec.n_bits, self.weights, self.bias)
            )
        return softmax(self.decision(self.featurizer.transform(texts)))

    def save(self, path: Path | IO[bytes]) -> None:
        # float16 halves the file; the weights lose nothing that changes a label (checked in tests).
        arrays: dict[str, Any] = {
            "weights": self.weights.astype(np.float16),
            "bias": self.bias.astype(np.float32),
            "labels": np.array(self.labels),
            "spec": np.array(self.featurizer.spec.to_json()),
            "name": np.array(self.name),
        }
        if self.featurizer.lexicon is not None:
            arrays.update(self.featurizer.lexicon.to_arrays())
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path | IO[bytes]) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                FeatureSpec.from_json(str(data["spec"])),
                data["weights"].astype(np.float32),
                data["bias"].astype(np.float32),
                [str(x) for x in data["labels"]],
                str(data["name"]),
                Lexicon.from_arrays(data) if "afinn_words" in data.files else None,
            )


def softmax(z: FloatArray) -> FloatArray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: FloatArray = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out
