"""What a delegation sees, in Debian's Chromium: links that restore the whole view, the
language switch, English pages and explained figures (what it takes away — the brief on
A4, exports, a tablet, drill-through, a site visit: test_browser_delegation_outputs.py).
Screenshots go to test-artifacts/ to be looked at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from supervision.security.users import DEMO_USERS
from supervision.words.i18n import text
from tests.browser_kit import (
    ARTIFACTS,
    grid_cells,
    wait_idle,
)
from tests.browser_kit import login as kit_login

PASSWORDS = {u: p for u, _, _, _, p in DEMO_USERS}
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def server(demo_server):
    """The worker's server on the demo (tests/conftest.py)."""
    return demo_server


def login(page: Page, base: str, user: str, query: str = "") -> None:
    kit_login(page, base, user, PASSWORDS[user], query)


def no_exception(page: Page) -> None:
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


def params(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))


EXPLORER_VIEW = ("?page=explorer&court=HI101&all=1&pri=high,normal&cx=complex"
                 "&method=pending,fully_performed&filed=2024-01-01..2026-11-25&pg=2")


def test_an_explorer_link_restores_the_whole_view_every_time(server, tab):
    """Court, sidebar filters, the explorer's own filters, date range and page number: all
    restored after login, kept across a page switch and back, two logins over."""
    for attempt in range(2):
        page = tab()
        login(page, server, "analyst", EXPLORER_VIEW)
        expect(page.locator("h1").first).to_contain_text("案件查询", timeout=30_000)
        no_exception(page)
        for step in ("login", "away and back"):
            if step == "away and back":
                page.get_by_role("link", name="未结案件分类").click()
                wait_idle(page)
                page.get_by_role("link", name="案件查询").click()
                wait_idle(page)
            got = params(page.url)
            for key in ("court", "all", "pri", "cx", "method", "filed", "pg"):
                want = params(EXPLORER_VIEW)[key]
                assert got.get(key) == want, (attempt, step, key, page.url)
            expect(page.get_by_role("combobox", name="法院")).to_have_value("海口市秀英区人民法院")
            assert page.get_by_role("spinbutton", name="页码").input_value() == "2", (attempt, step)
            expect(page.get_by_role("checkbox", name="全部法院")).to_be_checked()
            main = page.locator("[data-testid='stMain']").inner_text()
            assert "优先级: 高/中" in main and "复杂程度: 复杂" in main, (attempt, step)
        if attempt == 0:
            page.screenshot(path=str(ARTIFACTS / "explorer_link_restored.png"), full_page=True)


def test_the_explorer_starts_from_the_sidebar_court_and_all_courts_is_one_click(server,
                                                                                tab):
    page = tab()
    login(page, server, "supervisor", "?page=explorer&court=HI720")
    all_courts = page.get_by_role("checkbox", name="全部法院")
    expect(all_courts).not_to_be_checked()
    assert "海口海事法院" in page.locator("[data-testid='stCaptionContainer']").first.inner_text() \
        or "海口海事法院" in page.locator("[data-testid='stMain']").inner_text()
    first = page.get_by_text(re.compile(r"^共 [\d,]+ 件")).inner_text()
    page.locator("label").filter(has_text="全部法院").click()
    wait_idle(page)
    expect(all_courts).to_be_checked()
    page.wait_for_url(re.compile(r"all=1"), timeout=30_000)
    second = page.get_by_text(re.compile(r"^共 [\d,]+ 件")).inner_text()
    assert first != second    # the first click changes the data


def test_switching_language_keeps_every_filter_and_translates_every_value(server,
                                                                          tab):
    page = tab()
    login(page, server, "supervisor", "?page=pending&court=HI101&pri=high&cx=complex")
    before = params(page.url)
    for label, back in (("English", "中文"), ("中文", "English")):
        page.get_by_role("button", name=label, exact=True).click()
        wait_idle(page)
        expect(page.get_by_role("button", name=back, exact=True)).to_be_visible(timeout=30_000)
        wait_idle(page)
        after = params(page.url)
        for key in ("court", "pri", "cx", "page"):
            assert after.get(key) == before[key], (label, key, page.url)
        if label == "English":
            expect(page.locator("h1").first).to_contain_text("Pending cases", timeout=30_000)
            assert after.get("lang") == "en", page.url
            # the sidebar's court list speaks English too, and the court is still the chosen one
            expect(page.get_by_role("combobox", name="Court")).to_have_value(
                "Xiuying District People's Court, Haikou", timeout=30_000)
            sidebar = page.locator("[data-testid='stSidebar']").inner_text()
            assert "high" in sidebar and "complex" in sidebar and "高" not in sidebar
            main = page.locator("[data-testid='stMain']").inner_text()
            assert "Priority: high" in main and "Complexity: complex" in main
            page.screenshot(path=str(ARTIFACTS / "pending_en.png"), full_page=True)


ENGLISH_PAGES = ("targets", "pending", "explorer", "province", "brief")


