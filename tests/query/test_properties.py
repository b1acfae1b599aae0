"""Property tests: stream matcher == SQL back end == reference evaluator; the parser only ever
raises QuerySyntaxError."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubbub.model import POST_SCHEMA
from hubbub.query import (
    QuerySyntaxError,
    compile_topics,
    evaluate,
    parse,
    register_functions,
    search_sql,
    to_sql,
)
from hubbub.store import Store
from tests.query.strategies import query, random_post

_RNG = random.Random(1)
POSTS = [random_post(_RNG, i) for i in range(300)]
TABLE = pa.Table.from_pylist(POSTS)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    db = Store(tmp_path_factory.mktemp("q") / "q.duckdb")
    rows = [{name: p.get(name) for name in POST_SCHEMA.names} for p in POSTS]
    for row in rows:
        row.update(
            platform=row["platform"],
            native_id=row["id"].split(":")[1],
            kind=row["kind"],
            created_at=__import__("datetime").datetime(2024, 1, 1),
            collected_at=__import__("datetime").datetime(2024, 1, 1),
            mapping_version="test",
        )
    table = pa.Table.from_pylist(rows, schema=POST_SCHEMA)
    db.con.register("t", table)
    db.con.execute("INSERT INTO posts BY NAME SELECT * EXCLUDE (platform, native_id) FROM t")
    register_functions(db.con)
    yield db
    db.close()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=query)
def test_three_back_ends_agree(store: Store, q: str) -> None:
    node = parse(q)
    reference = {p["id"] for p in POSTS if evaluate(node, p)}
    matcher = compile_topics({"t": q})
    stream = set(matcher.match_batch(TABLE).column("post_id").to_pylist())
    sql = {r[0] for r in store.con.execute(search_sql(q, columns="p.id")).fetchall()}
    assert stream == reference, q
    assert sql == reference, q


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=query)
def test_standalone_predicate_agrees(store: Store, q: str) -> None:
    """`to_sql` alone, in a WHERE over the posts table (tokens computed in place)."""
    reference = {p["id"] for p in POSTS if evaluate(parse(q), p)}
    sql = {r[0] for r in store.con.execute(f"SELECT id FROM posts WHERE {to_sql(q)}").fetchall()}
    assert sql == reference, q


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('ab AND OR NOT NEAR/3f"~{}[]():*?#@<>-TO 1\n')), max_size=40
    )
)
def test_parser_raises_only_its_own_error(text: str) -> None:
    try:
        parse(text)
    except QuerySyntaxError as exc:
        assert exc.line >= 1 and exc.column >= 1 and exc.hint
        assert "^" in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_parser_on_arbitrary_unicode(text: str) -> None:
    with contextlib.suppress(QuerySyntaxError):
        parse(text)


def test_many_topics_at_once_agree_with_one_by_one() -> None:
    queries = {
        f"q{i}": q
        for i, q in enumerate(
            [
                "nike",
                "nike AND NOT adidas",
                '"just do it"',
                "run* NEAR/2 shoes",
                "authorFollowers:[1000 TO *]",
                "(apple OR {Apple}) AND price",
                "#nike OR @nike",
                "title:nike OR site:nike.com",
                "NOT nike",
            ]
        )
    }
    together = compile_topics(queries)
    for post in POSTS:
        expected = sorted(name for name, q in queries.items() if evaluate(parse(q), post))
        assert together.match_post(post) == expected


def test_match_batch_is_deterministic() -> None:
    table = pa.Table.from_pylist([{k: p[k] for k in ("id", "text", "title")} for p in POSTS])
    matcher = compile_topics({"b": "nike OR run*", "a": "shoes"})
    first, second = matcher.match_batch(table), matcher.match_batch(table)
    assert first.equals(second) and first.num_rows > 0
    pairs = first.to_pylist()
    order = {p["id"]: i for i, p in enumerate(POSTS)}
    assert pairs == sorted(pairs, key=lambda r: (order[r["post_id"]], r["topic"]))
