"""The CLI as a user runs it: init, import, posts, sql, status, quarantine; and --help for all."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hubbub.store import MIGRATIONS
from tests.core.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
SAMPLE = sorted((REPO / "sample" / "youtube_spam_collection").glob("*.csv"))
MAP = [
    "--map",
    "native_id=COMMENT_ID",
    "--map",
    "author_handle=AUTHOR",
    "--map",
    "created_at=DATE",
    "--map",
    "text=CONTENT",
]


def test_init_import_status_posts_sql(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert f"schema version {len(MIGRATIONS)}" in run_cli("--db", db, "init").stdout
    imported = run_cli("--db", db, "import", *SAMPLE, "--platform", "youtube", *MAP, "--json")
    assert imported.returncode == 0, imported.stderr
    counts = json.loads(imported.stdout)
    assert {k: counts[k] for k in ("read", "new", "updated", "duplicate", "rejected")} == {
        "read": 1138,
        "new": 1138,
        "updated": 0,
        "duplicate": 0,
        "rejected": 0,
    }

    status = json.loads(run_cli("--db", db, "status", "--json").stdout)
    assert status["posts"] == 1138
    assert status["platforms"][0]["platform"] == "youtube"
    assert status["first"].startswith("2013-11-07")
    assert status["last_import"]["new"] == 1138

    text = run_cli("--db", db, "status").stdout
    assert "1,138 posts" in text and "youtube" in text

    posts = run_cli("--db", db, "posts", "--limit", "3", "--format", "json").stdout.splitlines()
    assert len(posts) == 3
    newest = json.loads(posts[0])
    assert newest["created_at"].startswith("2015-06-05")

    out = run_cli(
        "--db",
        db,
        "sql",
        "SELECT author_handle, count(*) AS n FROM posts GROUP BY 1 ORDER BY n DESC, 1 LIMIT 2",
        "--format",
        "csv",
    ).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2 and int(rows[0]["n"]) >= int(rows[1]["n"])


def test_env_var_names_the_database(tmp_path: Path) -> None:
    db = tmp_path / "env.duckdb"
    run_cli("import", SAMPLE[0], "--platform", "youtube", *MAP, env={"HUBBUB_DB": str(db)})
    assert db.exists()
    assert (
        json.loads(run_cli("status", "--json", env={"HUBBUB_DB": str(db)}).stdout)["posts"] == 350
    )


def test_every_command_has_help() -> None:
    for command in (
        ["--help"],
        ["import", "--help"],
        ["posts", "--help"],
        ["sql", "--help"],
        ["status", "--help"],
        ["init", "--help"],
        ["quarantine", "--help"],
        ["quarantine", "retry", "--help"],
    ):
        result = run_cli(*command)
        assert result.returncode == 0, command
        assert "Usage" in result.stdout
