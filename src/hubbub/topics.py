"""Monitored topics: named queries, optionally in a group (us vs competitors).

Matching runs during import (`TopicHook`, which calls `match_batch_into` with the stream
matcher); adding or editing a topic re-matches what is stored with the SQL back end, so a
topic's numbers never depend on when it was created. The two back ends agree by construction
(one parser, one tokenizer) and by test (tests/query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from hubbub.errors import HubbubError
from hubbub.query import TopicMatcher, compile_topics, parse, search_sql
from hubbub.query.sql import register_functions
from hubbub.store import Store


@dataclass
class Topic:
    name: str
    query: str
    group: str | None
    created_at: datetime
    updated_at: datetime
    matches: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "group": self.group,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "matches": self.matches,
        }


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise HubbubError(f"topic name {name!r} is empty or too long", "use up to 100 characters")
    return name


def list_topics(store: Store) -> list[Topic]:
    rows = store.con.execute(
        "SELECT t.name, t.query, t.group_name, t.created_at, t.updated_at, count(m.post_id)"
        " FROM topics t LEFT JOIN matches m ON m.topic = t.name GROUP BY ALL ORDER BY t.name"
    ).fetchall()
    return [Topic(*row) for row in rows]


def get_topic(store: Store, name: str) -> Topic:
    for topic in list_topics(store):
        if topic.name == name:
            return topic
    raise HubbubError(f"no topic named {name!r}", "see `hubbub topics list`")


def add_topic(store: Store, name: str, query: str, group: str | None = None) -> Topic:
    """Create a topic (the query is validated first) and match the stored posts."""
    name = _check_name(name)
    parse(query)
    if store.one("SELECT count(*) FROM topics WHERE name = ?", [name]) != (0,):
        raise HubbubError(
            f"topic {name!r} exists already", f"change it with `hubbub topics edit {name} QUERY`"
        )
    now = datetime.now(UTC)
    with store.transaction():
        store.con.execute(
            "INSERT INTO topics VALUES (?, ?, ?, ?, ?)", [name, query, group, now, now]
        )
        rematch(store, name, query)
    return get_topic(store, name)


def edit_topic(
    store: Store, name: str, query: str | None = None, group: str | None = None
) -> Topic:
    topic = get_topic(store, name)
    new_query = query if query is not None else topic.query
    parse(new_query)
    with store.transaction():
        store.con.execute(
            "UPDATE topics SET query = ?, group_name = ?, updated_at = ? WHERE name = ?",
            [new_query, group if group is not None else topic.group, datetime.now(UTC), name],
        )
        if new_query != topic.query:
            rematch(store, name, new_query)
    return get_topic(store, name)


def remove_topic(store: Store, name: str) -> None:
    get_topic(store, name)
    with store.transaction():
        store.con.execute("DELETE FROM matches WHERE topic = ?", [name])
        store.con.execute("DELETE FROM topics WHERE name = ?", [name])


def show_topic(store: Store, name: str) -> Topic:
    """One topic with its number of matched posts (`hubbub topics show`)."""
    return get_topic(store, name)


def rematch(store: Store, name: str, query: str | None = None) -> int:
    """Replace a topic's matches with those of its query (or `query`) over every stored post,
    using the SQL back end; returns how many posts match. Call inside a transaction to make
    the replacement atomic."""
    if query is None:
        query = get_topic(store, name).query
    register_functions(store.con)
    store.con.execute("DELETE FROM matches WHERE topic = ?", [name])
    store.con.execute(
        f"INSERT INTO matches SELECT id, ?, now() FROM ({search_sql(query, columns='p.id')})",
        [name],
    )
    row = store.one("SELECT count(*) FROM matches WHERE topic = ?", [name])
    return int(row[0]) if row else 0


def search(store: Store, query: str, limit: int = 20) -> tuple[int, pa.Table]:
    """(how many stored posts match, the newest `limit` of them)."""
    register_functions(store.con)
    # One pass: the window count is taken before LIMIT, so tokenizing happens once per post.
    posts = store.query(
        f"SELECT *, count(*) OVER () AS _total FROM ({search_sql(query)})"
        " ORDER BY created_at DESC, id LIMIT ?",
        [max(limit, 1)],
    )
    total = int(posts["_total"][0].as_py()) if posts.num_rows else 0
    keep = [c for c in posts.column_names if not c.startswith("_")]
    return total, posts.select(keep).slice(0, max(limit, 0))


def test_query(store: Store, query: str, limit: int = 5) -> tuple[int, pa.Table]:
    """Check a query (QuerySyntaxError if invalid) and return (how many stored posts match, a
    sample of the newest `limit`). Nothing is saved: this is for trying a query before adding it."""
    parse(query)
    return search(store, query, limit)


test_query.__test__ = False  # type: ignore[attr-defined]  # a library function, not a pytest test


def match_batch_into(store: Store, matcher: TopicMatcher, table: pa.Table) -> int:
    """Match a batch of posts (Post columns; at least `id`, `text`, `title` and the columns the
    topics' fields use) and bring `matches` up to date for those posts: new pairs are inserted,
    pairs of these posts with a compiled topic that no longer match (the text was edited) are
    deleted, unchanged pairs keep their first `matched_at`. Returns the number of pairs found.

    The importer calls it once per batch, inside the batch's transaction, with a matcher
    compiled once per import (`compile_topics` over `list_topics`)."""
    if table.num_rows == 0 or not matcher.names:
        return 0
    pairs = matcher.match_batch(table)
    con = store.con
    con.register("_pairs", pairs)
    con.register("_batch_ids", table.select(["id"]))
    con.register("_topic_names", pa.table({"name": pa.array(matcher.names, pa.string())}))
    try:
        con.execute(
            "DELETE FROM matches m WHERE m.post_id IN (SELECT id FROM _batch_ids)"
            " AND m.topic IN (SELECT name FROM _topic_names)"
            " AND NOT EXISTS (SELECT 1 FROM _pairs p"
            "   WHERE p.post_id = m.post_id AND p.topic = m.topic)"
        )
        if pairs.num_rows:
            con.execute(
                "INSERT INTO matches SELECT post_id, topic, now() FROM _pairs"
                " ON CONFLICT DO NOTHING"
            )
    finally:
        for name in ("_pairs", "_batch_ids", "_topic_names"):
            con.unregister(name)
    return int(pairs.num_rows)


class TopicHook:
    """Matches every imported batch against the stored topics (compiled once per import)."""

    def __init__(self, store: Store) -> None:
        topics = {t.name: t.query for t in list_topics(store)}
        self.matcher: TopicMatcher | None = compile_topics(topics) if topics else None

    def __call__(self, store: Store, batch: pa.Table) -> None:
        if self.matcher is not None:
            match_batch_into(store, self.matcher, batch)
