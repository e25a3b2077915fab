"""What a delegation sees, in Debian's Chromium: links that restore the whole view, the
language switch, explained figures, the brief on A4 (browser print and the PDF download,
rendered to PNG with pdftoppm), exports a clerk can read, a tablet and drill-through.
Screenshots and rendered pages go to test-artifacts/ to be looked at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import fastexcel
import pytest
from playwright.sync_api import Page, expect

from supervision.security.users import DEMO_USERS
from tests.browser_kit import ARTIFACTS, browser, streamlit_server, wait_idle  # noqa: F401
from tests.browser_kit import login as kit_login
from tests.conftest import DEMO_END

PASSWORDS = {u: p for u, _, _, _, p in DEMO_USERS}
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("delegation") / "app.duckdb"
    shutil.copy(demo_db, db)
    with streamlit_server(db, tmp_path_factory.mktemp("log") / "streamlit.log") as base:
        yield base


def new_page(browser, width: int = 1400, height: int = 1000) -> Page:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": height},
                                  accept_downloads=True)
    return context.new_page()


def login(page: Page, base: str, user: str, query: str = "") -> None:
    if "lang=en" in query:
        page.goto(f"{base}/{query}")
        page.get_by_label("用户名 / Username").fill(user)
        page.get_by_label("密码 / Password").fill(PASSWORDS[user])
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=30_000)
        wait_idle(page)
        return
    kit_login(page, base, user, PASSWORDS[user], query)


def no_exception(page: Page) -> None:
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


def params(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))


EXPLORER_VIEW = ("?page=explorer&court=HI101&all=1&pri=high,normal&cx=complex"
                 "&method=pending,fully_performed&filed=2024-01-01..2026-11-25&pg=2")


def test_an_explorer_link_restores_the_whole_view_every_time(server, browser):  # noqa: F811
    """Court, sidebar filters, the explorer's own filters, date range and page number: all
    restored after login, kept across a page switch and back, three logins over."""
    for attempt in range(3):
        page = new_page(browser)
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
        page.context.close()


def test_the_explorer_starts_from_the_sidebar_court_and_all_courts_is_one_click(server,
                                                                                browser):  # noqa: F811
    page = new_page(browser)
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
    page.context.close()


def test_switching_language_keeps_every_filter_and_translates_every_value(server,
                                                                          browser):  # noqa: F811
    page = new_page(browser)
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
            sidebar = page.locator("[data-testid='stSidebar']").inner_text()
            assert "high" in sidebar and "complex" in sidebar and "高" not in sidebar
            main = page.locator("[data-testid='stMain']").inner_text()
            assert "Priority: high" in main and "Complexity: complex" in main
            page.screenshot(path=str(ARTIFACTS / "pending_en.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize("page_name", ["targets", "brief", "pending", "explorer", "province"])
def test_english_pages_hold_no_chinese_label(server, browser, page_name):  # noqa: F811
    """Every label, header and vocabulary value in English; only the data's own text
    (case numbers, respondents, judges, the user's display name) may be Chinese."""
    page = new_page(browser)
    login(page, server, "supervisor", f"?page={page_name}&court=HI720&lang=en")
    no_exception(page)
    wait_idle(page)
    grids = page.locator("[data-testid='stDataFrame']")
    if grids.count():
        # a grid draws its headers after the run ends: wait for them, not for a time
        expect(grids.first.locator("[role='columnheader']").first).to_be_attached(timeout=30_000)
    headers = page.locator("[data-testid='stDataFrame'] [role='columnheader']").all_inner_texts()
    data_columns = {"Case number", "Respondent", "Judge"}
    assert not [h for h in headers if CJK.search(h)], headers
    # cells of data columns are the data; every other cell must be English
    texts = []
    for grid in page.locator("[data-testid='stDataFrame']").all():
        cols = grid.locator("[role='columnheader']").all_inner_texts()
        for cell in grid.locator("[role='gridcell']").all():
            index = cell.get_attribute("aria-colindex")
            column = cols[int(index) - 1] if index and int(index) - 1 < len(cols) else ""
            if column not in data_columns:
                texts.append((column, cell.inner_text()))
    assert not [x for x in texts if CJK.search(x[1])], [x for x in texts if CJK.search(x[1])]
    main = page.locator("[data-testid='stMain']")
    # st.table: headers, and every cell of the backward table (labels only); the largest
    # cases' table holds data (case numbers, respondents, judges)
    labels = main.locator("h1, h2, h3, [data-testid='stMetricLabel'], label, "
                          "[data-testid='stTable'] th").all_inner_texts()
    if page_name == "brief" and main.locator("[data-testid='stTable']").count() > 1:
        labels += main.locator("[data-testid='stTable']").first.locator("td").all_inner_texts()
    assert not [x for x in labels if CJK.search(x)], [x for x in labels if CJK.search(x)]
    sidebar_labels = page.locator("[data-testid='stSidebar'] label").all_inner_texts()
    assert not [s for s in sidebar_labels if CJK.search(s)], sidebar_labels
    page.screenshot(path=str(ARTIFACTS / f"{page_name}_en.png"), full_page=True)
    page.context.close()


def test_every_figure_is_explained_and_fresh(server, browser):  # noqa: F811
    page = new_page(browser)
    login(page, server, "supervisor", "?page=targets&court=HI720")
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text(re.compile(r"数据截至 \d{4}-\d\d-\d\d，最近导入 \d{4}"))).to_be_visible()
    # the four headline metrics carry a hover help each
    icons = page.locator("[data-testid='stMetric'] [data-testid='stTooltipIcon']")
    expect(icons.nth(3)).to_be_visible(timeout=30_000)
    assert icons.count() >= 4
    icon = page.locator("[data-testid='stMetric']").nth(3).locator("[data-testid='stTooltipIcon']")
    help_text = page.get_by_text(re.compile("距名线差距（今日，件）= 若今天结算"))
    for _attempt in range(3):   # a hover during a rerun can be lost: hover again
        page.mouse.move(0, 0)
        icon.hover()
        try:
            help_text.wait_for(timeout=5_000)
            break
        except Exception:
            wait_idle(page)
    expect(help_text).to_be_visible(timeout=5_000)
    page.screenshot(path=str(ARTIFACTS / "targets_gap_help.png"))
    # a president sees their court beside the province, not a lone bar
    president = new_page(browser)
    login(president, server, "president")
    expect(president.get_by_text("本院与全省").first).to_be_visible(timeout=30_000)
    assert president.locator("body").inner_text().count("差距大于未结案件数") <= 1
    president.screenshot(path=str(ARTIFACTS / "president_targets.png"), full_page=True)
    for name in ("brief", "pending"):
        president.get_by_role("link", name={"brief": "法院督导简报",
                                             "pending": "未结案件分类"}[name]).click()
        wait_idle(president)
        expect(president.get_by_text(re.compile(r"数据截至 \d{4}-"))).to_be_visible()
    president.context.close()
    page.context.close()


