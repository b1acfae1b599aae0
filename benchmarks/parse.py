"""Platform parse throughput: each platform's mapping against plain `orjson.loads` of the same lines.

    python benchmarks/parse.py [--seconds 1.0]

Input: the real recorded payloads in ../shared/data/formats, split into raw values the way the
importer sees them (one NDJSON line per API page / stream event / array element; cassettes are
unwrapped to their response bodies) and serialised back to JSON lines.
- `loads`: orjson.loads of every line, the floor any JSON import pays.
- `parse`: orjson.loads + the platform's `parse` (raw -> Post records).
- `+normalize`: also the pipeline's per-record checks and conversions (normalize_record).
Ratios are times relative to `loads` on the same lines (1.0x would be free mapping).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hubbub.model import Rejected
from hubbub.normalize import normalize_record
from hubbub.sources.base import PlatformFormat
from hubbub.sources.registry import FORMATS, sniff_format
from tests.sources.helpers import PAYLOAD_SUFFIXES, BadLine, raw_values

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DOCUMENTED = Path(__file__).resolve().parents[1] / "tests" / "sources" / "fixtures"


def platform_lines(formats_root: Path) -> dict[str, list[bytes]]:
    """Raw values per format name, as JSON lines, for the formats sniffed in the real data."""
    lines: dict[str, list[bytes]] = {}
    for path in sorted(formats_root.rglob("*")):
        if path.suffix not in PAYLOAD_SUFFIXES:
            continue
        for raw in raw_values(path):
            if isinstance(raw, BadLine):
                continue
            fmt = sniff_format(raw)
            if fmt is not None:
                lines.setdefault(fmt.name, []).append(orjson.dumps(raw))
    for name in ("tiktok_research_api.json", "linkedin_community_api.json"):
        # Hand-written from the documentation (no recordings exist): indicative only.
        for raw in orjson.loads((DOCUMENTED / name).read_bytes()).values():
            fmt = sniff_format(raw)
            if fmt is not None:
                lines.setdefault(fmt.name, []).append(orjson.dumps(raw))
    return lines


def timed(work: Callable[[], int], seconds: float) -> tuple[float, int]:
    """Seconds per pass (best of repeated passes within the budget) and the pass's result."""
    best, result, spent = float("inf"), 0, 0.0
    while spent < seconds or best == float("inf"):
        start = time.perf_counter()
        result = work()
        took = time.perf_counter() - start
        best, spent = min(best, took), spent + took
    return best, result


def loads(lines: list[bytes]) -> int:
    for line in lines:
        orjson.loads(line)
    return len(lines)


def parse(fmt: PlatformFormat, lines: list[bytes]) -> int:
    count = 0
    for line in lines:
        for item in fmt.parse(orjson.loads(line)):
            count += not isinstance(item, Rejected)
    return count


def parse_normalize(fmt: PlatformFormat, lines: list[bytes], collected: datetime) -> int:
    count = 0
    for line in lines:
        for item in fmt.parse(orjson.loads(line)):
            if isinstance(item, Rejected):
                continue
            post = normalize_record(
                item, collected_at=collected, mapping_version=fmt.mapping_version, raw_ref=None
            )
            count += not isinstance(post, Rejected)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time budget per measurement")
    args = parser.parse_args()
    collected = datetime.now(UTC)
    lines_by_format = platform_lines(SHARED / "formats")

    header = f"{'format':<11} {'lines':>6} {'posts':>6} {'loads/s':>10} {'posts/s':>10}"
    header += f" {'ratio':>6} {'+normalize posts/s':>19} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for name, lines in sorted(lines_by_format.items()):
        fmt = FORMATS[name]
        base, _ = timed(partial(loads, lines), args.seconds)
        mapped, posts = timed(partial(parse, fmt, lines), args.seconds)
        full, _ = timed(partial(parse_normalize, fmt, lines, collected), args.seconds)
        if posts == 0:
            continue
        print(
            f"{name:<11} {len(lines):>6} {posts:>6} {len(lines) / base:>10,.0f}"
            f" {posts / mapped:>10,.0f} {mapped / base:>5.1f}x"
            f" {posts / full:>19,.0f} {full / base:>5.1f}x"
        )
    print(
        "\nposts/s = Post records produced per second; ratio = time / time of orjson.loads alone."
    )


if __name__ == "__main__":
    main()
