"""Shared fixtures: small hand-built case databases in real DuckDB files."""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import settings

from supervision.data.db import connect

D = dt.date

# bcrypt's cost in the tests (and the servers they start): the lowest; production refuses it
# (config.production_problems, tests/test_production.py)
os.environ.setdefault("SUPERVISION_BCRYPT_ROUNDS", "4")

# Hypothesis: each property test names its own number of examples (kept small: most build a
# database or run the app per example); under CI no deadline (a loaded machine is slow, not
# wrong) and a failing example is printed so that it can be replayed. HYPOTHESIS_PROFILE
# picks another registered profile.
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("CI") == "true" else "dev"))

CASE_DEFAULTS = dict(
    case_kind="first", case_type="loan", closed_on=None, closing_method=None,
    amount_applied=1000.0, amount_recovered=0.0, has_property=True, priority="normal",
    complexity="ordinary", respondent_id="R1", respondent_name="某甲", respondent_kind="person",
    judge="王法官", settlement_on=None, settlement_due_on=None,
    notice_served=True, consumption_restricted=True, dishonest_listed=True,
    network_inquiry_done=True, site_investigation_done=True, applicant_informed=True,
    settlement_ruling_on=None,
)
CASE_SCHEMA = {
    "case_number": pl.String, "court_code": pl.String, "case_kind": pl.String,
    "case_type": pl.String, "filed_on": pl.Date, "closed_on": pl.Date,
    "closing_method": pl.String, "amount_applied": pl.Float64, "amount_recovered": pl.Float64,
    "has_property": pl.Boolean, "priority": pl.String, "complexity": pl.String,
    "respondent_id": pl.String, "respondent_name": pl.String, "respondent_kind": pl.String,
    "judge": pl.String, "settlement_on": pl.Date, "settlement_due_on": pl.Date,
    "notice_served": pl.Boolean, "consumption_restricted": pl.Boolean,
    "dishonest_listed": pl.Boolean, "network_inquiry_done": pl.Boolean,
    "site_investigation_done": pl.Boolean, "applicant_informed": pl.Boolean,
    "settlement_ruling_on": pl.Date,
}


def pytest_xdist_auto_num_workers(config) -> int:
    """Workers for `-n auto` (pyproject.toml): one more than the cores for the suite or a
    folder, none (one process) for one or two named test files; SUPERVISION_TEST_WORKERS
    sets the number. The tests keep the cores busy (Chromium, the servers, the imports),
    but a browser test still waits on its server and Chromium at times: on this machine's
    two cores, `make test` with three workers took 5:48–6:10 in five runs (median 6:06;
    688–731 busy CPU-seconds), with two 6:09–6:23 in four (2026-12-05, the twelfth
    session); four workers, measured a day earlier, cost 880 CPU-seconds and 442 s, two
    then 705 and 373 s (more processes than that cost each other cache and switches)."""
    wanted = os.environ.get("SUPERVISION_TEST_WORKERS", "").strip()
    if wanted.isdigit():
        return int(wanted)
    named = [Path(str(arg).split("::")[0]) for arg in config.args]
    if named and len(named) <= 2 and all(p.suffix == ".py" for p in named):
        return 0
    return max(2, len(os.sched_getaffinity(0))) + 1


# The test files that take longest, longest first (measured 2026-12-04):
# xdist gives each worker whole files (--dist loadfile) in collection order, a couple at a
# time, so these start early and the short files fill in around them, rather than one long
# browser file running alone at the end (pyproject.toml turns xdist's own order, most tests
# first, off).
LONGEST_FIRST = (
    "test_browser_urls", "test_browser_url_drills", "test_browser", "test_browser_deep_links",
    "test_importer", "test_browser_delegation_outputs", "test_browser_security",
    "test_browser_delegation", "test_importer_fuzz", "test_publication", "test_generator_cli",
    "test_backup", "test_browser_requests", "test_browser_hostile_names",
    "test_browser_official", "test_import_limits", "test_filter_property",
    "test_rank_aggregate", "test_personal_browser",
    "test_index_drill", "test_app", "test_shared_results",
    "test_official_position", "test_browser_publication", "test_drop_folder")


def pytest_collection_modifyitems(config, items) -> None:
    """The longest files first (LONGEST_FIRST), each file's tests in their own order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test fails if a guarded browser context (tests/browser_kit.py, `new_context`) saw
    a request to another host, a Content-Security-Policy violation or an icon on another
    host while it ran."""
    result = yield
    kit = sys.modules.get("tests.browser_kit")
    if kit:
        kit.check_guard()
    return result


@pytest.fixture(autouse=True)
def browser_guard() -> Iterator[None]:
    """The browser guard's span of a test: from the start of its function-scoped fixtures
    (this one is set up first among them) to after they have closed its tabs, and after the
    contexts it opened are closed here (torn down last), where their last events arrive; the
    call itself is checked by pytest_runtest_call. The session fixtures' work falls
    outside every test's span: none opens a page (`tabs` is an empty context between
    tests: `tab` closes every page of it)."""
    kit = sys.modules.get("tests.browser_kit")
    if kit:
        kit.guard_from_now()
    yield
    if kit:
        kit.close_the_tests_contexts()
        kit.check_guard()


def make_db(path: Path, courts: Iterable[tuple[str, str]] = (("A", "琼"), ("B", "琼"),
                                                              ("C", "京"))) -> duckdb.DuckDBPyConnection:
    """A database with the given (court_code, province) courts and three case types:
    `loan` and `wage` are specific (ranked) types, `other` is not. Made once per set of
    courts in this process and copied (a new file's schema is most of the time), then
    opened as any file is (connect: the schema checked, the vocabulary and macros
    refreshed)."""
    empty_copy(path, courts)
    return connect(path)


