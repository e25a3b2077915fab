"""Every view is its URL at once (issue 22, item 7), continued (tests/test_browser_urls.py,
split so that the two halves run side by side): a chart bar → the explorer's drill-down, the
pending page's switch and its respondent row."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser_kit import (
    center_of,
    click_asking_for_a_run,
    click_chart_point,
    wait_idle,
)
from tests.test_browser_urls import (
    click_row,
    found_line,
    logged_in,
    params,
    same_view_in_a_new_session,
    server,  # noqa: F401 (the fixture: a server of this module's own, on a copy of the demo)
    settles_on,
)


def click_bar(page: Page, chart_index: int) -> None:
    """Click the first bar of a plotly chart; back once the click has sent its request, the
    run it asked for not awaited (the test reads the address bar the moment the new view
    shows)."""
    chart = page.locator("[data-testid='stPlotlyChart']").nth(chart_index)
    chart.locator(".nsewdrag").first.wait_for(timeout=30_000)
    click_chart_point(page, chart, chart.locator("g.point path").first, settle=False)


def test_an_explorer_bar_puts_its_drill_down_in_the_address_bar_at_once(server, tab):
    page = logged_in(tab(), server, "?page=explorer&court=HI720")
    for attempt in range(2):
        if attempt:     # the drill-down cleared: back to the explorer without it
            page.locator(".st-key-x_clear_drill button").first.click()
            expect(page.locator(".st-key-x_clear_drill button")).to_have_count(0, timeout=30_000)
            wait_idle(page)
            assert "dtype" not in params(page.url), page.url
        expect(page.locator("h1").first).to_contain_text("案件查询", timeout=30_000)
        click_bar(page, 0)
        expect(page.locator(".st-key-x_clear_drill button").first).to_be_visible(timeout=30_000)
        copied = page.url
        got = params(copied)
        assert got.get("dtype") and got.get("dstatus"), (attempt, copied)
        settles_on(page, copied, ("page", "court", "dtype", "dstatus"))
        if attempt == 0:    # the copied URL in a new session: once per test
            found = found_line(page)
            fresh = same_view_in_a_new_session(tab, server, copied,
                                               ("page", "court", "dtype", "dstatus"))
            expect(fresh.locator(".st-key-x_clear_drill button").first).to_be_visible(
                timeout=30_000)
            assert found_line(fresh) == found, copied
            fresh.close()


def test_the_pending_roadmap_switch_is_in_the_address_bar(server, tab):
    page = logged_in(tab(), server, "?page=pending&court=HI720")
    switch = page.get_by_role("switch", name="时间表按达标路线图排期")
    expect(switch).not_to_be_checked(timeout=30_000)
    assert "timetable" not in params(page.url), page.url
    # the switch shows itself switched before its request is sent: the click waits for
    # the request and its run (a full run once read the address bar before them)
    label = page.locator("label").filter(has=switch)
    for attempt in range(2):
        click_asking_for_a_run(page, center_of(label))
        expect(switch).to_be_checked(timeout=30_000)
        copied = page.url
        assert params(copied).get("timetable") == "roadmap", (attempt, copied)
        if attempt == 0:    # the copied URL in a new session: once per test
            fresh = same_view_in_a_new_session(tab, server, copied,
                                               ("page", "court", "timetable"))
            expect(fresh.get_by_role("switch", name="时间表按达标路线图排期")).to_be_checked(
                timeout=30_000)
            fresh.close()
        click_asking_for_a_run(page, center_of(label))     # and off again: gone from the URL
        expect(switch).not_to_be_checked(timeout=30_000)
        assert "timetable" not in params(page.url), (attempt, page.url)


def test_a_related_respondent_row_puts_the_respondent_in_the_address_bar(server, tab):
    page = logged_in(tab(), server, "?page=pending&court=HI720")
    expect(page.get_by_role("heading", name="同一被执行人的关联案件")).to_be_visible(timeout=30_000)
    click_row(page, page.locator("[data-testid='stDataFrame']").count() - 1, 0)
    expect(page.locator("h1").first).to_contain_text("被执行人", timeout=30_000)
    copied = page.url
    assert urlsplit(copied).path == "/respondent", copied
    assert params(copied).get("respondent") and params(copied).get("page") == "respondent", copied
    wait_idle(page)
    shown = page.locator("[data-testid='stMain'] h3").first.inner_text()
    fresh = same_view_in_a_new_session(tab, server, copied, ("page", "respondent"))
    expect(fresh.locator("[data-testid='stMain'] h3").first
           ).to_have_text(shown, timeout=30_000)
    fresh.close()
