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
through its version link (supervision.data.db.connect_current_version), whose data never
change. Any other connection (tests writing cases, an import, the command line) computes
every time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import polars as pl

from supervision.data.db import is_version_link

T = TypeVar("T")

# national computations running at once, in all sessions: one per core. Twenty sessions
# changing filters together otherwise each held their temporaries at once (the server's
# memory peaked with them) while sharing the same two cores; the others wait their turn
COMPUTE_SLOTS = max(2, os.cpu_count() or 2)
_slots = threading.BoundedSemaphore(COMPUTE_SLOTS)
_held = threading.local()     # per thread: how deep in a computation holding a slot


@contextmanager
def _computing() -> Iterator[None]:
    """Hold a compute slot for a computation; one nested in another runs in its slot."""
    depth = getattr(_held, "depth", 0)
    if depth == 0:
        _slots.acquire()
    _held.depth = depth + 1
    try:
        yield
    finally:
        _held.depth = depth
        if depth == 0:
            _slots.release()


# the wait-for graph of the computations in flight: which thread computes each result, and
# which result each waiting thread waits for. A thread about to wait for a result whose
# chain of owners leads back to itself would wait forever (a cycle: A computes X and asks
# for Y while B computes Y and asks for X, or X asks for X): it raises instead.
_graph_lock = threading.Lock()
_owner: dict[Future, int] = {}
_waits_for: dict[int, Future] = {}


class CycleError(RuntimeError):
    """A computation asked, directly or through others, for its own result."""


def _wait(future: Future) -> Any:
    """A result another thread computes; a slot this thread holds is given up meanwhile,
    so that the computing thread (which may be waiting for a slot) cannot wait for it."""
    me = threading.get_ident()
    with _graph_lock:
        ahead: Future | None = future
        while ahead is not None and ahead in _owner:
            if _owner[ahead] == me:
                raise CycleError("a shared computation waits for its own result")
            ahead = _waits_for.get(_owner[ahead])
        _waits_for[me] = future
    holding = getattr(_held, "depth", 0) > 0
    if holding:
        _slots.release()
    try:
        return future.result()
    finally:
        with _graph_lock:
            del _waits_for[me]
        if holding:
            _slots.acquire()


def _computed(future: Future, result: Any = None,
              exception: BaseException | None = None) -> None:
    """Hand the result (or the failure) to the threads waiting for it."""
    with _graph_lock:
        del _owner[future]
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(result)


def _nbytes(value: object) -> int:
    """The memory a result holds, as far as its frames and arrays tell."""
    if isinstance(value, pl.DataFrame):
        return int(value.estimated_size())
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(_nbytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(_nbytes(v) for v in value)
    return 0


class SharedResults:
    """Results per (served version, question, key), computed once by the first thread that
    asks while the others wait; the last asked for are kept, at most `max_entries` of them
    and, when `max_bytes` is given, as many as fit in it (the newest always). A computation
    takes one of the COMPUTE_SLOTS unless `takes_a_slot` is False (a lookup of
    milliseconds, which would otherwise wait behind the scans)."""

    def __init__(self, max_entries: int, max_bytes: int | None = None, *,
                 takes_a_slot: bool = True) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.takes_a_slot = takes_a_slot
        self._lock = threading.Lock()
        self._results: OrderedDict[tuple[Hashable, ...], Future] = OrderedDict()
        self._sizes: dict[tuple[Hashable, ...], int] = {}
        self._bytes = 0
        self._latest: str | None = None
        self._superseded: set[str] = set()

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
            superseded = self._supersede(version)
            future = None if superseded else self._results.get(full)
            owner = future is None
            if superseded:
                pass        # a connection still reading a replaced version: not kept
            elif owner:
                future = self._results[full] = Future()
                with _graph_lock:
                    _owner[future] = threading.get_ident()
                self._evict()
            else:
                self._results.move_to_end(full)
        if superseded:
            return compute()
        if not owner:
            return _wait(future)
        try:
            with _computing() if self.takes_a_slot else contextlib.nullcontext():
                result = compute()
        except BaseException as exc:
            # a failure is not kept: the next request tries again
            with self._lock:
                if self._results.get(full) is future:
                    self._drop(full)
            _computed(future, exception=exc)
            raise
        try:
            with self._lock:
                if self._results.get(full) is future:     # not dropped meanwhile
                    self._sizes[full] = _nbytes(result)
                    self._bytes += self._sizes[full]
                    self._evict()
        finally:    # the waiters have their result whatever the bookkeeping met
            _computed(future, result)
        return result

    def _supersede(self, version: str) -> bool:
        """Whether `version` has been replaced by a newer one (the lock held). A version
        not seen before is the newest: every result of the others is dropped then, and
        they are never kept again."""
        if version in self._superseded:
            return True
        if version != self._latest:
            if self._latest is not None:
                self._superseded.add(self._latest)
            self._latest = version
            for old in [k for k in self._results if k[0] != version]:
                self._drop(old)
        return False

    def _evict(self) -> None:
        """Drop the oldest results beyond the bounds (the lock held)."""
        while len(self._results) > 1 and (
                len(self._results) > self.max_entries
                or (self.max_bytes is not None and self._bytes > self.max_bytes)):
            self._drop(next(iter(self._results)))

    def _drop(self, full: tuple[Hashable, ...]) -> None:
        del self._results[full]
        self._bytes -= self._sizes.pop(full, 0)

    @property
    def kept_bytes(self) -> int:
        with self._lock:
            return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._results.clear()
            self._sizes.clear()
            self._bytes = 0
            self._latest = None
            self._superseded.clear()


# per filter set and date: the rank counts (~28 MB at 10 M cases), every court's weekly
# ranks (~13 MB), the ranks now and weeks before, the projection and every court's 3+1
# counts (a few MB): the last asked for, within 160 MB (about three filter sets of a room)
RESULTS = SharedResults(256, max_bytes=160 * 2**20)
# every case of the data version in memory (~270 MB at 10 M cases), whatever the date: one
# per case subset other than the sidebar's; the default view's and one other
CASES = SharedResults(2)
# the cases as they stand at one as-of date, with the default view's counts where the day
# tables do not give them (20–70 MB at 10 M cases), and the default view at a date
# (~28 MB): several dates in use by several sessions at once, within 256 MB
DATED = SharedResults(64, max_bytes=256 * 2**20)
# the day tables of the default view's cases (supervision.engine.day_counts: a few open
# files and the ~1 % of cases closed by a method left out of counts, ~5 MB at 10 M), per
# version
DAYS = SharedResults(2)
# the small lookup tables every page run and filter change reads (court names, case types,
# provinces, targets, thresholds: a few kB each), per query and parameters
LOOKUPS = SharedResults(64, takes_a_slot=False)

# per connection (a session's cursor asks several times in one page): its served version
_versions: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, str | None] = \
    weakref.WeakKeyDictionary()
_versions_lock = threading.Lock()


def served_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The version link `con` reads, if it is a read-only connection to a served version;
    else None."""
    with _versions_lock:
        if con in _versions:
            return _versions[con]
    rows = con.sql("SELECT path, readonly FROM duckdb_databases() "
                   "WHERE database_name = current_database()").fetchall()
    version = None
    if rows and rows[0][1] and rows[0][0] is not None and is_version_link(Path(rows[0][0])):
        version = str(Path(rows[0][0]))
    with _versions_lock:
        _versions[con] = version
    return version


def forget() -> None:
    """Drop every shared result (tests)."""
    RESULTS.clear()
    CASES.clear()
    DATED.clear()
    DAYS.clear()
    LOOKUPS.clear()
