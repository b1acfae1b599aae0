"""Bad input: nothing already accepted is lost, every bad record is quarantined with its place."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

import hubbub
from tests.core.helpers import run_cli
from tests.realdata import post_records

BAD_LINES = {
    "truncated": lambda good: orjson.dumps(good)[:-25],
    "wrong type": lambda good: orjson.dumps({**good, "id": good["id"] + "-x", "likes": "many"}),
    "invalid utf-8": lambda good: orjson.dumps({**good, "id": good["id"] + "-u"}).replace(
        b'"text":"', b'"text":"\xff\xfe', 1
    ),
    "10 MB line": lambda good: orjson.dumps(
        {**good, "id": good["id"] + "-big", "text": "x" * 10_000_000}
    ),
    "empty": lambda good: b"",
}


def mixed_file(shared_data: Path, path: Path) -> tuple[list[dict[str, object]], dict[str, int]]:
    """Valid real posts with one bad line of each kind in between; returns (valid, line of each bad)."""
    good = post_records(shared_data, limit=40)
    lines: list[bytes] = []
    where: dict[str, int] = {}
    valid: list[dict[str, object]] = []
    bad = iter(BAD_LINES.items())
    for index, record in enumerate(good):
        if index % 7 == 3:
            name, make = next(bad, (None, None))
            if name is not None and make is not None:
                lines.append(make(record))
                where[name] = len(lines)
                continue
        lines.append(orjson.dumps(record))
        valid.append(record)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return valid, where


def test_mixed_file_lands_valid_records_and_quarantines_each_bad_one(
    shared_data: Path, tmp_path: Path
) -> None:
    data = tmp_path / "mixed.ndjson"
    valid, where = mixed_file(shared_data, data)
    db = tmp_path / "h.duckdb"
    result = run_cli("--db", db, "import", data, "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    counts = json.loads(result.stdout)
    assert counts["new"] == len(valid) and counts["rejected"] == len(BAD_LINES)
    assert counts["read"] == len(valid) + len(BAD_LINES)

    with hubbub.open(db) as hb:
        ids = {r["id"] for r in hb.sql("SELECT id FROM posts").to_pylist()}
        rows = hb.sql("SELECT line, reason, hint, raw FROM quarantine ORDER BY line").to_pylist()
    assert ids == {r["id"] for r in valid}
    by_line = {r["line"]: r for r in rows}
    assert set(by_line) == set(where.values())
    expected_words = {
        "truncated": "truncated JSON",
        "wrong type": "'likes'",
        "invalid utf-8": "invalid UTF-8",
        "10 MB line": "10.0 MB",
        "empty": "empty line",
    }
    for name, line in where.items():
        row = by_line[line]
        assert f"mixed.ndjson line {line}:" in row["reason"]
        assert expected_words[name] in row["reason"], row["reason"]
        assert row["hint"]
    assert len(by_line[where["10 MB line"]]["raw"]) > 10_000_000  # kept whole, nothing lost

    listing = run_cli("--db", db, "quarantine", "list", "--format", "json")
    assert listing.returncode == 0 and len(listing.stdout.splitlines()) == len(BAD_LINES)


def test_message_tells_what_to_do(shared_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "mixed.ndjson"
    mixed_file(shared_data, data)
    result = run_cli("--db", tmp_path / "h.duckdb", "import", data)
    assert result.returncode == 0
    assert "hubbub quarantine list" in result.stderr
    assert "5 rejected" in result.stdout


def test_nothing_importable_exits_non_zero_and_retry_fixes_it(
    shared_data: Path, tmp_path: Path
) -> None:
    # A CSV whose columns are not ours: without --map nothing can be imported.
    rows = post_records(shared_data, limit=30)
    data = tmp_path / "export.csv"
    data.write_text(
        "tweet,when,who\n"
        + "".join(
            f'"{str(r["text"]).replace(chr(34), chr(39))}",{r["created_at"]},{r["author_handle"]}\n'
            for r in rows
        ),
        encoding="utf-8",
    )
    db = tmp_path / "h.duckdb"
    failed = run_cli("--db", db, "import", data)
    assert failed.returncode == 1
    assert "nothing could be imported" in failed.stderr and "Traceback" not in failed.stderr
    retry = run_cli(
        "--db",
        db,
        "quarantine",
        "retry",
        "--map",
        "text=tweet",
        "--map",
        "created_at=when",
        "--map",
        "author_handle=who",
        "--json",
    )
    assert retry.returncode == 0, retry.stderr
    assert json.loads(retry.stdout) == {"retried": 30, "resolved": 30, "still_rejected": 0}
    with hubbub.open(db) as hb:
        assert hb.status().posts == 30
        assert hb.status().quarantined == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "missing.ndjson"], "no such file"),
        (["import", "{data}", "--map", "body"], "is not FIELD=COLUMN"),
        (["import", "{data}", "--format", "myspace"], "unknown format"),
        (["sql", "SELECT nope FROM posts"], "SQL error"),
        (["quarantine", "show", "99"], "no quarantined record 99"),
    ],
)
def test_errors_are_messages_not_tracebacks(tmp_path: Path, args: list[str], message: str) -> None:
    data = tmp_path / "d.ndjson"
    data.write_text('{"id": "x:1", "text": "hello", "created_at": "2024-01-01T00:00:00Z"}\n')
    result = run_cli("--db", tmp_path / "h.duckdb", *[a.replace("{data}", str(data)) for a in args])
    assert result.returncode != 0
    assert message in result.stderr.lower() or message in result.stderr
    assert "Traceback" not in result.stderr
