"""Train the spam model shipped in src/hubbub/noise/spam_model.npz. Reproducible (fixed seed).

    python training/train_spam.py [--shared ../shared/data] [--eval-only]

Data: the YouTube Spam Collection (UCI, CC BY 4.0). Trained on the Psy, Katy Perry and LMFAO
videos; Eminem is held out and reported here against a keyword baseline.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hubbub.noise.spam import MODEL_PATH, features  # noqa: E402

TRAIN = ["Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv"]
TEST = ["Youtube04-Eminem.csv"]
KEYWORDS = (
    "check out",
    "subscribe",
    "my channel",
    "http",
    "www",
    ".com",
    "free",
    "visit",
    "follow me",
    "click",
)


def load(folder: Path, names: list[str]) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for name in names:
        with (folder / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                texts.append(row["CONTENT"])
                labels.append(int(row["CLASS"]))
    return texts, np.array(labels)


def keyword_baseline(texts: list[str]) -> np.ndarray:
    return np.array([int(any(k in t.lower() for k in KEYWORDS)) for t in texts])


def scores(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    tp = int(((predicted == 1) & (truth == 1)).sum())
    precision = tp / max(int((predicted == 1).sum()), 1)
    recall = tp / max(int((truth == 1).sum()), 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--eval-only", action="store_true")
    args = parser.parse_args()
    folder = args.shared / "corpus" / "youtube_spam_collection"
    train_texts, train_y = load(folder, TRAIN)
    test_texts, test_y = load(folder, TEST)
    if not args.eval_only:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=10.0, max_iter=2000, random_state=0)
        model.fit(features(train_texts), train_y)
        np.savez_compressed(
            MODEL_PATH, coef=model.coef_[0].astype(np.float32), intercept=model.intercept_[0]
        )
        print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size / 1e6:.1f} MB)")
    from hubbub.noise.spam import _weights, spam_probability

    _weights.cache_clear()
    ours = (spam_probability(test_texts) >= 0.5).astype(int)
    base = keyword_baseline(test_texts)
    print("held-out video: Eminem,", len(test_texts), "comments")
    for name, predicted in (("hubbub spam model", ours), ("keyword baseline", base)):
        p, r, f = scores(test_y, predicted)
        print(f"{name:<20} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")


if __name__ == "__main__":
    main()
