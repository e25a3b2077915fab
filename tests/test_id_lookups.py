"""Whole-ID-number lookups by a role that sees numbers masked: at most ID_LOOKUPS_PER_DAY
different numbers a day, each written to the audit trail as its keyed reference, checked in
the store when a search runs (supervision.security.id_lookups); on the respondent page and
the explorer (through supervision.ui.data, before the cache)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from supervision.security import audit, id_lookups, personal, users
from supervision.security.access import Access
from supervision.store import engine
from tests.test_store import store_of_kind

ANALYST = Access("an", "analyst", None, "琼")           # masked numbers
PRESIDENT = Access("pr", "president", "HI720", "琼")    # full numbers
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def candidate(k: int) -> str:
    """A different 18-character resident-number-shaped text for each k."""
    return f"46010619810306{k:03d}6"[:17] + "6"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    yield from store_of_kind(request.param, tmp_path)


def test_a_masked_role_may_look_up_so_many_different_numbers_a_day(store):
    limit = id_lookups.ID_LOOKUPS_PER_DAY
    assert all(id_lookups.allowed(store, ANALYST, candidate(k)) for k in range(limit))
    # the next different number is refused; one already looked up today is not counted again
    assert not id_lookups.allowed(store, ANALYST, candidate(limit))
    assert id_lookups.allowed(store, ANALYST, candidate(3))
    assert id_lookups.allowed(store, ANALYST, " " + candidate(3).lower() + " ")
    # names and case numbers are not lookups; another user has a count of their own
    assert id_lookups.allowed(store, ANALYST, "某乙公司")
    assert id_lookups.allowed(store, ANALYST, "（2026）琼0105执123号")
    assert id_lookups.allowed(store, Access("an2", "analyst", None, "琼"), candidate(limit))
    # a role that sees full numbers searches parts of them anyway: never bounded
    assert all(id_lookups.allowed(store, PRESIDENT, candidate(k)) for k in range(limit + 5))
    trail = audit.entries(store, actor="an")
    assert trail.filter(event="id_lookup").height == limit
    assert trail.filter(event="id_lookup_refused").height == 1
    # the trail holds keyed references, never the numbers
    assert set(trail.filter(event="id_lookup")["target"]) == {
        personal.reference(candidate(k)) for k in range(limit)}
    assert not any(candidate(k) in str(row) for k in range(limit + 1)
                   for row in trail.iter_rows())


def test_the_day_is_a_sliding_window(store, monkeypatch):
    for k in range(id_lookups.ID_LOOKUPS_PER_DAY):
        assert id_lookups.allowed(store, ANALYST, candidate(k))
    assert not id_lookups.allowed(store, ANALYST, candidate(99))
    later = audit.now() + dt.timedelta(days=1, minutes=1)
    monkeypatch.setattr(audit, "now", lambda: later)
    assert id_lookups.allowed(store, ANALYST, candidate(99))


@pytest.mark.parametrize("page_file, box", [("pages/respondent.py", "r_query"),
                                            ("pages/explorer.py", "x_q")])
def test_the_pages_refuse_a_search_past_the_limit_and_query_nothing(demo_db, monkeypatch,
                                                                   page_file, box):
    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    # an analyst of this test alone: the run's store is shared by the worker's tests
    name = f"idl{uuid.uuid4().hex[:8]}"
    users.add_user(engine(), name, "分析", "", "analyst", "HI000", "id-lookups-1")
    analyst = Access(name, "analyst", "HI000", "琼")
    for k in range(id_lookups.ID_LOOKUPS_PER_DAY):
        assert id_lookups.allowed(engine(), analyst, candidate(k))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["court"] = "HI101"
    at.run()
    at.text_input[0].input(name)
    at.text_input[1].input("id-lookups-1")
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    at.switch_page(page_file)
    at.run()
    at.text_input(key=box).input(candidate(77)).run()
    assert not at.exception
    assert [e.value for e in at.error] and "已达 20 个上限" in at.error[0].value
    assert len(at.dataframe) == 0
    # a number looked up earlier today still runs
    at.text_input(key=box).input(candidate(5)).run()
    assert not at.exception and not at.error


def test_lookups_at_once_never_pass_the_limit(store):
    """Sixty different numbers looked up at once by one user (sessions run in threads, and
    servers in processes): exactly the limit is let through and recorded."""
    import threading

    users.add_user(store, "busy", "忙", "", "analyst", "HI000", "busy-analyst-1")
    analyst = Access("busy", "analyst", "HI000", "琼")
    start = threading.Barrier(60)
    results: list[bool] = []

    def look_up(k: int) -> None:
        start.wait()
        results.append(id_lookups.allowed(store, analyst, candidate(k)))

    threads = [threading.Thread(target=look_up, args=(k,)) for k in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == id_lookups.ID_LOOKUPS_PER_DAY
    trail = audit.entries(store, actor="busy")
    assert trail.filter(event="id_lookup").height == id_lookups.ID_LOOKUPS_PER_DAY
    assert trail.filter(event="id_lookup_refused").height == 60 - id_lookups.ID_LOOKUPS_PER_DAY