def empty_copy(path: Path, courts: Iterable[tuple[str, str]] = (("A", "琼"), ("B", "琼"),
                                                                ("C", "京"))) -> None:
    """A copy at `path` of make_db's empty database for these courts, not opened."""
    courts = tuple(courts)
    template = _EMPTY_DBS.get(courts)
    if template is None:
        folder = tempfile.mkdtemp(prefix="empty-cases-")
        atexit.register(shutil.rmtree, folder, True)
        template = Path(folder) / "cases.duckdb"
        con = connect(template)
        con.execute("INSERT INTO provinces VALUES ('琼', '海南省', 'Hainan', 1), "
                    "('京', '北京市', 'Beijing', 2)")
        for code, province in courts:
            con.execute("INSERT INTO courts VALUES (?, ?, ?, ?, 'basic', 'general')",
                        [code, f"{code}法院", f"Court {code}", province])
        con.execute("""INSERT INTO case_types VALUES ('loan', '金融借款', 'Loans', true),
                       ('wage', '涉民生', 'Wages', true), ('other', '其他', 'Other', false)""")
        con.close()
        _EMPTY_DBS[courts] = template
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)


_EMPTY_DBS: dict[tuple[tuple[str, str], ...], Path] = {}


def add_cases(con: duckdb.DuckDBPyConnection, *cases: dict) -> None:
    """Insert cases; each dict needs case_number, court_code, filed_on, the rest defaults."""
    rows = [{**CASE_DEFAULTS, **c} for c in cases]
    frame = pl.DataFrame(rows, schema=CASE_SCHEMA)
    con.register("_cases", frame.to_arrow())
    con.execute(f"INSERT INTO cases ({', '.join(CASE_SCHEMA)}) SELECT * FROM _cases")
    con.unregister("_cases")


def closed(number: str, court: str, filed: dt.date, closed_on: dt.date | None,
           method: str | None, **extra) -> dict:
    return dict(case_number=number, court_code=court, filed_on=filed, closed_on=closed_on,
                closing_method=method, **extra)


@pytest.fixture
def db(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = make_db(tmp_path / "cases.duckdb")
    yield con
    con.close()


DEMO_END = dt.date(2026, 11, 25)


@pytest.fixture(scope="session", autouse=True)
def operational_store(tmp_path_factory) -> Iterator[str]:
    """One SQLite operational store for the run (users, sessions, audit), named in
    SUPERVISION_STORE so that the app under test and its servers use it too."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'operations.sqlite'}"
    before = os.environ.get("SUPERVISION_STORE")
    os.environ["SUPERVISION_STORE"] = url
    yield url
    if before is None:
        os.environ.pop("SUPERVISION_STORE", None)
    else:
        os.environ["SUPERVISION_STORE"] = before


# The browser tests' fixtures, one of each per worker process (tests/browser_kit.py has
# the helpers): Debian's Chromium, one context for the tabs, and a server on the demo.
# Sharing them across test files saves, per file, a browser launch (~1.1 CPU-seconds), a
# server start (~2) and a new profile's first page (~0.7 more than a new tab in a warm one:
# the server's static files are already in its cache), measured on this machine.


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless. The sync Playwright it runs on holds an asyncio loop in
    the worker's thread until the run ends: a test that runs a coroutine itself does so in
    a thread of its own (`run_coroutine`)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_kit import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def tabs(browser):
    """One browser context for the tests' tabs (`tab`): a new context is a new profile (its
    own processes and caches, ~5 CPU-seconds of Chromium to the first drawn page, against
    ~2.5 for a new tab in a warm one, measured with the same login), and most tests need
    only a tab that starts logged out. A test that needs a profile of its own (a second
    user while the first one's tab is still used, a stolen cookie, a fresh browser, a
    narrow screen) opens one with `browser_kit.new_context`."""
    from tests.browser_kit import new_context

    context = new_context(browser, accept_downloads=True, for_a_fixture=True)
    yield context
    context.close()


@pytest.fixture
def tab(tabs):
    """tab(width, height): a new tab of the shared context, logged out (the context's
    cookies cleared: a tab still open keeps its own session, which its websocket holds);
    every tab is closed when the test ends."""
    def new(width: int = 1400, height: int = 1000):
        tabs.clear_cookies()
        page = tabs.new_page()
        page.set_viewport_size({"width": width, "height": height})
        return page

    yield new
    # every page of the shared context, a popup or a page a test opened itself too: a page
    # left open would report to the guard during a later test
    for page in tabs.pages:
        page.close()


@pytest.fixture(scope="session")
def demo_server(demo_db, tmp_path_factory) -> Iterator[str]:
    """`python -m supervision serve` on a copy of the demo (the server holds its database
    open), for the browser tests that only read it; its base URL. Its secret is the test
    process's own (config.server_key: the same key file), so that a test can derive the
    server's keys and seal what the server unseals. A test that changes the data or the
    server's settings starts a server of its own."""
    from tests.browser_kit import streamlit_server

    folder = tmp_path_factory.mktemp("demo-server")
    db = folder / "app.duckdb"
    shutil.copy(demo_db, db)
    with streamlit_server(db, folder / "streamlit.log") as base:
        yield base


def run_coroutine(coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright holds an asyncio
    loop in the worker's thread for the whole run (`browser`)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, operational_store) -> Path:
    """A small generated national database, and the demo users in the store (built once
    per run)."""
    from supervision.data.generator import generate
    from supervision.security.users import install_demo_users
    from supervision.store import engine

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    generate(path, 60_000, seed=7, end=DEMO_END, progress=lambda m: None)
    install_demo_users(engine(operational_store))
    return path
