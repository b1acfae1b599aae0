"""`hubbub users`, `hubbub dashboards`, `hubbub report` as a user runs them, and the report
endpoint: PDF/PNG rendered by the system's headless Chromium from real data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import orjson

from tests.core.helpers import run_cli
from tests.web.conftest import Site
from tests.web.live import youtube_store
from tests.web.test_security import sign_in


def test_users_and_dashboards_from_the_cli_and_a_pdf_and_png_report(
    shared_data: Path, tmp_path: Path
) -> None:
    db = youtube_store(shared_data, tmp_path / "yt.duckdb")
    added = run_cli(
        "--db",
        db,
        "users",
        "add",
        "ann",
        "--role",
        "owner",
        "--password-env",
        "ANN_PW",
        env={"ANN_PW": "from the environment"},
    )
    assert added.returncode == 0 and "generated" not in added.stdout
    generated = run_cli(
        "--db", db, "users", "add", "bob", "--role", "viewer", "--password-env", "UNSET_PW_VAR"
    )
    assert generated.returncode == 0 and "generated password for bob" in generated.stdout
    bad_role = run_cli(
        "--db",
        db,
        "users",
        "add",
        "cy",
        "--role",
        "admin",
        "--password-env",
        "ANN_PW",
        env={"ANN_PW": "long enough"},
    )
    assert bad_role.returncode != 0 and "unknown role" in bad_role.stderr
    assert "Traceback" not in bad_role.stderr
    listed = run_cli("--db", db, "users", "list", "--json")
    assert [(u["username"], u["role"]) for u in orjson.loads(listed.stdout)] == [
        ("ann", "owner"),
        ("bob", "viewer"),
    ]
    last_owner = run_cli("--db", db, "users", "remove", "ann")
    assert last_owner.returncode != 0 and "only owner" in last_owner.stderr
    token = run_cli("--db", db, "users", "token", "bob").stdout.strip()
    assert token.startswith("hb_")
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("SELECT token_hash FROM api_tokens").fetchall()
    con.close()
    assert stored and token not in {row[0] for row in stored}  # only its hash is kept
    assert run_cli("--db", db, "users", "remove", "bob").returncode == 0

    slug = run_cli(
        "--db",
        db,
        "dashboards",
        "add",
        "Music",
        "--panel",
        "volume:music",
        "--panel",
        "top_authors",
    ).stdout.strip()
    assert slug and slug in run_cli("--db", db, "dashboards", "list").stdout
    wrong = run_cli("--db", db, "dashboards", "add", "X", "--panel", "pie")
    assert wrong.returncode != 0 and "unknown panel" in wrong.stderr

    pdf, png = tmp_path / "music.pdf", tmp_path / "music.png"
    assert run_cli("--db", db, "report", "Music", "--out", pdf).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000
    assert run_cli("--db", db, "report", slug, "--out", png).returncode == 0
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 20_000
    unknown = run_cli("--db", db, "report", "Nope", "--out", pdf)
    assert unknown.returncode != 0 and "no dashboard 'Nope'" in unknown.stderr
    txt = run_cli("--db", db, "report", "Music", "--out", tmp_path / "music.txt")
    assert txt.returncode != 0 and ".pdf or .png" in txt.stderr


def test_report_endpoint_renders_the_shared_dashboard(site: Site) -> None:
    editor = site.client(site.airlines.tokens["editor"])
    slug = editor.post(
        "/api/v1/dashboards",
        json={"title": "For the board", "panels": [{"kind": "sov", "group": "airlines"}]},
    ).json()["slug"]
    viewer = site.client(site.airlines.tokens["viewer"])  # reading a report is not editing
    pdf = viewer.get(f"/api/v1/dashboards/{slug}/report", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    page = sign_in(site, "airlines", "air-viewer").get(f"/w/airlines/d/{slug}/report.png")
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
    other = site.client(site.video.tokens["owner"])
    assert other.get(f"/api/v1/dashboards/{slug}/report").status_code == 404  # not in its store
