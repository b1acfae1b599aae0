"""Labelled files for `hubbub eval sentiment`: CSV/TSV, a TweetEval text+labels pair, VADER .txt.

- CSV / TSV with a header row: `--text-col` and `--label-col` name the columns.
- TweetEval: give `*_text.txt`; the labels come from the sibling `*_labels.txt`, their names
  from `mapping.txt` (0 negative, 1 neutral, 2 positive).
- VADER ground truth (`*_GroundTruth.txt`, id TAB mean rating TAB sentence): the mean rating
  maps to a label with the +-0.5 threshold of `datasets.vader_label`.
Labels may be names (any case) or -1/0/1.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Final

from hubbub.enrich.datasets import read_tweeteval_pair, read_vader_file
from hubbub.errors import HubbubError

FORMATS: Final = ("auto", "csv", "tsv", "tweeteval", "vader")
_ALIASES: Final = {
    "-1": "negative",
    "0": "neutral",
    "1": "positive",
    "neg": "negative",
    "pos": "positive",
}


def detect_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith("_groundtruth.txt"):
        return "vader"
    if name.endswith("_text.txt"):
        return "tweeteval"
    return "tsv" if name.endswith((".tsv", ".tab")) else "csv"


def read_labelled(
    path: Path, fmt: str = "auto", text_col: str = "text", label_col: str = "label"
) -> tuple[list[str], list[str]]:
    """(texts, gold labels) from a labelled file."""
    if not path.exists():
        raise HubbubError(f"no such file: {path}", "give the path of a labelled file")
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "vader":
        rows = read_vader_file(path)
        return [t for t, _ in rows], [lab for _, lab in rows]
    if fmt == "tweeteval":
        labels = path.with_name(path.name.replace("_text.txt", "_labels.txt"))
        if not labels.exists():
            raise HubbubError(
                f"no labels file {labels.name} next to {path.name}", "TweetEval ships both"
            )
        texts, gold = read_tweeteval_pair(path, labels)
    elif fmt in ("csv", "tsv"):
        texts, gold = _read_table(path, "\t" if fmt == "tsv" else ",", text_col, label_col)
    else:
        raise HubbubError(f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    return texts, [_ALIASES.get(g.strip().lower(), g.strip().lower()) for g in gold]


def _read_table(
    path: Path, delimiter: str, text_col: str, label_col: str
) -> tuple[list[str], list[str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        fields = reader.fieldnames or []
        for col in (text_col, label_col):
            if col not in fields:
                raise HubbubError(
                    f"{path.name} has no column {col!r}",
                    f"columns are: {', '.join(fields)}; use --text-col / --label-col",
                )
        rows = [(r[text_col] or "", r[label_col] or "") for r in reader]
    return [t for t, _ in rows], [lab for _, lab in rows]
