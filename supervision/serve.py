"""`python -m supervision serve`: the dashboard's server, ready before its first user.

`streamlit run app.py` does nothing until a browser connects: the first session then
imports the app (polars, plotly, pandas, SQLAlchemy, Alembic …), migrates the operational
store and computes the national figures of its first page from a cold database — about six
seconds at ten million cases, on top of the login. This launcher does that work when the
server starts, in the same process, and then hands over to Streamlit's own command line:

- the app's modules are imported, the operational store migrated and a case database of
  an older release migrated (as a new version) before the port opens;
- a background thread computes the national results of the default view (the latest data
  date, no filter) — the period's cases in memory, the rank counts, every court's ranks
  now and one and two weeks before, weekly ranks and projection, the province ranking —
  into the results every session shares (supervision.engine.single_flight), while the first user logs
  in.

The figures are the ones a session would compute (the same calls, the same cache); the
warm-up only moves the time they take to before the first request.

The server logs one JSON object a line on stdout (supervision.logs), and answers GET
/healthz with its readiness (supervision.web.readiness).

Streamlit's command line then runs dashboard.py, whose `st.App` serves app.py (pages/,
.streamlit/config.toml as before) with supervision.web's routes (the httpOnly login
cookie) and middleware (security headers, the websocket's allowed origins).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("supervision.serve")


def import_app_modules() -> None:
    """What the app's first run would import (sys.modules keeps them for every run)."""
    import pandas  # noqa: F401 - plotly imports it lazily, half-imported across threads
    import plotly.graph_objects  # noqa: F401

    from supervision import views  # noqa: F401
    from supervision.ui import (  # noqa: F401
        brief_sections,
        charts,
        data,
        exports,
        login,
        navigate,
        sidebar,
        state,
        tables,
        urls,
    )
    from supervision.words import fmt, i18n  # noqa: F401


def warm_default_view(db: Path) -> float | None:
    """The national results of the default view, computed into supervision.engine.single_flight; the
    seconds it took, or None when there is nothing to warm (no database yet, or one the
    app must migrate first)."""
    from supervision import views
    from supervision.data import lookups
    from supervision.data.db import connect_current_version, schema_is_current
    from supervision.domain.filters import Filters

    if not db.exists() or not schema_is_current(str(db)):
        return None
    started = time.perf_counter()
    con, _version = connect_current_version(db)
    try:
        latest = lookups.latest_date(con)
        if latest is None:
            return None
        views.warm_national(con, Filters(as_of=latest))
    finally:
        con.close()
    return time.perf_counter() - started


def bring_case_db_current(db: Path) -> bool:
    """Migrate a case database of an older release (as a new version swapped in) before the
    port opens, so that the server is ready (GET /healthz) without waiting for a first
    session to do it; True when it migrated. After an upgrade, start one server first: the
    others then find the file current (docs/deployment.md)."""
    from supervision.data.db import migrate_file, schema_is_current

    if not db.exists() or schema_is_current(db):
        return False
    started = time.perf_counter()
    migrate_file(db)
    log.warning("case database migrated to this release's schema in %.1f s",
                time.perf_counter() - started)
    return True


def _warm_in_background(db: Path) -> None:
    try:
        seconds = warm_default_view(db)
    except Exception:  # noqa: BLE001 - a failed warm-up leaves the sessions to compute
        log.exception("warming the default view failed; sessions compute it themselves")
        return
    if seconds is not None:
        log.warning("default view warmed in %.1f s", seconds)


M_MMAP_THRESHOLD = -3          # glibc's mallopt parameter
LARGE_ALLOCATION = 4 * 2**20   # bytes: allocations this large are mapped and given back


def return_large_allocations() -> None:
    """Make glibc map every allocation of LARGE_ALLOCATION or more and unmap it when freed,
    in pages of the ordinary size.

    By default glibc raises that threshold to the largest block freed so far (up to
    32 MB), after which such blocks come from per-thread arenas that keep the memory: the
    rank counts' temporaries (tens of MB at 10 M cases, in each session's thread) then
    stayed in the server's resident memory. A fixed threshold switches that off.

    numpy asks the kernel for transparent huge pages on each array of 4 MB or more
    (madvise): each first touch then zeroes 2 MB, and on a virtual machine that has handed
    freed memory back to its host that cost 100–200 ms of kernel time in one request of
    three at 10 M cases (docs/performance.md, "Huge pages"). Ordinary pages cost a few ms."""
    libc = ctypes.util.find_library("c")
    mallopt = getattr(ctypes.CDLL(libc), "mallopt", None) if libc else None
    if mallopt is not None:     # glibc only (a laptop's macOS or Windows has none)
        mallopt(M_MMAP_THRESHOLD, LARGE_ALLOCATION)
    numpy_huge_pages(False)


def numpy_huge_pages(wanted: bool) -> bool:
    """Whether numpy advises huge pages for its large arrays from now on (as the
    NUMPY_MADVISE_HUGEPAGE environment variable does when numpy is imported, which in the
    server Streamlit does before the app); returns the setting it replaces (a numpy
    without the switch is left as it is, and `wanted` returned)."""
    # numpy's own switch, not a public name (numpy 2.4): a numpy without it keeps its default
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:
        log.warning("this numpy has no switch for huge pages; left as it is")
        return wanted
    return bool(_set_madvise_hugepage(wanted))


def cors_origin_flags() -> list[str]:
    """SUPERVISION_ALLOWED_ORIGINS (a proxy's public origin) for Streamlit's own websocket
    check too, which supervision.web's stricter one precedes: both must let it in."""
    from supervision.web import allowed_origins, origin_text

    return [flag for origin in sorted(allowed_origins())
            for flag in ("--server.corsAllowedOrigins", origin_text(origin))]


def serve(streamlit_args: list[str]) -> int:
    """Prepare, start the warm-up, then run `streamlit run dashboard.py <streamlit_args>`:
    app.py served by st.App with supervision.web's routes and middleware."""
    from streamlit.web import cli

    from supervision import logs
    from supervision.security.request_check import quiet_refusals_in_the_log

    logs.configure()    # one JSON object a line on stdout (journald rotates it)
    return_large_allocations()
    quiet_refusals_in_the_log()

    from supervision.ui import data

    import_app_modules()
    data.store()    # the operational store, migrated once, before any session
    bring_case_db_current(data.db_path())
    # a full collection walks the ~160,000 objects of the imported modules (~55 ms of CPU),
    # which live as long as the process: frozen, they are left out of every collection
    # (refcounting still frees them). Streamlit's own after every run is off as well
    # (.streamlit/config.toml, runner.postScriptGC)
    gc.collect()
    gc.freeze()
    threading.Thread(target=_warm_in_background, args=(data.db_path(),),
                     name="warm-default-view", daemon=True).start()
    sys.argv = ["streamlit", "run", str(ROOT / "dashboard.py"), *streamlit_args,
                *cors_origin_flags()]
    return cli.main()
