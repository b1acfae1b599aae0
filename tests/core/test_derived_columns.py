"""platform and native_id are computed from id; a database made before that is rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

import hubbub
from hubbub import store as store_module
from hubbub.store import Store
from tests.realdata import post_records, write_ndjson

DERIVED_AT = next(
    k for k, (description, _) in enumerate(store_module.MIGRATIONS) if "derived" in description
)


def old_database(
    path: Path, monkeypatch: pytest.MonkeyPatch, records: list[dict[str, object]]
) -> None:
    """A database at the schema before DERIVED, holding `records` imported as it stored them."""
    data = path.with_suffix(".ndjson")
    write_ndjson(data, records)
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:DERIVED_AT])
        with hubbub.open(path) as old:
            assert old.store.derived == frozenset()
            assert old.import_files([data], enrich=False).new == len(records)


def test_an_old_database_is_rebuilt_with_the_same_posts(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.duckdb"
    old_database(db, monkeypatch, post_records(shared_data, limit=500))
    query = "SELECT * FROM posts ORDER BY id"
    with Store(db, read_only=True) as before:
        expected = before.query(query).to_pylist()
    with Store(db) as store:
        assert store.derived == {"platform", "native_id"}
        assert store.query(query).to_pylist() == expected  # same columns, order and values
        generated = store.query(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'posts' AND is_generated = 'ALWAYS' ORDER BY 1"
        ).to_pylist()
        assert generated == [{"column_name": "native_id"}, {"column_name": "platform"}]


def test_an_old_database_whose_ids_disagree_keeps_storing_them(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "odd.duckdb"
    old_database(db, monkeypatch, post_records(shared_data, limit=20))
    with monkeypatch.context() as patch:  # a post whose platform is not its id's, as a bug or
        patch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:DERIVED_AT])
        with Store(db) as old:  # an old version of hubbub could have left
            old.con.execute(
                "UPDATE posts SET platform = 'other' WHERE id = (SELECT min(id) FROM posts)"
            )
    with hubbub.open(db) as hb:
        assert hb.store.derived == frozenset()
        assert hb.sql(
            "SELECT count(*) FILTER (platform = 'other') AS n FROM posts"
        ).to_pylist() == [{"n": 1}]
        data = tmp_path / "more.ndjson"
        write_ndjson(data, post_records(shared_data, limit=60))
        report = hb.import_files([data], enrich=False)  # imports still work in that layout
        assert report.new == 40 and report.duplicate == 20


def test_a_platform_holding_a_colon_is_rejected_on_both_paths(
    shared_data: Path, tmp_path: Path
) -> None:
    records = post_records(shared_data, limit=30)
    for record in records[:2]:
        native = record.pop("id").split(":", 1)[1]
        record.update(platform="a:b", native_id=native)
    data = tmp_path / "colon.ndjson"
    write_ndjson(data, records)
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        report = hb.import_files([data], enrich=False)
        assert (report.new, report.rejected) == (28, 2)
        reasons = hb.sql("SELECT reason FROM quarantine ORDER BY line").to_pylist()
        assert all("holds a ':'" in r["reason"] for r in reasons)
        assert hb.sql(
            "SELECT count(*) AS n FROM posts WHERE platform <> 'twitter'"
        ).to_pylist() == [{"n": 0}]
