"""ID numbers in a real browser: searching the respondent page by an ID number puts neither
the number nor anything it can be recomputed from into the URL (only the chosen
respondent's keyed reference), the screen and the CSV show it masked to an analyst and whole
to the president, and the audit trail holds no ID number."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from supervision import config
from supervision.security import audit
from supervision.store import engine
from tests.browser_kit import (
    ARTIFACTS,
    click_grid_row,
    login,
    wait_idle,
)
from tests.test_browser import PASSWORDS
from tests.test_personal_pages import person_of


@pytest.fixture(scope="module")
def server(demo_server):
    """The worker's server on the demo, whose secret is this process's (tests/conftest.py)."""
    return demo_server


def expected_reference(number: str) -> str:
    """HMAC-SHA256 under the server's respondent key (config.derived_key of the server's
    secret), 128 bits."""
    key = config.derived_key("respondent")
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:32]


def masked(number: str) -> str:
    return number[:6] + "*" * 10 + number[-2:]


def search_and_choose(page: Page, number: str) -> None:
    box = page.get_by_role("textbox", name="查找被执行人（姓名/名称或证件号）")
    box.fill(number)
    box.press("Enter")
    wait_idle(page)
    assert number not in page.url and "rq=" not in page.url, page.url
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=30_000)
    click_grid_row(page, grid)      # back when its run is drawn
    page.wait_for_url("**respondent=**", timeout=30_000)


def download_csv(page: Page) -> str:
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载CSV").click()
    return Path(download.value.path()).read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("user", ["analyst", "president"])
def test_a_search_by_id_number_leaves_no_id_number_in_the_url_or_the_audit_trail(
        server, tab, demo_db, operational_store, user):
    number, name = person_of(demo_db, "HI720")
    page = tab(1400, 2400)
    store = engine(operational_store)
    first_id = int(audit.entries(store, limit=1)["id"].max() or 0)
    login(page, server, user, PASSWORDS[user], "?page=respondent&court=HI720")
    expect(page.locator("h1").first).to_contain_text("被执行人", timeout=30_000)
    search_and_choose(page, number)
    # the URL: the keyed reference of the chosen respondent, never the number nor its md5
    assert f"respondent={expected_reference(number)}" in page.url, page.url
    assert number not in page.url and hashlib.md5(number.encode()).hexdigest() not in page.url
    main = page.locator("[data-testid='stMain']")
    expect(main.locator("h3").first).to_contain_text(name, timeout=30_000)
    heading = main.locator("h3").first.inner_text()
    csv = download_csv(page)
    page.screenshot(path=str(ARTIFACTS / f"respondent_by_id_{user}.png"), full_page=True)
    if user == "president":               # Role.full_id_numbers
        assert number in heading and number in csv
    else:
        assert number not in heading and masked(number) in heading
        assert number not in csv and masked(number) in csv
        assert number not in main.inner_text()
    # the audit trail of this session (login, the export): no ID number anywhere
    entries = audit.entries(store, limit=100)
    rows = entries.filter(entries["id"] > first_id)
    assert "export" in rows["event"].to_list()
    export = json.loads(rows.filter(rows["event"] == "export")["detail"][0])
    # the file holds the respondent's cases in every court of the user's scope
    assert export["court"] == "all" and export["respondent"] == expected_reference(number)
    trail = " ".join(f"{r['target']} {r['detail']}" for r in rows.iter_rows(named=True))
    assert number not in trail and number[-12:] not in trail
    # nor the respondent's name (the file's own name carries it; the administrator, who
    # reads the trail, sees no case data): its keyed reference stands for it
    assert name not in trail and f"被执行人-{expected_reference(number)[:12]}" in trail
