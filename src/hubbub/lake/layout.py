"""Where things live in a hubbub Parquet lake.

One layout for every writer (``hubbub export lake``, the Spark job, the benchmark generator) and
every reader (``hubbub import lake``, DuckDB analytics, Spark SQL)::

    LAKE/
      _hubbub_lake.json                      layout version, written first
      posts/platform=P/day=YYYY-MM-DD/*.parquet
      matches/platform=P/day=YYYY-MM-DD/*.parquet   post_id, topic, matched_at
      rollups/daily/*.parquet                pre-aggregated panel counts (see lake.rollups)
      quarantine/run=RUN/*.parquet           records a Spark run rejected: file, line, reason,
                                             hint, the raw bytes (see spark.stages)

Partition values live in the directory names only (Hive style), as Spark's ``partitionBy`` writes
them, so a file never repeats a partition column: post files hold every Post field but
``platform``, plus the enrichment columns. ``day`` is the UTC date of ``created_at``; for matches
it is the day (and platform) of the matched post, so a partition's posts and matches prune,
and are replaced, together: a writer that rewrites one platform's day never touches another
platform's matches of that day.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

LAYOUT_VERSION: Final = 1
MARKER: Final = "_hubbub_lake.json"
POSTS: Final = "posts"
MATCHES: Final = "matches"
ROLLUPS: Final = "rollups"
QUARANTINE: Final = "quarantine"
#: Partition columns, outermost first.
POST_PARTITIONS: Final = ("platform", "day")
MATCH_PARTITIONS: Final = ("platform", "day")
#: Enrichment columns a lake post file carries after the Post fields.
ENRICHMENT_COLUMNS: Final = ("sentiment", "sentiment_score", "sentiment_model")


def posts_glob(lake: Path | str) -> str:
    """A glob DuckDB's read_parquet(..., hive_partitioning = true) reads all posts with."""
    return f"{str(lake).rstrip('/')}/{POSTS}/*/*/*.parquet"


def matches_glob(lake: Path | str) -> str:
    return f"{str(lake).rstrip('/')}/{MATCHES}/*/*/*.parquet"
