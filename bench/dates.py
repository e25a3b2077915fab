"""A date change: the targets page (with its province ranking), the brief and the province
view (the weekly report's data) at an as-of date no cache has seen, next to the bare query
at that date; then filter changes at that date.

Runs on a connection opened as the server opens it (read-only, through the version link),
with the server's allocator settings (supervision.serve.return_large_allocations), after
the server's start (the operational store opened) and warm-up (views.warm_national at the
latest date), in one process, so that
every ratio is taken side by side. For each date DAYS_BACK days before the latest:

- bare: the bare rate-and-rank query (bench/page_data.py BARE_QUERY) at that date, the
  median of three;
- targets: views.targets_view then views.province_ranking_view, the date never seen;
- filter change: then, at that date, FILTER_CHANGES draws of page_data.filter_draws plus a
  priority-only change, targets data with its province ranking, mean (before the other
  dates below, as the user who moved the date changes a filter next);
- brief: views.brief_view at the day before (another date never seen, so that its cost
  is its own and not the targets page's leftovers);
- province: views.province_view (what the weekly report is built from) at a third date
  never seen;
- once derived: at a fourth date never seen (three days before), the date's rank counts
  first (metrics.rank_aggregate: the default view looked up in the day tables, or derived
  where they do not cover the date), then the targets page with its province ranking: what
  the page costs beyond them.

Prints figures; asserts nothing. Used by bench/bench.py (step `dates`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.page_data import bare_rank, filter_draws
from supervision import store as operational_store
from supervision import views
from supervision.data.db import connect_current_version
from supervision.domain.filters import Filters
from supervision.engine import metrics, single_flight
from supervision.security.access import Access
from supervision.serve import return_large_allocations

DAYS_BACK = (0, 7, 30, 90, 300)
FILTER_CHANGES = 4
# twelve more dates never seen, across the year (none of the dates above or those their
# pages ask): the targets page at each, and the brief the day after; one call each, so that
# the spread shows what a single request meets (a few take 100–170 ms more of the kernel's
# time, zeroing fresh pages: perf on 2026-12-05)
SPREAD_BACK = (19, 53, 75, 120, 150, 180, 210, 240, 270, 330, 345, 360)


def _ms(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _cpu_ms(call: Callable[[], Any]) -> float:
    """The process's CPU time (every thread: DuckDB's and numpy's) of one call, ms: what a
    busy machine inflates less than the wall time."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    call()
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000


def _cpu_since(before: Any) -> float:
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000


def _one_date(con: Any, access: Access, court: str, day: dt.date, back: int
              ) -> dict[str, float]:
    f = Filters(as_of=day)
    brief_day, province_day, derived_day = (Filters(as_of=day - dt.timedelta(days=k))
                                            for k in (1, 2, 3))
    row: dict[str, float] = {}
    row["bare_ms"] = statistics.median(_ms(lambda: bare_rank(con, f)) for _ in range(3))
    row["bare_cpu_ms"] = statistics.median(_cpu_ms(lambda: bare_rank(con, f)) for _ in range(3))
    started = resource.getrusage(resource.RUSAGE_SELF)
    row["targets_ms"] = _ms(lambda: (views.targets_view(con, access, f, court),
                                     views.province_ranking_view(con, access, f)))
    row["targets_cpu_ms"] = _cpu_since(started)
    # the filter changes next, as the user who moved the date makes them: the other dates
    # below, held beside it, could displace this one (single_flight.DATED keeps ~256 MB,
    # 50–70 MB a date; the province view derives two)
    draws = [*filter_draws(day, FILTER_CHANGES, seed=back + 11), f.with_(priorities=("high",))]
    changes = [_ms(lambda d=d: (views.targets_view(con, access, d, court),
                                views.province_ranking_view(con, access, d))) for d in draws]
    row["filter_change_ms"] = sum(changes) / len(changes)
    row["filter_bare_ms"] = statistics.median(_ms(lambda d=d: bare_rank(con, d)) for d in draws)
    started = resource.getrusage(resource.RUSAGE_SELF)
    row["brief_ms"] = _ms(lambda: views.brief_view(con, access, brief_day, court))
    row["brief_cpu_ms"] = _cpu_since(started)
    row["province_ms"] = _ms(lambda: views.province_view(con, access, province_day))
    row["derivation_ms"] = _ms(lambda: metrics.rank_aggregate(con, derived_day))
    row["derived_targets_ms"] = _ms(lambda: (
        views.targets_view(con, access, derived_day, court),
        views.province_ranking_view(con, access, derived_day)))
    row["derived_bare_ms"] = statistics.median(_ms(lambda: bare_rank(con, derived_day))
                                               for _ in range(3))
    return row


def _spread(con: Any, access: Access, court: str, latest: dt.date) -> dict[str, list[float]]:
    """Per SPREAD_BACK date: the targets page (with its province ranking) and the brief
    (the day before: never seen either), each ÷ the bare query at its date."""
    targets, brief = [], []
    for back in SPREAD_BACK:
        f = Filters(as_of=latest - dt.timedelta(days=back))
        before = f.with_(as_of=f.as_of - dt.timedelta(days=1))
        bare = statistics.median(_ms(lambda f=f: bare_rank(con, f)) for _ in range(3))
        targets.append(_ms(lambda f=f: (views.targets_view(con, access, f, court),
                                        views.province_ranking_view(con, access, f))) / bare)
        bare = statistics.median(_ms(lambda b=before: bare_rank(con, b)) for _ in range(3))
        brief.append(_ms(lambda b=before: views.brief_view(con, access, b, court)) / bare)
    return {"targets": targets, "brief": brief}


def time_dates(db: Path, latest: dt.date, court: str = "HI720",
               days_back: tuple[int, ...] = DAYS_BACK) -> dict[str, Any]:
    """Per date (days back from `latest`): bare, targets (+ province ranking), brief and
    province view, and the mean filter change at that date; the process's peak RSS."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    return_large_allocations()      # the server's allocator (supervision.serve)
    # the operational store (the published ranks are read from it), opened and migrated
    # before any session as the server does: not part of the first date's figures
    operational_store.engine()
    access = Access("bench", "supervisor", "HI000", "琼")
    con, _version = connect_current_version(db)
    single_flight.forget()
    warm_ms = _ms(lambda: views.warm_national(con, Filters(as_of=latest)))
    bare_rank(con, Filters(as_of=latest))            # DuckDB's own first-query costs
    out: dict[str, Any] = {"warm_up_ms": warm_ms, "dates": {}}
    for back in days_back:
        row = _one_date(con, access, court, latest - dt.timedelta(days=back), back)
        out["dates"][str(back)] = row
        print(f"{back:>4} days back: " + ", ".join(f"{k} {v:,.0f}" for k, v in row.items()),
              flush=True)
    out["spread"] = _spread(con, access, court, latest)
    print("spread: " + json.dumps(out["spread"]), flush=True)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    con.close()
    return out


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--latest", default="2026-11-25")
    parser.add_argument("--days", nargs="*", type=int, default=list(DAYS_BACK))
    a = parser.parse_args()
    print(json.dumps(time_dates(Path(a.db), dt.date.fromisoformat(a.latest),
                                days_back=tuple(a.days))))
