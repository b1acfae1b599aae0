"""Readers for the labelled sentiment data hubbub trains and evaluates on (layouts of shared/data).

The VADER ground truth rates sentences from -4 to +4; a mean score above +0.5 is positive,
below -0.5 negative, anything between neutral (`VADER_GT_THRESHOLD`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

VADER_GT_THRESHOLD: Final = 0.5


def load_tweeteval(data: Path, task: str, split: str) -> tuple[list[str], list[str]]:
    """TweetEval `{split}_text.txt` + `{split}_labels.txt`, labels named by `mapping.txt`."""
    folder = data / "tweeteval" / task
    return read_tweeteval_pair(folder / f"{split}_text.txt", folder / f"{split}_labels.txt")


def read_tweeteval_pair(text_file: Path, label_file: Path) -> tuple[list[str], list[str]]:
    """One text per line and one integer label per line, named through the sibling mapping.txt."""
    names: dict[str, str] = {}
    mapping = label_file.parent / "mapping.txt"
    if mapping.exists():
        for line in mapping.read_text(encoding="utf-8").splitlines():
            if line.strip():
                idx, name = line.split("\t")[:2]
                names[idx.strip()] = name.strip()
    texts = text_file.read_text(encoding="utf-8").splitlines()
    raw = [x.strip() for x in label_file.read_text(encoding="utf-8").splitlines() if x.strip()]
    return texts[: len(raw)], [names.get(x, x) for x in raw]


def load_semeval_pool(data: Path) -> list[tuple[str, str]]:
    """(text, label) over every file of the SemEval 2013-2016 pool, in file-name order."""
    rows: list[tuple[str, str]] = []
    for path in sorted((data / "semeval2017_task4A_trainpool").glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3:
                rows.append(("\t".join(parts[2:]), parts[1].strip()))
    return rows


def vader_label(score: float) -> str:
    """The label of a VADER ground-truth mean rating (documented threshold +-0.5)."""
    if score > VADER_GT_THRESHOLD:
        return "positive"
    if score < -VADER_GT_THRESHOLD:
        return "negative"
    return "neutral"


def read_vader_file(path: Path) -> list[tuple[str, str]]:
    """(text, label) from one `*_GroundTruth.txt` file: id TAB mean score TAB sentence."""
    rows: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            rows.append(("\t".join(parts[2:]).strip(), vader_label(float(parts[1]))))
    return rows


def load_vader_groundtruth(data: Path) -> list[tuple[str, str]]:
    """(text, label) over every VADER `*_GroundTruth.txt` file in shared/data."""
    rows: list[tuple[str, str]] = []
    for path in sorted((data / "vader_groundtruth").glob("*_GroundTruth.txt")):
        rows.extend(read_vader_file(path))
    return rows
