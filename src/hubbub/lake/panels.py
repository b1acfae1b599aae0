"""Volume, share of voice and sentiment panels over a Parquet lake, with DuckDB.

The same answers as `hubbub.analytics.metrics` over the DuckDB store (same columns, types,
order and definitions: DESIGN.md "Metric definitions"), found two ways:

- from the daily rollups (`lake.rollups`): a few thousand rows per day whatever the number of
  posts, so a year of a 100M-post lake is ~1M rows. They answer every panel bucketed by UTC day
  or week (or not bucketed) with whole-day date bounds;
- by scanning posts and matches, reading only the day partitions the date bounds allow
  (partition pruning): for hour buckets, other time zones or bounds inside a day.

`source="auto"` (the default) uses the rollups whenever they can answer. The lake holds no noise
scores, so lake panels count every post (the store's `include_noise=True`).

    panels = LakePanels("lake/")
    panels.volume(bucket="week")
    panels.share_of_voice(["nike", "adidas", "puma"])
    panels.sentiment(by_topic=True, topics=["nike"], since=datetime(2025, 3, 1, tzinfo=UTC))
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, Final, Literal

import duckdb
import pyarrow as pa

from hubbub.analytics.scope import check_bucket, check_timezone
from hubbub.errors import HubbubError
from hubbub.lake.layout import MARKER, matches_glob, posts_glob
from hubbub.lake.rollups import ENGAGEMENT, REACH, ROLLUP_SCHEMA, daily_dir, rollups_glob

Source = Literal["auto", "rollups", "scan"]
SOURCES: Final = ("auto", "rollups", "scan")
#: Buckets the daily rollups can answer (in UTC): a day or week bucket is a union of days.
ROLLUP_BUCKETS: Final = (None, "day", "week")
# Columns are matched by name and only those a panel uses are read, so files of other writers
# with more enrichment columns (the Spark job's) read fine. union_by_name would also allow
# files that lack a column a panel uses, but it reads every file's footer, even pruned ones
# (+0.3-0.5 s per scan at 100M posts).
_POST_READ: Final = "hive_partitioning = true, hive_types = {'platform': 'VARCHAR', 'day': 'DATE'}"
_MATCH_READ: Final = "hive_partitioning = true, hive_types = {'platform': 'VARCHAR', 'day': 'DATE'}"


def _net(pos: str, neg: str) -> str:
    return f"round(100.0 * ({pos} - {neg}) / nullif({pos} + {neg}, 0), 2)"


class LakePanels:
    """Dashboard panels over one lake (the rollups are read when it opens: `reload()` after a
    writer refreshes them)."""

    def __init__(self, lake: Path | str, *, threads: int = 2) -> None:
        self.lake = Path(lake)
        if not (self.lake / MARKER).exists():
            raise HubbubError(
                f"{self.lake} is not a hubbub lake (no {MARKER})",
                "pass the directory `hubbub generate` or `hubbub export lake` wrote",
            )
        self.con = duckdb.connect()
        self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute(
            f"CREATE VIEW lake_posts AS SELECT * FROM read_parquet('{posts_glob(self.lake)}', {_POST_READ})"
        )
        has_matches = any(self.lake.glob("matches/*/day=*/*.parquet"))
        self.con.execute(
            f"CREATE VIEW lake_matches AS SELECT * FROM read_parquet('{matches_glob(self.lake)}', {_MATCH_READ})"
            if has_matches
            else "CREATE VIEW lake_matches AS SELECT NULL::VARCHAR AS post_id,"
            " NULL::VARCHAR AS topic, NULL::DATE AS day WHERE false"
        )
        self.reload()

    def reload(self) -> None:
        """Load the rollups (again, after a writer refreshed them).

        They are held as one Arrow table sorted by topic, with where each topic's rows start,
        so a panel hands DuckDB only the rows of its topics (a group of ten out of a thousand
        topics is 1% of the rows): its cost follows the panel, not the lake's size."""
        if any(daily_dir(self.lake).glob("*.parquet")):
            table = self.con.sql(
                f"SELECT * FROM read_parquet('{rollups_glob(self.lake)}')"
                " ORDER BY topic NULLS FIRST, day, platform, sentiment"
            ).to_arrow_table()
        else:
            table = ROLLUP_SCHEMA.empty_table()
        self._rollups = table.cast(ROLLUP_SCHEMA).combine_chunks()
        topics = self._rollups.column("topic").to_pylist()
        self._slices: dict[str | None, tuple[int, int]] = {}
        start = 0
        for i in range(1, len(topics) + 1):
            if i == len(topics) or topics[i] != topics[start]:
                self._slices[topics[start]] = (start, i - start)
                start = i

    @property
    def rollup_rows(self) -> int:
        return int(self._rollups.num_rows)

    def _rollup_rows(self, topics: Sequence[str] | None) -> pa.Table:
        """None: the all-posts rows; empty: every topic's rows; else the rows of `topics`."""
        if topics is None:
            offset, length = self._slices.get(None, (0, 0))
            return self._rollups.slice(offset, length)
        if not topics:
            offset = self._slices.get(None, (0, 0))[1]
            return self._rollups.slice(offset)
        parts = [self._rollups.slice(*self._slices[t]) for t in topics if t in self._slices]
        return pa.concat_tables(parts) if parts else self._rollups.slice(0, 0)

    def _from_rollups(self, sql: str, params: list[Any], topics: Sequence[str] | None) -> pa.Table:
        self.con.register("rollups", self._rollup_rows(topics))
        try:
            return self._query(sql, params)
        finally:
            self.con.unregister("rollups")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> LakePanels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- choosing how to answer ------------------------------------------------------------------
    @staticmethod
    def answerable_from_rollups(
        bucket: str | None, tz: str, since: datetime | None, until: datetime | None
    ) -> bool:
        def whole_day(t: datetime | None) -> bool:
            return t is None or t.astimezone(UTC).timetz().replace(tzinfo=None) == time(0)

        utc = bucket is None or tz in ("UTC", "Etc/UTC")
        return bucket in ROLLUP_BUCKETS and utc and whole_day(since) and whole_day(until)

    def _use_rollups(
        self,
        source: str,
        bucket: str | None,
        tz: str,
        since: datetime | None,
        until: datetime | None,
    ) -> bool:
        if source not in SOURCES:
            raise HubbubError(f"unknown source {source!r}", "use auto, rollups or scan")
        if bucket is not None:
            check_bucket(bucket)
        check_timezone(tz)
        for name, t in (("since", since), ("until", until)):
            if t is not None and t.tzinfo is None:
                raise HubbubError(f"{name} has no time zone", "pass an aware datetime (UTC)")
        fits = self.answerable_from_rollups(bucket, tz, since, until)
        if source == "rollups" and not fits:
            raise HubbubError(
                "the daily rollups cannot answer this panel",
                "rollups answer day/week/no buckets in UTC with whole-day bounds; use source='scan'",
            )
        return source == "rollups" or (source == "auto" and fits)

    @staticmethod
    def _overlap(source: Source, topics: Sequence[str], by_topic: bool) -> Source:
        """Posts matching any of several topics count once: the rollups (per topic) cannot
        tell how many posts two topics share, so that panel is a scan."""
        if len(topics) < 2 or by_topic:
            return source
        if source == "rollups":
            raise HubbubError(
                "the daily rollups cannot count posts of several topics together",
                "use by_topic, one topic, or source='scan'",
            )
        return "scan"

    # -- SQL pieces --------------------------------------------------------------------------------
    @staticmethod
    def _rollup_where(
        since: datetime | None,
        until: datetime | None,
        platforms: Sequence[str],
    ) -> tuple[str, list[Any]]:
        clauses, params = ["TRUE"], list[Any]()
        if since is not None:
            clauses.append("r.day >= ?")
            params.append(since.astimezone(UTC).date())
        if until is not None:
            clauses.append("r.day < ?")
            params.append(until.astimezone(UTC).date())
        if platforms:
            clauses.append(f"r.platform IN ({', '.join('?' * len(platforms))})")
            params.extend(platforms)
        return " AND ".join(clauses), params

    @staticmethod
    def _scan_where(
        since: datetime | None,
        until: datetime | None,
        platforms: Sequence[str],
        topics: Sequence[str],
    ) -> tuple[str, list[Any]]:
        clauses, params = ["TRUE"], list[Any]()
        if since is not None:
            # The day bound prunes partitions; the timestamp bound is the exact filter.
            clauses.append("p.day >= ? AND p.created_at >= ?")
            params.extend([since.astimezone(UTC).date(), since])
        if until is not None:
            clauses.append("p.day <= ? AND p.created_at < ?")
            params.extend([until.astimezone(UTC).date(), until])
        if platforms:
            clauses.append(f"p.platform IN ({', '.join('?' * len(platforms))})")
            params.extend(platforms)
        if topics:
            clauses.append(
                f"p.id IN (SELECT post_id FROM lake_matches m WHERE m.topic IN"
                f" ({', '.join('?' * len(topics))}))"
            )
            params.extend(topics)
        return " AND ".join(clauses), params

    @staticmethod
    def _rollup_bucket(bucket: str | None) -> str:
        if bucket is None:
            return "NULL::TIMESTAMP"
        return f"time_bucket(INTERVAL '{check_bucket(bucket)}', r.day::TIMESTAMP)"

    @staticmethod
    def _scan_bucket(bucket: str | None, tz: str) -> tuple[str, list[Any]]:
        if bucket is None:
            return "NULL::TIMESTAMP", []
        return f"time_bucket(INTERVAL '{check_bucket(bucket)}', timezone(?, p.created_at))", [tz]

    def _query(self, sql: str, params: list[Any]) -> pa.Table:
        return self.con.sql(sql, params=params or None).to_arrow_table()

    @staticmethod
    def _topic_in(column: str, topics: Sequence[str]) -> tuple[str, list[Any]]:
        if not topics:
            return "TRUE", []
        return f"{column} IN ({', '.join('?' * len(topics))})", list(topics)

    def _rollup_topic_where(
        self,
        since: datetime | None,
        until: datetime | None,
        platforms: Sequence[str],
        topics: Sequence[str],
        by_topic: bool,
    ) -> tuple[str, list[Any]]:
        """The rollup rows of a panel: per topic (some or all) or the all-posts rows."""
        where, params = self._rollup_where(since, until, platforms)
        if not (by_topic or topics):
            return where + " AND r.topic IS NULL", params
        topic_sql, topic_params = self._topic_in("r.topic", topics)
        return f"{where} AND r.topic IS NOT NULL AND {topic_sql}", [*params, *topic_params]

    # -- panels ------------------------------------------------------------------------------------
    def volume(
        self,
        *,
        bucket: str | None = "day",
        tz: str = "UTC",
        by_topic: bool = False,
        topics: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        platforms: Sequence[str] = (),
        source: Source = "auto",
    ) -> pa.Table:
        """Posts, engagement and potential reach per bucket (and per topic with `by_topic`)."""
        source = self._overlap(source, topics, by_topic)
        if self._use_rollups(source, bucket, tz, since, until):
            where, params = self._rollup_topic_where(since, until, platforms, topics, by_topic)
            topic_col = "r.topic, " if by_topic else ""
            return self._from_rollups(
                f"""SELECT {self._rollup_bucket(bucket)} AS bucket, {topic_col}
                      sum(r.posts)::BIGINT AS posts, sum(r.engagement)::BIGINT AS engagement,
                      sum(r.potential_reach)::BIGINT AS potential_reach
                    FROM rollups r WHERE {where} GROUP BY ALL ORDER BY ALL""",
                params,
                list(topics) if (by_topic or topics) else None,
            )
        bucket_sql, bucket_params = self._scan_bucket(bucket, tz)
        where, params = self._scan_where(since, until, platforms, topics)
        if by_topic:
            topic_sql, topic_params = self._topic_in("m.topic", topics)
            return self._query(
                f"""SELECT {bucket_sql} AS bucket, m.topic, count(*) AS posts,
                      sum({ENGAGEMENT})::BIGINT AS engagement,
                      sum({REACH})::BIGINT AS potential_reach
                    FROM lake_posts p JOIN lake_matches m
                      ON m.post_id = p.id AND m.day = p.day AND ({topic_sql})
                    WHERE {where} GROUP BY ALL ORDER BY 1, 2""",
                [*bucket_params, *topic_params, *params],
            )
        return self._query(
            f"""SELECT {bucket_sql} AS bucket, count(*) AS posts,
                  sum({ENGAGEMENT})::BIGINT AS engagement, sum({REACH})::BIGINT AS potential_reach
                FROM lake_posts p WHERE {where} GROUP BY ALL ORDER BY 1""",
            [*bucket_params, *params],
        )

    def share_of_voice(
        self,
        topics: Sequence[str],
        *,
        bucket: str | None = None,
        tz: str = "UTC",
        since: datetime | None = None,
        until: datetime | None = None,
        platforms: Sequence[str] = (),
        source: Source = "auto",
    ) -> pa.Table:
        """Each of `topics` (a group's members): mentions and engagement, and their share (%)."""
        if not topics:
            raise HubbubError("no topics to compare", "pass the topics of a group")
        share = """SELECT bucket, topic, mentions,
                   round(100.0 * mentions / sum(mentions) OVER (PARTITION BY bucket), 2)
                     AS share_of_voice,
                   engagement,
                   round(100.0 * engagement / nullif(sum(engagement) OVER (PARTITION BY bucket), 0), 2)
                     AS share_of_engagement
                FROM per ORDER BY bucket, mentions DESC, topic"""
        topic_placeholders = ", ".join("?" * len(topics))
        if self._use_rollups(source, bucket, tz, since, until):
            where, params = self._rollup_where(since, until, platforms)
            return self._from_rollups(
                f"""WITH per AS (
                      SELECT {self._rollup_bucket(bucket)} AS bucket, r.topic,
                             sum(r.posts)::BIGINT AS mentions, sum(r.engagement)::BIGINT AS engagement
                      FROM rollups r WHERE {where} AND r.topic IN ({topic_placeholders})
                      GROUP BY ALL)
                    {share}""",
                [*params, *topics],
                list(topics),
            )
        bucket_sql, bucket_params = self._scan_bucket(bucket, tz)
        where, params = self._scan_where(since, until, platforms, ())
        return self._query(
            f"""WITH per AS (
                  SELECT {bucket_sql} AS bucket, m.topic, count(*) AS mentions,
                         sum({ENGAGEMENT})::BIGINT AS engagement
                  FROM lake_posts p JOIN lake_matches m ON m.post_id = p.id AND m.day = p.day
                  WHERE {where} AND m.topic IN ({topic_placeholders}) GROUP BY ALL)
                {share}""",
            [*bucket_params, *params, *topics],
        )

    def sentiment(
        self,
        *,
        bucket: str | None = "day",
        tz: str = "UTC",
        by_topic: bool = False,
        topics: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        platforms: Sequence[str] = (),
        source: Source = "auto",
    ) -> pa.Table:
        """Positive, neutral, negative and unlabelled counts and net sentiment per bucket."""
        source = self._overlap(source, topics, by_topic)
        if self._use_rollups(source, bucket, tz, since, until):
            where, params = self._rollup_topic_where(since, until, platforms, topics, by_topic)
            label = {
                s: f"coalesce(sum(r.posts) FILTER (r.sentiment {c}), 0)::BIGINT"
                for s, c in [
                    ("positive", "= 'positive'"),
                    ("neutral", "= 'neutral'"),
                    ("negative", "= 'negative'"),
                    ("unlabelled", "IS NULL"),
                ]
            }
            topic_col = "r.topic, " if by_topic else ""
            return self._from_rollups(
                f"""SELECT {self._rollup_bucket(bucket)} AS bucket, {topic_col}
                      {label["positive"]} AS positive, {label["neutral"]} AS neutral,
                      {label["negative"]} AS negative, {label["unlabelled"]} AS unlabelled,
                      {_net(label["positive"], label["negative"])} AS net_sentiment
                    FROM rollups r WHERE {where} GROUP BY ALL ORDER BY ALL""",
                params,
                list(topics) if (by_topic or topics) else None,
            )
        bucket_sql, bucket_params = self._scan_bucket(bucket, tz)
        where, params = self._scan_where(since, until, platforms, () if by_topic else topics)
        join, topic_col, topic_params = "", "", list[Any]()
        if by_topic:
            topic_sql, topic_params = self._topic_in("m.topic", topics)
            join = f"JOIN lake_matches m ON m.post_id = p.id AND m.day = p.day AND ({topic_sql})"
            topic_col = "m.topic, "
        pos, neg = (
            "count(*) FILTER (p.sentiment = 'positive')",
            "count(*) FILTER (p.sentiment = 'negative')",
        )
        return self._query(
            f"""SELECT {bucket_sql} AS bucket, {topic_col}
                  {pos} AS positive, count(*) FILTER (p.sentiment = 'neutral') AS neutral,
                  {neg} AS negative, count(*) FILTER (p.sentiment IS NULL) AS unlabelled,
                  {_net(pos, neg)} AS net_sentiment
                FROM lake_posts p {join} WHERE {where} GROUP BY ALL ORDER BY ALL""",
            [*bucket_params, *topic_params, *params],
        )
