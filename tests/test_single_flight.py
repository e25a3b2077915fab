"""Identical page-data requests from several sessions at once are computed once: the page
data go through st.cache_data, which computes each key under its own lock (measured: eight
threads, one computation), so a room of users opening the same view costs one query."""

from __future__ import annotations

import threading
import time

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
