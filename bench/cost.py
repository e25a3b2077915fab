"""What one unseen filter change costs, part by part: wall time and CPU-seconds.

The sessions' p95 is bounded by throughput once the server's two cores are busy: two
cores serve at most 2 / (CPU-seconds per change) changes a second. This step measures that
cost where it is spent, on one database opened as the server opens it (read-only, through
its version link), with the period's cases in memory as the server keeps them and no other
result kept (every call computes):

- bare: the hand-written rate-and-rank query (bench/page_data.py);
- rank counts: the counts the targets page and the brief rank from, counted from the
  cases in memory (metrics.rank_aggregate);
- targets data: views.targets_view (the rank counts, then every rank, the projection, the
  weekly trend and the national table derived from them);
- province ranking: views.province_ranking_view, the targets page's second call (every
  court's 3+1 counts, counted from the cases of the 3+1 indices in memory);
- brief data: views.brief_view.

Two kinds of change, each drawn so that no two are the same: `range` (a value range ×
priority × complexity, as bench/page_data.py) and `lower bound` (a new lower bound only,
drawn as the session benches type it). CPU is the process's user + system time, every DuckDB
thread included. Prints figures; asserts nothing. Used by bench/bench.py (step `cost`).
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

from bench.page_data import bare_rank, filter_draws
from bench.sessions import next_value
from supervision import views
from supervision.data.db import connect_current_version
from supervision.domain.filters import Filters
from supervision.engine import metrics, single_flight
from supervision.security.access import Access
from supervision.words.fmt import WAN

CHANGES = 6


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measured(call: Callable[[], Any]) -> tuple[float, float]:
    """(wall ms, CPU s) of one call."""
    cpu, started = _cpu_s(), time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000, _cpu_s() - cpu


def lower_bound_draws(as_of: dt.date, n: int, seed: int = 9) -> list[Filters]:
    """n filters that set only a lower bound, each different, drawn as the session benches
    type them (bench/sessions.py next_value: 1.1–5,000 万元)."""
    rng = random.Random(seed)
    shown, out = 1.0, []
    while len(out) < n:
        shown = next_value(rng, shown, None)
        if all(f.value_min != shown * WAN for f in out):
            out.append(Filters(as_of=as_of, value_min=shown * WAN))
    return out


def cost_per_change(db: Path, as_of: dt.date, court: str = "HI720") -> dict[str, Any]:
    """Per kind of change and part: the mean wall ms and CPU-seconds of CHANGES changes."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    access = Access("bench", "supervisor", "HI000", "琼")
    parts: dict[str, Callable[[Any, Filters], Any]] = {
        "bare": bare_rank,
        "rank counts": lambda con, f: metrics.rank_aggregate(con, f),
        "targets data": lambda con, f: views.targets_view(con, access, f, court),
        "province ranking": lambda con, f: views.province_ranking_view(con, access, f),
        "brief data": lambda con, f: views.brief_view(con, access, f, court),
    }
    con, _version = connect_current_version(db)   # as the server opens it
    single_flight.forget()
    # the file in the OS cache, and the cases in memory as the server keeps them
    views.targets_view(con, access, Filters(as_of=as_of), court)
    views.province_ranking_view(con, access, Filters(as_of=as_of))
    out: dict[str, Any] = {}
    for kind, draws in (("range", filter_draws(as_of, CHANGES, seed=17)),
                        ("lower bound", lower_bound_draws(as_of, CHANGES))):
        figures: dict[str, dict[str, float]] = {}
        for name, call in parts.items():
            runs = []
            for f in draws:
                single_flight.RESULTS.clear()     # the cases (and lookup tables) kept, no count: no cache has seen f
                runs.append(_measured(lambda f=f, call=call: call(con, f)))
            figures[name] = {"wall_ms": sum(w for w, _ in runs) / len(runs),
                             "cpu_s": sum(c for _, c in runs) / len(runs)}
        out[kind] = figures
    con.close()
    return out
