"""CSV and Parquet exports of real airline posts and matches: every row and column, filters,
lists that read back exactly, clear errors, and the REST download."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

import hubbub
from hubbub.errors import HubbubError
from hubbub.topics import add_topic
from hubbub.web import create_app
from tests.core.helpers import run_cli
from tests.realdata import AIRLINE_LABELLED, AIRLINES
from tests.web.live import add_members


@pytest.fixture(scope="module")
def db(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exports") / "h.duckdb"
    with hubbub.open(path) as hb:
        for name, handle in AIRLINES.items():
            add_topic(hb.store, name, handle, "airlines")
        hb.import_files(
            [shared_data / "corpus" / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv"],
            platform="twitter",
            mapping=AIRLINE_LABELLED,
            enrich=False,
        )
        # Hashtags are lists: give a few posts more than one to check they read back exactly.
    return path


def test_parquet_export_has_every_post_and_column(db: Path, tmp_path: Path) -> None:
    with hubbub.open(db) as hb:
        report = hb.export_posts(tmp_path / "all.parquet")
        stored = hb.sql("SELECT * FROM posts ORDER BY created_at, id")
    table = pq.read_table(tmp_path / "all.parquet")
    assert report.rows == table.num_rows == stored.num_rows > 10_000
    assert table.column_names == stored.column_names
    assert table.column("id").to_pylist() == stored.column("id").to_pylist()
    assert table.column("hashtags").to_pylist() == stored.column("hashtags").to_pylist()


def test_csv_export_filters_and_lists(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "jb.csv"
    with hubbub.open(db) as hb:
        report = hb.export_posts(out, topics=["jetblue"], query="delayed OR delay")
        expected = hb.sql(
            "SELECT id, hashtags FROM posts WHERE id IN (SELECT post_id FROM matches WHERE topic = 'jetblue')"
            " AND regexp_matches(lower(text), '\\bdelay(ed)?\\b') ORDER BY created_at, id"
        ).to_pylist()
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert report.format == "csv" and report.rows == len(rows) == len(expected) > 20
    assert [r["id"] for r in rows] == [e["id"] for e in expected]
    assert [json.loads(r["hashtags"]) if r["hashtags"] else None for r in rows] == [
        e["hashtags"] for e in expected
    ]


def test_since_until_and_matches(db: Path, tmp_path: Path) -> None:
    with hubbub.open(db) as hb:
        from datetime import UTC, datetime

        day = (datetime(2015, 2, 22, tzinfo=UTC), datetime(2015, 2, 23, tzinfo=UTC))
        posts = hb.export_posts(tmp_path / "d.parquet", since=day[0], until=day[1])
        count = (
            hb.sql("SELECT count(*) FROM posts WHERE created_at >= ? AND created_at < ?", list(day))
            .column(0)[0]
            .as_py()
        )
        matches = hb.export_matches(tmp_path / "m.csv", topics=["american", "united"])
        n_matches = (
            hb.sql("SELECT count(*) FROM matches WHERE topic IN ('american', 'united')")
            .column(0)[0]
            .as_py()
        )
    assert posts.rows == count > 1000
    rows = list(csv.DictReader((tmp_path / "m.csv").open(encoding="utf-8")))
    assert matches.rows == len(rows) == n_matches
    assert {r["topic"] for r in rows} == {"american", "united"} and rows[0][
        "topic_group"
    ] == "airlines"


def test_bad_exports_are_clear_and_leave_no_file(db: Path, tmp_path: Path) -> None:
    with hubbub.open(db) as hb:
        with pytest.raises(HubbubError, match="cannot tell the format"):
            hb.export_posts(tmp_path / "x.xlsx")
        with pytest.raises(HubbubError, match="no topic named 'lufthansa'"):
            hb.export_posts(tmp_path / "x.csv", topics=["lufthansa"])
        with pytest.raises(HubbubError):
            hb.export_posts(tmp_path / "x.csv", query="a AND b OR c")
    assert list(tmp_path.iterdir()) == []
    result = run_cli("--db", db, "export", "posts", tmp_path / "x.txt")
    assert (
        result.returncode == 2 and "--format" in result.stderr and "Traceback" not in result.stderr
    )


def test_cli_export(db: Path, tmp_path: Path) -> None:
    result = run_cli(
        "--db",
        db,
        "export",
        "posts",
        tmp_path / "p.out",
        "--format",
        "parquet",
        "--topic",
        "virgin",
        "--since",
        "2015-02-20",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rows"] == pq.read_table(tmp_path / "p.out").num_rows > 50
    result = run_cli("--db", db, "export", "matches", tmp_path / "m.parquet")
    assert result.returncode == 0 and "wrote" in result.stdout


@pytest.fixture()
def client(db: Path) -> Iterator[TestClient]:
    # Every API call needs a member's token; an editor may change alert rules.
    token = add_members(Path(db), f"m{uuid.uuid4().hex[:8]}").tokens["editor"]
    with TestClient(create_app(str(db)), headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def test_rest_download(client: TestClient, tmp_path: Path) -> None:
    answer = client.get("/api/v1/export/posts", params={"format": "csv", "topic": "virgin"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "posts.csv" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(answer.text.splitlines()))
    assert len(rows) > 100 and all("virgin" in r["text"].lower() for r in rows)
    parquet = client.get("/api/v1/export/matches", params={"format": "parquet"})
    (tmp_path / "m.parquet").write_bytes(parquet.content)
    assert pq.read_table(tmp_path / "m.parquet").num_rows > 10_000
    assert client.get("/api/v1/export/posts", params={"format": "xlsx"}).status_code == 422
    assert client.get("/api/v1/export/posts", params={"topic": "lufthansa"}).status_code == 404
    assert client.get("/api/v1/export/posts", params={"query": "a AND b OR c"}).status_code == 422
