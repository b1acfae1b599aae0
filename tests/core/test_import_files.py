"""Importing real posts from every supported container format."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

import hubbub
from hubbub.importer import ImportOptions, _resolve, _source_key
from tests.realdata import post_records, write_ndjson

REPO = Path(__file__).resolve().parents[2]
YOUTUBE_MAP = {
    "native_id": "COMMENT_ID",
    "author_handle": "AUTHOR",
    "created_at": "DATE",
    "text": "CONTENT",
}


def table_digest(hb: hubbub.Hubbub) -> list[tuple[object, ...]]:
    return [
        tuple(r.values())
        for r in hb.sql("SELECT * EXCLUDE (collected_at) FROM posts ORDER BY id").to_pylist()
    ]


def test_bundled_sample_imports_with_mapping(db_path: Path) -> None:
    files = sorted((REPO / "sample" / "youtube_spam_collection").glob("*.csv"))
    with hubbub.open(db_path) as hb:
        report = hb.import_files(files, platform="youtube", mapping=YOUTUBE_MAP)
        assert (report.read, report.new, report.rejected) == (1138, 1138, 0)
        row = hb.sql(
            "SELECT * FROM posts WHERE id = 'youtube:LZQPQhLyRh80UYxNuaDWhIGQYNQ96IuCg-AYWqNPjpU'"
        ).to_pylist()[0]
    assert row["author_handle"] == "Julius NM"
    assert row["created_at"] == datetime(2013, 11, 7, 6, 20, 48, tzinfo=UTC)
    assert row["text"].startswith("Huh, anyway check out this you[tube] channel: kobyoshi02")
    assert row["platform"] == "youtube" and row["kind"] == "post"
    assert row["mapping_version"] == "csv/1"


def test_reimport_is_idempotent(shared_data: Path, tmp_path: Path, db_path: Path) -> None:
    records = post_records(shared_data, limit=5000)
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, records)
    with hubbub.open(db_path) as hb:
        first = hb.import_files([data])
        before = table_digest(hb)
        second = hb.import_files([data])
        after = table_digest(hb)
        snapshots = hb.sql("SELECT count(*) AS n FROM snapshots").to_pylist()[0]["n"]
    assert first.new == len(records) == 5000
    assert (second.new, second.updated, second.duplicate, second.rejected) == (0, 0, 5000, 0)
    assert before == after
    assert snapshots == 0


def test_reseen_post_updates_counts_and_keeps_history(
    shared_data: Path, tmp_path: Path, db_path: Path
) -> None:
    records = post_records(shared_data, limit=50)
    first, later = tmp_path / "t1.ndjson", tmp_path / "t2.ndjson"
    for r in records:
        r["collected_at"] = "2024-01-01T00:00:00Z"
    write_ndjson(first, records)
    bumped = [
        {**r, "likes": int(r["likes"]) + 100, "collected_at": "2024-01-02T00:00:00Z"}
        for r in records[:10]
    ]
    write_ndjson(later, bumped + records[10:20])
    with hubbub.open(db_path) as hb:
        hb.import_files([first])
        report = hb.import_files([later])
        post = hb.sql("SELECT likes FROM posts WHERE id = ?", [records[0]["id"]]).to_pylist()[0]
        history = hb.sql(
            "SELECT likes, collected_at FROM snapshots WHERE post_id = ?", [records[0]["id"]]
        ).to_pylist()
    assert (report.new, report.updated, report.duplicate) == (0, 10, 10)
    assert post["likes"] == int(records[0]["likes"]) + 100
    assert history == [
        {"likes": records[0]["likes"], "collected_at": datetime(2024, 1, 1, tzinfo=UTC)}
    ]


@pytest.mark.parametrize("compression", ["none", "gz", "zst"])
def test_compressed_ndjson(
    shared_data: Path, tmp_path: Path, db_path: Path, compression: str
) -> None:
    records = post_records(shared_data, limit=300)
    payload = b"".join(orjson.dumps(r) + b"\n" for r in records)
    path = tmp_path / f"posts.jsonl{'' if compression == 'none' else '.' + compression}"
    if compression == "gz":
        payload = gzip.compress(payload)
    elif compression == "zst":
        payload = zstandard.ZstdCompressor().compress(payload)
    path.write_bytes(payload)
    with hubbub.open(db_path) as hb:
        assert hb.import_files([path]).new == 300
        assert hb.sql("SELECT count(DISTINCT id) AS n FROM posts").to_pylist()[0]["n"] == 300


def test_json_array_and_parquet(shared_data: Path, tmp_path: Path, db_path: Path) -> None:
    records = post_records(shared_data, limit=400)
    array = tmp_path / "posts.json"
    array.write_bytes(orjson.dumps(records[:200], option=orjson.OPT_INDENT_2))
    parquet = tmp_path / "posts.parquet"
    pq.write_table(pa.Table.from_pylist(records[200:]), parquet)
    with hubbub.open(db_path) as hb:
        report = hb.import_files([array, parquet])
        texts = {r["id"]: r["text"] for r in hb.sql("SELECT id, text FROM posts").to_pylist()}
    assert report.new == 400
    assert texts == {r["id"]: r["text"] for r in records}


def test_airline_csv_with_mapping_and_duplicate_ids(shared_data: Path, db_path: Path) -> None:
    # tweet_id in this export lost precision, so distinct tweets share ids: the later row wins
    # and the earlier count as duplicates, never as two posts with one id. Some rows of this
    # export are shifted by a split "&lt;3" so their date column holds text: quarantined.
    path = shared_data / "corpus" / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv"
    mapping = {
        "native_id": "tweet_id",
        "text": "text",
        "created_at": "tweet_created",
        "author_handle": "name",
        "reposts": "retweet_count",
    }
    with hubbub.open(db_path) as hb:
        report = hb.import_files([path], platform="twitter", mapping=mapping)
        distinct = hb.sql("SELECT count(*) AS n, count(DISTINCT id) AS d FROM posts").to_pylist()[0]
        first = hb.sql(
            "SELECT created_at, author_handle FROM posts ORDER BY created_at, id LIMIT 1"
        ).to_pylist()[0]
        reasons = [r["reason"] for r in hb.quarantine_list(limit=10_000).to_pylist()]
    assert report.read == 11712 and 0 < report.rejected < 600
    assert len(reasons) == report.rejected
    assert all("Tweets_part_shared.csv line " in r and "'created_at'" in r for r in reasons)
    assert distinct["n"] == distinct["d"] == report.new
    assert report.new + report.duplicate + report.rejected == 11712 and report.duplicate > 0
    # "2015-02-16 23:36:05 -0800" is 2015-02-17 07:36:05 UTC
    assert first["created_at"] == datetime(2015, 2, 17, 7, 36, 5, tzinfo=UTC)


def test_landing_keeps_the_raw_line(shared_data: Path, tmp_path: Path, db_path: Path) -> None:
    records = post_records(shared_data, limit=20)
    records[3]["extra_field"] = {"kept": True}
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, records)
    with hubbub.open(db_path) as hb:
        hb.import_files([data])
        ref = hb.sql("SELECT raw_ref FROM posts WHERE id = ?", [records[3]["id"]]).to_pylist()[0][
            "raw_ref"
        ]
        raw = hb.landing.read_raw(ref)
    assert raw == data.read_bytes().splitlines()[3]
    assert json.loads(raw)["extra_field"] == {"kept": True}


def test_bad_mapping_is_clear() -> None:
    from hubbub.importer import parse_mapping

    with pytest.raises(hubbub.HubbubError, match="not a Post field"):
        parse_mapping(["txet=body"])
    assert parse_mapping(["text = body", "author_handle=user.screen_name"]) == {
        "text": "body",
        "author_handle": "user.screen_name",
    }


def test_cli_maps_a_files_own_sentiment_labels(shared_data: Path, tmp_path: Path) -> None:
    """`--map sentiment=COLUMN` keeps a file's human labels (the README documents it)."""
    from tests.core.helpers import run_cli

    csv = shared_data / "corpus" / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv"
    db = tmp_path / "labels.duckdb"
    maps = ["text=text", "native_id=tweet_id", "created_at=tweet_created"]
    args = [a for m in maps for a in ("--map", m)]
    done = run_cli(
        "--db",
        db,
        "import",
        csv,
        "--platform",
        "twitter",
        *args,
        "--map",
        "sentiment=airline_sentiment",
        "--no-enrich",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    with hubbub.open(db) as hb:
        hb.store.con.execute(
            f"CREATE TEMP TABLE labels AS SELECT DISTINCT 'twitter:' || tweet_id AS id,"
            f" airline_sentiment AS label FROM read_csv('{csv}', all_varchar = true)"
        )
        stored, agree = hb.store.con.execute(
            "SELECT (SELECT count(*) FROM posts), count(DISTINCT p.id)"
            " FROM posts p JOIN labels l ON l.id = p.id AND l.label = p.sentiment"
        ).fetchone() or (0, 0)
    # --no-enrich: no model ran, so each label came from the file, and it is the post's own.
    assert stored > 10_000 and agree == stored


def test_resumes_an_import_checkpointed_under_the_old_source_key(
    shared_data: Path, tmp_path: Path, db_path: Path
) -> None:
    """A database from before BLAKE3 source keys still resumes its half-done imports."""
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, post_records(shared_data, limit=3000))
    with hubbub.open(db_path) as hb:
        hb.import_files([data])
        _, settings, format_name = _resolve(data, ImportOptions())
        legacy = _source_key(data, settings, format_name, legacy=True)
        offset = len(b"".join(data.read_bytes().splitlines(keepends=True)[:2000]))
        # As the old key left it: 2,000 lines committed, the rest not yet.
        hb.store.con.execute(
            "UPDATE checkpoints SET source = ?, position = ?, records = 2000, complete = false",
            [legacy, offset],
        )
        report = hb.import_files([data])
        row = hb.sql("SELECT source, complete FROM checkpoints").to_pylist()
    assert legacy.startswith("file-") and not legacy.startswith("file3-")
    assert report.resumed == [f"{data} from byte {offset}"]
    assert (report.read, report.new, report.duplicate) == (1000, 0, 1000)
    assert row == [{"source": legacy, "complete": True}]
