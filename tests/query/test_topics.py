"""Topics end to end: matched on import and on add/edit, share of voice on real airline tweets
checked against an independent computation, and query errors as a user sees them."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute
import pytest

import hubbub
from hubbub import topics as topics_api  # a module: its test_query is no pytest test
from hubbub.errors import HubbubError
from hubbub.model import POST_SCHEMA
from hubbub.query import QuerySyntaxError, compile_topics
from hubbub.store import Store
from hubbub.topics import add_topic, edit_topic, list_topics, match_batch_into, remove_topic, search
from tests.core.helpers import run_cli
from tests.query.corpus import airline_posts
from tests.realdata import AIRLINE_REPOSTS, AIRLINES


@pytest.fixture(scope="module")
def airline_csv(shared_data: Path) -> Path:
    return shared_data / "corpus" / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv"


def independent_mentions(path: Path) -> tuple[Counter[str], Counter[str]]:
    """Mentions and reposts per airline from the CSV with plain regular expressions."""
    mentions: Counter[str] = Counter()
    reposts: Counter[str] = Counter()
    kept: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}", row["tweet_created"]):
                kept[row["tweet_id"]] = row  # what hubbub keeps: dated rows, last one per id
    for row in kept.values():
        handles = {m.lower() for m in re.findall(r"@\w+", row["text"])}
        for name, handle in AIRLINES.items():
            if handle in handles:
                mentions[name] += 1
                reposts[name] += int(row["retweet_count"])
    return mentions, reposts


def test_share_of_voice_matches_an_independent_count(airline_csv: Path, tmp_path: Path) -> None:
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        # Half the topics exist before the import (matched while importing), half after (re-matched).
        for name in list(AIRLINES)[:3]:
            add_topic(hb.store, name, AIRLINES[name], "airlines")
        hb.import_files([airline_csv], platform="twitter", mapping=AIRLINE_REPOSTS)
        for name in list(AIRLINES)[3:]:
            add_topic(hb.store, name, AIRLINES[name], "airlines")
        sov = {r["topic"]: r for r in hb.stats.share_of_voice("airlines").to_pylist()}
    mentions, reposts = independent_mentions(airline_csv)
    total, total_reposts = sum(mentions.values()), sum(reposts.values())
    assert {t: r["mentions"] for t, r in sov.items()} == dict(mentions)
    for name, row in sov.items():
        assert row["share_of_voice"] == pytest.approx(100 * mentions[name] / total, abs=0.006)
        assert row["share_of_engagement"] == pytest.approx(
            100 * reposts[name] / total_reposts, abs=0.006
        )
    assert sum(r["share_of_voice"] for r in sov.values()) == pytest.approx(100, abs=0.05)


def test_add_edit_remove_and_search(airline_csv: Path, tmp_path: Path) -> None:
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.import_files([airline_csv], platform="twitter", mapping=AIRLINE_REPOSTS)
        topic = add_topic(hb.store, "bags", "(bag OR bags OR luggage) NEAR/3 (lost OR missing)")
        total, sample = search(hb.store, "(bag OR bags OR luggage) NEAR/3 (lost OR missing)", 5)
        assert topic.matches == total > 20 and sample.num_rows == 5
        edited = edit_topic(hb.store, "bags", "(bag OR bags OR luggage) NEAR/3 lost")
        assert 0 < edited.matches < topic.matches
        with pytest.raises(QuerySyntaxError):
            edit_topic(hb.store, "bags", "bag NEAR lost")
        with pytest.raises(HubbubError, match="exists already"):
            add_topic(hb.store, "bags", "bag")
        remove_topic(hb.store, "bags")
        assert list_topics(hb.store) == []
        assert hb.sql("SELECT count(*) AS n FROM matches").to_pylist()[0]["n"] == 0


def test_cli_query_errors_show_a_caret_and_no_traceback(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    result = run_cli("--db", db, "topics", "add", "t", "nike AND adidas OR puma")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "error: OR mixed with AND at one level at line 1, column 17"
    assert lines[1] == "  nike AND adidas OR puma"
    assert lines[2] == "                  ^"
    assert lines[3].strip().startswith("hint: add parentheses")
    assert "Traceback" not in result.stderr
    ok = run_cli("--db", db, "topics", "test", '"just do it" OR #justdoit')
    assert ok.returncode == 0 and "query is valid" in ok.stdout


def _posts_table(shared_data: Path, limit: int) -> pa.Table:
    """Real airline tweets as a Post-schema table (fields derived as in the query corpus)."""
    now = datetime(2015, 2, 20, tzinfo=UTC)
    rows = [
        {
            **{n: p.get(n) for n in POST_SCHEMA.names},
            "native_id": p["id"].split(":")[1],
            "created_at": now,
            "collected_at": now,
            "mapping_version": "test",
        }
        for p in airline_posts(shared_data, limit)
    ]
    return pa.Table.from_pylist(rows, schema=POST_SCHEMA)


def test_match_batch_into_keeps_matches_up_to_date(shared_data: Path, tmp_path: Path) -> None:
    table = _posts_table(shared_data, 600)
    topics = {"delays": "delay* OR cancel*", "bags": "(bag OR bags OR luggage) AND NOT thank*"}
    matcher = compile_topics(topics)
    with Store(tmp_path / "m.duckdb") as store:
        store.con.register("t", table)
        store.con.execute("INSERT INTO posts BY NAME SELECT * EXCLUDE (platform, native_id) FROM t")
        store.con.unregister("t")
        with store.transaction():
            found = match_batch_into(store, matcher, table)
        stored = store.con.execute("SELECT post_id, topic, matched_at FROM matches").fetchall()
        assert found == len(stored) > 100
        for name, query in topics.items():  # the SQL back end finds the same posts
            total, _ = topics_api.search(store, query, 1)
            assert total == sum(1 for _, t, _ in stored if t == name)
        # The same batch again changes nothing, not even matched_at.
        assert match_batch_into(store, matcher, table) == found
        again = store.con.execute("SELECT post_id, topic, matched_at FROM matches").fetchall()
        assert sorted(again) == sorted(stored)
        # A post seen again with edited text loses the topics it no longer matches.
        post_id = next(p for p, t, _ in stored if t == "delays")
        edited = table.filter(pa.compute.equal(table["id"], post_id))
        edited = edited.set_column(
            edited.schema.get_field_index("text"), "text", pa.array(["all good, thanks"])
        )
        assert match_batch_into(store, matcher, edited) == 0
        left = store.one("SELECT count(*) FROM matches WHERE post_id = ?", [post_id])
        assert left == (0,)


def test_rematch_test_query_and_show(shared_data: Path, tmp_path: Path) -> None:
    table = _posts_table(shared_data, 400)
    with Store(tmp_path / "r.duckdb") as store:
        store.con.register("t", table)
        store.con.execute("INSERT INTO posts BY NAME SELECT * EXCLUDE (platform, native_id) FROM t")
        store.con.unregister("t")
        count, sample = topics_api.test_query(store, '"customer service"', 3)
        assert count >= 5 and sample.num_rows == 3
        assert all(re.search(r"customer\W+service", t, re.I) for t in sample["text"].to_pylist())
        assert topics_api.list_topics(store) == []  # testing a query saves nothing
        add_topic(store, "service", '"customer service"', "support")
        store.con.execute("DELETE FROM matches")
        assert topics_api.rematch(store, "service") == count
        shown = topics_api.show_topic(store, "service")
        assert (shown.matches, shown.group) == (count, "support")
        with pytest.raises(QuerySyntaxError) as info:
            topics_api.test_query(store, "customer service", 3)
        assert (info.value.line, info.value.column) == (1, 10)
