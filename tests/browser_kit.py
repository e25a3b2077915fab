"""Shared parts of the browser tests: the real server (`python -m supervision serve`) on a
free port and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# --process-per-site: the tabs of one browser context share one renderer process for the
# app, as a user's browser does with its tabs (a new renderer per tab cost ~1.3 CPU-seconds).
# --js-flags: V8 without its optimizing tiers (Maglev, TurboFan) and without background
# threads. A test's page lives seconds, too short for optimized code to pay back its
# compiling, and the suite keeps both cores busy, so work moved to another thread is not
# free either: four reloads of the targets page cost 3.8-4.0 CPU-seconds of Chromium
# instead of 4.9-5.2 (the province page 2.1-2.3 instead of 2.7-2.9), measured side by side.
# What a page does is the same; only how V8 runs it differs.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--process-per-site", "--js-flags=--no-opt --no-maglev --single-threaded"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"no browser at {CHROMIUM}; CI installs it", allow_module_level=True)

from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    expect,
)

# The guard. Every browser context of the tests (`new_context`, and so `tabs`) is watched
# for what no page of the app may do, whatever its test checks: ask another host for
# anything (courts run on intranets), break the Content-Security-Policy, or point an icon
# link at another host (Streamlit points the favicon at fonts.gstatic.com for a page with
# a `:material/…:` icon unless the app names its own; the link is read, whether or not the
# browser fetches it). The policy's violations and those links reach the test process as
# console errors that start with GUARD_MARK; requests are seen by the context. What any
# context saw goes to PROBLEMS, and tests/conftest.py fails the test during which it
# arrived (check_guard after the test's call, and again after its fixtures closed).
GUARD_MARK = "guard:"
GUARD_SCRIPT = """
(() => {
  const outside = href => {
    const url = new URL(href, location.href);
    return !["data:", "blob:", "about:"].includes(url.protocol)
      && url.hostname !== location.hostname;
  };
  // Only what a batch of changes added or re-pointed is read, not the whole document on
  // every change: a query of the document per batch cost ~10 % of a page's rendering.
  const ICON = "link[rel*='icon']";
  const icon = link => {
    if (outside(link.href)) console.error("guard: icon on another host " + link.href);
  };
  const added = node => {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    if (node.matches(ICON)) icon(node);
    if (node.firstElementChild) node.querySelectorAll(ICON).forEach(icon);
  };
  new MutationObserver(records => records.forEach(record => {
    if (record.type === "attributes") {
      if (record.target.matches(ICON)) icon(record.target);
    } else {
      record.addedNodes.forEach(added);
    }
  })).observe(document, {subtree: true, childList: true, attributes: true,
                         attributeFilter: ["href", "rel"]});
  document.addEventListener("securitypolicyviolation", e => console.error(
    `guard: policy violation ${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
})();
"""
# What wait_idle waits on: a run began after the last rerun request the page sent, and a
# run ended after that beginning. Streamlit shows nothing between a click and the
# server's answer (the app's script state reads `notRunning` until the run begins), and
# nothing ties a run to the request it answers, so the page numbers, in one sequence and
# as they pass the websocket: each rerun request it sends (a BackMsg whose field is
# rerun_script: field 11, length-delimited, so its first byte is the tag 0x5A), each
# beginning of a run (a ForwardMsg with new_session, field 4) and each end (script_finished,
# field 6, a varint, other than FINISHED_EARLY_FOR_RERUN: 2; a run cut short by st.rerun
# or st.switch_page is followed by another). An end keeps the number it had on arrival
# and is recorded once the page has had a frame to draw what came with it. (A request
# for a fragment run would go unanswered if the fragment were gone; the app has none.)
RUN_TRACKER_SCRIPT = """
(() => {
  const runs = window.__supervisionRuns = {seq: 0, asked: 0, started: 0, ended: 0};
  const FINISHED_EARLY_FOR_RERUN = 2;
  // "start", "end" or null for one ForwardMsg (its top-level fields)
  const runEvent = data => {
    if (!(data instanceof ArrayBuffer)) return null;
    const b = new Uint8Array(data);
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1, byte;
      do { byte = b[i++]; value += (byte & 127) * scale; scale *= 128; } while (byte & 128);
      return value;
    };
    while (i < b.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) {
        const value = varint();
        if (field === 6) return value === FINISHED_EARLY_FOR_RERUN ? null : "end";
      } else if (wire === 2) {
        if (field === 4) return "start";
        const length = varint();    // read first: `i += varint()` adds to the old i
        i += length;
      }
      else if (wire === 1) { i += 8; }
      else if (wire === 5) { i += 4; }
      else { return null; }
    }
    return null;
  };
  const isRerunRequest = data => {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : null;
    return bytes !== null && bytes.length > 0 && bytes[0] === 0x5A;
  };
  runs.runEvent = runEvent;    // for tests/test_browser_kit.py
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", event => {
        const kind = runEvent(event.data);
        if (kind === "start") {
          runs.started = ++runs.seq;
        } else if (kind === "end") {
          const number = ++runs.seq;
          requestAnimationFrame(() => setTimeout(() => {
            runs.ended = Math.max(runs.ended, number);
          }));
        }
      });
    }
    send(data) {
      if (isRerunRequest(data)) { runs.asked = ++runs.seq; }
      return super.send(data);
    }
  };
})();
"""
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
PROBLEMS: list[str] = []


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


def new_context(browser: Browser, *, for_a_fixture: bool = False,
                **options: Any) -> BrowserContext:
    """browser.new_context(**options), guarded: its every page (a popup, a page opened by
    a test, a frame) reports to PROBLEMS. A context opened in a test is closed when the
    test ends (`close_the_tests_contexts`), even when the test failed before closing it,
    so that nothing it does later is laid at another test's door; `for_a_fixture`: a
    fixture's (conftest's `tabs`), closed by that fixture."""
    context = browser.new_context(**options)
    context.add_init_script(GUARD_SCRIPT)
    context.add_init_script(RUN_TRACKER_SCRIPT)
    context.on("request", _request)
    context.on("console", _console)
    if not for_a_fixture:
        _OPENED.append(context)
    return context


def close_the_tests_contexts() -> None:
    """Close the contexts the test opened (closing one twice is harmless)."""
    while _OPENED:
        _OPENED.pop().close()


_OPENED: list[BrowserContext] = []


def _request(request: Request) -> None:
    if not is_local(request.url):
        PROBLEMS.append(f"request to another host: {request.url}")


def _console(message: ConsoleMessage) -> None:
    if message.type == "error" and message.text.startswith(GUARD_MARK):
        PROBLEMS.append(message.text)


def check_guard() -> None:
    """Fail if a guarded context saw a problem since the last check (or `guard_from_now`);
    what it reports is checked only once."""
    seen = unchecked()
    _CHECKED[0] = len(PROBLEMS)
    assert not seen, "the browser guard saw:\n" + "\n".join(seen)


def guard_from_now() -> None:
    """Check only what arrives from now on (a test's start)."""
    _CHECKED[0] = len(PROBLEMS)


def unchecked() -> list[str]:
    """What the guard saw since the last check."""
    return PROBLEMS[_CHECKED[0]:]


_CHECKED = [0]


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


# wait_idle tests its condition every 100 ms, not on every animation frame: polling by
# frames makes Chromium draw the page 60 times a second for as long as the wait lasts
# (on the targets page ~0.1 CPU-second per second of waiting, measured against none at
# 100 ms; over the whole suite the difference was within the run-to-run spread).
WAIT_POLL_MS = 100


def wait_idle(page: Page) -> None:
    """Until Streamlit has finished every run the page asked for and drawn it: a run began
    after the last rerun request the page sent and a run ended after that (RUN_TRACKER_SCRIPT:
    until the server answers a click, nothing on the page says a run is coming; a page
    that has sent no request yet has not connected), the app's script state is
    `notRunning`, no element is stale, and no element is still a skeleton while its
    component's code loads (a fresh browser draws metrics, charts and tables a second or
    two after the run ends)."""
    page.wait_for_function(
        """() => {
          const app = document.querySelector("[data-testid='stApp']");
          const runs = window.__supervisionRuns;
          return app && runs && runs.asked > 0 && runs.started > runs.asked
            && runs.ended > runs.started
            && app.getAttribute('data-test-script-state') === 'notRunning'
            && !document.querySelector("[data-testid='stStatusWidget']")
            && !document.querySelector("[data-stale='true']")
            && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']");
        }""", polling=WAIT_POLL_MS, timeout=60_000)


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


def fill_login(page: Page, user: str, password: str, button: str = "登录",
               code: str | None = None) -> None:
    """Fill the login form (and the one-time code) once the page has finished its runs and
    submit it, clicking again only while the click sends no request
    (`click_asking_for_a_run`: in a full run of the suite a submit once reached the server
    as nothing at all, no login and no failure recorded, the form still filled in); back
    when the run that answers it is drawn (an alert of the attempt before is not taken for
    its answer)."""
    wait_idle(page)
    page.get_by_label("用户名 / Username").fill(user)
    page.get_by_label("密码 / Password").fill(password)
    if code is not None:
        page.get_by_role("textbox", name="动态口令 / One-time code").fill(code)
    click_asking_for_a_run(page, center_of(page.get_by_role("button", name=button, exact=True)))


def center_of(element: Locator) -> Callable[[], tuple[float, float]]:
    """The middle of `element` on screen, scrolled into view: a `where` for
    click_asking_for_a_run (a widget whose click must be answered by a run: a toggle shows
    itself switched before its request is sent, so a wait on the page alone can pass for
    the run before)."""
    def where() -> tuple[float, float]:
        element.scroll_into_view_if_needed()
        box = element.bounding_box()
        assert box, "the element is not drawn"
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    return where


def login(page: Page, base: str, user: str, password: str, query: str = "") -> None:
    """Log in from the address `query` (its page after the login); a query with lang=en
    gets the English form."""
    english = "lang=en" in query
    page.goto(f"{base}/{query}")
    fill_login(page, user, password, button="Log in" if english else "登录")
    expect(page.get_by_role("button", name="Log out" if english else "退出登录")
           ).to_be_visible(timeout=30_000)
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


# How long a click may take to send its rerun request before it counts as dropped (the
# page polls every WAIT_POLL_MS): a click sends its request at once, a loaded machine may
# take a few seconds to get there.
CLICK_SENT_MS = 10_000
ROW_HEIGHT = 35     # st.dataframe's header and row height in pixels


def click_chart_point(page: Page, chart: Locator, point: Locator, *, settle: bool = True,
                      attempts: int = 3) -> None:
    """Click a plotly point where it is drawn (plotly's drag layer takes the pointer), once
    plotly has seen the pointer over it (its hover label is drawn): `click_asking_for_a_run`."""
    def where() -> tuple[float, float]:
        x, y = center_of(point)()
        page.mouse.move(x, y)
        chart.locator(".hoverlayer .hovertext").first.wait_for(timeout=10_000)
        return x, y

    click_asking_for_a_run(page, where, settle=settle, attempts=attempts)


def click_grid_row(page: Page, grid: Locator, row: int = 0, *, settle: bool = True,
                   attempts: int = 3) -> None:
    """Select data row `row` (0 is the first under the header) of an st.dataframe by its row
    marker (the grid is a canvas): `click_asking_for_a_run`."""
    def where() -> tuple[float, float]:
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box, "the grid is not drawn"
        return box["x"] + 8, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT // 2

    click_asking_for_a_run(page, where, settle=settle, attempts=attempts)


def click_asking_for_a_run(page: Page, where: Callable[[], tuple[float, float]], *,
                           settle: bool = True, attempts: int = 3) -> None:
    """Click at `where()` once the page has finished its runs, and return when the click
    has sent its rerun request; `settle`: and the run it asked for has ended and been drawn
    (a test of what the page shows the moment the click is answered, such as the address
    bar's, passes settle=False and waits for that itself).

    A click a chart or a grid drops sends no request: a full run of the suite once found no
    selection after a click on a plotly bar (the page idle, its hover label drawn), and a
    grid redrawing as it is clicked loses the click. Only that is tried again, with a
    warning, after the pointer has left: a click whose request was sent, however late, is
    not repeated (a second click on a row would unselect it; the request is looked for
    once more just before clicking again), and what a click selected is the caller's to
    check."""
    wait_idle(page)
    asked = page.evaluate("() => window.__supervisionRuns.asked")

    def sent_since() -> bool:
        return page.evaluate("asked => window.__supervisionRuns.asked > asked", asked)

    for attempt in range(1, attempts + 1):
        # a request that came after the wait gave up: the click was not dropped (looked
        # for before the point is looked for again: the page may have moved on)
        if attempt > 1 and sent_since():
            break
        x, y = where()
        if attempt > 1:
            if sent_since():
                break
            warnings.warn(f"a click at ({x:.0f}, {y:.0f}) on {page.url} sent no request in "
                          f"{CLICK_SENT_MS / 1000:g} s: clicking again", stacklevel=3)
        page.mouse.click(x, y)
        if page.evaluate("""([asked, limit, poll]) => new Promise(done => {
              const start = Date.now();
              const check = () => window.__supervisionRuns.asked > asked ? done(true)
                : Date.now() - start > limit ? done(false) : setTimeout(check, poll);
              check();
            })""", [asked, CLICK_SENT_MS, WAIT_POLL_MS]):
            break
        page.mouse.move(0, 0)
    else:
        if not sent_since():
            raise AssertionError(f"{attempts} clicks sent no request")
    if settle:
        wait_idle(page)
