"""NDJSON chunks end on whole DuckDB row groups, and that changes nothing an import promises.

The row group size is lowered here (DuckDB's is 122,880 rows) so that small real files have
many aligned chunks, a carried remainder and a last partial chunk.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

import hubbub
from hubbub.filereaders import count_newlines, read_ndjson
from hubbub.store import Store
from tests.realdata import post_records, write_ndjson

GROUP = 1000


@pytest.fixture()
def small_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hubbub.filereaders.ROW_GROUP_LINES", GROUP)
    monkeypatch.setattr("hubbub.filereaders.CHUNK_BYTES", 1 << 20)  # ~2,600 tweets a block


@pytest.fixture(scope="module")
def tweets_file(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("chunks") / "posts.ndjson"
    return path, write_ndjson(path, post_records(shared_data, limit=12_345))


@pytest.mark.usefixtures("small_groups")
@pytest.mark.parametrize("final_newline", [True, False])
def test_chunks_hold_whole_row_groups_and_every_line_once(
    tweets_file: tuple[Path, int], tmp_path: Path, final_newline: bool
) -> None:
    source, lines = tweets_file
    data = source.read_bytes()
    path = tmp_path / "posts.ndjson"
    path.write_bytes(data if final_newline else data.rstrip(b"\n"))
    chunks = list(read_ndjson(path))
    assert b"".join(c.lines for c in chunks) == data
    next_line, next_byte = 1, 0
    for index, chunk in enumerate(chunks):
        assert (chunk.first_line, chunk.position) == (next_line, next_byte)
        assert chunk.newlines() == chunk.lines.count(b"\n")
        if index < len(chunks) - 2:  # the file's end may cut the one before the last short
            assert chunk.newlines() == GROUP
        next_line += chunk.newlines()
        next_byte = chunk.end
    assert next_line - 1 == lines and chunks[-1].last
    assert next_byte == path.stat().st_size
    assert len([c for c in chunks if c.newlines()]) > 3  # aligned chunks, then the rest


@pytest.mark.usefixtures("small_groups")
def test_resumed_import_of_aligned_chunks_is_one_clean_import(
    tweets_file: tuple[Path, int], tmp_path: Path
) -> None:
    data, lines = tweets_file
    db = tmp_path / "h.duckdb"
    calls = 0

    def stop_after_two_chunks(path: Path, done: int, size: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt

    with hubbub.open(db) as hb, pytest.raises(KeyboardInterrupt):
        hb.import_files([data], enrich=False, progress=stop_after_two_chunks)
    with hubbub.open(db) as hb:
        committed = hb.sql("SELECT count(*) AS n FROM posts").to_pylist()[0]["n"]
        assert committed % GROUP == 0 and 0 < committed < lines
        report = hb.import_files([data], enrich=False)
        assert (report.new, report.read) == (lines - committed, lines - committed)
        rows = hb.sql(
            "SELECT count(*) AS n, count(DISTINCT id) AS d, max(raw_ref) AS r FROM posts"
        ).to_pylist()[0]
        assert (rows["n"], rows["d"]) == (lines, lines)
        # raw_ref still points at each post's own raw line, across chunk boundaries.
        sample = hb.sql(
            "SELECT id, raw_ref FROM posts USING SAMPLE 50 ROWS (reservoir, 3)"
        ).to_pylist()
        for post in sample:
            assert orjson.loads(hb.landing.read_raw(post["raw_ref"]))["id"] == post["id"]
        again = hb.import_files([data], enrich=False)
        assert (again.new, again.updated) == (0, 0)


def test_import_leaves_duckdb_threads_as_they_were(shared_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "posts.ndjson"
    write_ndjson(data, post_records(shared_data, limit=2_000))
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.sql("SET threads = 2")
        assert hb.import_files([data], enrich=False).new == 2_000
        assert hb.sql("SELECT current_setting('threads') AS t").to_pylist()[0]["t"] == 2
        setting = "SELECT current_setting('disabled_compression_methods') AS m"
        assert hb.sql(setting).to_pylist()[0]["m"] == ""


def test_bulk_writing_skips_zstd_and_restores_what_was_disabled(tmp_path: Path) -> None:
    with Store(tmp_path / "h.duckdb") as store:
        setting = "SELECT current_setting('disabled_compression_methods')"
        store.con.execute("SET disabled_compression_methods = 'rle'")
        with pytest.raises(ZeroDivisionError), store.bulk_writing():
            assert str(store.one(setting)).lower() == "('rle,zstd',)"
            assert store.one("SELECT current_setting('threads')") == (1,)
            _ = 1 / 0
        assert str(store.one(setting)).lower() == "('rle',)"


def test_single_threaded_restores_threads_after_an_error(tmp_path: Path) -> None:
    with Store(tmp_path / "h.duckdb") as store:
        store.con.execute("SET threads = 2")
        with pytest.raises(ZeroDivisionError), store.single_threaded():
            assert store.one("SELECT current_setting('threads')") == (1,)
            _ = 1 / 0
        assert store.one("SELECT current_setting('threads')") == (2,)


@pytest.mark.usefixtures("small_groups")
def test_chunks_stay_whole_row_groups_when_lines_grow_longer(
    tweets_file: tuple[Path, int], tmp_path: Path
) -> None:
    # Reads are sized from the last chunk's bytes per line; tweets padded to ten times their
    # length after the first groups must not make the chunks after them short.
    source, _ = tweets_file
    records = [orjson.loads(line) for line in source.read_bytes().splitlines()[: 5 * GROUP]]
    for record in records[2 * GROUP :]:
        record["text"] = (record.get("text") or "") + " padding" * 120
    path = tmp_path / "growing.ndjson"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    chunks = list(read_ndjson(path))
    assert [c.newlines() for c in chunks] == [GROUP] * 5
    assert chunks[-1].last
    assert b"".join(c.lines for c in chunks) == path.read_bytes()


@pytest.mark.usefixtures("small_groups")
def test_a_post_in_two_batches_committing_at_once_is_stored_once(
    tweets_file: tuple[Path, int], tmp_path: Path
) -> None:
    # Batches commit two at a time on separate connections, neither seeing the other's rows;
    # a post in both must still end as one row with the later batch's counts.
    source, _ = tweets_file
    records = [orjson.loads(line) for line in source.read_bytes().splitlines()[: 4 * GROUP]]
    again = dict(records[GROUP - 1], likes=10**6)  # last line of batch 1, again in batch 2
    records.insert(GROUP + 10, again)
    path = tmp_path / "twice.ndjson"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        report = hb.import_files([path], enrich=False)
        assert (report.new, report.updated, report.read) == (4 * GROUP, 1, 4 * GROUP + 1)
        rows = hb.sql("SELECT likes FROM posts WHERE id = ?", [again["id"]]).to_pylist()
        assert rows == [{"likes": 10**6}]
        total = hb.sql("SELECT count(*) AS n, count(DISTINCT id) AS d FROM posts").to_pylist()
        assert total == [{"n": 4 * GROUP, "d": 4 * GROUP}]


@pytest.mark.parametrize(
    ("start", "end"), [(0, None), (7, None), (3, 600_001), (262_143, 524_289), (0, 10), (9, 9)]
)
def test_count_newlines_is_bytes_count(
    tweets_file: tuple[Path, int], start: int, end: int | None
) -> None:
    data = tweets_file[0].read_bytes()[:700_000]
    stop = len(data) if end is None else end
    assert count_newlines(data, start, end) == data.count(b"\n", start, stop)
