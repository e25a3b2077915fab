"""What a delegation takes away, in Debian's Chromium: the brief on A4 (browser print and
the PDF download, rendered to PNG with pdftoppm), exports a clerk can read, a tablet,
drill-through, sessions that survive reloads and a site visit recorded and reported (split
from test_browser_delegation.py so that the two run side by side). Screenshots and
rendered pages go to test-artifacts/ to be looked at."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import fastexcel
import polars as pl
from playwright.sync_api import Page, expect

from tests.browser_kit import (
    ARTIFACTS,
    click_grid_row,
    new_context,
    wait_idle,
)
from tests.conftest import DEMO_END
from tests.test_browser_delegation import login, no_exception, params, server  # noqa: F401
from tests.test_index_drill import official_count, run_court_name


def _render_pdf(path: Path, prefix: str) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(ARTIFACTS / prefix)],
                   check=True)
    return sorted(ARTIFACTS.glob(f"{prefix}-*.png"))


def test_the_brief_prints_on_a4_and_downloads_as_the_same_pdf(server, tab):
    for old in ARTIFACTS.glob("brief_a4_*"):
        old.unlink()
    page = tab()
    login(page, server, "supervisor", "?page=brief&court=HI720")
    expect(page.locator("h1").first).to_contain_text("海口海事法院", timeout=30_000)
    # the browser's print: A4 portrait, sidebar gone, the grids replaced by whole tables
    page.emulate_media(media="print")
    expect(page.locator("[data-testid='stSidebar']")).to_be_hidden(timeout=30_000)
    largest = page.locator("[data-testid='stTable']").last
    assert largest.locator("tbody tr").count() >= 1
    # whole on paper: no table wider than the printed page's content
    for table in page.locator("[data-testid='stTable'] table").all():
        assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 2")
    printed = ARTIFACTS / "brief_a4_print.pdf"
    page.pdf(path=str(printed), format="A4", print_background=True)
    pages = _render_pdf(printed, "brief_a4_print")
    assert 1 <= len(pages) <= 4
    page.emulate_media(media="screen")
    # the PDF download: A4, Noto CJK embedded, text extractable, every section there
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载简报（PDF，A4）").click()
    name = download.value.suggested_filename
    assert name == "法院督导简报_海口海事法院_2026-11-25.pdf", name
    pdf = ARTIFACTS / "brief_a4_download.pdf"
    download.value.save_as(pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.28 x 841.89" in info or "595.276 x 841.89" in info, info   # A4 in points
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSansCJK" in fonts.replace("-", "").replace(" ", "") and " yes " in fonts, fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for heading in ("法院督导简报 · 海口海事法院", "“3+1”核心指标", "落后指标", "每周实际执行率与全国排名",
                    "标的额最大的未结案件", "数据截至", "筛选："):
        assert heading in text, heading
    assert len(_render_pdf(pdf, "brief_a4_download")) >= 1


def test_exports_read_like_the_screen_with_their_filters_inside(server, tab,
                                                               operational_store):
    page = tab()
    # a search text every case number holds (执): the same cases, a text in the filters
    login(page, server, "supervisor", "?page=explorer&court=HI720&pri=high&q=执")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载XLSX").click()
    assert download.value.suggested_filename == "案件查询_海口海事法院_2026-11-25.xlsx"
    data = Path(download.value.path()).read_bytes()
    book = fastexcel.read_excel(io.BytesIO(data).getvalue())
    assert book.sheet_names[0] == "说明"
    about = " ".join(str(v) for v in book.load_sheet(0, header_row=None).to_polars()
                     .to_series(0).to_list())
    assert "优先级: 高" in about and "数据截至" in about and "海口海事法院" in about
    cases = book.load_sheet(1).to_polars()
    assert {"案号", "法院", "案件类型", "状态", "优先级", "标的额（万元）"} <= set(cases.columns)
    assert set(cases["优先级"].unique()) == {"高"}
    assert set(cases["法院"].unique()) == {"海口海事法院"}
    assert not any(c for c in cases.columns if "_" in c)           # no snake_case header
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载CSV").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("案件查询 · 海口海事法院")
    assert "案号,法院" in csv
    # both files are in the audit trail, recorded when they were made
    from supervision.security import audit
    from supervision.store import engine

    entries = audit.entries(engine(operational_store), event="export")
    exported = entries["target"].to_list()
    assert {"案件查询_海口海事法院_2026-11-25.xlsx", "案件查询_海口海事法院_2026-11-25.csv"} <= set(
        exported)
    # the search text (it may name a person) is kept as its keyed reference only
    from supervision.security import personal

    detail = json.loads(entries.filter(pl.col("target") == "案件查询_海口海事法院_2026-11-25.csv")
                        ["detail"][0])
    assert detail["filters"]["text"] == "keyed:" + personal.reference("执")


def test_a_tablet_gets_the_width_and_whole_figures(server, browser):
    # a browser of its own: after this narrow tab, a wide tab of the same browser context
    # opened with its sidebar collapsed (Streamlit remembers it per browser)
    page = new_context(browser, viewport={"width": 820, "height": 1180}).new_page()
    login(page, server, "supervisor", "?page=targets&court=HI720")
    page.wait_for_function("() => document.querySelector(\"[data-testid='stSidebar']\")"
                           ".getBoundingClientRect().right <= 0", timeout=15_000)
    for value in page.locator("[data-testid='stMetricValue']").all():
        assert value.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), value.inner_text()
    page.screenshot(path=str(ARTIFACTS / "tablet_targets.png"), full_page=True)
    page.context.close()


def _click_first_row(page: Page, grid_index: int, url_pattern: str) -> None:
    grid = page.locator("[data-testid='stDataFrame']").nth(grid_index)
    grid.wait_for(timeout=30_000)
    click_grid_row(page, grid)
    page.wait_for_url(url_pattern, timeout=30_000)


def _court_with_backward_indices(db: Path) -> str:
    """A court of the supervisor's province with a backward index on the demo data."""
    import duckdb

    from supervision import views
    from supervision.domain.filters import Filters
    from supervision.security.access import access_for
    from supervision.store import engine

    con = duckdb.connect(str(db), read_only=True)
    try:
        access = access_for(engine(), con, "supervisor")
        courts = views.province_view(con, access, Filters(as_of=DEMO_END))["courts"]
    finally:
        con.close()
    return courts.filter(courts["backward"] > 0)["court_code"][0]


