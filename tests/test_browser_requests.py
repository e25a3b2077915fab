"""Every request is checked when it runs, in a real browser: a download button already on
screen delivers nothing once the session has ended (account disabled, logout in another
tab), and records the refusal; an export is audited with the scope it really covers; the
administrator's audit-trail download works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from supervision.security import users
from supervision.store import engine
from supervision.store.schema import audit_log
from tests.browser_kit import (
    ARTIFACTS,
    login,
    wait_idle,
)
from tests.test_browser import PASSWORDS

PASSWORD = "download-password-1"


@pytest.fixture(scope="module")
def server(demo_server):
    """The worker's server on the demo (tests/conftest.py)."""
    return demo_server


def _president(operational_store: str, name: str) -> None:
    store = engine(operational_store)
    if users.get_user(store, name) is None:
        users.add_user(store, name, "院长", "", "president", "HI720", PASSWORD, actor="test")


def _audit_rows(operational_store: str, actor: str, event: str) -> list[dict]:
    with engine(operational_store).connect() as c:
        rows = c.execute(select(audit_log).where(
            (audit_log.c.actor == actor) & (audit_log.c.event == event))
            .order_by(audit_log.c.id)).mappings().all()
    return [{**r, "detail": json.loads(r["detail"] or "{}")} for r in rows]


def _wait_for_audit(page: Page, operational_store: str, actor: str, event: str,
                    count: int) -> list[dict]:
    """The audit rows once there are `count` of them (the app's state, polled)."""
    for _ in range(120):
        rows = _audit_rows(operational_store, actor, event)
        if len(rows) >= count:
            return rows
        page.wait_for_timeout(250)
    raise AssertionError(f"no {count} {event} rows for {actor}: {rows}")


def _brief_xlsx_button(page: Page):
    button = page.get_by_role("button", name="下载简报（XLSX）")
    expect(button).to_be_visible(timeout=30_000)
    return button


def _downloads(page: Page) -> list:
    seen: list = []
    page.on("download", lambda download: seen.append(download))
    return seen


def _brief_of_a_new_president(tab, server: str, operational_store: str, name: str):
    """A president `name` logged in on the brief in a new tab: the page, the brief's XLSX
    button and the list of downloads the page receives."""
    _president(operational_store, name)
    page = tab()
    login(page, server, name, PASSWORD, "brief")    # the brief's link, then the login
    return page, _brief_xlsx_button(page), _downloads(page)


def test_a_download_on_screen_delivers_nothing_after_the_account_is_disabled(
        server, tab, operational_store):
    page, button, seen = _brief_of_a_new_president(tab, server, operational_store, "dl_disabled")
    with page.expect_download(timeout=60_000) as first:
        button.click()
    assert first.value.suggested_filename.endswith(".xlsx")
    assert len(_audit_rows(operational_store, "dl_disabled", "export")) == 1

    users.disable_user(engine(operational_store), "dl_disabled", actor="test")
    button.click()
    refused = _wait_for_audit(page, operational_store, "dl_disabled", "export_refused", 1)
    assert refused[0]["detail"]["reason"] == "user_disabled"
    assert len(_audit_rows(operational_store, "dl_disabled", "export")) == 1
    page.screenshot(path=str(ARTIFACTS / "download_after_disable.png"))
    assert len(seen) == 1, "only the download before the account was disabled arrived"


def test_a_download_on_screen_delivers_nothing_after_logout_in_another_tab(
        server, tab, operational_store):
    page, button, seen = _brief_of_a_new_president(tab, server, operational_store, "dl_logout")

    other = page.context.new_page()       # the same browser, so the same login
    try:
        other.goto(server)
        logout = other.get_by_role("button", name="退出登录")
        expect(logout).to_be_visible(timeout=30_000)
        logout.click()
        expect(other.get_by_label("用户名 / Username")).to_be_visible(timeout=30_000)
    finally:
        other.close()

    button.click()
    refused = _wait_for_audit(page, operational_store, "dl_logout", "export_refused", 1)
    assert refused[0]["detail"]["reason"] == "logout"
    assert _audit_rows(operational_store, "dl_logout", "export") == []
    assert seen == []


def test_an_all_courts_export_is_audited_with_the_courts_and_filters_it_covers(
        server, tab, operational_store):
    page = tab()
    login(page, server, "analyst", PASSWORDS["analyst"], "explorer?all=1&method=pending")
    wait_idle(page)
    before = len(_audit_rows(operational_store, "analyst", "export"))
    with page.expect_download(timeout=60_000):
        page.get_by_role("button", name="下载CSV").click()
    entry = _wait_for_audit(page, operational_store, "analyst", "export", before + 1)[-1]
    detail = entry["detail"]
    assert detail["court"] == "all"
    assert len(detail["courts"]) > 1 and all(c.startswith("HI") for c in detail["courts"])
    assert detail["filters"]["closing_methods"] == ["pending"]
    assert detail["filters"]["courts"] is None or len(detail["filters"]["courts"]) > 1


def test_the_audit_trail_downloads_as_csv(server, tab, operational_store):
    page = tab()
    login(page, server, "admin", PASSWORDS["admin"])
    wait_idle(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载审计日志（CSV）").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0].split(",")[:4] == ["id", "at", "actor", "event"]
    assert "login_success" in content
    entry = _wait_for_audit(page, operational_store, "admin", "export", 1)[-1]
    assert entry["detail"]["what"] == "audit trail"
