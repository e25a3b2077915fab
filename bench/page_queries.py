"""Times each query a dashboard page runs for one court (used by bench_scale.py)."""

from __future__ import annotations

import datetime as dt
import time

import duckdb

from supervision import metrics, views
from supervision.access import Access
from supervision.queries import Filters


def time_page_queries(con: duckdb.DuckDBPyConnection, as_of: dt.date, court: str) -> dict:
    f = Filters(as_of=as_of)
    visible = [court]
    calls = {
        "court_indicators": lambda: metrics.court_indicators(con, f, visible),
        "court_ranks": lambda: metrics.court_ranks(con, f, visible),
        "core_indices": lambda: metrics.core_indices(con, f, visible),
        "province_ranking": lambda: metrics.province_ranking(con, f),
    }
    supervisor = Access("bench", "supervisor", "HI000", "琼")
    calls.update({
        "page_targets": lambda: views.targets_view(con, supervisor, f, court),
        "page_brief": lambda: views.brief_view(con, supervisor, f, court),
        "page_pending": lambda: views.pending_view(con, supervisor, f, court),
        "page_explorer": lambda: (views.explorer_count(con, supervisor, f, court),
                                  views.explorer_page(con, supervisor, f, court, 0, 50)),
    })
    out = {}
    for name, call in calls.items():
        started = time.perf_counter()
        call()
        out[name] = round(time.perf_counter() - started, 3)
    return out
