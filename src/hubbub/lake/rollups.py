"""Daily rollups: pre-aggregated counts the lake panels answer from instead of scanning posts.

One row per (day, platform, topic, sentiment) with posts, engagement, potential reach and the sum
of sentiment scores. `topic` NULL is the row for all posts of that day (matched or not); a topic's
rows count the posts that matched it. `sentiment` NULL counts unlabelled posts. Each UTC day is one
file, ``rollups/daily/YYYY-MM-DD.parquet``, so a writer that adds posts to some days recomputes
exactly those files with `refresh(lake, days)` (written to a temporary name, then renamed: a reader
never sees half a file). The generator writes them as it writes posts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Final

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hubbub.errors import HubbubError
from hubbub.lake.layout import MARKER, MATCHES, POSTS, ROLLUPS, matches_glob, posts_glob

DAILY: Final = "daily"
ROLLUP_SCHEMA: Final = pa.schema(
    [
        pa.field("day", pa.date32(), nullable=False),
        pa.field("platform", pa.string(), nullable=False),
        pa.field("topic", pa.string()),  # NULL: every post of the day
        pa.field("sentiment", pa.string()),  # NULL: unlabelled
        pa.field("posts", pa.int64(), nullable=False),
        pa.field("engagement", pa.int64(), nullable=False),
        pa.field("potential_reach", pa.int64(), nullable=False),
        pa.field("sentiment_score_sum", pa.float64(), nullable=False),
    ]
)
# The store's definitions (analytics.scope / analytics.metrics), over a post relation `p`.
ENGAGEMENT: Final = (
    "(coalesce(p.likes, 0) + coalesce(p.replies, 0) + coalesce(p.reposts, 0)"
    " + coalesce(p.quotes, 0))"
)
REACH: Final = "coalesce(p.author_followers, 0)"


def aggregate_sql(posts: str, matches: str) -> str:
    """The rollup rows of relation `posts` (with `day`, `platform`) and `matches` (post_id, topic)."""
    measures = f"""count(*)::BIGINT AS posts, coalesce(sum({ENGAGEMENT}), 0)::BIGINT AS engagement,
        coalesce(sum({REACH}), 0)::BIGINT AS potential_reach,
        coalesce(sum(p.sentiment_score), 0)::DOUBLE AS sentiment_score_sum"""
    return f"""
        SELECT p.day::DATE AS day, p.platform, NULL::VARCHAR AS topic, p.sentiment, {measures}
        FROM {posts} p GROUP BY ALL
        UNION ALL
        SELECT p.day::DATE AS day, p.platform, m.topic, p.sentiment, {measures}
        FROM {posts} p JOIN {matches} m ON m.post_id = p.id GROUP BY ALL"""


def daily_dir(lake: Path | str) -> Path:
    return Path(lake) / ROLLUPS / DAILY


def rollups_glob(lake: Path | str) -> str:
    return f"{daily_dir(lake)}/*.parquet"


def write_day(lake: Path | str, day: date, rows: pa.Table) -> Path:
    """Replace one day's rollup file atomically (rows sorted, so equal data is equal bytes)."""
    folder = daily_dir(lake)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day.isoformat()}.parquet"
    ordered = rows.cast(ROLLUP_SCHEMA).sort_by(
        [("platform", "ascending"), ("topic", "ascending"), ("sentiment", "ascending")]
    )
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(ordered, tmp, compression="zstd")
    tmp.replace(path)
    return path


def write_all(lake: Path | str, rows: pa.Table) -> int:
    """Write rollup rows of many days (summing rows of the same key), one file per day."""
    con = duckdb.connect()
    try:
        con.register("_rows", rows)
        summed = con.sql(
            """SELECT day, platform, topic, sentiment, sum(posts)::BIGINT AS posts,
                      sum(engagement)::BIGINT AS engagement,
                      sum(potential_reach)::BIGINT AS potential_reach,
                      sum(sentiment_score_sum)::DOUBLE AS sentiment_score_sum
               FROM _rows GROUP BY ALL ORDER BY day"""
        ).to_arrow_table()
    finally:
        con.close()
    days = summed.column("day").unique().to_pylist()
    for day in days:
        write_day(lake, day, summed.filter(pc.equal(summed["day"], pa.scalar(day))))
    return len(days)


def _partition_days(lake: Path) -> list[date]:
    found: set[date] = set()
    for folder in (lake / POSTS).glob("platform=*/day=*"):
        found.add(date.fromisoformat(folder.name.removeprefix("day=")))
    return sorted(found)


def refresh(lake: Path | str, days: Iterable[date | str] | None = None) -> int:
    """Recompute the rollups of `days` (default: every day with posts) from posts and matches.

    Reads only those day partitions. A day without posts any more loses its rollup file.
    Returns the number of days rewritten."""
    lake = Path(lake)
    if not (lake / MARKER).exists():
        raise HubbubError(f"{lake} is not a hubbub lake (no {MARKER})", "check the --lake path")
    wanted = (
        _partition_days(lake)
        if days is None
        else sorted({d if isinstance(d, date) else date.fromisoformat(d) for d in days})
    )
    if not wanted:
        return 0
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        have_matches = any((lake / MATCHES).glob("*/day=*/*.parquet"))
        day_list = ", ".join(f"DATE '{d.isoformat()}'" for d in wanted)
        con.execute(
            f"""CREATE TEMP VIEW p AS SELECT * FROM read_parquet('{posts_glob(lake)}',
                  hive_partitioning = true,
                  hive_types = {{'platform': 'VARCHAR', 'day': 'DATE'}})
                WHERE day IN ({day_list})"""
        )
        if have_matches:
            con.execute(
                f"""CREATE TEMP VIEW m AS SELECT post_id, topic FROM read_parquet(
                      '{matches_glob(lake)}', hive_partitioning = true,
                      hive_types = {{'day': 'DATE'}}) WHERE day IN ({day_list})"""
            )
        else:
            con.execute(
                "CREATE TEMP VIEW m AS SELECT NULL::VARCHAR AS post_id, NULL::VARCHAR AS topic WHERE false"
            )
        rows = con.sql(aggregate_sql("p", "m")).to_arrow_table()
    finally:
        con.close()
    present = set(rows.column("day").to_pylist()) if rows.num_rows else set()
    for day in wanted:
        if day in present:
            write_day(lake, day, rows.filter(pc.equal(rows["day"], pa.scalar(day))))
        else:
            (daily_dir(lake) / f"{day.isoformat()}.parquet").unlink(missing_ok=True)
    return len(wanted)