def test_english_pages_hold_no_chinese_label(server, tab, demo_db):
    """Every label, header and vocabulary value in English; only the data's own text
    (case numbers, respondents, judges, the user's display name) may be Chinese. One login
    in English, then each page from the sidebar (the language and the court go along); the
    brief is read for a court with a backward index (海口海事法院 has none on the demo
    data), opened by its address, so that its backward table's labels are read too. What
    every page breaks is reported together."""
    # (imported here: that module imports this one's helpers)
    from tests.test_browser_delegation_outputs import _court_with_backward_indices

    page = tab()
    login(page, server, "supervisor", "?page=targets&court=HI720&lang=en")
    chinese = {}
    for page_name in ENGLISH_PAGES:
        court = "HI720"
        if page_name == "brief":
            court = _court_with_backward_indices(demo_db)
            page.goto(f"{server}/brief?page=brief&court={court}&lang=en")
        elif page_name != "targets":
            page.get_by_role("link", name=text(f"page_{page_name}", "en"), exact=True).click()
        wait_idle(page)
        expect(page.locator("h1").first).to_contain_text(text(f"page_{page_name}", "en"),
                                                         timeout=30_000)
        got = params(page.url)
        assert (got.get("court"), got.get("lang")) == (court, "en"), page.url
        no_exception(page)
        chinese[page_name] = _chinese_labels(page, with_backward_table=page_name == "brief")
        page.screenshot(path=str(ARTIFACTS / f"{page_name}_en.png"), full_page=True)
    assert not any(chinese.values()), chinese


def _chinese_labels(page: Page, with_backward_table: bool) -> list[str]:
    """The labels, headers and non-data cells of the page on screen that hold Chinese."""
    grids = page.locator("[data-testid='stDataFrame']")
    if grids.count():
        # a grid draws its headers after the run ends: wait for them, not for a time
        expect(grids.first.locator("[role='columnheader']").first).to_be_attached(timeout=30_000)
    headers = page.locator("[data-testid='stDataFrame'] [role='columnheader']").all_inner_texts()
    data_columns = {"Case number", "Respondent", "Judge"}
    # cells of data columns are the data; every other cell must be English
    cells = grid_cells(page)
    assert cells or not grids.count(), "a grid is drawn, but no cell of it was read"
    texts = [text for column, text in cells if column not in data_columns]
    main = page.locator("[data-testid='stMain']")
    # st.table: headers, and every cell of the backward table (labels only: its print copy,
    # there when the court has a backward index); the largest cases' table and the ledger's
    # open items hold data (case numbers, respondents, judges, what delegations wrote)
    labels = main.locator("h1, h2, h3, [data-testid='stMetricLabel'], label, "
                          "[data-testid='stTable'] th").all_inner_texts()
    if with_backward_table:
        backward = main.locator(".st-key-print_only_backward [data-testid='stTable'] td")
        assert backward.count(), "the brief of a court with a backward index has its table"
        labels += backward.all_inner_texts()
    sidebar_labels = page.locator("[data-testid='stSidebar'] label").all_inner_texts()
    return [x for x in headers + texts + labels + sidebar_labels if CJK.search(x)]


def test_every_figure_is_explained_and_fresh(server, tab):
    page = tab()
    login(page, server, "supervisor", "?page=targets&court=HI720")
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text(re.compile(r"数据截至 \d{4}-\d\d-\d\d，最近导入 \d{4}"))).to_be_visible()
    # the four headline metrics carry a hover help each
    icons = page.locator("[data-testid='stMetric'] [data-testid='stTooltipIcon']")
    expect(icons.nth(3)).to_be_visible(timeout=30_000)
    assert icons.count() >= 4
    icon = page.locator("[data-testid='stMetric']").nth(3).locator("[data-testid='stTooltipIcon']")
    help_text = page.get_by_text(re.compile("距名线差距（今日，件）= 若今天结算"))
    wait_idle(page)     # a hover during a rerun would be lost: hover once the run is over
    page.mouse.move(0, 0)
    icon.hover()
    expect(help_text).to_be_visible(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "targets_gap_help.png"))
    # a president sees their court beside the province, not a lone bar
    president = tab()
    login(president, server, "president")
    expect(president.get_by_text("本院与全省").first).to_be_visible(timeout=30_000)
    assert president.locator("body").inner_text().count("差距大于未结案件数") <= 1
    president.screenshot(path=str(ARTIFACTS / "president_targets.png"), full_page=True)
    for name in ("brief", "pending"):
        president.get_by_role("link", name={"brief": "法院督导简报",
                                             "pending": "未结案件分类"}[name]).click()
        wait_idle(president)
        expect(president.get_by_text(re.compile(r"数据截至 \d{4}-"))).to_be_visible()


def test_a_view_matching_nothing_says_so_and_keeps_its_url(server, tab):
    page = tab()
    query = "?page=pending&court=HI720&band=custom&vmin=900000000"
    login(page, server, "supervisor", query)
    expect(page.get_by_text("筛选条件下没有未结案件").first).to_be_visible(timeout=30_000)
    wait_idle(page)     # the run that writes the URL back is over
    got = params(page.url)
    assert got.get("band") == "custom" and got.get("vmin") == "900000000.0", page.url
    assert got.get("court") == "HI720"
