"""`hubbub remap` rebuilds posts from the landed raw payloads, without fetching anything."""

from __future__ import annotations

import json
from pathlib import Path

import hubbub
from tests.core.helpers import run_cli


def posts_by_id(hb: hubbub.Hubbub) -> dict[str, tuple[object, ...]]:
    rows = hb.sql(
        "SELECT id, text, author_handle, likes, mapping_version, parent_id FROM posts"
    ).to_pylist()
    return {r["id"]: tuple(r.values()) for r in rows}


def test_remap_restores_posts_and_empties_the_quarantine(shared_data: Path, tmp_path: Path) -> None:
    payload = shared_data / "formats" / "twitter_v2" / "twarc2_jsonl" / "noflat.jsonl"
    with hubbub.open(tmp_path / "clean.duckdb") as clean:
        clean.import_files([payload], format="twitter_v2")
        expected = posts_by_id(clean)
    assert len(expected) > 50

    db = tmp_path / "h.duckdb"
    with hubbub.open(db) as hb:
        # A too-strict import quarantines the large pages; a "buggy mapping" spoils the rest.
        first = hb.import_files([payload], format="twitter_v2", max_record_bytes=40_000)
        assert first.rejected > 0
        hb.sql("UPDATE posts SET text = 'broken', mapping_version = 'twitter_v2/0'")
    result = run_cli("--db", db, "remap", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rejected"] == 0 and report["unquarantined"] == first.rejected
    with hubbub.open(db) as hb:
        assert posts_by_id(hb) == expected
        assert hb.status().quarantined == 0
