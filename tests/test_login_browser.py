"""The login form's one-time code in a real browser (Chromium against
`python -m supervision serve`): an enrolled supervisor is refused without the code and
logs in with it."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from supervision.security import users
from supervision.store import engine
from tests.browser_kit import (
    ARTIFACTS,
    fill_login,
    wait_idle,
)

PASSWORD = "browser-totp-password-1"


@pytest.fixture(scope="module")
def server(demo_server):
    """The worker's server on the demo (tests/conftest.py)."""
    return demo_server


def test_an_enrolled_supervisor_logs_in_with_the_one_time_code(
        server, tab, operational_store):
    store = engine(operational_store)
    if users.get_user(store, "browser.totp") is None:
        users.add_user(store, "browser.totp", "口令浏览器", "", "supervisor", "HI000",
                       PASSWORD)
    secret = users.enroll_totp(store, "browser.totp", actor="test")
    page = tab()
    page.goto(server)
    code_field = page.get_by_role("textbox", name="动态口令 / One-time code")
    expect(code_field).to_be_visible(timeout=30_000)
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    fill_login(page, "browser.totp", PASSWORD)            # the right password, no code
    expect(page.get_by_text("用户名或密码错误")).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert page.get_by_role("button", name="退出登录").count() == 0
    fill_login(page, "browser.totp", PASSWORD, code=pyotp.TOTP(secret).now())
    expect(page.get_by_role("button", name="退出登录")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "login_one_time_code.png"))
    page.close()
