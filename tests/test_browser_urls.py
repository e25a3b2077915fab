"""Every view is its URL at once (issue 22, item 7), in Debian's Chromium: right after a
click-through (a province row → the brief, a backward index → the explorer; the chart bar,
the pending page's switch and its respondent row are in tests/test_browser_url_drills.py)
the address bar already holds the new view. The URL is read as soon as the new view's own
content is on screen. That racy read is repeated (a bug that shows once in five runs is a
bug) in one browser, back through the sidebar each time: the race is the click, the run
and the URL written, the same from either start, and a fresh browser and login per
repetition cost about four CPU-seconds more. Each time the copied URL must name the view
the page settles on (for a province row, a court other than the row before's); opening it
in a new session (a new tab without the login cookie: a new login, same user), which must
show the same view, is done once per test."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Page, expect

from supervision.security.users import DEMO_USERS
from tests.browser_kit import (
    ARTIFACTS,
    click_grid_row,
    grid_cells,
    login,
    wait_idle,
)
from tests.test_browser_delegation_outputs import _court_with_backward_indices

PASSWORDS = {u: p for u, _, _, _, p in DEMO_USERS}
USER = "supervisor"


@pytest.fixture(scope="module")
def server(demo_server):
    """The worker's server on the demo (tests/conftest.py)."""
    return demo_server


def params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def path_and_query(url: str) -> str:
    """`brief?court=…` of a full URL: what `login` opens after the base."""
    parts = urlsplit(url)
    return parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")


def logged_in(page: Page, base: str, query: str) -> Page:
    """`page` (a tab of the shared context: tests/conftest.py `tab`) logged in at `query`."""
    login(page, base, USER, PASSWORDS[USER], query)
    return page


def title(page: Page) -> str:
    return page.locator("h1").first.inner_text()


def sidebar_court(page: Page) -> str:
    return page.get_by_role("combobox", name="法院").input_value()


def click_row(page: Page, grid_index: int, row: int) -> None:
    """Select row `row` of the `grid_index`-th table by its row marker; back once the click
    has sent its request, the run it asked for not awaited (the test reads the address bar
    the moment the new view shows)."""
    click_grid_row(page, page.locator("[data-testid='stDataFrame']").nth(grid_index), row,
                   settle=False)


def settles_on(page: Page, copied: str, keys: tuple[str, ...]) -> None:
    """The URL copied at the racy moment names the view the page settles on: the same path
    and the same values of `keys`."""
    wait_idle(page)
    assert urlsplit(page.url).path == urlsplit(copied).path, (copied, page.url)
    got, want = params(page.url), params(copied)
    assert {k: got.get(k) for k in keys} == {k: want.get(k) for k in keys}, (copied, page.url)


def same_view_in_a_new_session(tab: Callable[..., Page], base: str, copied: str,
                               keys: tuple[str, ...]) -> Page:
    """Opens the copied URL in a new session after a new login and checks that the address
    bar names the same view (the given keys and the path); returns the page for the
    caller's checks. The session is a new tab with no cookies (`tab`), as a colleague's
    browser would open it: the view can come only from the URL, since the app keeps no view
    in the browser (its one sessionStorage item is the sidebar's fold, per tab) and a
    tab's Streamlit session is its own. A new browser profile would add ~2.5 CPU-seconds of
    Chromium and nothing the app reads."""
    fresh = logged_in(tab(), base, path_and_query(copied))
    got, want = params(fresh.url), params(copied)
    assert urlsplit(fresh.url).path == urlsplit(copied).path, (copied, fresh.url)
    for key in keys:
        assert got.get(key) == want.get(key), (key, copied, fresh.url)
    return fresh


def test_a_province_row_puts_the_brief_in_the_address_bar_at_once(server, tab):
    """Three rows, three courts: the URL copied as soon as the brief's title names the
    court is the brief of that court, not the province page it came from. The race (the URL
    read the moment the title changes) is what repeats; the address each row switches to is
    worked out without a browser in tests/test_navigate.py. That a copied URL opens the same
    view in a new session is checked on the last row. The first row is the province's own
    court (the province page's court too): its brief is told from the page it came from by
    the path, the others by the court as well."""
    page = logged_in(tab(), server, "?page=province")
    previous = None
    for row in range(3):
        if row:     # back to the province page through the sidebar (no reload)
            page.get_by_role("link", name="全省一览").first.click()
        expect(page.locator("h1").first).to_contain_text("全省一览 · 海南省", timeout=30_000)
        wait_idle(page)
        # a grid draws its cells after the run ends: wait for them, not for a time
        expect(page.locator("[data-testid='stDataFrame'] [role='gridcell']").first
               ).to_be_attached(timeout=30_000)
        courts = [text for column, text in grid_cells(page) if column == "法院"]
        assert len(courts) > row, courts
        clicked = courts[row]
        if row == 0:
            page.screenshot(path=str(ARTIFACTS / "province_at_a_glance.png"), full_page=True)
        click_row(page, 0, row)
        expect(page.locator("h1").first).to_contain_text("法院督导简报 · ", timeout=30_000)
        copied = page.url
        heading = title(page)
        court = params(copied).get("court")
        assert urlsplit(copied).path == "/brief", (row, copied)
        assert params(copied).get("page") == "brief", (row, copied)
        assert court and (row == 0 or court != "HI000"), (row, copied)  # not the province's
        assert court != previous, (row, copied)    # nor the brief this row's click came from
        previous = court
        settles_on(page, copied, ("page", "court", "as_of"))
        assert heading == f"法院督导简报 · {clicked}", (row, heading)
        assert sidebar_court(page) == clicked, (row, sidebar_court(page))
        if row == 0:
            page.screenshot(path=str(ARTIFACTS / "province_row_to_brief.png"), full_page=True)
        if row == 2:
            fresh = same_view_in_a_new_session(tab, server, copied,
                                               ("page", "court", "as_of"))
            expect(fresh.locator("h1").first).to_have_text(heading, timeout=30_000)
            assert sidebar_court(fresh) == clicked, (row, copied)
            fresh.close()


def test_a_backward_index_puts_the_explorer_in_the_address_bar_at_once(server, tab, demo_db):
    court = _court_with_backward_indices(demo_db)
    page = logged_in(tab(), server, f"?page=brief&court={court}")
    for attempt in range(2):
        if attempt:     # back to the brief through the sidebar (no reload)
            page.get_by_role("link", name="法院督导简报").first.click()
        expect(page.get_by_role("heading", name="落后指标")).to_be_visible(timeout=30_000)
        click_row(page, 0, 0)
        chip = page.locator(".st-key-x_clear_index button").first
        expect(chip).to_be_visible(timeout=30_000)    # the explorer, on the index
        copied = page.url
        assert urlsplit(copied).path == "/explorer", (attempt, copied)
        got = params(copied)
        assert got.get("page") == "explorer" and got.get("court") == court, (attempt, copied)
        assert got.get("index"), (attempt, copied)
        settles_on(page, copied, ("page", "court", "index", "as_of"))
        if attempt == 0:    # the copied URL in a new session: once per test
            chip_text = chip.inner_text()
            found = found_line(page)
            fresh = same_view_in_a_new_session(tab, server, copied,
                                               ("page", "court", "index", "as_of"))
            expect(fresh.locator(".st-key-x_clear_index button").first).to_have_text(
                chip_text, timeout=30_000)
            assert found_line(fresh) == found, copied
            fresh.close()


def found_line(page: Page) -> str:
    """The explorer's "共 N 件，标的额合计 …" line."""
    return page.get_by_text(re.compile(r"^共 [\d,]+ 件")).inner_text()
