"""Imported names in a real browser (split from test_browser_security.py so that the two
run side by side): court, case-type, judge and user names carrying markdown images, links
and HTML are shown as text, and the browser never fetches anything they point at."""

from __future__ import annotations

import http.server
import shutil
import threading

import duckdb
import pytest
from playwright.sync_api import expect

from supervision.security import users
from supervision.store import engine
from tests.browser_kit import (
    ARTIFACTS,
    click_chart_point,
    free_port,
    login,
    streamlit_server,
    wait_idle,
)


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the handler's name)
        _Counting.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def trap():
    """A web server that counts requests: an injected link or image would call it."""
    port = free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def hostile_judge(trap: str) -> str:
    return f"![j]({trap}/judge.png)王$x$法官"


@pytest.fixture(scope="module")
def hostile_server(demo_db, operational_store, trap, tmp_path_factory):
    """The app on a copy of the demo data whose court, case-type and user names carry
    markdown images, links and HTML pointing at the trap."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "app.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE courts SET name = ? WHERE court_code = 'HI720'",
                [f":material/warning::streamlit:![c]({trap}/court.png)海口海事法院"])
    con.execute("UPDATE case_types SET name = ? WHERE specific AND code = "
                "(SELECT min(code) FROM case_types WHERE specific)",
                [f'<a href="{trap}/type">涉</a>![t]({trap}/type.png)'])
    # the busiest judge of HI720's pending cases: the first bar of the pending page's chart
    con.execute("UPDATE cases SET judge = ? WHERE court_code = 'HI720' AND judge = "
                "(SELECT judge FROM cases WHERE court_code = 'HI720' AND closed_on IS NULL "
                "GROUP BY judge ORDER BY count(*) DESC, judge LIMIT 1)", [hostile_judge(trap)])
    con.close()
    store = engine(operational_store)
    if users.get_user(store, "hostile") is None:
        users.add_user(store, "hostile", f"![d]({trap}/name.png)<img src={trap}/n2.png>",
                       "", "supervisor", "HI000", "hostile-password-1")
    with streamlit_server(db, folder / "streamlit.log") as base:
        yield base


def test_imported_names_are_shown_as_text_and_fetch_nothing(hostile_server, tab, trap):
    _Counting.hits.clear()
    page = tab(1400, 2400)
    login(page, hostile_server, "hostile", "hostile-password-1", "?court=HI720&page=targets")
    expect(page.locator("h1").first).to_contain_text("![c](", timeout=30_000)
    # Streamlit's icon and emoji shortcodes are text too, not a drawn icon or logo
    title = page.locator("h1").first
    assert ":material/warning::streamlit:" in title.inner_text().replace("\u2060", "")
    assert title.locator("img, [data-testid='stIconMaterial']").count() == 0
    for name in ("全省一览", "法院督导简报", "未结案件分类", "案件查询"):
        page.get_by_role("link", name=name).first.click()
        wait_idle(page)
    page.get_by_role("link", name="目标与排名").first.click()
    wait_idle(page)
    # hover over every bar of the charts, so that hover labels are drawn too
    for bar in page.locator("[data-testid='stPlotlyChart'] g.point path").all()[:12]:
        box = bar.bounding_box()
        if box and box["width"] > 0 and box["height"] > 0:
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            # plotly has drawn this bar's hover label
            page.locator(".hoverlayer .hovertext").first.wait_for(timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "hostile_names.png"), full_page=True)
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "![d](" in sidebar
    live = page.locator(f"a[href^='{trap}'], img[src^='{trap}']")
    assert live.count() == 0, [live.nth(i).evaluate("e => e.outerHTML.slice(0, 300) + ' IN ' + "
                                                    "e.parentElement.outerHTML.slice(0, 300)")
                               for i in range(live.count())]
    assert _Counting.hits == []
    page.close()


def test_a_hostile_judge_clicked_on_the_chart_is_shown_as_text(hostile_server, tab,
                                                               trap):
    """The pending page's judge chart, clicked: the caption naming the judge shows the
    name as typed, and the browser fetches nothing (it fetched the image before)."""
    _Counting.hits.clear()
    page = tab(1400, 2400)
    login(page, hostile_server, "hostile", "hostile-password-1", "?court=HI720&page=pending")
    chart = page.locator(".st-key-judge_chart [data-testid='stPlotlyChart']")
    expect(chart).to_be_visible(timeout=30_000)
    # the busiest judge is the first (top) bar
    click_chart_point(page, chart, chart.locator("g.point path").first)
    caption = page.locator("[data-testid='stCaptionContainer']").filter(has_text="承办人: ")
    expect(caption.first).to_be_visible(timeout=30_000)
    # as typed (an invisible word joiner inside "://" keeps the address from being a link)
    assert caption.first.inner_text().replace("\u2060", "") == f"承办人: {hostile_judge(trap)}"
    page.screenshot(path=str(ARTIFACTS / "hostile_judge_clicked.png"), full_page=True)
    live = page.locator(f"a[href^='{trap}'], img[src^='{trap}']")
    assert live.count() == 0
    page.wait_for_load_state("networkidle")     # whatever the page would fetch, fetched
    assert _Counting.hits == []
    page.close()
