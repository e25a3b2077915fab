"""The real thing: the server (`python -m supervision serve`) on a free port, driven by
Debian's Chromium through Playwright. Screenshots of every page go to test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from supervision.security.users import DEMO_USERS
from tests.browser_kit import (
    ARTIFACTS,
    click_chart_point,
    fill_login,
    wait_idle,
)
from tests.browser_kit import login as kit_login

PASSWORDS = {u: p for u, _, _, _, p in DEMO_USERS}
PAGES = {"supervisor": ["province", "weekly", "publications", "targets", "roadmap", "brief", "pending",
                        "termination", "settlements", "respondent", "escalation", "ledger",
                        "explorer"],
         "president": ["targets", "roadmap", "brief", "pending", "termination", "settlements",
                       "respondent", "escalation", "ledger"],
         "analyst": ["province", "weekly", "publications", "targets", "roadmap", "brief", "pending",
                     "termination", "settlements", "respondent", "escalation", "ledger",
                     "explorer"],
         "admin": ["admin"]}
TITLES = {"province": "全省一览", "targets": "目标与排名", "brief": "法院督导简报", "pending": "未结案件分类",
          "explorer": "案件查询", "admin": "用户与数据", "termination": "终本审查",
          "settlements": "执行和解", "respondent": "被执行人",
          "escalation": "联动处置", "ledger": "督导台账",
          "weekly": "每周落后指标通报", "roadmap": "达标路线图", "publications": "已发布通报"}


@pytest.fixture(scope="module")
def server(demo_server):
    """The worker's server on the demo (tests/conftest.py)."""
    return demo_server


@pytest.fixture
def page(tab):
    return tab(1400, 2400)


def login(page: Page, base: str, user: str, query: str = "") -> None:
    kit_login(page, base, user, PASSWORDS[user], query)


def no_exception(page: Page) -> None:
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


def open_page(page: Page, name: str) -> None:
    page.get_by_role("link", name=TITLES[name]).first.click()
    wait_idle(page)
    expect(page.locator("h1").first).to_contain_text(TITLES[name], timeout=30_000)


@pytest.mark.parametrize("role", list(PAGES))
def test_each_role_logs_in_and_opens_every_page(server, page, role):
    login(page, server, role, "?court=HI720" if role in ("supervisor", "analyst") else "")
    links = [a.inner_text().strip().split("\n")[-1] for a in
             page.locator("[data-testid='stSidebarNav'] a").all()]
    # Streamlit lists pages only when there are two or more
    assert links == ([TITLES[p] for p in PAGES[role]] if len(PAGES[role]) > 1 else [])
    for name in PAGES[role]:
        if len(PAGES[role]) > 1:
            open_page(page, name)
        expect(page.locator("h1").first).to_contain_text(TITLES[name], timeout=30_000)
        no_exception(page)
        page.screenshot(path=str(ARTIFACTS / f"{role}_{name}.png"), full_page=True)
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_label("用户名 / Username")).to_be_visible(timeout=30_000)


def test_changing_a_filter_changes_the_url_and_the_chart(server, page, tab):
    login(page, server, "supervisor", "?court=HI720")
    open_page(page, "targets")
    rate = page.locator("[data-testid='stMetricValue']").first
    before = rate.inner_text()
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").nth(1).click()
    page.get_by_role("option", name="涉民生案件").click()
    wait_idle(page)
    page.wait_for_url("**type=livelihood**", timeout=30_000)
    expect(page.get_by_text("案件类型: 涉民生案件").first).to_be_visible()
    assert rate.inner_text() != before
    page.screenshot(path=str(ARTIFACTS / "filter_livelihood.png"), full_page=True)
    # the copied URL reproduces the view in a new session
    url = page.url
    fresh = tab(1400, 2400)     # a new session: a tab without the login cookie
    fresh.goto(url)
    fill_login(fresh, "supervisor", PASSWORDS["supervisor"])
    wait_idle(fresh)
    expect(fresh.get_by_text("案件类型: 涉民生案件").first).to_be_visible(timeout=30_000)
    # the same figure, once the fresh browser has drawn it
    expect(fresh.locator("[data-testid='stMetricValue']").first).to_have_text(
        rate.inner_text(), timeout=30_000)
    fresh.close()


def test_a_president_cannot_reach_another_court_through_the_url(server, page):
    login(page, server, "president", "?court=HI100&page=pending")
    no_exception(page)
    expect(page.get_by_text("无权查看该法院的数据").first).to_be_visible()
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "海口海事法院" in body
    assert "海口市中级人民法院" not in body
    # the explorer is not among a president's pages: its URL lands on an allowed page
    page.goto(f"{server}/?page=explorer&court=HI100")
    wait_idle(page)
    assert "案件查询" not in page.locator("h1").first.inner_text()
    assert "海口市中级人民法院" not in page.locator("[data-testid='stMain']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "president_refused.png"), full_page=True)


def test_clicking_a_bar_lists_its_cases(server, page):
    login(page, server, "supervisor", "?court=HI720&page=pending")
    expect(page.locator("h1").first).to_contain_text("未结案件分类", timeout=30_000)
    expect(page.get_by_text("标的额最大的未结案件")).to_be_visible()
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.locator(".nsewdrag").first.wait_for(timeout=30_000)
    click_chart_point(page, chart, chart.locator("g.point path").first)
    expect(page.get_by_role("heading", name="所选案件")).to_be_visible(timeout=30_000)
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "pending_selected.png"), full_page=True)