def test_a_backward_row_on_the_brief_opens_exactly_its_cases(server, tab, demo_db):
    """A backward index's drill-through: a row of the brief's backward table opens the
    explorer on exactly the cases holding that index down, named with its court and
    period (tests/test_index_drill.py holds the lists to the index's counts case by case;
    tests/test_browser_urls.py reads the address bar at the click)."""
    court = _court_with_backward_indices(demo_db)
    page = tab()
    # a sidebar filter on the brief: the index's list is the official one all the same
    login(page, server, "supervisor", f"?page=brief&court={court}&pri=high")
    expect(page.get_by_role("heading", name="落后指标")).to_be_visible(timeout=30_000)
    # the first backward row's label, as printed (the print-only table holds it as text)
    label = page.locator(".st-key-print_only_backward td").first.text_content().strip()
    _click_first_row(page, 0, "**/explorer**")
    expect(page.locator("h1").first).to_contain_text("案件查询", timeout=30_000)
    got = params(page.url)
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
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "index_drill_explorer.png"), full_page=True)


def test_a_page_path_from_a_new_session_opens_that_page_and_logout_hides_the_pages(
        server, browser):
    # a browser of its own per path: a logout test (with two tabs of one context it once
    # found links still listed after the logout, not seen again in 20 runs)
    for path, title in (("brief?court=HI720", "法院督导简报 · 海口海事法院"),
                        ("pending?court=HI720", "未结案件分类 · 海口海事法院")):
        page = new_context(browser, viewport={"width": 1400, "height": 1000}).new_page()
        login(page, server, "supervisor", path)
        expect(page.locator("h1").first).to_contain_text(title, timeout=30_000)
        page.get_by_role("button", name="退出登录").click()
        expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible(timeout=30_000)
        wait_idle(page)
        # the last user's page links are gone with them
        assert page.locator("[data-testid='stSidebarNav'] a").count() == 0
        page.context.close()


