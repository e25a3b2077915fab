"""National results shared by every session of the app process.

The period's cases the rankings count, the rank counts, the national ranks, weekly ranks
and projection derived from them, and every court's 3+1 counts depend on the data and the
filters only, never on the user: the supervisor looking at one court and a president
looking at another, under the same filters, need the same scan. Page data are cached per user and court
(supervision/ui/data.py), so without this a room of twenty users on twenty courts would
run twenty identical national scans and rank every court twenty times. Here each (data
version, question, filters) is computed once, by the first thread that asks, while the
others wait for its result.

Only connections on a served version of the case database share: read-only and opened
through its version link (supervision.db.connect_current_version), whose data never
change. Any other connection (tests writing cases, an import, the command line) computes
every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

import duckdb

from supervision.db import is_version_link

T = TypeVar("T")


class SharedResults:
    """Results per (served version, question, key), computed once by the first thread that
    asks while the others wait; the `max_entries` last asked for are kept."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._results: OrderedDict[tuple[Hashable, ...], Future] = OrderedDict()

    def get(self, con: duckdb.DuckDBPyConnection, question: str, key: Hashable,
            compute: Callable[[], T]) -> T:
        """`compute()`, or the result another session already computed for the same
        version, question and key; computed every time on a connection that is not a
        served version."""
        version = served_version(con)
        if version is None:
            return compute()
        full = (version, question, key)
        with self._lock:
            future = self._results.get(full)
            owner = future is None
            if owner:
                future = Future()
                self._results[full] = future
                while len(self._results) > self.max_entries:
                    self._results.popitem(last=False)
            else:
                self._results.move_to_end(full)
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                # a failure is not kept: the next request tries again
                with self._lock:
                    if self._results.get(full) is future:
                        del self._results[full]
                future.set_exception(exc)
                raise
        return future.result()

    def clear(self) -> None:
        with self._lock:
            self._results.clear()


# per filter set: the ranks now and weeks before, every court's weekly ranks (~10 MB), the
# projection, every court's counts and the rank cells (~15 MB at 10 M cases); a few filter
# sets a room asks for at about the same time stay
RESULTS = SharedResults(24)
# the period's cases a ranking counts, in memory (~110 MB at 10 M cases): one per as-of
# date and case subset; the default view's and one other
CASES = SharedResults(2)
# the cases the 3+1 core indices count, in memory (~150 MB at 10 M cases), likewise
CORE_CASES = SharedResults(2)


def served_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The version link `con` reads, if it is a read-only connection to a served version;
    else None."""
    rows = con.sql("SELECT path, readonly FROM duckdb_databases() "
                   "WHERE database_name = current_database()").fetchall()
    if not rows or not rows[0][1] or rows[0][0] is None:
        return None
    path = Path(rows[0][0])
    return str(path) if is_version_link(path) else None


def shared(con: duckdb.DuckDBPyConnection, question: str, key: Hashable,
           compute: Callable[[], T]) -> T:
    """`compute()`, or the result another session already computed for the same version,
    question and key (e.g. the filters)."""
    return RESULTS.get(con, question, key, compute)


def forget() -> None:
    """Drop every shared result (tests)."""
    RESULTS.clear()
    CASES.clear()
    CORE_CASES.clear()
