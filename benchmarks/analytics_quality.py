"""Quality of spike detection and forecasts on the real CrisisLex T26 volume series.

    python benchmarks/analytics_quality.py   # prints the two Markdown tables of the README

Onset = the first hour whose volume reaches 10% of the event's peak hour (where a person would
mark the start of the burst on the chart; the events' own descriptions only give a day).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hubbub.analytics.forecast import backtest
from hubbub.analytics.spikes import detect_spikes
from tests.realdata import crisislex_events, data_onset, hourly_counts

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    spikes, forecasts = [], []
    for name, development, stamps in crisislex_events(SHARED):
        starts, counts = hourly_counts(stamps)
        onset = data_onset(starts, counts)
        _, _, flagged = detect_spikes(np.array(counts))
        flags = [starts[i] for i in np.flatnonzero(flagged)]
        first = flags[0] if flags else None
        lag = f"{(first - onset).total_seconds() / 3600:+.0f} h" if first else "never"
        before = sum(1 for f in flags if f < onset)
        spikes.append(
            f"| {name} | {development} | {onset:%Y-%m-%d %H:00} | {first:%Y-%m-%d %H:00} | {lag} | {before} | {len(flags)} |"
        )
        bt = backtest(np.array(counts, dtype=float), horizon=24, season=24)
        forecasts.append((name, bt.mase, bt.naive_mase))
    print(
        "| event | kind | onset (UTC) | first flag | lag | false alarms before onset | flagged hours |"
    )
    print("|---|---|---|---|---:|---:|---:|")
    print("\n".join(spikes))
    print()
    wins = sum(1 for _, a, b in forecasts if a < b)
    print(
        f"Forecast backtest, hourly, 24 h horizon, 8 rolling origins: hubbub beats seasonal naive on {wins} of {len(forecasts)} series."
    )
    print()
    print("| series | hubbub MASE | seasonal naive MASE |")
    print("|---|---:|---:|")
    for name, a, b in forecasts:
        print(f"| {name} | {a:.3f} | {b:.3f} |")


if __name__ == "__main__":
    main()
