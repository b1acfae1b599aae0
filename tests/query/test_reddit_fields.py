"""`subreddit:` and `title:` on real Reddit payloads (PRAW cassettes), checked against the raw
JSON's own `subreddit` and `title` fields, on all three back ends."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hubbub.model import POST_FIELDS
from hubbub.normalize import records_to_table
from hubbub.query import compile_topics, evaluate, parse, register_functions, search_sql
from hubbub.sources.registry import get_format
from hubbub.store import Store
from tests.sources.helpers import normalized, parse_file, raw_values


def _raw_things(value: Any, out: dict[str, dict[str, Any]]) -> None:
    """Every Reddit thing (`t1_`/`t3_` name) in a payload, by name."""
    if isinstance(value, dict):
        if isinstance(value.get("name"), str) and isinstance(value.get("subreddit"), str):
            out[value["name"]] = value
        for child in value.values():
            _raw_things(child, out)
    elif isinstance(value, list):
        for child in value:
            _raw_things(child, out)


@pytest.fixture(scope="module")
def reddit(shared_data: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    fmt = get_format("reddit")
    posts: dict[str, dict[str, Any]] = {}
    raw: dict[str, dict[str, Any]] = {}
    for path in sorted((shared_data / "formats" / "reddit" / "praw_cassettes").glob("*.json")):
        parsed, _ = parse_file(fmt, path)
        posts.update((n["id"], n) for n in (normalized(fmt, p) for p in parsed))
        for value in raw_values(path):
            _raw_things(value, raw)
    return list(posts.values()), raw


@pytest.fixture(scope="module")
def store(
    reddit: tuple[list[dict[str, Any]], dict[str, dict[str, Any]]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Store]:
    db = Store(tmp_path_factory.mktemp("reddit") / "r.duckdb")
    db.con.register("t", records_to_table(reddit[0]).select(list(POST_FIELDS)))
    db.con.execute("INSERT INTO posts BY NAME SELECT * EXCLUDE (platform, native_id) FROM t")
    register_functions(db.con)
    yield db
    db.close()


def _subreddit(raw: dict[str, dict[str, Any]], names: set[str]) -> Callable[[dict[str, Any]], bool]:
    return lambda p: raw[p["native_id"]]["subreddit"].lower() in names


def _title(raw: dict[str, dict[str, Any]], pattern: str) -> Callable[[dict[str, Any]], bool]:
    regex = re.compile(pattern, re.IGNORECASE)
    # A comment carries the title of the submission it belongs to (`link_title`).
    return lambda p: bool(
        regex.search(
            raw[p["native_id"]].get("title") or raw[p["native_id"]].get("link_title") or ""
        )
    )


def test_subreddit_and_title_match_the_raw_fields(
    reddit: tuple[list[dict[str, Any]], dict[str, dict[str, Any]]], store: Store
) -> None:
    posts, raw = reddit
    assert len(posts) > 1000 and all(p["native_id"] in raw for p in posts)
    cases: dict[str, Callable[[dict[str, Any]], bool]] = {
        "subreddit:funny": _subreddit(raw, {"funny"}),
        "subreddit:AskReddit": _subreddit(raw, {"askreddit"}),
        "subreddit:r/politics": _subreddit(raw, {"politics"}),
        "subreddit:(news OR videos)": _subreddit(raw, {"news", "videos"}),
        "subreddit:fun": _subreddit(raw, {"fun"}),  # not a prefix match of funny
        "title:dog*": _title(raw, r"(?<![\w'’.])dog\w*"),
        "title:(cat OR cats)": _title(raw, r"(?<![\w#@'’.])#?cats?(?![\w]|['’.]\w)"),
        "kind:post AND subreddit:funny": lambda p: (
            p["native_id"].startswith("t3_")
            and not raw[p["native_id"]].get("crosspost_parent")
            and _subreddit(raw, {"funny"})(p)
        ),
    }
    matcher = compile_topics({q: q for q in cases})
    stream: dict[str, set[str]] = {q: set() for q in cases}
    for post in posts:
        for topic in matcher.match_post(post):
            stream[topic].add(post["id"])
    for query, oracle in cases.items():
        expected = {p["id"] for p in posts if oracle(p)}
        reference = {p["id"] for p in posts if evaluate(parse(query), p)}
        sql = {r[0] for r in store.con.execute(search_sql(query, columns="p.id")).fetchall()}
        assert reference == expected, (query, sorted(reference ^ expected)[:3])
        assert stream[query] == expected, query
        assert sql == expected, query
    assert len({p["id"] for p in posts if cases["subreddit:funny"](p)}) > 100
