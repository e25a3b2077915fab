"""A backward index's drill-through through the real app, in Debian's Chromium: a row of
the brief's backward table opens the explorer on exactly the cases holding that index
down, named with its court and period (tests/test_index_drill.py holds the lists to the
index's counts case by case)."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect

from supervision.security.users import DEMO_USERS
from tests.browser_kit import (  # noqa: F401 (browser is a fixture)
    ARTIFACTS,
    browser,
    login,
    new_context,
    streamlit_server,
    wait_idle,
)
from tests.conftest import DEMO_END
from tests.test_browser_delegation_outputs import _click_first_row, _court_with_backward_indices
from tests.test_index_drill import official_count, run_court_name

PASSWORD = next(p for u, _, _, _, p in DEMO_USERS if u == "supervisor")


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("index_drill") / "app.duckdb"
    shutil.copy(demo_db, db)
    with streamlit_server(db, tmp_path_factory.mktemp("log") / "streamlit.log") as base:
        yield base


def test_a_backward_row_on_the_brief_opens_exactly_its_cases(server, browser, demo_db):  # noqa: F811
    court = _court_with_backward_indices(demo_db)
    page = new_context(browser, viewport={"width": 1400, "height": 1000}).new_page()
    # a sidebar filter on the brief: the index's list is the official one all the same
    login(page, server, "supervisor", PASSWORD, f"?page=brief&court={court}&pri=high")
    expect(page.get_by_role("heading", name="落后指标")).to_be_visible(timeout=30_000)
    # the first backward row's label, as printed (the print-only table holds it as text)
    label = page.locator(".st-key-print_only_backward td").first.text_content().strip()
    _click_first_row(page, 0, "**/explorer**")
    wait_idle(page)
    expect(page.locator("h1").first).to_contain_text("案件查询", timeout=30_000)
    got = dict(parse_qsl(urlsplit(page.url).query))
    index = got.get("index")
    assert got.get("court") == court and index, page.url
    assert "pri" not in got and "method" not in got and "filed" not in got, page.url
    n = official_count(demo_db, court, index)
    assert n > 0
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_role("button", name=f"× 指标：{label}")).to_be_visible()
    line = (f"拉低「{label}」的案件 · {run_court_name(demo_db, court)} · "
            f"{DEMO_END.year}-01-01 至 {DEMO_END.isoformat()}")
    expect(main.get_by_text(line).first).to_be_visible()
    expect(main.get_by_text(f"共 {n:,} 件")).to_be_visible()
    # the table's rows (the grid counts its header row too), the first page of 50
    rows = main.locator("[data-testid='stDataFrame'] [role='grid']").first.get_attribute(
        "aria-rowcount")
    assert int(rows) == min(n, 50) + 1
    page.screenshot(path=str(ARTIFACTS / "index_drill_explorer.png"), full_page=True)
    page.context.close()
