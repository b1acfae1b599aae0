"""The dashboard in a real browser: Playwright driving the system's headless Chromium.

One story, in order, as people use it: the first visit creates the owner account; the owner
sees charts of real airline tweets, types a wrong query (the caret shows as they type), fixes it,
saves a dashboard and adds a viewer; the viewer opens the shared link, sees the same charts and
no way to edit; a member of another workspace gets nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from hubbub.store import Store
from hubbub.web import create_app
from hubbub.web.users import add_user
from tests.web.live import PASSWORD, airline_store, running, sign_in


@pytest.fixture(scope="module")
def server(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    acme = airline_store(shared_data, folder / "acme.duckdb")  # no users yet: first run
    with Store(folder / "rival.duckdb") as store:
        add_user(store, "rival-owner", PASSWORD, "owner")
    app = create_app(workspaces={"acme": str(acme), "rival": str(folder / "rival.duckdb")})
    with running(app) as url:
        yield url


def charts_have_data(page: Page) -> None:
    lines = page.locator("svg.chart polyline.series")
    expect(lines.first).to_be_visible()
    assert int(lines.first.get_attribute("data-points") or 0) > 20
    assert page.locator("svg.chart rect.bar").count() > 10
    assert page.locator("svg.chart .tick").count() > 10  # axes are labelled


def test_owner_builds_and_shares_a_dashboard_a_viewer_only_reads(
    server: str, browser: Browser
) -> None:
    owner = browser.new_page()
    owner.goto(server + "/")
    owner.click("a:has-text('acme')")  # the list of workspaces
    expect(
        owner.get_by_role("heading", name=re.compile("Create the owner account"))
    ).to_be_visible()
    owner.fill("input[name=username]", "ada")
    owner.fill("input[name=password]", "short")  # the browser refuses; the server would too
    owner.fill("input[name=password]", PASSWORD)
    owner.click("button[type=submit]")
    expect(owner.get_by_role("heading", name="Overview")).to_be_visible()
    charts_have_data(owner)

    # Sign out and back in through the login form.
    owner.click("text=Sign out")
    expect(owner.get_by_role("heading", name=re.compile("Sign in"))).to_be_visible()
    sign_in(owner, server, "acme", "ada", "not the password")
    expect(owner.locator("p.error")).to_contain_text("wrong username or password")
    sign_in(owner, server, "acme", "ada", PASSWORD)
    expect(owner.get_by_role("heading", name="Overview")).to_be_visible()

    # Query builder: the caret shows while typing, and again if the form is sent anyway.
    owner.click("text=Topics & query builder")
    owner.fill("input[name=name]", "delta")
    owner.fill("input[name=group]", "airlines")
    owner.locator("#query").press_sequentially("@delta AND bag OR luggage", delay=5)
    caret = owner.locator("#live-validation pre.caret")
    expect(caret).to_be_visible()
    excerpt = caret.inner_text()
    assert "^" in excerpt and "@delta AND bag OR luggage" in excerpt
    assert excerpt.splitlines()[-1].index("^") > excerpt.splitlines()[0].index("OR") - 2
    owner.click("button[type=submit]:has-text('Create topic')")
    expect(owner.locator("pre.caret")).to_be_visible()  # server-side check, same caret
    owner.locator("#query").fill("")
    owner.locator("#query").press_sequentially("@delta OR #delta", delay=5)
    expect(owner.locator("#live-validation .ok")).to_have_text("✓ valid query")
    owner.click("button[type=submit]:has-text('Create topic')")
    expect(owner.get_by_role("heading", name="Topic delta")).to_be_visible()
    charts_have_data(owner)
    expect(owner.locator("section[data-kind=sov]")).to_contain_text("delta")
    expect(owner.locator("section[data-kind=volume] polygon.band")).to_be_attached()
    owner.click("a:has-text('Topics & query builder')")
    owner.click("table.list >> text=united")  # a topic with known spikes in this data
    expect(owner.locator("section[data-kind=volume] circle.spike").first).to_be_attached()
    expect(owner.locator("section[data-kind=volume]")).to_contain_text("spike(s) marked")

    # Save a dashboard and add a viewer.
    owner.click("text=Dashboards")
    owner.fill("input[name=title]", "Airline pulse")
    owner.check("input[value='volume:delta']")
    owner.check("input[value='sov:airlines']")
    owner.check("input[value='top_authors:']")
    owner.click("button:has-text('Save dashboard')")
    expect(owner.get_by_role("heading", name="Airline pulse")).to_be_visible()
    share = owner.locator("#share-link").input_value()
    assert "/w/acme/d/" in share
    owner.click("text=Members")
    owner.fill("input[name=username]", "vic")
    owner.fill("input[name=password]", PASSWORD)
    owner.select_option("select[name=role]", "viewer")
    owner.click("button:has-text('Add member')")
    expect(owner.locator("table.list")).to_contain_text("vic")

    # The viewer opens the shared link, signs in, sees the charts and cannot edit.
    viewer = browser.new_context().new_page()
    viewer.goto(share)
    expect(viewer.get_by_role("heading", name=re.compile("Sign in"))).to_be_visible()
    viewer.fill("input[name=username]", "vic")
    viewer.fill("input[name=password]", PASSWORD)
    viewer.click("button[type=submit]")
    viewer.goto(share)
    expect(viewer.get_by_role("heading", name="Airline pulse")).to_be_visible()
    charts_have_data(viewer)
    expect(viewer.locator("button:has-text('Delete dashboard')")).to_have_count(0)
    viewer.click("text=Topics & query builder")
    expect(viewer.locator("#topic-form")).to_have_count(0)
    expect(viewer.locator(".readonly")).to_contain_text("viewer")
    status = viewer.evaluate(
        """async () => {
            const body = new URLSearchParams({name: "x", query: "x",
                csrf_token: document.body.dataset.csrf});
            return (await fetch("/w/acme/topics", {method: "POST", body})).status;
        }"""
    )
    assert status == 403  # even a hand-made request with a valid CSRF token
    viewer.goto(server + "/w/acme/dashboards")
    expect(viewer.locator("#dashboard-form")).to_have_count(0)

    # A member of another workspace cannot open the link.
    outsider = browser.new_context().new_page()
    sign_in(outsider, server, "rival", "rival-owner", PASSWORD)
    response = outsider.goto(share)
    assert response is not None and response.status == 403
    expect(outsider.locator("body")).not_to_contain_text("Airline pulse")
