"""The production setup of deploy/, started on one machine and driven through its proxy in
Debian's Chromium (issue 23, item 1): PostgreSQL for the operational store, two app
servers in production mode sharing one case database, nginx terminating TLS with a
throw-away certificate. Run by `make deploy-check` (tests/deploy/conftest.py starts it).

- the proxy: TLS, the security headers, readiness, sticky routing that spreads browsers;
- an import run on the host while both servers serve reaches both at their next page run,
  every row counted back;
- ten wrong passwords split across both servers lock the account, and the audit trail
  holds every attempt from either;
- a login served by one server survives that server's death: a reload lands on the other,
  logged in, on the same view. The seconds from the kill to that page are printed last
  ("failover: X.X s")."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from urllib.parse import parse_qsl, urlsplit

import duckdb
import polars as pl
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from supervision.store.schema import audit_log
from tests import browser_kit as kit
from tests.browser_kit import fill_login, login, wait_idle
from tests.conftest import CASE_SCHEMA
from tests.deploy.conftest import (
    DATA_END,
    PASSWORD,
    RESULTS,
    Deployment,
    http_get,
    run,
    wait_until,
)

ROUTE_COOKIE = "supervision_route"
FRESHNESS = re.compile(r"数据截至 (\d{4}-\d{2}-\d{2})")


def new_context(browser: Browser) -> BrowserContext:
    """A guarded context (browser_kit.new_context) that trusts the throw-away certificate."""
    return kit.new_context(browser, viewport={"width": 1400, "height": 1000},
                           ignore_https_errors=True)


def params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def case_count(db) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.table("cases").aggregate("count(*)").fetchall()[0][0]
    finally:
        con.close()


def audit_count(deployment: Deployment, event: str, actor: str) -> int:
    with deployment.store().connect() as connection:
        return connection.execute(
            select(func.count()).select_from(audit_log)
            .where(audit_log.c.event == event, audit_log.c.actor == actor)).scalar_one()


def shown_data_date(page: Page) -> str:
    caption = page.get_by_text(FRESHNESS).first
    expect(caption).to_be_visible(timeout=30_000)
    return FRESHNESS.search(caption.inner_text()).group(1)


# --------------------------------------------------------------------------- the proxy

def test_the_proxy_terminates_tls_with_the_security_headers(deployment):
    status, headers, body = http_get(f"{deployment.proxy}/", insecure_tls=True)
    assert status == 200 and b"<html" in body.lower()
    assert headers["strict-transport-security"] == "max-age=31536000"
    assert headers["x-frame-options"] == "SAMEORIGIN"             # once, not the app's too
    assert headers["x-content-type-options"] == "nosniff"
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert "server" not in headers or "nginx/" not in headers["server"]   # no version
    assert re.fullmatch(rf"{ROUTE_COOKIE}=[0-9a-f]{{32}}; Path=/; Secure; HttpOnly; "
                        r"SameSite=Lax", headers["set-cookie"])


def test_every_server_is_ready_and_the_proxy_asks_them(deployment):
    from supervision.web import store_head_revision

    for server in deployment.servers:
        status, headers, body = http_get(f"{server.base}/healthz")
        answer = json.loads(body)
        assert status == 200, answer
        assert headers["cache-control"] == "no-store"
        assert answer["store"]["revision"] == store_head_revision()
        assert answer["case_db"]["ok"]
    status, _, body = http_get(f"{deployment.proxy}/healthz", insecure_tls=True)
    assert status == 200 and json.loads(body)["status"] == "ready"


def test_a_browser_stays_on_one_server_and_browsers_spread_over_both(deployment):
    seen_before = len(deployment.access_lines())
    routes = [f"{i:032x}" for i in range(1, 25)]
    for route in routes:
        for _ in range(3):
            status, _, _ = _get_with_cookie(deployment, "/_stcore/health", route)
            assert status == 200
    lines = wait_until(lambda: (ls := deployment.access_lines()[seen_before:])
                       and len(ls) >= 3 * len(routes) and ls, "the access log's lines")
    upstreams: dict[str, set[str]] = {}
    for line in lines:
        upstreams.setdefault(line["route"], set()).add(line["upstream"])
    assert all(len(upstreams[r]) == 1 for r in routes), upstreams    # sticky
    assert {u for r in routes for u in upstreams[r]} == {s.address for s in deployment.servers}


def _get_with_cookie(deployment: Deployment, path: str, route: str):
    import ssl
    import urllib.request

    request = urllib.request.Request(f"{deployment.proxy}{path}",
                                     headers={"Cookie": f"{ROUTE_COOKIE}={route}"})
    with urllib.request.urlopen(request, timeout=15,
                                context=ssl._create_unverified_context()) as answer:
        return answer.status, answer.headers, answer.read()


# --------------------------------------------------------------------------- an import

def test_an_import_while_both_serve_reaches_both_at_their_next_page_run(
        deployment, browser, tmp_path):
    pages = []
    for server in deployment.servers:
        page = new_context(browser).new_page()
        login(page, server.base, "ana", PASSWORD, "targets")
        pages.append(page)
    before = {shown_data_date(page) for page in pages}
    assert len(before) == 1
    (shown_before,) = before
    assert shown_before <= DATA_END.isoformat()

    # new cases filed after the data's last date: the date every page shows moves
    filed = DATA_END + dt.timedelta(days=5)
    con = duckdb.connect(str(deployment.db), read_only=True)
    try:
        sample = con.table("cases").limit(2_000).pl().select(list(CASE_SCHEMA))
    finally:
        con.close()
    fresh = sample.with_columns(
        (pl.col("case_number") + "-补").alias("case_number"),
        pl.lit(filed).alias("filed_on"),
        *(pl.lit(None, dtype=CASE_SCHEMA[c]).alias(c)
          for c in ("closed_on", "closing_method", "settlement_on", "settlement_due_on",
                    "settlement_ruling_on")))
    csv = tmp_path / "new_cases.csv"
    fresh.write_csv(csv)
    count_before = case_count(deployment.db)

    done = run(".venv/bin/python", "-m", "supervision", "import", "--db", str(deployment.db),
               "--cases", str(csv), "--store", deployment.store_url, "--json")
    (figures,) = json.loads(done.stdout.strip().splitlines()[-1])     # read back, printed
    assert (figures["stored"], figures["new"], figures["rejected"]) == (fresh.height,) * 2 + (0,)
    assert case_count(deployment.db) == count_before + fresh.height

    for page, server in zip(pages, deployment.servers, strict=True):
        # the next page run of the same session (no reload, no new session)
        page.locator("[data-testid='stSidebarNav'] a[href$='/roadmap']").click()
        expect(page.get_by_text(f"数据截至 {filed.isoformat()}")).to_be_visible(
            timeout=30_000)
        wait_idle(page)
        assert urlsplit(page.url).path.endswith("/roadmap"), (server.name, page.url)
        page.context.close()


# --------------------------------------------------------------------------- lockout

def test_the_lockout_and_the_audit_trail_count_both_servers_as_one(deployment, browser):
    user = "victim"
    pages = []
    for server in deployment.servers:
        page = new_context(browser).new_page()
        page.goto(server.base)
        pages.append(page)
    assert audit_count(deployment, "login_failure", user) == 0
    for attempt in range(10):
        page = pages[attempt // 5]         # five on one server, five on the other
        fill_login(page, user, f"wrong-password-{attempt}")
        wait_until(lambda n=attempt + 1: audit_count(deployment, "login_failure", user) >= n,
                   f"audit row of attempt {attempt + 1}", timeout_s=30)
        # the tenth check is the last: its answer already says the account is locked
        answer = "用户名或密码错误" if attempt < 9 else "账号已暂时锁定"
        expect(page.get_by_role("alert").filter(has_text=answer)).to_be_visible(timeout=30_000)
        assert audit_count(deployment, "login_failure", user) == attempt + 1
    # the right password now, on either server: refused, the account is locked
    for page in pages:
        fill_login(page, user, PASSWORD)
        expect(page.get_by_text("账号已暂时锁定")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="退出登录")).to_have_count(0)
    assert audit_count(deployment, "login_failure", user) == 10
    assert audit_count(deployment, "login_locked", user) >= 1
    assert audit_count(deployment, "login_success", user) == 0
    for page in pages:
        page.context.close()


# --------------------------------------------------------------------------- failover

def test_a_login_survives_the_death_of_its_server(deployment, browser):
    """Last: it kills a server."""
    context = new_context(browser)
    page = context.new_page()
    login(page, deployment.proxy, "ana", PASSWORD)
    # the view to keep: opened by its link (a new session of the same browser, the login
    # cookie carrying the login, on the same server)
    page.goto(f"{deployment.proxy}/brief?court=HI720")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible(timeout=60_000)
    wait_idle(page)
    view = params(page.url)
    path = urlsplit(page.url).path
    heading = page.locator("h1").first.inner_text()
    assert view.get("court") == "HI720" and path.endswith("/brief"), page.url
    route = next(c["value"] for c in context.cookies() if c["name"] == ROUTE_COOKIE)

    def ticket_line():
        return [line for line in deployment.access_lines()
                if line["route"] == route and line["path"] == "/auth/cookie"]

    serving = deployment.server_at(wait_until(ticket_line, "the login's line")[-1]["upstream"])
    other = next(s for s in deployment.servers if s is not serving)

    def reload_logged_in() -> float:
        started = time.monotonic()
        page.reload()
        expect(page.get_by_role("button", name="退出登录")).to_be_visible(timeout=60_000)
        wait_idle(page)
        return time.monotonic() - started

    # for comparison: the same reload with its server alive (printed before the failover)
    RESULTS["reload, server alive"] = reload_logged_in()
    serving.kill()
    RESULTS["failover"] = reload_logged_in()      # from the kill to the page rendered

    assert params(page.url) == view and urlsplit(page.url).path == path, page.url
    assert page.locator("h1").first.inner_text() == heading
    expect(page.get_by_text("用户名 / Username")).to_have_count(0)
    lines = [line for line in deployment.access_lines() if line["route"] == route]
    # the dead server's websocket closed; what came after went to the other server
    assert any(line["path"] == "/_stcore/stream" and line["status"] == 101
               and deployment.server_at(line["upstream"]) is serving for line in lines)
    assert deployment.server_at(lines[-1]["upstream"]) is other
    context.close()


# --------------------------------------------------------------------------- the units

def test_the_service_units_and_timers_verify(tmp_path):
    """systemd's own check of deploy/systemd (paths pointed at this machine: the units name
    /opt/supervision), and the timers' calendars in court time."""
    import shutil
    import subprocess
    import sys

    from tests.deploy.conftest import DEPLOY, ROOT

    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is not installed (Debian's systemd package; .ci/run installs it)"
    for unit in (DEPLOY / "systemd").iterdir():
        text = (unit.read_text()
                .replace("/opt/supervision/.venv/bin/python", sys.executable)
                .replace("/opt/supervision", str(ROOT))
                .replace("/etc/supervision/supervision.env",
                         str(DEPLOY / "supervision.env.example"))
                .replace("/var/lib/supervision", str(tmp_path))
                .replace("/var/backups/supervision", str(tmp_path)))
        name = unit.name.replace("@.service", "@8501.service")
        (tmp_path / name).write_text(text)
    units = sorted(str(p) for p in tmp_path.iterdir())
    done = subprocess.run([analyze, "verify", "--man=no", *units], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    calendars = {timer.name: line.split("=", 1)[1].strip()
                 for timer in (DEPLOY / "systemd").glob("*.timer")
                 for line in timer.read_text().splitlines() if line.startswith("OnCalendar=")}
    assert calendars == {"supervision-weekly.timer": "Mon *-*-* 06:00:00 Asia/Shanghai",
                         "supervision-drop-import.timer": "*-*-* 01:30:00 Asia/Shanghai",
                         "supervision-backup.timer": "*-*-* 03:00:00 Asia/Shanghai"}
    for spec in calendars.values():
        done = subprocess.run([analyze, "calendar", spec], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0 and f"Normalized form: {spec}" in done.stdout, done.stderr
