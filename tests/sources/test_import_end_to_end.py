"""The importer uses the registry: real payload files go in, stored posts come out."""

from __future__ import annotations

from pathlib import Path

import hubbub

F = "formats"


def test_import_platform_files_auto_and_named(shared_data: Path, db_path: Path) -> None:
    hb = hubbub.open(db_path)
    try:
        cassette = hb.import_files(
            [shared_data / F / "reddit/praw_cassettes/TestMore.test_comments.json"]
        )
        assert cassette.new == 478 and cassette.rejected == 6  # 6 deleted comments
        pages = hb.import_files([shared_data / F / "twitter_v2/twarc2_jsonl/noflat.jsonl"])
        assert pages.new == 164 and pages.rejected == 0
        # The flattened file holds the same tweets: all duplicates of what is stored.
        flat = hb.import_files(
            [shared_data / F / "twitter_v2/twarc2_jsonl/flat.jsonl"], format="twitter_v2"
        )
        assert flat.new == 0 and flat.duplicate == 194
        again = hb.import_files([shared_data / F / "bluesky/jetstream_v1/golden_v1.jsonl"])
        assert again.new == 1
    finally:
        hb.close()
