"""Shared parts of the browser tests: the real server (`python -m supervision serve`) on a
free port and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# --process-per-site: the tabs of one browser context share one renderer process for the
# app, as a user's browser does with its tabs (a new renderer per tab cost ~1.3 CPU-seconds)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--process-per-site"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"no browser at {CHROMIUM}; CI installs it", allow_module_level=True)

from playwright.sync_api import (  # noqa: E402
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    expect,
    sync_playwright,
)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, for one test module."""
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def tabs(browser):
    """One browser context for a test module's tabs (`tab`): a new context is a new profile
    (its own processes and caches, ~5 CPU-seconds of Chromium to the first drawn page,
    against ~2.5 for a new tab in a warm one, measured with the same login), and most tests
    need only a tab that starts logged out. A test that needs a profile of its own (a
    second user while the first one's tab is still used, a stolen cookie, a fresh browser,
    a narrow screen) opens one with browser.new_context."""
    context = browser.new_context(accept_downloads=True)
    context.add_init_script(GUARD_SCRIPT)
    yield context
    context.close()


# Every tab (`tab`) is watched for what no page of the app may do, whatever its test checks:
# ask another host for anything (courts run on intranets), break the Content-Security-Policy,
# or point an icon link at another host (a headless browser never fetches the favicon, so
# the link itself is read: Streamlit points it at fonts.gstatic.com for a page with a
# `:material/…:` icon unless the app names its own). The policy's violations and those
# icon links reach the test as console errors that start with GUARD_MARK.
GUARD_MARK = "guard:"
GUARD_SCRIPT = """
(() => {
  const outside = href => {
    const url = new URL(href, location.href);
    return !["data:", "blob:", "about:"].includes(url.protocol)
      && url.hostname !== location.hostname;
  };
  const icons = () => document.querySelectorAll("link[rel*='icon']").forEach(link => {
    if (outside(link.href)) console.error("guard: icon on another host " + link.href);
  });
  new MutationObserver(icons).observe(document, {subtree: true, childList: true,
                                                 attributes: true, attributeFilter: ["href"]});
  document.addEventListener("securitypolicyviolation", e => console.error(
    `guard: policy violation ${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
})();
"""
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


class Tabs:
    """`tab`'s value: tab(width, height) opens a tab; `problems` lists what the guard saw
    (a test of the guard itself reads and clears it)."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.opened: list[Page] = []
        self.problems: list[str] = []

    def __call__(self, width: int = 1400, height: int = 1000) -> Page:
        self.context.clear_cookies()
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.on("request", self._request)
        page.on("console", self._console)
        self.opened.append(page)
        return page

    def _request(self, request: Request) -> None:
        if not is_local(request.url):
            self.problems.append(f"request to another host: {request.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and message.text.startswith(GUARD_MARK):
            self.problems.append(message.text)


@pytest.fixture
def tab(tabs):
    """tab(width, height): a new tab of the module's context, logged out (the context's
    cookies cleared: a tab still open keeps its own session, which its websocket holds);
    every tab is closed when the test ends, and the test fails if any of its tabs asked
    another host for anything, broke the Content-Security-Policy or set an icon on another
    host (GUARD_SCRIPT)."""
    opened = Tabs(tabs)
    yield opened
    for page in opened.opened:
        page.close()
    assert not opened.problems, "\n".join(opened.problems)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(db: Path, log_path: Path, **env: str) -> Iterator[str]:
    """`python -m supervision serve` (streamlit run app.py) on `db` until the block ends;
    yields its base URL."""
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "supervision", "serve",
             "--server.port", str(port), "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, "SUPERVISION_DB": str(db), **env}, stdout=log,
            stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                if proc.poll() is not None:     # it refused to start: say why
                    raise RuntimeError(f"streamlit exited: {log_path.read_text()[-2000:]}")
                try:
                    if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.5)
            else:
                raise RuntimeError("streamlit did not start")
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


# a wait for the page's state checks it every POLL_MS: Playwright's default, every animation
# frame, has the renderer draw frames at 60 a second for as long as the wait lasts
POLL_MS = 50


def wait_idle(page: Page) -> None:
    """Until Streamlit has finished the run and drawn it: the script is not running (the
    app's own `data-test-script-state`), no element is stale, and no element is still a
    skeleton while its component's code loads (a fresh browser draws metrics, charts and
    tables a second or two after the run ends)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    page.wait_for_timeout(300)  # a rerun the last action asked for has begun
    page.wait_for_function(
        """() => {
          const app = document.querySelector("[data-testid='stApp']");
          return app && app.getAttribute('data-test-script-state') === 'notRunning'
            && !document.querySelector("[data-testid='stStatusWidget']")
            && !document.querySelector("[data-stale='true']")
            && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']");
        }""", timeout=60_000, polling=POLL_MS)
    page.wait_for_timeout(300)


def grid_cells(page: Page) -> list[tuple[str, str]]:
    """Every cell the page's data grids hold in their accessible table, as (its column's
    header, its text): read in the page at once (a locator per cell is a round trip to the
    browser each, ~1,000 for a grid of 50 rows)."""
    return [tuple(pair) for pair in page.evaluate("""() =>
      [...document.querySelectorAll("[data-testid='stDataFrame']")].flatMap(grid => {
        const headers = [...grid.querySelectorAll("[role='columnheader']")]
          .map(h => h.innerText);
        return [...grid.querySelectorAll("[role='gridcell']")].map(cell => {
          const i = parseInt(cell.getAttribute("aria-colindex") || "0", 10);
          return [i >= 1 && i <= headers.length ? headers[i - 1] : "", cell.innerText];
        });
      })""")]


def fill_login(page: Page, user: str, password: str) -> None:
    page.get_by_label("用户名 / Username").fill(user)
    page.get_by_label("密码 / Password").fill(password)
    page.get_by_role("button", name="登录").click()


def login(page: Page, base: str, user: str, password: str, query: str = "") -> None:
    page.goto(f"{base}/{query}")
    fill_login(page, user, password)
    expect(page.get_by_role("button", name="退出登录")).to_be_visible(timeout=30_000)
    wait_idle(page)
    wait_for_login_cookie(page)


LOGIN_COOKIE = "supervision_login"


def wait_for_login_cookie(page: Page, present: bool = True, timeout_s: float = 30) -> None:
    """Until the browser holds the login cookie (or, present=False, no longer holds it).
    The page trades a one-time ticket for it just after the run that follows a login: a
    reload before that answer has arrived would find no login (the app's state, polled)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        held = any(c["name"] == LOGIN_COOKIE for c in page.context.cookies())
        if held == present:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the login cookie is {'missing' if present else 'still there'} "
                         f"after {timeout_s:.0f} s")
