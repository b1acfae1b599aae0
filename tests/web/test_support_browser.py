"""The support queue in a real browser (issue #10, acceptance 3).

Real airline tweets, with the six airlines as our owned accounts. A support person (an editor)
opens the queue: it is ordered by urgency with the parts of each score shown; they assign the
most urgent post to themselves and mark it handled, and it moves to the handled view. A viewer
sees the same queue with no controls and is refused (403) if they post a change anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import hubbub
from hubbub.store import Store
from hubbub.web import create_app
from hubbub.web.users import add_user
from tests.realdata import AIRLINE_MAPPING, AIRLINES
from tests.teams.conftest import AIRLINE_CSV
from tests.web.live import PASSWORD, running, sign_in


@pytest.fixture(scope="module")
def server(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("support") / "air.duckdb"
    with hubbub.open(db) as hb:
        # Sentiment from hubbub's own model (not the corpus labels), so negativity is graded.
        hb.import_files(
            [shared_data.joinpath(*AIRLINE_CSV)], mapping=AIRLINE_MAPPING, platform="twitter"
        )
        for handle in AIRLINES.values():
            hb.owned.add(handle, "twitter")
    with Store(db) as store:
        add_user(store, "lead", PASSWORD, "owner")
        add_user(store, "sam", PASSWORD, "editor")
        add_user(store, "vic", PASSWORD, "viewer")
    with running(create_app(workspaces={"air": str(db)})) as url:
        yield url


def urgencies(page: Page) -> list[float]:
    rows = page.locator("table.support tr.item")
    return [float(v or "nan") for v in rows.evaluate_all("rs => rs.map(r => r.dataset.urgency)")]


def test_support_person_assigns_and_handles_viewer_cannot(server: str, browser: Browser) -> None:
    sam = browser.new_context().new_page()
    sign_in(sam, server, "air", "sam", PASSWORD)
    sam.click("nav >> text=Support")
    expect(sam.get_by_role("heading", name="Support queue")).to_be_visible()
    scores = urgencies(sam)
    assert len(scores) == 100  # the page shows the 100 most urgent of thousands
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    first = sam.locator("table.support tr.item").first
    expect(first).to_contain_text("neg ")  # the parts of the score are shown
    post_id = first.get_attribute("data-post-id")
    assert post_id

    row = sam.locator(f"tr[data-post-id='{post_id}']")
    row.locator("select[name=assignee]").select_option("sam")
    row.locator("button:has-text('Assign')").click()
    row = sam.locator(f"tr[data-post-id='{post_id}']")
    expect(row).to_have_attribute("data-status", "assigned")
    expect(row.locator(".assignee")).to_have_text("sam")

    row.locator("button:has-text('Mark handled')").click()
    expect(sam.locator(f"tr[data-post-id='{post_id}']")).to_have_count(0)  # left the open queue
    assert urgencies(sam) == sorted(urgencies(sam), reverse=True)
    sam.select_option("select[name=status]", "handled")
    sam.click("#support-filters button")
    handled = sam.locator(f"tr[data-post-id='{post_id}']")
    expect(handled).to_have_attribute("data-status", "handled")
    expect(handled).to_contain_text("by sam")
    expect(sam.locator(".stats")).to_contain_text("handled 1")

    vic = browser.new_context().new_page()
    sign_in(vic, server, "air", "vic", PASSWORD)
    vic.goto(f"{server}/w/air/support")
    assert urgencies(vic) == sorted(urgencies(vic), reverse=True) and urgencies(vic)
    expect(vic.locator(".readonly")).to_contain_text("viewer")
    expect(vic.locator("table.support button")).to_have_count(0)
    other = vic.locator("table.support tr.item").first.get_attribute("data-post-id")
    status = vic.evaluate(
        """async (postId) => {
            const body = new URLSearchParams({action: "assign", post_id: postId,
                assignee: "vic", csrf_token: document.body.dataset.csrf});
            return (await fetch("/w/air/support", {method: "POST", body})).status;
        }""",
        other,
    )
    assert status == 403  # a hand-made request with a valid CSRF token is refused too
    sam.goto(f"{server}/w/air/support")
    expect(sam.locator(f"tr[data-post-id='{other}']")).to_have_attribute("data-status", "open")
