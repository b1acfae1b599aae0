"""Monitored topics: named queries, optionally in a group (us vs competitors).

Matching runs during import (`TopicHook`); adding or editing a topic re-matches what is stored,
so a topic's numbers never depend on when it was created.
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


def rematch(store: Store, name: str, query: str) -> int:
    """Replace a topic's matches with those of `query` over every stored post (SQL back end)."""
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
    sql = search_sql(query)
    total = store.one(f"SELECT count(*) FROM ({sql})")
    posts = store.query(f"SELECT * FROM ({sql}) ORDER BY created_at DESC, id LIMIT ?", [limit])
    keep = [c for c in posts.column_names if not c.startswith("_")]
    return (int(total[0]) if total else 0), posts.select(keep)


class TopicHook:
    """Matches every imported batch against the stored topics (compiled once per import)."""

    def __init__(self, store: Store) -> None:
        topics = {t.name: t.query for t in list_topics(store)}
        self.matcher: TopicMatcher | None = compile_topics(topics) if topics else None

    def __call__(self, store: Store, batch: pa.Table) -> None:
        if self.matcher is None or batch.num_rows == 0:
            return
        pairs = self.matcher.match_batch(batch)
        if pairs.num_rows == 0:
            return
        store.con.register("_pairs", pairs)
        try:
            store.con.execute(
                "INSERT INTO matches SELECT post_id, topic, now() FROM _pairs"
                " ON CONFLICT DO NOTHING"
            )
        finally:
            store.con.unregister("_pairs")
