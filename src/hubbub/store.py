"""The embedded DuckDB store: schema migrations, idempotent upserts, snapshots, quarantine.

One DuckDB file (default `./hubbub.duckdb`) holds everything. Every batch an import commits -
posts, snapshots, rejected records and the source checkpoint - goes in one transaction, so a
killed import leaves either all of a batch or none of it, and a re-run resumes cleanly.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import duckdb
import pyarrow as pa

from hubbub.errors import HubbubError
from hubbub.model import ENGAGEMENT_FIELDS, POST_FIELDS, POST_SCHEMA

DEFAULT_DB: Final = "hubbub.duckdb"


def default_db_path() -> str:
    """`HUBBUB_DB` if set, else `./hubbub.duckdb`."""
    return os.environ.get("HUBBUB_DB") or DEFAULT_DB


def _duck_type(field: pa.Field) -> str:
    t = field.type
    if pa.types.is_list(t):
        return "VARCHAR[]"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE"
    return "VARCHAR"


#: Columns DuckDB stores without compression. Compressing `text` (dictionary + FSST) was 36%
#: of the store's cost of an import (1.8 of 4.9 us a post, measured on 491k tweets) for a
#: third of the file (96 vs 71 MB); scans of text (search, matching in SQL) skip decompressing
#: it too. Storage only: the column, its type and its values are the same either way, so a
#: database made before this keeps its compressed text and works the same.
_UNCOMPRESSED: Final = frozenset({"text"})


def _posts_ddl() -> str:
    cols = ",\n  ".join(
        f"{f.name} {_duck_type(f)}"
        + (" USING COMPRESSION uncompressed" if f.name in _UNCOMPRESSED else "")
        + ("" if f.nullable else " NOT NULL")
        for f in POST_SCHEMA
    )
    # No PRIMARY KEY: DuckDB rewrites a whole ART index at every checkpoint, which made bulk
    # imports quadratic. Uniqueness of id is kept by upsert_posts, the only writer.
    return f"CREATE TABLE posts (\n  {cols}\n)"


# Each migration is applied once, in order, inside a transaction; the applied version is
# recorded in `schema_migrations`. Never edit a released migration: append a new one.
Migration = str | Callable[[duckdb.DuckDBPyConnection], None]

MIGRATIONS: Final[list[tuple[str, list[Migration]]]] = [
    (
        "posts, snapshots, matches, topics, quarantine, checkpoints, imports",
        [
            _posts_ddl(),
            """CREATE TABLE snapshots (
                 post_id VARCHAR NOT NULL, collected_at TIMESTAMPTZ NOT NULL,
                 likes BIGINT, replies BIGINT, reposts BIGINT, quotes BIGINT, views BIGINT,
                 author_followers BIGINT)""",
            """CREATE TABLE matches (
                 post_id VARCHAR NOT NULL, topic VARCHAR NOT NULL,
                 matched_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (post_id, topic))""",
            """CREATE TABLE topics (
                 name VARCHAR PRIMARY KEY, query VARCHAR NOT NULL, group_name VARCHAR,
                 created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL)""",
            "CREATE SEQUENCE quarantine_seq",
            """CREATE TABLE quarantine (
                 qid BIGINT PRIMARY KEY DEFAULT nextval('quarantine_seq'),
                 source VARCHAR NOT NULL, file VARCHAR, line BIGINT, byte_offset BIGINT,
                 reason VARCHAR NOT NULL, hint VARCHAR, raw BLOB, raw_ref VARCHAR,
                 format VARCHAR, options JSON, import_id BIGINT,
                 quarantined_at TIMESTAMPTZ NOT NULL,
                 status VARCHAR NOT NULL DEFAULT 'open')""",
            """CREATE TABLE checkpoints (
                 source VARCHAR PRIMARY KEY, position BIGINT NOT NULL, records BIGINT NOT NULL,
                 complete BOOLEAN NOT NULL, state JSON, updated_at TIMESTAMPTZ NOT NULL)""",
            "CREATE SEQUENCE imports_seq",
            """CREATE TABLE imports (
                 import_id BIGINT PRIMARY KEY DEFAULT nextval('imports_seq'),
                 started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ,
                 files VARCHAR[], format VARCHAR, status VARCHAR NOT NULL,
                 read BIGINT DEFAULT 0, new BIGINT DEFAULT 0, updated BIGINT DEFAULT 0,
                 duplicate BIGINT DEFAULT 0, rejected BIGINT DEFAULT 0)""",
        ],
    ),
    (
        "enrichment columns on posts",
        [
            "ALTER TABLE posts ADD COLUMN sentiment VARCHAR",
            "ALTER TABLE posts ADD COLUMN sentiment_score DOUBLE",
            "ALTER TABLE posts ADD COLUMN sentiment_model VARCHAR",
            "ALTER TABLE posts ADD COLUMN emotion VARCHAR",
            "ALTER TABLE posts ADD COLUMN lang_confidence DOUBLE",
        ],
    ),
    (
        "live sources",
        [
            """CREATE TABLE live_sources (
                 name VARCHAR PRIMARY KEY, format VARCHAR NOT NULL, url VARCHAR NOT NULL,
                 paginator VARCHAR NOT NULL, params JSON, token_env VARCHAR, state JSON,
                 created_at TIMESTAMPTZ NOT NULL, last_run TIMESTAMPTZ, last_error VARCHAR,
                 posts_collected BIGINT NOT NULL DEFAULT 0)""",
        ],
    ),
    (
        "noise scores",
        [
            """CREATE TABLE post_noise (post_id VARCHAR PRIMARY KEY, spam DOUBLE,
                 dup_cluster VARCHAR, dup_size BIGINT, campaign_copy BOOLEAN, is_noise BOOLEAN,
                 reasons VARCHAR[], model VARCHAR)""",
            """CREATE TABLE author_noise (platform VARCHAR, author VARCHAR, posts BIGINT,
                 posts_per_day DOUBLE, copy_share DOUBLE, bot_score DOUBLE, reasons VARCHAR[],
                 PRIMARY KEY (platform, author))""",
        ],
    ),
    (
        "more enrichment columns",
        [
            "ALTER TABLE posts ADD COLUMN cashtags VARCHAR[]",
            "ALTER TABLE posts ADD COLUMN emoji VARCHAR[]",
            "ALTER TABLE posts ADD COLUMN emotion_score DOUBLE",
        ],
    ),
    (
        "teams: owned accounts, creative variants, support queue, reason models",
        [
            """CREATE TABLE owned_accounts (
                 platform VARCHAR NOT NULL, handle VARCHAR NOT NULL, label VARCHAR,
                 added_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (platform, handle))""",
            """CREATE TABLE creative_variants (
                 campaign VARCHAR NOT NULL, variant VARCHAR NOT NULL, rule VARCHAR,
                 created_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (campaign, variant))""",
            """CREATE TABLE creative_posts (
                 campaign VARCHAR NOT NULL, variant VARCHAR NOT NULL, post_id VARCHAR NOT NULL,
                 PRIMARY KEY (campaign, post_id))""",
            """CREATE TABLE support_items (
                 post_id VARCHAR PRIMARY KEY, intent VARCHAR NOT NULL, reason VARCHAR,
                 reason_confidence DOUBLE, classified_by VARCHAR NOT NULL,
                 status VARCHAR NOT NULL DEFAULT 'open', assignee VARCHAR,
                 assigned_at TIMESTAMPTZ, handled_at TIMESTAMPTZ, handled_by VARCHAR,
                 note VARCHAR, updated_at TIMESTAMPTZ NOT NULL)""",
            """CREATE TABLE reason_models (
                 name VARCHAR PRIMARY KEY, labels VARCHAR[] NOT NULL, model BLOB NOT NULL,
                 metrics JSON, trained_at TIMESTAMPTZ NOT NULL)""",
        ],
    ),
    (
        "web: users and roles, sessions, API tokens, saved dashboards",
        [
            # Passwords are argon2 hashes; sessions and API tokens are stored as SHA-256 of the
            # secret (high-entropy random strings), so a copy of the file gives no way in.
            """CREATE TABLE users (username VARCHAR PRIMARY KEY, password_hash VARCHAR NOT NULL,
                 role VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL)""",
            """CREATE TABLE sessions (token_hash VARCHAR PRIMARY KEY, username VARCHAR NOT NULL,
                 csrf VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL,
                 expires_at TIMESTAMPTZ NOT NULL)""",
            """CREATE TABLE api_tokens (token_hash VARCHAR PRIMARY KEY, username VARCHAR NOT NULL,
                 label VARCHAR, created_at TIMESTAMPTZ NOT NULL)""",
            """CREATE TABLE dashboards (slug VARCHAR PRIMARY KEY, title VARCHAR NOT NULL,
                 panels JSON NOT NULL, owner VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL)""",
        ],
    ),
    (
        "alert rules, fired events, deliveries and digests",
        [
            """CREATE TABLE alert_rules (
                 name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, topic VARCHAR,
                 group_name VARCHAR, query VARCHAR, params JSON NOT NULL, webhook_url VARCHAR,
                 secret_env VARCHAR, emails VARCHAR[], enabled BOOLEAN NOT NULL, state JSON,
                 created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
                 last_run TIMESTAMPTZ)""",
            "CREATE SEQUENCE alert_events_seq",
            """CREATE TABLE alert_events (
                 event_id BIGINT PRIMARY KEY DEFAULT nextval('alert_events_seq'),
                 rule VARCHAR NOT NULL, event_key VARCHAR NOT NULL, kind VARCHAR NOT NULL,
                 fired_at TIMESTAMPTZ NOT NULL, message VARCHAR NOT NULL, evidence JSON,
                 UNIQUE (rule, event_key))""",
            """CREATE TABLE alert_deliveries (
                 event_id BIGINT NOT NULL, channel VARCHAR NOT NULL, target VARCHAR NOT NULL,
                 status VARCHAR NOT NULL, attempts INTEGER NOT NULL, http_status INTEGER,
                 error VARCHAR, updated_at TIMESTAMPTZ NOT NULL)""",
            """CREATE TABLE digests (
                 name VARCHAR PRIMARY KEY, every VARCHAR NOT NULL, emails VARCHAR[] NOT NULL,
                 topic VARCHAR, group_name VARCHAR, query VARCHAR, headlines INTEGER NOT NULL,
                 last_sent TIMESTAMPTZ, created_at TIMESTAMPTZ NOT NULL)""",
            """CREATE TABLE digest_sends (
                 name VARCHAR NOT NULL, sent_at TIMESTAMPTZ NOT NULL,
                 window_start TIMESTAMPTZ NOT NULL, window_end TIMESTAMPTZ NOT NULL,
                 recipients VARCHAR[], status VARCHAR NOT NULL, error VARCHAR)""",
        ],
    ),
    (
        "post embeddings (a vector per post and model, for similar-post search)",
        [
            # No PRIMARY KEY, as on posts: the embedding cache is the only writer and inserts
            # only the (post_id, model) pairs it lacks.
            """CREATE TABLE post_embeddings (
                 post_id VARCHAR NOT NULL, model VARCHAR NOT NULL, dim INTEGER NOT NULL,
                 vector FLOAT[] NOT NULL, computed_at TIMESTAMPTZ NOT NULL)""",
        ],
    ),
    (
        "import progress per committed batch (batches of one file commit two at a time)",
        [
            # A file's checkpoint is its row in `checkpoints` followed by these rows, as far as
            # they continue each other; `Store.checkpoint` reads them so. Two batches commit at
            # once, and either may finish first: one row each keeps them from conflicting over
            # the checkpoint row, and a kill between them from skipping the unfinished one.
            """CREATE TABLE import_progress (
                 source VARCHAR NOT NULL, position BIGINT NOT NULL, end_position BIGINT NOT NULL,
                 records BIGINT NOT NULL, complete BOOLEAN NOT NULL)""",
        ],
    ),
    (
        "platform and native_id derived from id (not stored)",
        [lambda con: _derive_platform_and_native_id(con)],
    ),
]


#: Columns of posts computed from `id` (`platform:native_id`) when read, not stored: storing
#: them was ~15% of an import's storing (1.33-1.63 vs 1.56-1.89 s for 545k tweets).
DERIVED: Final = {
    "platform": "split_part(id, ':', 1)",
    "native_id": "substr(id, strpos(id, ':') + 1)",
}


def _derive_platform_and_native_id(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild posts with platform and native_id as virtual columns, unless a stored post's
    id is not exactly its platform:native_id (then the database keeps storing them)."""
    row = con.execute(
        "SELECT count(*) FROM posts WHERE id IS DISTINCT FROM platform || ':' || native_id"
        " OR strpos(platform, ':') > 0"
    ).fetchone()
    if row and row[0]:
        return
    columns = con.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_name = 'posts' AND table_schema = 'main' ORDER BY ordinal_position"
    ).fetchall()
    defs = []
    for name, data_type, nullable in columns:
        if name in DERIVED:
            defs.append(f"{name} VARCHAR GENERATED ALWAYS AS ({DERIVED[name]}) VIRTUAL")
            continue
        compression = " USING COMPRESSION uncompressed" if name in _UNCOMPRESSED else ""
        defs.append(f"{name} {data_type}{compression}{'' if nullable == 'YES' else ' NOT NULL'}")
    con.execute(f"CREATE TABLE posts_rebuilt ({', '.join(defs)})")
    con.execute(
        "INSERT INTO posts_rebuilt BY NAME SELECT * EXCLUDE (platform, native_id) FROM posts"
    )
    con.execute("DROP TABLE posts")
    con.execute("ALTER TABLE posts_rebuilt RENAME TO posts")