def test_a_reload_after_login_keeps_the_session_every_time(server, tab):
    """The login cookie is written on every login: two logins, each reloaded twice (the
    ticket-for-cookie exchange itself: tests/test_web_cookie.py)."""
    for attempt in range(2):
        page = tab()
        login(page, server, "analyst", "?page=brief&court=HI101")
        for _reload in range(2):
            page.reload()
            expect(page.get_by_role("button", name="退出登录")).to_be_visible(timeout=30_000)
            wait_idle(page)
            assert "法院督导简报" in page.locator("h1").first.inner_text(), attempt


def test_a_site_visit_recorded_updated_and_reported(server, browser, tab, tmp_path):
    """A supervisor records a visit with two opinions for 海口海事法院; its president updates
    one; the court brief shows both open items with the update, and the weekly report
    (its XLSX) counts them for the court."""
    supervisor = tab(1400, 2400)
    login(supervisor, server, "supervisor", "?page=ledger&court=HI720")
    expect(supervisor.locator("h1").first).to_contain_text("督导台账 · 海口海事法院",
                                                          timeout=30_000)
    supervisor.get_by_label("督导组成员").fill("张三、李四")
    supervisor.get_by_label("要求 1", exact=True).fill("有财产案件法定期限内执结率三个月内达到90%")
    supervisor.get_by_label("责任人 1", exact=True).fill("执行局长")
    supervisor.get_by_label("要求 2", exact=True).fill("逐案清理超期未结案件")
    supervisor.get_by_label("责任人 2", exact=True).fill("院长")
    supervisor.get_by_role("button", name="保存督导记录").click()
    wait_idle(supervisor)
    expect(supervisor.get_by_text("未完成整改事项")).to_be_visible(timeout=30_000)
    metric = supervisor.locator("[data-testid='stMetric']").first
    expect(metric).to_contain_text("2")
    supervisor.screenshot(path=str(ARTIFACTS / "visit_recorded.png"), full_page=True)

    # the president, in a browser of their own while the supervisor's stays open
    president = new_context(browser, viewport={"width": 1400, "height": 2400}).new_page()
    login(president, server, "president", "?page=ledger")
    expect(president.locator("h1").first).to_contain_text("督导台账 · 海口海事法院",
                                                         timeout=30_000)
    president.get_by_role("combobox", name="查看或更新事项").click()
    president.get_by_role("option", name=re.compile("逐案清理超期未结案件")).click()
    wait_idle(president)
    president.get_by_label("状态").last.click()
    president.get_by_role("option", name="整改中").click()
    president.get_by_role("textbox", name="进展").fill("已清理12件，剩余8件本月底前完成")
    president.get_by_role("button", name="保存").click()
    wait_idle(president)
    expect(president.get_by_text("已保存").first).to_be_visible(timeout=30_000)
    president.screenshot(path=str(ARTIFACTS / "visit_item_updated.png"), full_page=True)

    # the brief: both items open, the updated one in progress with its note
    president.get_by_role("link", name="法院督导简报").click()
    wait_idle(president)
    items_table = president.locator("[class*='st-key-brief_sec_items'] [data-testid='stTable']")
    expect(items_table).to_contain_text("逐案清理超期未结案件", timeout=30_000)
    expect(items_table).to_contain_text("有财产案件法定期限内执结率三个月内达到90%")
    expect(items_table).to_contain_text("整改中")
    expect(items_table).to_contain_text("已清理12件")
    president.screenshot(path=str(ARTIFACTS / "brief_open_items.png"), full_page=True)
    president.context.close()

    # the weekly report, in the supervisor's session (the command center's page, a run
    # after the president's update): the court's row counts its two open items
    supervisor.get_by_role("link", name="每周落后指标通报").click()
    wait_idle(supervisor)
    expect(supervisor.locator("h1").first).to_contain_text("每周落后指标通报", timeout=30_000)
    with supervisor.expect_download(timeout=60_000) as download:
        supervisor.get_by_role("button", name="下载通报（XLSX）").click()
    book = fastexcel.read_excel(Path(download.value.path()).read_bytes())
    report = book.load_sheet(1).to_polars()
    row = report.filter(report["法院"] == "海口海事法院").row(0, named=True)
    assert str(row["未完成整改"]).startswith("2"), row
    supervisor.screenshot(path=str(ARTIFACTS / "weekly_report.png"), full_page=True)