def test_a_view_matching_nothing_says_so_and_keeps_its_url(server, browser):  # noqa: F811
    page = new_page(browser)
    query = "?page=pending&court=HI720&band=custom&vmin=900000000"
    login(page, server, "supervisor", query)
    expect(page.get_by_text("筛选条件下没有未结案件").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)
    got = params(page.url)
    assert got.get("band") == "custom" and got.get("vmin") == "900000000.0", page.url
    assert got.get("court") == "HI720"
    page.context.close()


def _render_pdf(path: Path, prefix: str) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(ARTIFACTS / prefix)],
                   check=True)
    return sorted(ARTIFACTS.glob(f"{prefix}-*.png"))


def test_the_brief_prints_on_a4_and_downloads_as_the_same_pdf(server, browser):  # noqa: F811
    for old in ARTIFACTS.glob("brief_a4_*"):
        old.unlink()
    page = new_page(browser)
    login(page, server, "supervisor", "?page=brief&court=HI720")
    expect(page.locator("h1").first).to_contain_text("海口海事法院", timeout=30_000)
    # the browser's print: A4 portrait, sidebar gone, the grids replaced by whole tables
    page.emulate_media(media="print")
    page.wait_for_timeout(1500)
    assert not page.locator("[data-testid='stSidebar']").is_visible()
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
    page.context.close()


