"""The official position leads, in Debian's Chromium: with priority = high the targets page
shows the court's official national rank and, beside it, its place within the subset as an
analysis, never "已达到目标"; the court brief's first screen and its PDF's first page say
whether the court is on track. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Page, expect

from supervision import views
from supervision.data.db import connect
from supervision.domain.filters import Filters
from supervision.security.access import Access
from tests.browser_kit import ARTIFACTS, streamlit_server, wait_idle
from tests.conftest import DEMO_END
from tests.test_browser_delegation import login, no_exception

COURT = "HI720"    # 海口海事法院


@pytest.fixture(scope="module")
def app_db(demo_db, tmp_path_factory):
    """The demo with targets the small demo's courts can be ranked on: the top 200 with 3
    concluded cases (the demo has about 20 cases a court)."""
    db = tmp_path_factory.mktemp("official") / "app.duckdb"
    shutil.copy(demo_db, db)
    con = connect(db)
    con.execute("UPDATE targets SET min_concluded = 3")
    con.execute("UPDATE targets SET target_rank = 200 WHERE target = 'overall'")
    con.close()
    return db


@pytest.fixture(scope="module")
def expected(app_db) -> dict:
    """The court's official row and its row within priority = high, from the views."""
    con = connect(app_db, read_only=True)
    access = Access("s", "supervisor", "HI000", "琼")
    high = Filters(as_of=DEMO_END, priorities=("high",))
    page = views.targets_view(con, access, high, COURT)
    official = page["court_ranks"].filter(pl.col("ranking") == "overall").row(0, named=True)
    out = {"official": official, "subset": page["subset"],
           "projection": page["projection"].row(0, named=True)}
    con.close()
    # the case this test is about: off the target officially, within it on the subset
    assert not official["meets_target"] and official["gap"], official
    assert out["subset"]["meets_target"], out["subset"]
    return out


@pytest.fixture(scope="module")
def server_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("log") / "streamlit.log"


@pytest.fixture(scope="module")
def server(app_db, server_log):
    # the day tables kept for the small demo too (from 1 M cases otherwise), so that a past
    # date's official position below is looked up in them by a real server
    with streamlit_server(app_db, server_log, SUPERVISION_DAY_TABLES_MIN_CASES="0") as base:
        yield base


def _court_page_text(page: Page, server: str, query: str) -> str:
    """The supervisor's page of COURT at `query`, drawn without an exception: its main
    area's text."""
    login(page, server, "supervisor", query)
    expect(page.locator("h1").first).to_contain_text("海口海事法院", timeout=30_000)
    wait_idle(page)
    no_exception(page)
    return page.locator("[data-testid='stMain']").inner_text()


def test_a_priority_filter_adds_a_subset_line_and_no_verdict(server, tab,
                                                            expected):
    page = tab()
    text = _court_page_text(page, server, f"?page=targets&court={COURT}&pri=high")
    official, subset = expected["official"], expected["subset"]
    assert "官方口径（全部案件）" in text
    assert f"{official['rank']} / {official['ranked_courts']:,}" in text
    assert f"前{official['target_rank']}名线" in text
    line = (f"筛选子集（优先级: 高）中：第 {subset['rank']} / {subset['ranked_courts']:,} 名，"
            f"实际执行率 {subset['rate'] * 100:.1f}%")
    assert line in text, text
    assert "已达到目标" not in text
    assert page.locator("[data-testid='stAlertContentSuccess']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "targets_official_under_filter.png"), full_page=True)


def test_the_brief_answers_on_track_first_on_screen_and_in_the_pdf(server, tab,
                                                                   expected):
    page = tab(height=1000)
    login(page, server, "supervisor", f"?page=brief&court={COURT}&pri=high")
    expect(page.locator("h1").first).to_contain_text("海口海事法院", timeout=30_000)
    wait_idle(page)
    no_exception(page)
    official, p = expected["official"], expected["projection"]
    block = page.locator(".st-key-brief_sec_ontrack")
    expect(block).to_contain_text(f"是否达标：实际执行率全国前{official['target_rank']}名")
    block_text = block.inner_text()
    for figure in (f"{official['rank']} / {official['ranked_courts']:,}",
                   f"{official['cutoff'] * 100:.1f}%",
                   "官方口径（全部案件）",
                   f"在现有进度之外，年底前还需多执行完毕 {p['extra_needed']} 件"
                   f"（现有未结 {p['pending']:,} 件）",
                   f"目前未进入前{official['target_rank']}名（第 {official['rank']} 名，"
                   f"差 {official['gap']} 件）"):
        assert figure in block_text, (figure, block_text)
    # at 1,400 px no label of the block is cut (two rows of three)
    cut = block.locator("[data-testid='stMetricLabel']").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)")
    assert cut == [], cut
    # on the first screen, above the 3+1 cards
    box, core = block.bounding_box(), page.locator(".st-key-brief_sec_core").bounding_box()
    assert box["y"] + box["height"] <= 1000 and box["y"] < core["y"], (box, core)
    assert "已达到目标" not in page.locator("[data-testid='stMain']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "brief_first_screen.png"))
    # the PDF: the same block on page 1
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载简报（PDF，A4）").click()
    pdf = ARTIFACTS / "brief_official.pdf"
    download.value.save_as(pdf)
    page_one = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
    squeezed = "".join(page_one.split())
    for figure in (f"{official['rank']}/{official['ranked_courts']:,}", "距名线差距（今日，件）",
                   f"差{official['gap']}件", f"前{official['target_rank']}名线"):
        assert figure in squeezed, (figure, page_one)
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(ARTIFACTS / "brief_official_page")], check=True)


PAST = dt.date(2026, 9, 30)


def test_a_past_date_looked_up_in_the_day_tables_is_the_derived_position(server, tab, app_db,
                                                                         server_log):
    # the server's warm-up writes the day tables and says so in its log; a date never
    # asked before is then looked up in them: its official rank is the one the date's
    # derivation gives on a connection that shares nothing (views on a plain connection)
    deadline = time.monotonic() + 60
    while "day tables: in use" not in server_log.read_text():
        assert time.monotonic() < deadline, server_log.read_text()[-2000:]
        time.sleep(0.2)
    con = connect(app_db, read_only=True)
    page_data = views.targets_view(con, Access("s", "supervisor", "HI000", "琼"),
                                   Filters(as_of=PAST), COURT)
    con.close()
    official = page_data["court_ranks"].filter(pl.col("ranking") == "overall").row(
        0, named=True)
    assert official["rank"] and official["ranked_courts"], official
    page = tab()
    text = _court_page_text(page, server, f"?page=targets&court={COURT}&as_of={PAST}")
    assert f"统计截至 {PAST.isoformat()}" in text, text
    assert f"{official['rank']} / {official['ranked_courts']:,}" in text, text
    assert f"前{official['target_rank']}名线" in text
    assert f"{official['rate'] * 100:.1f}%" in text
    page.screenshot(path=str(ARTIFACTS / "targets_past_date_day_tables.png"), full_page=True)
