"""The Python API. Every method has a CLI command of the same name (sqlite-utils style).

import hubbub
hb = hubbub.open("hubbub.duckdb")
report = hb.import_files(["posts.ndjson"])
print(report.new, hb.status().posts)
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa

from hubbub.errors import HubbubError
from hubbub.importer import Importer, ImportOptions, ImportReport, ProgressCallback
from hubbub.landing import Landing, landing_dir_for
from hubbub.model import Rejected
from hubbub.pipeline import ParseSettings, parse_record_chunk
from hubbub.store import Store

if TYPE_CHECKING:
    from hubbub.alerts.facade import Alerts, Digests
    from hubbub.analytics.facade import Stats
    from hubbub.teams import Creative, Owned, Support


@dataclass
class PlatformCount:
    platform: str
    posts: int
    first: datetime | None
    last: datetime | None


@dataclass
class Status:
    """`hubbub status`: what the database holds."""

    db: str
    schema_version: int
    posts: int
    first: datetime | None
    last: datetime | None
    platforms: list[PlatformCount] = field(default_factory=list)
    topics: int = 0
    matches: int = 0
    quarantined: int = 0
    last_import: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RetryReport:
    retried: int = 0
    resolved: int = 0
    still_rejected: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Hubbub:
    """A hubbub database and its landing zone."""

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        *,
        landing: str | os.PathLike[str] | None = None,
    ) -> None:
        self.store = Store(db)
        self.landing = Landing(landing if landing is not None else landing_dir_for(self.store.path))

    # The feature groups load on first use: importing their modules cost a fresh `hubbub import`
    # a quarter of a second before its first chunk.
    @functools.cached_property
    def stats(self) -> Stats:
        """Analytics: hb.stats.volume(), .share_of_voice(group), .sentiment(), .top(), .spikes()"""
        from hubbub.analytics.facade import Stats

        return Stats(self.store)

    @functools.cached_property
    def owned(self) -> Owned:
        """Owned accounts (a team feature)."""
        from hubbub.teams import Owned

        return Owned(self.store)

    @functools.cached_property
    def creative(self) -> Creative:
        """Creative tests (a team feature)."""
        from hubbub.teams import Creative

        return Creative(self.store)

    @functools.cached_property
    def support(self) -> Support:
        """The support queue (a team feature)."""
        from hubbub.teams import Support

        return Support(self.store)

    @functools.cached_property
    def alerts(self) -> Alerts:
        """Alert rules and their events: hb.alerts.add(), .list(), .run(), .events()"""
        from hubbub.alerts.facade import Alerts

        return Alerts(self.store)

    @functools.cached_property
    def digests(self) -> Digests:
        """Scheduled digest e-mails: hb.digests.add(), .list(), .run()"""
        from hubbub.alerts.facade import Digests

        return Digests(self.store)

    # -- import ------------------------------------------------------------------------------------
    def import_files(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        format: str = "auto",
        mapping: Mapping[str, str] | None = None,
        platform: str | None = None,
        max_record_bytes: int | None = None,
        progress: ProgressCallback | None = None,
        enrich: bool = True,
        embed: bool = False,
    ) -> ImportReport:
        """Import files (NDJSON/JSON/CSV/Parquet, plain, .gz or .zst). Idempotent and resumable.

        `embed=True` also caches the static embedding of every post that lacks one (for
        `similar`); off by default, as it costs about as much as the default enrichers."""
        options = ImportOptions(
            format=format,
            mapping=dict(mapping or {}),
            platform=platform,
            enrich=enrich,
            **({"max_record_bytes": max_record_bytes} if max_record_bytes is not None else {}),
        )
        from hubbub.topics import TopicHook

        hooks = [TopicHook(self.store)]  # match the stored topics as posts arrive
        report = Importer(self.store, self.landing, hooks).run(
            [Path(p) for p in paths], options, progress
        )
        if embed and report.new:
            from hubbub.enrich.embedding_cache import embed_stored

            embed_stored(self.store)
        if report.new or report.updated:
            from hubbub.alerts.engine import after_import

            after_import(self.store)  # alert rules see the new posts (no rules: no cost)
        return report

    # -- reading -------------------------------------------------------------------------------------
    def posts(self, limit: int = 20, offset: int = 0) -> pa.Table:
        """The newest posts first."""
        return self.store.query(
            "SELECT * FROM posts ORDER BY created_at DESC, id LIMIT ? OFFSET ?", [limit, offset]
        )

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run any DuckDB SQL over the store (tables: posts, snapshots, matches, topics, ...)."""
        return self.store.query(query, params)

    def status(self) -> Status:
        con = self.store.con
        total = self.store.one("SELECT count(*), min(created_at), max(created_at) FROM posts")
        assert total is not None
        platforms = [
            PlatformCount(*row)
            for row in con.execute(
                "SELECT platform, count(*), min(created_at), max(created_at) FROM posts"
                " GROUP BY platform ORDER BY count(*) DESC, platform"
            ).fetchall()
        ]
        last = self.store.one(
            "SELECT import_id, started_at, finished_at, status, files, read, new, updated,"
            " duplicate, rejected FROM imports ORDER BY import_id DESC LIMIT 1"
        )
        last_import = None
        if last is not None:
            keys = (
                "import_id",
                "started_at",
                "finished_at",
                "status",
                "files",
                "read",
                "new",
                "updated",
                "duplicate",
                "rejected",
            )
            last_import = dict(zip(keys, last, strict=True))

        def count(sql: str) -> int:
            row = self.store.one(sql)
            return int(row[0]) if row else 0

        return Status(
            db=self.store.path,
            schema_version=self.store.schema_version(),
            posts=int(total[0]),
            first=total[1],
            last=total[2],
            platforms=platforms,
            topics=count("SELECT count(*) FROM topics"),
            matches=count("SELECT count(*) FROM matches"),
            quarantined=count("SELECT count(*) FROM quarantine WHERE status = 'open'"),
            last_import=last_import,
        )

    # -- quarantine ------------------------------------------------------------------------------------
    def quarantine_list(self, limit: int = 50, status: str | None = "open") -> pa.Table:
        where = "WHERE status = ?" if status else ""
        params: list[Any] = [status] if status else []
        return self.store.query(
            "SELECT qid, file, line, reason, hint, status, quarantined_at, raw_ref FROM quarantine "
            f"{where} ORDER BY qid LIMIT ?",
            [*params, limit],
        )

    def quarantine_show(self, qid: int) -> dict[str, Any]:
        table = self.store.query("SELECT * FROM quarantine WHERE qid = ?", [qid])
        if table.num_rows == 0:
            raise HubbubError(f"no quarantined record {qid}", "see `hubbub quarantine list`")
        row: dict[str, Any] = table.to_pylist()[0]
        return row

    def quarantine_retry(
        self,
        qids: Sequence[int] | None = None,
        *,
        mapping: Mapping[str, str] | None = None,
        platform: str | None = None,
        format: str | None = None,
    ) -> RetryReport:
        """Parse quarantined records again (after a mapping fix); those that pass are imported."""
        where = "status = 'open'" + (
            f" AND qid IN ({','.join(str(int(q)) for q in qids)})" if qids else ""
        )
        rows = self.store.query(f"SELECT * FROM quarantine WHERE {where} ORDER BY qid").to_pylist()
        report = RetryReport()
        now = datetime.now(UTC)
        for row in rows:
            report.retried += 1
            options = orjson.loads(row["options"]) if row["options"] else {}
            settings = _retry_settings(options, mapping, platform, format)
            raw: bytes = row["raw"] or b""
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                report.still_rejected += 1
                continue
            from hubbub.landing import Segment

            ref = row["raw_ref"] or "quarantine:0"
            segment = Segment(Path(ref), ref.rpartition(":")[0])
            parsed = parse_record_chunk(
                [value], [row["line"] or 0], raw + b"\n", segment, now, settings
            )
            if parsed.rejections or parsed.table.num_rows == 0:
                report.still_rejected += 1
                continue
            with self.store.transaction():
                self.store.upsert_posts(parsed.table)
                self.store.con.execute(
                    "UPDATE quarantine SET status = 'resolved' WHERE qid = ?", [row["qid"]]
                )
            report.resolved += 1
        return report

    def remap(self, source: str | None = None) -> Any:
        """Parse every landed raw record again with today's mappings (after a parser fix)."""
        from hubbub.remap import remap

        return remap(self.store, self.landing, source)

    # -- embeddings ------------------------------------------------------------------------------
    def similar(
        self,
        post_id: str | None = None,
        *,
        text: str | None = None,
        limit: int = 10,
        model: str = "static",
    ) -> pa.Table:
        """The stored posts most like post `post_id` (itself left out) or like `text`, by cosine
        similarity of their embeddings (model `static` or `minilm`); missing vectors are
        computed and cached first. Columns: rank, id, score, created_at, platform,
        author_handle, url, text."""
        from hubbub.analytics.similar import similar_posts

        return similar_posts(self.store, post_id, text=text, limit=limit, model=model)

    def embed(self, model: str = "static", since: datetime | None = None) -> int:
        """Compute and cache the embeddings of stored posts that have none for `model` yet
        (`hubbub enrich --only embeddings`); returns how many were computed."""
        from hubbub.enrich.embedding_cache import embed_stored

        return embed_stored(self.store, model, since)

    # -- exports -----------------------------------------------------------------------------------
    def export_posts(
        self,
        out: str | os.PathLike[str],
        *,
        format: str | None = None,
        topics: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        query: str | None = None,
        include_noise: bool = True,
    ) -> Any:
        """Write posts to a CSV or Parquet file, streamed (never the whole table in memory)."""
        from hubbub.exports import export_posts

        return export_posts(
            self.store, out, format=format, topics=topics, since=since, until=until,
            query=query, include_noise=include_noise,
        )

    def export_matches(
        self,
        out: str | os.PathLike[str],
        *,
        format: str | None = None,
        topics: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Any:
        """Write topic matches (post, topic, matched_at, created_at) to a CSV or Parquet file."""
        from hubbub.exports import export_matches

        return export_matches(self.store, out, format=format, topics=topics, since=since, until=until)

    # -- the Parquet lake ---------------------------------------------------------------------------
    def export_lake(self, lake: str | os.PathLike[str]) -> Any:
        """Write every post and match to a Parquet lake (partitioned by platform and day).
        A partition written replaces that partition's files, so exporting again never adds copies."""
        from hubbub.lake.store_transfer import export_lake

        return export_lake(self.store, lake)

    def import_lake(self, lake: str | os.PathLike[str]) -> Any:
        """Upsert a Parquet lake's posts (by id, keeping engagement snapshots) and matches."""
        from hubbub.lake.store_transfer import import_lake

        return import_lake(self.store, lake)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Hubbub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _retry_settings(
    options: dict[str, Any],
    mapping: Mapping[str, str] | None,
    platform: str | None,
    fmt: str | None,
) -> ParseSettings:
    """The settings of the original import, with any of format, mapping, platform replaced."""
    from hubbub.remap import settings_from_options

    chosen = dict(options)
    if fmt:
        chosen["format"] = fmt
    if mapping is not None:
        chosen["mapping"] = dict(mapping)
    if platform is not None:
        chosen["platform"] = platform
    return settings_from_options(chosen)


def open(db: str | os.PathLike[str] | None = None, **kwargs: Any) -> Hubbub:
    """Open (creating if needed) a hubbub database. Default: $HUBBUB_DB or ./hubbub.duckdb."""
    return Hubbub(db, **kwargs)


__all__ = ["Hubbub", "ImportReport", "Rejected", "RetryReport", "Status", "open"]
