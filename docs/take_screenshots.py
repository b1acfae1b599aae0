"""Take the README's dashboard screenshots from a running `make run` server.

    HUBBUB_ADMIN_PASSWORD=... make run          # in one terminal
    HUBBUB_ADMIN_PASSWORD=... .venv/bin/python docs/take_screenshots.py [http://127.0.0.1:8000]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from hubbub.web.report import CHROMIUM_FLAGS

DOCS = Path(__file__).resolve().parent


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=list(CHROMIUM_FLAGS))
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}/w/main/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", os.environ["HUBBUB_ADMIN_PASSWORD"])
        page.click("button[type=submit]")
        page.wait_for_url("**/w/main/")
        page.screenshot(path=DOCS / "dashboard-overview.png", full_page=True)
        page.goto(f"{url}/w/main/topics/katy")
        page.screenshot(path=DOCS / "dashboard-topic.png", full_page=True)
        page.goto(f"{url}/w/main/topics")
        page.fill("input[name=name]", "love")
        page.locator("#query").press_sequentially("love AND song OR music", delay=10)
        page.wait_for_selector("#live-validation pre.caret")
        page.screenshot(path=DOCS / "query-builder.png")
        page.goto(f"{url}/w/main/dashboards")
        page.click("a:has-text('Artists')")
        page.screenshot(path=DOCS / "saved-dashboard.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
