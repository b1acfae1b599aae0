"""Complaint reasons on the airline corpus's `negativereason` labels: a model trained on 80% of the
labelled complaints (seeded split) against a keyword classifier, both scored on the other 20%.

    python benchmarks/complaint_reasons.py [--seed 0]

Also prints how the support queue's intents line up with the corpus's human sentiment labels.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hubbub
from hubbub.enrich.sentiment import classify
from hubbub.teams.intent import classify_intents
from tests.realdata import AIRLINE_REASON_FALLBACK, AIRLINE_REASON_KEYWORDS

CSV = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "corpus"
    / "twitter_us_airline_sentiment"
    / "Tweets_part_shared.csv"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, hubbub.open(Path(tmp) / "r.duckdb") as hb:
        started = time.perf_counter()
        metrics = hb.support.train_reasons(
            CSV,
            text_col="text",
            label_col="negativereason",
            keywords=AIRLINE_REASON_KEYWORDS,
            keyword_fallback=AIRLINE_REASON_FALLBACK,
            seed=args.seed,
        )
        elapsed = time.perf_counter() - started
    model, base = metrics["model"], metrics["keyword_baseline"]
    print(
        f"{metrics['rows']:,} labelled complaints: trained on {metrics['train']:,}, "
        f"scored on {metrics['held_out']:,} (seed {args.seed}); train+score+refit {elapsed:.1f} s"
    )
    print(f"{'':28} {'model':>8} {'keywords':>9}")
    print(f"{'macro-F1':28} {model['macro_f1']:8.3f} {base['macro_f1']:9.3f}")
    print(f"{'accuracy':28} {model['accuracy']:8.3f} {base['accuracy']:9.3f}")
    for label in sorted(model["per_label"]):
        print(f"  {label:26} {model['per_label'][label]:8.3f} {base['per_label'][label]:9.3f}")

    with CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["text"] for r in rows]
    intents = classify_intents(texts, classify(texts, "fast")[0])
    print("\nintent by human sentiment label (fast-tier sentiment + rules):")
    for label in ("negative", "neutral", "positive"):
        got = Counter(
            i for i, r in zip(intents, rows, strict=True) if r["airline_sentiment"] == label
        )
        total = sum(got.values())
        shares = ", ".join(f"{k} {v / total:.0%}" for k, v in got.most_common())
        print(f"  {label:9} ({total:,}): {shares}")


if __name__ == "__main__":
    main()
