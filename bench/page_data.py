"""Each page's data on one database: cold, filter change and warm, next to the bare query.

Every call runs on a connection the way the app's server opens one (read-only, through the
version link: supervision.data.db.connect_current_version), so the period's cases every ranking
counts are read once and kept in memory as the server keeps them (supervision.engine.single_flight.CASES;
the server reads them when it starts).

- cold: the first call on a freshly opened connection (default filters), with nothing
  kept: the cases are read then;
- filter change: a value range × priority × complexity no cache has seen, the mean of
  FILTER_CHANGES draws (every kept result is dropped before each, the cases stay);
- warm: the same call again through `st.cache_data` (the app's page cache: a hit costs
  the lookup and the copy of the result);
- bare: one hand-written DuckDB query on the same connection and the same subsets: every
  court's overall rate and national rank (what a court's IT team would write first);
- pandas: the cases held in a pandas frame in memory, the same rate-and-rank question.

Prints figures; asserts nothing. Used by bench/bench.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from supervision import views
from supervision.data.db import connect_current_version
from supervision.domain.filters import Filters
from supervision.engine import metrics, single_flight
from supervision.security.access import Access

FILTER_CHANGES = 5
BARE_QUERY = """
SELECT court_code,
       count(*) FILTER (WHERE closing_method = 'fully_performed')
           / nullif(count(*), 0) AS rate,
       rank() OVER (ORDER BY rate DESC NULLS LAST) AS national_rank
FROM cases
WHERE closed_on BETWEEN $period_start AND $as_of
  AND closing_method <> 'transferred'
  AND amount_applied >= $value_min AND amount_applied < $value_max
  AND priority IN (SELECT unnest($priorities))
  AND complexity IN (SELECT unnest($complexities))
GROUP BY court_code
"""
PRIORITIES, COMPLEXITIES = ("high", "normal", "low"), ("simple", "ordinary", "complex")


def filter_draws(as_of: dt.date, n: int, seed: int = 5) -> list[Filters]:
    """n value range × priority × complexity filters, each different (no cache has them)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        low = rng.choice([0, 1, 2, 5, 10, 20]) * 10_000 + rng.randint(1, 9_999)
        out.append(Filters(as_of=as_of, value_min=float(low),
                           value_max=float(low * rng.choice([20, 50, 200, 1000])),
                           priorities=tuple(sorted(rng.sample(PRIORITIES, 2))),
                           complexities=tuple(sorted(rng.sample(COMPLEXITIES, 2)))))
    return out


def bare_rank(con: duckdb.DuckDBPyConnection, f: Filters) -> Any:
    return con.sql(BARE_QUERY, params={
        "period_start": f.start, "as_of": f.as_of,
        "value_min": f.value_min or 0.0, "value_max": f.value_max or 1e18,
        "priorities": list(f.priorities or PRIORITIES),
        "complexities": list(f.complexities or COMPLEXITIES)}).pl()


def page_calls(access: Access, court: str) -> dict[str, Callable[..., Any]]:
    """The data call behind each page (what supervision/ui/data.py caches), and the
    national report."""
    return {
        "province": lambda con, f: views.province_view(con, access, f),
        "targets": lambda con, f: views.targets_view(con, access, f, court),
        # the targets page's second call: national, the same for every court
        "targets: province ranking": lambda con, f: views.province_ranking_view(con, access, f),
        "brief": lambda con, f: views.brief_view(con, access, f, court),
        "pending": lambda con, f: views.pending_view(con, access, f, court),
        "explorer": lambda con, f: (views.explorer_count(con, access, f, court),
                                    views.explorer_page(con, access, f, court, 0, 50),
                                    views.explorer_breakdown(con, access, f, court)),
        "roadmap": lambda con, f: views.roadmap_view(con, access, f, court),
        "report": lambda con, f: metrics.report(con, f),
    }


def _ms(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def time_pages(db: Path, as_of: dt.date, court: str = "HI720") -> dict[str, dict[str, float]]:
    """Per page: cold, filter change (mean), warm and the bare query on the same filters."""
    import streamlit as st
    logging.getLogger("streamlit").setLevel(logging.ERROR)   # no runtime: bare mode warns

    access = Access("bench", "supervisor", "HI000", "琼")
    draws = filter_draws(as_of, FILTER_CHANGES)
    out: dict[str, dict[str, float]] = {}
    for name, call in page_calls(access, court).items():
        con, _version = connect_current_version(db)  # cold: a new connection per page
        single_flight.forget()
        default = Filters(as_of=as_of)
        cold = _ms(lambda con=con, call=call, default=default: call(con, default))
        changes = []
        for f in draws:
            single_flight.RESULTS.clear()                   # no result of another page or draw
            changes.append(_ms(lambda f=f, con=con, call=call: call(con, f)))
        bare = [_ms(lambda f=f, con=con: bare_rank(con, f)) for f in draws]

        @st.cache_data(show_spinner=False)
        def cached(page: str, f: Filters, _con: duckdb.DuckDBPyConnection = con,
                   _call: Callable[..., Any] = call) -> Any:
            return _call(_con, f)

        cached(name, draws[0])                       # fills the cache
        warm = [_ms(lambda name=name, cached=cached: cached(name, draws[0])) for _ in range(3)]
        out[name] = {"cold_ms": cold, "filter_change_ms": sum(changes) / len(changes),
                     "warm_ms": sum(warm) / len(warm), "bare_ms": sum(bare) / len(bare)}
        con.close()
        st.cache_data.clear()
    return out


def pandas_peer(db: Path, as_of: dt.date) -> dict[str, float]:
    """A hand-written pandas app: the cases in memory, then the rate-and-rank question."""
    import pandas as pd

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    frame = con.sql("""SELECT court_code, closed_on, closing_method,
                              CAST(amount_applied AS DOUBLE) AS amount_applied,
                              priority, complexity FROM cases""").df()
    con.close()
    for column in ("court_code", "closing_method", "priority", "complexity"):
        frame[column] = frame[column].astype("category")
    frame["closed_on"] = pd.to_datetime(frame["closed_on"])
    load_s = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before

    def rank(f: Filters) -> pd.DataFrame:
        start, end = pd.Timestamp(f.start), pd.Timestamp(f.as_of)
        x = frame[(frame.closed_on >= start) & (frame.closed_on <= end)
                  & (frame.closing_method != "transferred")
                  & (frame.amount_applied >= (f.value_min or 0))
                  & (frame.amount_applied < (f.value_max or 1e18))
                  & frame.priority.isin(f.priorities or PRIORITIES)
                  & frame.complexity.isin(f.complexities or COMPLEXITIES)]
        per = x.assign(full=x.closing_method == "fully_performed").groupby(
            "court_code", observed=True)["full"].agg(["sum", "count"])
        per["rate"] = per["sum"] / per["count"]
        per["rank"] = per["rate"].rank(method="min", ascending=False)
        return per

    changes = [_ms(lambda f=f: rank(f)) for f in filter_draws(as_of, FILTER_CHANGES)]
    return {"load_s": load_s, "rss_mb": rss, "filter_change_ms": sum(changes) / len(changes)}
