"""`hubbub topics ...` and `hubbub search` in process (typer's CliRunner) over real tweets."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.model import POST_SCHEMA
from hubbub.store import Store
from tests.query.corpus import EXPECTED_COUNTS, airline_posts


@pytest.fixture(scope="module")
def db(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The corpus posts (airline tweets) in a fresh database."""
    path = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    now = datetime(2015, 2, 20, tzinfo=UTC)
    rows = [
        {
            **{n: p.get(n) for n in POST_SCHEMA.names},
            "native_id": p["id"].split(":")[1],
            "created_at": now,
            "collected_at": now,
            "mapping_version": "test",
        }
        for p in airline_posts(shared_data)
    ]
    with Store(path) as store:
        store.con.register("t", pa.Table.from_pylist(rows, schema=POST_SCHEMA))
        store.con.execute("INSERT INTO posts BY NAME SELECT * EXCLUDE (platform, native_id) FROM t")
    return str(path)


def invoke(db: str, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", db, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_topics_lifecycle(db: str) -> None:
    query = "(bag OR bags OR luggage) NEAR/3 lost"
    assert "17 stored posts match" in invoke(db, "topics", "add", "bags", query, "--group", "ops")
    listed = json.loads(invoke(db, "topics", "list", "--json"))
    assert [(t["name"], t["group"], t["matches"]) for t in listed] == [("bags", "ops", 17)]
    assert json.loads(invoke(db, "topics", "show", "bags", "--json"))["query"] == query
    assert "7 stored posts match" in invoke(db, "topics", "edit", "bags", "bag NEAR/2 lost")
    assert "query is valid; 120 stored posts match" in invoke(
        db, "topics", "test", '"customer service"'
    )
    invoke(db, "topics", "remove", "bags")
    assert json.loads(invoke(db, "topics", "list", "--json")) == []


@pytest.mark.parametrize("query", ['"customer service" AND (worst OR bad OR terrible)', "{AA}"])
def test_search_formats(db: str, query: str) -> None:
    expected = EXPECTED_COUNTS[query]
    assert f"{expected:,} posts match" in invoke(db, "search", query)
    out = invoke(db, "search", query, "--limit", "1000", "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]  # one post per line
    assert len(rows) == expected
    text = invoke(db, "search", query, "--limit", "3", "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(text)))) == min(3, expected)
