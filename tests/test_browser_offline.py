"""Nothing leaves the machine (issue 22, item 9), in Debian's Chromium: the login page and a
full visit of every page of a supervisor, with a click-through, ask no other host for
anything. Every request whose host is not the app's is aborted and listed; and since a
headless browser never fetches a favicon, every icon link the page ever sets (Streamlit
points the favicon at fonts.gstatic.com for a page with a `:material/…:` icon unless the
app names its own) is recorded as well."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect

from supervision.domain.vocabulary import ROLE_BY_CODE
from supervision.security.users import DEMO_USERS
from tests.browser_kit import browser, fill_login, login, streamlit_server, wait_idle  # noqa: F401

PASSWORDS = {u: p for u, _, _, _, p in DEMO_USERS}
LOCAL = {"127.0.0.1", "localhost"}
# every href a <link rel=…icon…> takes, kept for the test to read
ICON_RECORDER = """
window.__iconHrefs = [];
const record = () => document.querySelectorAll("link[rel*='icon']")
  .forEach(link => window.__iconHrefs.push(link.href));
new MutationObserver(record).observe(document, {subtree: true, childList: true,
                                                attributes: true, attributeFilter: ["href"]});
"""


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("offline") / "app.duckdb"
    shutil.copy(demo_db, db)
    with streamlit_server(db, tmp_path_factory.mktemp("log") / "streamlit.log") as base:
        yield base


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL


def test_a_full_visit_asks_no_other_host(server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(ICON_RECORDER)
    outside: list[str] = []

    def only_local(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    icons: list[str] = []

    # the login page, a wrong password (its message), then the real login
    page.goto(server)
    wait_idle(page)
    fill_login(page, "supervisor", "not-the-password")
    wait_idle(page)
    icons += page.evaluate("window.__iconHrefs")
    login(page, server, "supervisor", PASSWORDS["supervisor"], "?page=province")

    # every page of the role, through the navigation
    links = page.locator("[data-testid='stSidebarNav'] a")
    pages = ROLE_BY_CODE["supervisor"].pages
    assert links.count() == len(pages)
    for i in range(len(pages)):
        links.nth(i).click()
        wait_idle(page)
        assert urlsplit(page.url).path.strip("/") in (pages[i], ""), (i, page.url)
    # and a click-through: a province row opens a brief
    links.first.click()
    wait_idle(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 8, box["y"] + 35 + 17)
    expect(page.locator("h1").first).to_contain_text("法院督导简报", timeout=30_000)
    wait_idle(page)
    icons += page.evaluate("window.__iconHrefs")

    assert not outside, "requests to other hosts:\n" + "\n".join(sorted(set(outside)))
    external_icons = sorted({h for h in icons if not is_local(h)})
    assert not external_icons, "favicons on other hosts:\n" + "\n".join(external_icons)
    assert icons, "no icon link recorded: the recorder did not run"
    context.close()
