"""Concurrent browser sessions against the real server (python -m supervision serve).

N browser sessions (Debian's Chromium, one browser, N contexts, driven by Playwright) log
in as the supervisor on the targets page of a court, then for `seconds` each changes the
value filter again and again (a custom lower bound no one has asked for: a filter change
no cache has seen) and waits until the run has finished and the chart is drawn. Measured
per change: from the keypress to the end of the run that draws the chart (the app writes
the filters into the URL when a run ends; then no run is going on and the chart is
there). Also: the time from a session's first request through the login to its first
drawn page (a new server: nothing cached), the server's start and its peak RSS (VmHWM).

A second mode, `room=True`, is a delegation's room rather than the worst case: each
session looks at its own court of the province, and the lower bounds typed are round
figures (ROUND_VALUES, in 万元) — what people type — so sessions on different courts ask
for the same filters, which only the national results shared across sessions
(supervision/engine/single_flight.py) can serve.

Prints figures; asserts nothing. Used by bench/bench.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
# the run has ended and is drawn: the app's own script state (Streamlit 1.67 shows no status
# widget to wait for), no stale element, no element still a skeleton while its code loads
# (the same condition as the browser tests' wait_idle)
DRAWN = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector("[data-stale='true']")
    && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']");
}"""
ROUND_VALUES = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
CHART = ".js-plotly-plot"


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine have used so far (every core)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def server(db: Path, store_url: str, port: int, **env: str
           ) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m supervision serve` on `db`; yields its URL and process once it answers."""
    log = open(ROOT / "bench" / "out" / f"server-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "supervision", "serve", "--server.port",
         str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "SUPERVISION_DB": str(db), "SUPERVISION_STORE": store_url, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.25)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def next_value(rng: random.Random, shown: float, values: tuple[float, ...] | None) -> float:
    """The next lower bound (万元) a session types: one of `values` (the room's round
    figures), else a random one no cache has seen; never the one shown."""
    value = shown
    while value == shown:
        value = rng.choice(values) if values else rng.randint(11, 50_000) / 10
    return value


def summary(n: int, changes: list[float], errors: list[str], first: list[float]
            ) -> dict[str, float | int | list[str]]:
    """N sessions' figures: p50 / p95 change → chart, errors, first pages."""
    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered \
            else float("nan")

    return {
        "sessions": n, "changes": len(changes), "errors": len(errors),
        "error_kinds": sorted(set(errors))[:3],
        "p50_s": statistics.median(changes) if changes else float("nan"),
        "p95_s": p95(changes),
        "first_page_s": min(first) if first else float("nan"),
        "first_page_p95_s": p95(first),
    }


async def _settled(page, timeout_ms: int = 120_000) -> None:
    """Until no run is going on, the page is drawn and a chart is there."""
    await page.wait_for_function(DRAWN, timeout=timeout_ms)
    await page.wait_for_selector(CHART, state="visible", timeout=timeout_ms)


async def _session(browser, base: str, court: str, seconds: float, seed: int,
                   changes: list[float], errors: list[str], first: list[float],
                   values: tuple[float, ...] | None = None) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    rng = random.Random(seed)
    try:
        t0 = time.perf_counter()
        await page.goto(f"{base}/targets?court={court}&band=custom&vmin=1", timeout=120_000)
        await page.get_by_label("用户名 / Username").fill("supervisor", timeout=120_000)
        await page.get_by_label("密码 / Password").fill("demo-supervisor")
        await page.get_by_role("button", name="登录").click()
        await page.get_by_role("button", name="退出登录").wait_for(timeout=120_000)
        await page.wait_for_url(re.compile(r"vmin=1\.0"), timeout=120_000)
        await _settled(page)
        first.append(time.perf_counter() - t0)
        box = page.get_by_label("最低（万元）")
        end = time.perf_counter() + seconds
        shown = 1.0
        while time.perf_counter() < end:
            value = next_value(rng, shown, values)
            await box.fill(f"{value:.1f}")
            t0 = time.perf_counter()
            await box.press("Enter")
            # the app writes the filters into the URL when the page's run has ended
            await page.wait_for_url(re.compile(rf"vmin={value:.1f}(&|$)"), timeout=120_000)
            await _settled(page)
            changes.append(time.perf_counter() - t0)
            shown = value
            if await page.locator("[data-testid='stException']").count():
                errors.append("exception shown")
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none is hidden
        errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
        with contextlib.suppress(Exception):
            await page.screenshot(path=str(ROOT / "bench" / "out" / f"session-error-{seed}.png"))
    finally:
        await context.close()


async def _run(base: str, n: int, courts: list[str], seconds: float,
               values: tuple[float, ...] | None) -> dict[str, float | int | list[str]]:
    from playwright.async_api import async_playwright

    changes: list[float] = []
    errors: list[str] = []
    first: list[float] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await asyncio.gather(*[_session(browser, base, courts[seed % len(courts)], seconds,
                                        seed, changes, errors, first, values)
                               for seed in range(n)])
        await browser.close()
    return summary(n, changes, errors, first)


async def _first_view(base: str, court: str) -> dict[str, float]:
    """One user on a new server: the targets page's link with the default filters, the
    login, the drawn page. Seconds from the request to the login form and to the chart."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})
                      ).new_page()
        t0 = time.perf_counter()
        await page.goto(f"{base}/targets?court={court}", timeout=120_000)
        await page.get_by_label("用户名 / Username").fill("supervisor", timeout=120_000)
        form = time.perf_counter() - t0
        await page.get_by_label("密码 / Password").fill("demo-supervisor")
        await page.get_by_role("button", name="登录").click()
        await page.get_by_role("button", name="退出登录").wait_for(timeout=120_000)
        await _settled(page)
        chart = time.perf_counter() - t0
        await page.screenshot(path=str(ROOT / "bench" / "out" / "first-page.png"))
        await browser.close()
    return {"login_form_s": form, "first_page_s": chart}


def first_page(db: Path, store_url: str, court: str = "HI720", port: int = 8765,
               runs: int = 3) -> list[dict[str, float]]:
    """`runs` times: a new server (`python -m supervision serve`), then one user's first
    page as soon as the server answers; also the seconds from the server's launch."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        with server(db, store_url, port) as (base, _proc):
            up = time.perf_counter() - started
            result = asyncio.run(_first_view(base, court))
        out.append({"server_start_s": up, **result,
                    "launch_to_chart_s": up + result["first_page_s"]})
    return out


def province_courts(db: Path, province: str = "琼") -> list[str]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.sql("SELECT court_code FROM courts WHERE province = $p "
                                      "ORDER BY court_code", params={"p": province}).fetchall()]


def run_sessions(db: Path, store_url: str, counts: list[int], seconds: float,
                 court: str = "HI720", port: int = 8765, room: bool = False) -> list[dict]:
    """One fresh server per N (so each N starts cold): the sessions' figures and the
    server's peak RSS. `room`: each session on its own court, round values."""
    courts = province_courts(db) if room else [court]
    values = ROUND_VALUES if room else None
    out = []
    for n in counts:
        started = time.perf_counter()
        with server(db, store_url, port) as (base, proc):
            up = time.perf_counter() - started
            server_cpu, machine_cpu = cpu_seconds(proc.pid), machine_busy_seconds()
            result = asyncio.run(_run(base, n, courts, seconds, values))
            # where the two cores went: the server, and everything else (the browsers)
            result["server_cpu_s"] = cpu_seconds(proc.pid) - server_cpu
            result["machine_cpu_s"] = machine_busy_seconds() - machine_cpu
            result["server_start_s"] = up
            result["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
        out.append(result)
    return out
