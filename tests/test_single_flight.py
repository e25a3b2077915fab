"""Identical page-data requests from several sessions at once are computed once: the page
data go through st.cache_data, which computes each key under its own lock (measured: eight
threads, one computation), so a room of users opening the same view costs one query."""

from __future__ import annotations

import threading
import time

import pytest

from supervision.ui import data


def test_identical_concurrent_requests_are_computed_once(demo_db, monkeypatch):
    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    calls: list[str] = []

    def slow_view(con, name: str) -> str:  # noqa: ANN001 - a DuckDB cursor
        calls.append(name)
        time.sleep(0.5)      # long enough for every thread to ask meanwhile
        return name.upper()

    slow_view.__qualname__ = f"slow_view_{id(calls)}"   # a cache key of its own
    page_data = data._page_data(slow_view)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(page_data("x")))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["X"] * 8
    assert calls == ["x"]                  # eight sessions, one computation
    page_data("y")
    assert calls == ["x", "y"]             # another request is computed on its own


def _store(monkeypatch):  # noqa: ANN202 - a SharedResults every connection shares
    from supervision.engine import single_flight

    monkeypatch.setattr(single_flight, "served_version", lambda con: "v1")
    return single_flight, single_flight.SharedResults(100)


def test_a_computation_asking_for_its_own_result_fails_instead_of_waiting(monkeypatch):
    single_flight, store = _store(monkeypatch)

    def compute():  # noqa: ANN202 - asks for the result it is computing
        return store.get(None, "q", "x", lambda: 1)

    with pytest.raises(single_flight.CycleError):
        store.get(None, "q", "x", compute)
    assert store.get(None, "q", "x", lambda: 2) == 2      # the failure was not kept


def test_two_computations_waiting_for_each_other_fail_instead_of_deadlocking(monkeypatch):
    # A computes X and asks for Y while B computes Y and asks for X: the wait-for graph has
    # a cycle, so the second to ask raises, and the first gets that failure as its result
    single_flight, store = _store(monkeypatch)
    both_own = threading.Barrier(2)
    failures: list[BaseException] = []

    def session(mine: str, theirs: str) -> None:
        def compute():  # noqa: ANN202
            both_own.wait(timeout=10)
            return store.get(None, "q", theirs, lambda: theirs)
        try:
            store.get(None, "q", mine, compute)
        except single_flight.CycleError as exc:
            failures.append(exc)

    threads = [threading.Thread(target=session, args=pair, daemon=True)
               for pair in (("X", "Y"), ("Y", "X"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "deadlocked"
    assert len(failures) == 2
    assert single_flight._owner == {} and single_flight._waits_for == {}