@dataclass
class BatchCounts:
    """What one committed batch did to the posts table."""

    new: int = 0
    updated: int = 0
    duplicate: int = 0

    def __iadd__(self, other: BatchCounts) -> BatchCounts:
        self.new += other.new
        self.updated += other.updated
        self.duplicate += other.duplicate
        return self


_UPDATABLE: Final = [f for f in POST_FIELDS if f not in ("id", "platform", "native_id")]
# A re-seen post counts as updated when what people see of it changed, not when it was re-fetched.
_CHANGE_FIELDS: Final = (*ENGAGEMENT_FIELDS, "text", "title", "author_followers")
_SNAPSHOT_COLUMNS: Final = (
    "p.id, p.collected_at, p.likes, p.replies, p.reposts, p.quotes, p.views, p.author_followers"
)


class Store:
    """A hubbub database. `Store(path)` opens (and creates or migrates) the file."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False):
        self.path = str(path) if path is not None else default_db_path()
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise HubbubError(
                f"cannot open the database {self.path}: {exc}",
                "check the path, or close the other hubbub process using it",
            ) from None
        # Row order of a table carries no meaning here; letting DuckDB insert in parallel does.
        self.con.execute("SET preserve_insertion_order = false")
        if not read_only:
            self.migrate()
        self.derived = self._derived_columns()

    def _derived_columns(self) -> frozenset[str]:
        """The columns of posts DuckDB computes (see DERIVED); inserts leave them out."""
        try:
            rows = self.con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'posts'"
                " AND table_schema = 'main' AND is_generated = 'ALWAYS'"
            ).fetchall()
        except duckdb.Error:
            return frozenset()
        return frozenset(r[0] for r in rows)

    def cursor(self) -> Store:
        """The same database on a connection of its own, with its own transactions: two of them
        can commit at once. Close it when done; it does not close this store."""
        view = object.__new__(Store)
        view.path, view.con, view.derived = self.path, self.con.cursor(), self.derived
        return view

    def one(self, sql: str, params: Sequence[Any] | None = None) -> tuple[Any, ...] | None:
        """The first row of a query. Fetches all rows: DuckDB 2 refuses further work on a
        connection while a result is only partly fetched (fetchone alone leaves it so)."""
        rows = self.con.execute(sql, list(params) if params else []).fetchall()
        return rows[0] if rows else None

    # -- schema -------------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name='schema_migrations'"
        )
        if not exists or not exists[0]:
            return 0
        row = self.one("SELECT max(version) FROM schema_migrations")
        return int(row[0]) if row and row[0] is not None else 0

    def migrate(self) -> int:
        """Apply pending migrations; returns the schema version now in force."""
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMPTZ)"
        )
        current = self.schema_version()
        for version, (description, statements) in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            with self.transaction():
                for statement in statements:
                    if isinstance(statement, str):
                        self.con.execute(statement)
                    else:
                        statement(self.con)
                self.con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    [version, description, datetime.now(UTC)],
                )
        return len(MIGRATIONS)

    # -- transactions -------------------------------------------------------------------------
    def transaction(self) -> _Transaction:
        return _Transaction(self.con)

    # -- writing ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def single_threaded(self) -> Iterator[None]:
        """Run the enclosed statements on one DuckDB thread.

        Appending to a table from several threads gives each its own partial row groups, which
        the commit then compresses and merges: measured on 545k tweets, the insert cost 5.3
        CPU-seconds with 2 threads and 2.7 with 1, at the same wall time. (SET threads is
        database-wide; toggling it costs about a millisecond.)
        """
        row = self.one("SELECT current_setting('threads')")
        threads = int(row[0]) if row else 1
        if threads == 1:
            yield
            return
        self.con.execute("SET threads = 1")
        try:
            yield
        finally:
            self.con.execute(f"SET threads = {threads}")

    @contextlib.contextmanager
    def bulk_writing(self) -> Iterator[None]:
        """Settings for an import's writes, restored after: one DuckDB thread (see
        `single_threaded`), and no zstd among the compressions a commit tries on each column.

        A commit compresses each new row group, trying every method on every column first.
        zstd was never chosen for a post's columns (dictionary + FSST wins on the strings), yet
        trying it was ~8% of storing them (1.99-2.21 vs 2.31-2.38 s for 545k tweets, the same
        file size). Database-wide, as both settings are, so for the import's duration only.
        """
        row = self.one("SELECT current_setting('disabled_compression_methods')")
        disabled = str(row[0]) if row and row[0] else ""
        methods = [m for m in disabled.split(",") if m.strip()]
        with self.single_threaded():
            if "zstd" in (m.strip().lower() for m in methods):
                yield
                return
            self.con.execute(f"SET disabled_compression_methods = '{','.join([*methods, 'zstd'])}'")
            try:
                yield
            finally:
                self.con.execute(f"SET disabled_compression_methods = '{disabled}'")

    def upsert_posts(self, batch: pa.Table, *, replace: bool = False) -> BatchCounts:
        """Insert new posts, update re-seen ones whose counts changed, keep a snapshot of each.

        Call inside `transaction()`. Ids must be unique within `batch` (the pipeline dedupes).
        """
        con = self.con
        if derived := [c for c in self.derived if c in batch.column_names]:
            batch = batch.drop_columns(derived)  # DuckDB computes them from id
        con.register("_batch", batch)
        try:
            seen = self.one("SELECT count(*) FROM posts WHERE id IN (SELECT id FROM _batch)")
            if (not seen or not seen[0]) and not replace:
                # All new (the common case for fresh data): no staging needed.
                with self.single_threaded():
                    con.execute("INSERT INTO posts BY NAME SELECT * FROM _batch")
                return BatchCounts(new=batch.num_rows)
            return self._merge(batch, replace=replace)
        finally:
            con.unregister("_batch")

    def _merge(self, batch: pa.Table, *, replace: bool = False) -> BatchCounts:
        """`replace`: every stored post in the batch is rewritten (a re-mapping), no snapshot."""
        con = self.con
        changed = (
            "TRUE"
            if replace
            else " OR ".join(f"b.{f} IS DISTINCT FROM p.{f}" for f in _CHANGE_FIELDS)
        )
        newer = "TRUE" if replace else "b.collected_at >= p.collected_at"
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _staged AS
                SELECT b.*, p.id IS NULL AS _is_new,
                       (p.id IS NOT NULL AND {newer} AND ({changed})) AS _is_changed
                FROM _batch b LEFT JOIN posts p ON p.id = b.id"""
        )
        row = self.one(
            "SELECT count(*) FILTER (_is_new), count(*) FILTER (_is_changed), count(*) FROM _staged"
        )
        assert row is not None
        counts = BatchCounts(new=row[0], updated=row[1], duplicate=row[2] - row[0] - row[1])
        if counts.new:
            with self.single_threaded():
                con.execute(
                    "INSERT INTO posts BY NAME"
                    " SELECT * EXCLUDE (_is_new, _is_changed) FROM _staged WHERE _is_new"
                )
        if counts.updated and not replace:
            # History: the state being replaced becomes a snapshot; posts holds the latest.
            con.execute(
                f"INSERT INTO snapshots SELECT {_SNAPSHOT_COLUMNS}"
                " FROM posts p JOIN _staged s ON p.id = s.id WHERE s._is_changed"
            )
        if counts.updated:
            # Labels and enrichment the batch carries replace the stored ones; missing keeps them.
            extra = [c for c in batch.column_names if c not in POST_FIELDS]
            sets = ", ".join(
                [f"{f} = s.{f}" for f in _UPDATABLE]
                + [f"{f} = coalesce(s.{f}, posts.{f})" for f in extra]
            )
            con.execute(
                f"UPDATE posts SET {sets} FROM _staged s WHERE posts.id = s.id AND s._is_changed"
            )
        con.execute("DROP TABLE _staged")
        return counts

    def quarantine(self, rows: Sequence[dict[str, Any]]) -> None:
        """Record rejected input; call inside the batch's transaction."""
        if not rows:
            return
        now = datetime.now(UTC)
        # The same bad record imported again stays one quarantine entry.
        self.con.executemany(
            "INSERT INTO quarantine (source, file, line, byte_offset, reason, hint, raw, raw_ref,"
            " format, options, import_id, quarantined_at) SELECT ?,?,?,?,?,?,?,?,?,?,?,?"
            " WHERE NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.source = ?"
            " AND q.raw_ref IS NOT DISTINCT FROM ? AND q.reason = ?)",
            [
                [
                    r["source"],
                    r.get("file"),
                    r.get("line"),
                    r.get("byte_offset"),
                    r["reason"],
                    r.get("hint"),
                    r.get("raw"),
                    r.get("raw_ref"),
                    r.get("format"),
                    r.get("options"),
                    r.get("import_id"),
                    now,
                    r["source"],
                    r.get("raw_ref"),
                    r["reason"],
                ]
                for r in rows
            ],
        )

    def set_checkpoint(
        self, source: str, position: int, records: int, *, complete: bool, state: str | None = None
    ) -> None:
        self.con.execute(
            "INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?, ?, ?)",
            [source, position, records, complete, state, datetime.now(UTC)],
        )

    def checkpoint(self, source: str) -> tuple[int, int, bool] | None:
        """(position, records, complete) of a source, or None if never seen: its checkpoint
        row, carried on by the batches committed since that continue it."""
        row = self.one(
            "SELECT position, records, complete FROM checkpoints WHERE source = ?", [source]
        )
        done = self.con.execute(
            "SELECT position, end_position, records, complete FROM import_progress"
            " WHERE source = ? ORDER BY position, end_position",
            [source],
        ).fetchall()
        if row is None and not done:
            return None
        position, records, complete = (
            (int(row[0]), int(row[1]), bool(row[2])) if row else (0, 0, False)
        )
        # Everything before `position` is committed, and so is each batch's whole span: a
        # batch that starts at or before it carries it to its end. (After a kill and a resume,
        # batches of both runs are here, cut at different places; all of them count.)
        for begin, end, batch_records, batch_complete in done:
            if begin <= position and (end > position or (end == position and batch_complete)):
                position, records, complete = int(end), int(batch_records), bool(batch_complete)
        return position, records, complete

    def record_progress(
        self, source: str, position: int, end: int, records: int, *, complete: bool
    ) -> None:
        """A committed batch of `source`: from `position` to `end`, `records` done after it.
        Call inside the batch's transaction."""
        self.con.execute(
            "INSERT INTO import_progress VALUES (?, ?, ?, ?, ?)",
            [source, position, end, records, complete],
        )

    def settle_progress(self, source: str, state: str | None = None) -> None:
        """Fold the progress rows of `source` into its checkpoint row."""
        found = self.checkpoint(source)
        if found is None:
            return
        with self.transaction():
            self.set_checkpoint(source, found[0], found[1], complete=found[2], state=state)
            self.con.execute("DELETE FROM import_progress WHERE source = ?", [source])

    # -- reading ------------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run SQL and return an Arrow table; errors become HubbubError with the SQL position."""
        try:
            relation: duckdb.DuckDBPyRelation | None = self.con.sql(
                sql, params=list(params) if params else None
            )
            if relation is None:  # a statement with no result (DDL, INSERT ...)
                return pa.table({})
            return relation.to_arrow_table()
        except duckdb.Error as exc:
            raise HubbubError(
                f"SQL error: {exc}", "check the query; `hubbub sql` runs DuckDB SQL"
            ) from None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Transaction:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.con.execute("BEGIN TRANSACTION")
        return self.con

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.con.execute("ROLLBACK" if exc_type else "COMMIT")


def with_store(path: str | None, fn: Callable[[Store], Any]) -> Any:
    with Store(path) as store:
        return fn(store)
