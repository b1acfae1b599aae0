"""Word-list sentiment features (AFINN scores, Pattern polarity and subjectivity) for the accurate tier.

A lexicon knows words the training tweets rarely used, and Pattern's subjectivity speaks to
the neutral-versus-opinion question the n-grams find hardest. The word lists travel inside
the model file (`Lexicon.to_arrays`), so scoring needs neither package nor download; training
reads them from the `afinn` and `textblob` packages (`Lexicon.from_packages`).
AFINN-165 (Finn Årup Nielsen, ODbL 1.0) and Pattern's en-sentiment.xml (CLiPS, BSD).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hubbub.errors import HubbubError

#: Feature names, in column order.
LEXICON_FEATURES = (
    "afinn_sum",
    "afinn_positive",
    "afinn_negative",
    "afinn_coverage",
    "pattern_polarity",
    "pattern_subjectivity",
    "pattern_polarity_max",
    "pattern_polarity_min",
)
# Runs on normalised (lower-cased) text; emoticons are AFINN entries too.
_TOKEN = re.compile(r"[\w']+|[:;=][-']?[()dDpP/\\|]")
# AFINN scores run -5..+5; dividing keeps the features on the scale of the n-gram part.
_AFINN_SCALE = 5.0


@dataclass(frozen=True)
class Lexicon:
    """word -> AFINN score, and word -> (Pattern polarity, Pattern subjectivity)."""

    afinn: Mapping[str, float]
    pattern: Mapping[str, tuple[float, float]]

    def features(self, docs: Sequence[str]) -> npt.NDArray[np.float32]:
        """One row of `LEXICON_FEATURES` per (normalised) document."""
        out = np.zeros((len(docs), len(LEXICON_FEATURES)), dtype=np.float32)
        afinn, pattern = self.afinn, self.pattern
        for row, doc in enumerate(docs):
            tokens = _TOKEN.findall(doc)
            scores = [afinn[t] for t in tokens if t in afinn]
            if scores:
                pos = sum(s for s in scores if s > 0)
                neg = sum(-s for s in scores if s < 0)
                out[row, 0] = (pos - neg) / _AFINN_SCALE
                out[row, 1] = pos / _AFINN_SCALE
                out[row, 2] = neg / _AFINN_SCALE
                out[row, 3] = len(scores) / len(tokens)
            polar = [pattern[t] for t in tokens if t in pattern]
            if polar:
                pols = [p for p, _ in polar]
                out[row, 4] = sum(pols) / len(pols)
                out[row, 5] = sum(s for _, s in polar) / len(polar)
                out[row, 6] = max(pols)
                out[row, 7] = min(pols)
        return out

    def to_arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """The word lists as plain arrays, for a model's .npz file (no pickling)."""
        pw = sorted(self.pattern)
        return {
            "afinn_words": np.array(sorted(self.afinn)),
            "afinn_scores": np.array([self.afinn[w] for w in sorted(self.afinn)], np.float32),
            "pattern_words": np.array(pw),
            "pattern_values": np.array([self.pattern[w] for w in pw], np.float32).reshape(-1, 2),
        }

    @classmethod
    def from_arrays(cls, data: Mapping[str, npt.NDArray[np.generic]]) -> Lexicon:
        values = data["pattern_values"]
        return cls(
            afinn={
                str(w): float(s)
                for w, s in zip(data["afinn_words"], data["afinn_scores"], strict=True)
            },
            pattern={
                str(w): (float(v[0]), float(v[1]))
                for w, v in zip(data["pattern_words"], values, strict=True)
            },
        )

    @classmethod
    def from_packages(cls) -> Lexicon:
        """Read AFINN-165 (+ emoticons) and Pattern's adjectives from the installed packages."""
        try:
            import afinn
            import textblob
        except ImportError:
            raise HubbubError(
                "training the accurate tier needs the afinn and textblob packages",
                "pip install -e '.[train]'",
            ) from None
        afinn_dir = Path(afinn.__file__).parent / "data"
        scores: dict[str, float] = {}
        for name in ("AFINN-en-165.txt", "AFINN-emoticon-8.txt"):
            for line in (afinn_dir / name).read_text(encoding="utf-8").splitlines():
                word, _, score = line.rpartition("\t")
                if word and " " not in word:  # phrases never match one token
                    scores[word] = float(score)
        senses: dict[str, list[tuple[float, float]]] = {}
        xml = Path(textblob.__file__).parent / "en" / "en-sentiment.xml"
        for node in ET.parse(xml).getroot():
            form = (node.get("form") or "").lower()
            if form:
                senses.setdefault(form, []).append(
                    (float(node.get("polarity", 0)), float(node.get("subjectivity", 0)))
                )
        # A word with several senses gets their mean: we do not know which sense a tweet means.
        pattern = {
            w: (sum(p for p, _ in v) / len(v), sum(s for _, s in v) / len(v))
            for w, v in senses.items()
        }
        return cls(scores, pattern)
