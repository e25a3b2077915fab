"""Deep links in Debian's Chromium: the court a link names survives the login, a reload
and a page switch; a page link as a new server's first request leads to the login, then
that page (split from test_browser.py so that the two run side by side)."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.browser_kit import (
    ARTIFACTS,
    fill_login,
    streamlit_server,
    wait_idle,
)
from tests.test_browser import (  # noqa: F401 (fixtures)
    PASSWORDS,
    TITLES,
    login,
    no_exception,
    open_page,
    page,
    server,
)


@pytest.mark.parametrize("query", ["?court=HI720", "?court=HI720&page=brief",
                                   "?court=HI720&page=explorer"])
def test_the_court_of_a_deep_link_never_changes_by_itself(server, tab, query):
    """A login from a deep link, a reload and a page switch: the court stays the one the
    link names (a flip to the first court of the list is the bug this guards; the session
    logic behind it, rerun after rerun, is tests/test_app.py's
    test_the_court_of_a_deep_link_survives_reruns_and_page_switches)."""
    pg = tab()
    login(pg, server, "supervisor", query)
    court = pg.get_by_role("combobox", name="法院")
    for step in ("login", "reload", "switch"):
        if step == "reload":
            pg.reload()
            expect(pg.get_by_role("button", name="退出登录")).to_be_visible(timeout=30_000)
        elif step == "switch":
            open_page(pg, "pending")
        wait_idle(pg)   # a late rerun would have switched it by the end of the runs
        expect(court).to_have_value("海口海事法院", timeout=30_000)
        assert court.input_value() == "海口海事法院", (step, pg.url)
        assert "court=HI720" in pg.url, (step, pg.url)


# the two kinds of path: "targets" is also a file of pages/ (as "province" and "explorer"
# are: the same case), "brief" is pages/court_brief.py, a path no file is named after
@pytest.mark.parametrize("path", ["targets", "brief"])
def test_a_page_link_as_the_first_request_of_a_new_server_leads_to_login_then_the_page(
        demo_db, tmp_path, page, path):
    # Streamlit runs a new server's first request in its pages-folder mode until app.py
    # first calls st.navigation: /targets ran pages/targets.py on its own and showed
    # "may not open this page" instead of the login (found by the concurrency bench), and
    # /brief (no file of that name) got Streamlit's "Page not found" (dashboard.py)
    db = tmp_path / "fresh.duckdb"
    shutil.copy(demo_db, db)
    with streamlit_server(db, tmp_path / "streamlit.log") as base:
        page.goto(f"{base}/{path}?court=HI720")
        expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible(timeout=30_000)
        wait_idle(page)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        fill_login(page, "supervisor", PASSWORDS["supervisor"])
        expect(page.get_by_role("button", name="退出登录")).to_be_visible(timeout=30_000)
        wait_idle(page)
        expect(page.locator("h1").first).to_contain_text(TITLES[path], timeout=30_000)
        assert "may not open" not in page.locator("[data-testid='stMain']").inner_text()
        # the pages-folder navigation (one entry per file, "app" first) never shows
        expect(page.get_by_role("link", name="app", exact=True)).to_have_count(0)
        no_exception(page)
        page.screenshot(path=str(ARTIFACTS / f"first_request_{path}.png"))


@pytest.mark.parametrize("user, path, lands", [("president", "targets", "targets"),
                                               ("supervisor", "province", "province"),
                                               ("president", "province", "targets")])
def test_a_link_to_the_first_page_of_a_logged_in_users_role_opens_it(server, tab, user, path,
                                                                     lands):
    """A logged-in user (the login cookie) opens a link to their role's first page, as a
    colleague would send it: the page, without Streamlit's "Page not found" (that page was
    the default one, served at "/" only); the root URL lands on the same page. A link to a
    page outside the role (a supervisor's /province sent to a president) lands on the
    role's first page, without that dialog either."""
    first = tab()
    login(first, server, user)
    expect(first.locator("h1").first).to_contain_text(TITLES[lands], timeout=30_000)
    assert f"/{lands}?" in first.url, first.url
    linked = first.context.new_page()
    linked.goto(f"{server}/{path}?as_of=2026-11-07")
    expect(linked.get_by_role("button", name="退出登录")).to_be_visible(timeout=30_000)
    wait_idle(linked)
    expect(linked.locator("h1").first).to_contain_text(TITLES[lands], timeout=30_000)
    expect(linked.get_by_text("Page not found")).to_have_count(0)
    no_exception(linked)
    assert "as_of=2026-11-07" in linked.url, linked.url
    linked.screenshot(path=str(ARTIFACTS / f"linked_{path}_{user}.png"))