def test_exports_read_like_the_screen_with_their_filters_inside(server, browser,  # noqa: F811
                                                               operational_store):
    page = new_page(browser)
    login(page, server, "supervisor", "?page=explorer&court=HI720&pri=high")
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

    exported = audit.entries(engine(operational_store), event="export")["target"].to_list()
    assert {"案件查询_海口海事法院_2026-11-25.xlsx", "案件查询_海口海事法院_2026-11-25.csv"} <= set(
        exported)
    page.context.close()


def test_a_tablet_gets_the_width_and_whole_figures(server, browser):  # noqa: F811
    page = new_page(browser, 820, 1180)
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
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    for _attempt in range(3):
        page.mouse.click(box["x"] + 8, box["y"] + 35 + 17)   # the first row's select cell
        try:
            page.wait_for_url(url_pattern, timeout=10_000)
            return
        except Exception:  # a click during a rerun can be lost: click again
            wait_idle(page)
            box = grid.bounding_box()
    page.wait_for_url(url_pattern, timeout=10_000)


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


def test_a_backward_index_opens_the_cases_behind_it(server, browser, demo_db):  # noqa: F811
    court = _court_with_backward_indices(demo_db)
    page = new_page(browser)
    login(page, server, "supervisor", f"?page=brief&court={court}")
    expect(page.get_by_role("heading", name="落后指标")).to_be_visible(timeout=30_000)
    _click_first_row(page, 0, "**/explorer**")
    wait_idle(page)
    expect(page.locator("h1").first).to_contain_text("案件查询", timeout=30_000)
    got = params(page.url)
    assert got.get("court") == court, page.url
    assert got.get("index"), page.url   # its cases by definition: tests/test_index_drill.py
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "backward_to_explorer.png"), full_page=True)
    page.context.close()


def test_a_page_path_from_a_new_session_opens_that_page_and_logout_hides_the_pages(
        server, browser):  # noqa: F811
    for path, title in (("brief?court=HI720", "法院督导简报 · 海口海事法院"),
                        ("pending?court=HI720", "未结案件分类 · 海口海事法院")):
        page = new_page(browser)
        login(page, server, "supervisor", path)
        expect(page.locator("h1").first).to_contain_text(title, timeout=30_000)
        page.get_by_role("button", name="退出登录").click()
        expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=30_000)
        wait_idle(page)
        # the last user's page links are gone with them
        assert page.locator("[data-testid='stSidebarNav'] a").count() == 0
        page.context.close()


def test_a_reload_after_login_keeps_the_session_every_time(server, browser):  # noqa: F811
    """The login cookie is written on every login: eight logins, each reloaded twice."""
    for attempt in range(8):
        page = new_page(browser)
        login(page, server, "analyst", "?page=brief&court=HI101")
        for _reload in range(2):
            page.reload()
            expect(page.get_by_role("button", name="退出登录")).to_be_visible(timeout=30_000)
            wait_idle(page)
            assert "法院督导简报" in page.locator("h1").first.inner_text(), attempt
        page.context.close()


def test_a_site_visit_recorded_updated_and_reported(server, browser, tmp_path):  # noqa: F811
    """A supervisor records a visit with two opinions for 海口海事法院; its president updates
    one; the court brief shows both open items with the update, and the weekly report
    (its XLSX) counts them for the court."""
    supervisor = new_page(browser, 1400, 2400)
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
    supervisor.context.close()

    president = new_page(browser, 1400, 2400)
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

    # the weekly report: the court's row counts its two open items
    center = new_page(browser, 1400, 2400)
    login(center, server, "supervisor", "?page=weekly&court=HI720")
    expect(center.locator("h1").first).to_contain_text("每周落后指标通报", timeout=30_000)
    with center.expect_download(timeout=60_000) as download:
        center.get_by_role("button", name="下载通报（XLSX）").click()
    book = fastexcel.read_excel(Path(download.value.path()).read_bytes())
    report = book.load_sheet(1).to_polars()
    row = report.filter(report["法院"] == "海口海事法院").row(0, named=True)
    assert str(row["未完成整改"]).startswith("2"), row
    center.screenshot(path=str(ARTIFACTS / "weekly_report.png"), full_page=True)
    center.context.close()
