"""PNG/PDF reports of a saved dashboard, rendered by headless Chromium.

The page is rendered here (same panels, CSS inlined) into a temporary file that Chromium opens
with file://, so the browser needs no session and no network: `--print-to-pdf` or `--screenshot`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from hubbub.api import Hubbub
from hubbub.errors import HubbubError
from hubbub.web.dashboards import Dashboard
from hubbub.web.panels import render_panel
from hubbub.web.templating import STATIC_DIR, render

# The flags a locked-down machine needs: no sandbox (root in containers), nothing phoning home.
CHROMIUM_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
FORMATS: Final = ("pdf", "png")


def chromium_path() -> str:
    """$HUBBUB_CHROMIUM, else chromium (or chrome) on the PATH."""
    configured = os.environ.get("HUBBUB_CHROMIUM")
    found = configured or next(
        (
            p
            for name in ("chromium", "chromium-browser", "google-chrome")
            if (p := shutil.which(name))
        ),
        None,
    )
    if not found:
        raise HubbubError(
            "no Chromium found to render the report",
            "install it (apt-get install chromium) or set HUBBUB_CHROMIUM to its path",
        )
    return found


def dashboard_html(hb: Hubbub, workspace: str, board: Dashboard) -> str:
    panels = [render_panel(hb, spec) for spec in board.panels]
    css = (STATIC_DIR / "hubbub.css").read_text(encoding="utf-8")
    return render(
        "report.html",
        board=board,
        panels=panels,
        css=css,
        workspace=workspace,
        generated=datetime.now(UTC),
    )


def html_to_file(html: str, out: Path, fmt: str) -> None:
    if fmt not in FORMATS:
        raise HubbubError(f"unknown report format {fmt!r}", "use a .pdf or .png output file")
    with tempfile.TemporaryDirectory(prefix="hubbub-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        target = Path(tmp) / f"report.{fmt}"
        action = (
            [f"--print-to-pdf={target}", "--no-pdf-header-footer"]
            if fmt == "pdf"
            else [f"--screenshot={target}", "--window-size=1280,2400", "--hide-scrollbars"]
        )
        command = [
            chromium_path(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp}/profile",
            *action,
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=120, check=False)
        except subprocess.TimeoutExpired:
            raise HubbubError("Chromium took over 2 minutes to render", "try again") from None
        if not target.exists():
            raise HubbubError(
                f"Chromium did not write the report (exit {done.returncode}): "
                + done.stderr.decode(errors="replace")[-300:],
                "check that chromium runs: chromium --headless --version",
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, out)


def html_to_bytes(html: str, fmt: str) -> bytes:
    """The report as PDF or PNG bytes (call it outside the workspace lock: it takes seconds)."""
    with tempfile.TemporaryDirectory(prefix="hubbub-out-") as tmp:
        out = Path(tmp) / f"out.{fmt}"
        html_to_file(html, out, fmt)
        return out.read_bytes()


def write_report(hb: Hubbub, workspace: str, board: Dashboard, out: Path) -> Path:
    """`hubbub report DASHBOARD --out file.pdf|png`: the format is the file's extension."""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise HubbubError(
            f"cannot tell the report format of {out}", "end the file name in .pdf or .png"
        )
    html_to_file(dashboard_html(hb, workspace, board), out, fmt)
    return out
