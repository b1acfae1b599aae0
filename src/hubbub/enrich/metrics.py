"""Classification figures the way the sentiment literature reports them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    """Accuracy, macro-averaged recall and F1, and the confusion matrix (rows = gold)."""

    labels: tuple[str, ...]
    accuracy: float
    macro_recall: float
    macro_f1: float
    confusion: tuple[tuple[int, ...], ...]
    n: int

    def table(self) -> str:
        """The confusion matrix as aligned text (rows gold, columns predicted)."""
        width = max(8, *(len(x) for x in self.labels)) + 1
        head = "gold \\ pred".ljust(width + 3) + "".join(x.rjust(width) for x in self.labels)
        rows = [
            gold.ljust(width + 3) + "".join(str(c).rjust(width) for c in counts)
            for gold, counts in zip(self.labels, self.confusion, strict=True)
        ]
        return "\n".join([head, *rows])


def score(gold: Sequence[str], predicted: Sequence[str | None], labels: Sequence[str]) -> Scores:
    """Scores over all items; a missing prediction (None) counts as wrong."""
    index = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    matrix = [[0] * k for _ in range(k)]
    missed = [0] * k
    for g, p in zip(gold, predicted, strict=True):
        if p in index:
            matrix[index[g]][index[p]] += 1
        else:
            missed[index[g]] += 1
    n = len(gold)
    recalls, f1s = [], []
    for i in range(k):
        tp = matrix[i][i]
        support = sum(matrix[i]) + missed[i]
        predicted_i = sum(row[i] for row in matrix)
        recall = tp / support if support else 0.0
        precision = tp / predicted_i if predicted_i else 0.0
        recalls.append(recall)
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    correct = sum(matrix[i][i] for i in range(k))
    return Scores(
        labels=tuple(labels),
        accuracy=correct / n if n else 0.0,
        macro_recall=sum(recalls) / k,
        macro_f1=sum(f1s) / k,
        confusion=tuple(tuple(row) for row in matrix),
        n=n,
    )
