"""Settlements on hand-built cases, each expected figure worked out by hand below."""

from __future__ import annotations

import datetime as dt

from supervision import views
from supervision.domain.filters import Filters
from supervision.security.access import Access
from tests.conftest import add_cases, closed

D = dt.date
AS_OF = D(2026, 6, 30)
SUPERVISOR = Access("s", "supervisor", "A", "琼")


def _cases(db) -> None:
    add_cases(
        db,
        # S1 long-term (agreed 2025-12-01, due 2026-12-01: 365 days), pending, not yet due
        dict(case_number="S1", court_code="A", filed_on=D(2025, 10, 1),
             settlement_on=D(2025, 12, 1), settlement_due_on=D(2026, 12, 1)),
        # S2 short (30 days), pending, due 2026-05-31: 30 days overdue on 2026-06-30
        dict(case_number="S2", court_code="A", filed_on=D(2026, 3, 1),
             settlement_on=D(2026, 5, 1), settlement_due_on=D(2026, 5, 31)),
        # S3 closed as performed on 2026-04-10, 10 days after its due date, with a ruling
        closed("S3", "A", D(2026, 1, 1), D(2026, 4, 10), "fully_performed",
               settlement_on=D(2026, 2, 1), settlement_due_on=D(2026, 3, 31),
               settlement_ruling_on=D(2026, 4, 10)),
        # S4 closed (withdrawn) 2026-02-01 without a ruling, before its due date 2026-02-15;
        # long-term (2025-06-01 to 2026-02-15: 259 days)
        closed("S4", "A", D(2025, 1, 1), D(2026, 2, 1), "withdrawn",
               settlement_on=D(2025, 6, 1), settlement_due_on=D(2026, 2, 15)),
        # S5 closed 2026-07-10, after D: pending on D, overdue since 2026-06-20 -> 10 days;
        # its ruling (dated after D) is not counted
        closed("S5", "A", D(2026, 1, 1), D(2026, 7, 10), "fully_performed",
               settlement_on=D(2026, 3, 1), settlement_due_on=D(2026, 6, 20),
               settlement_ruling_on=D(2026, 7, 10)),
        # outside: a settlement agreed after D, a case without settlement, court B's
        dict(case_number="S6", court_code="A", filed_on=D(2026, 1, 1),
             settlement_on=D(2026, 7, 1), settlement_due_on=D(2026, 8, 1)),
        dict(case_number="N1", court_code="A", filed_on=D(2026, 1, 1)),
        dict(case_number="B1", court_code="B", filed_on=D(2026, 1, 1),
             settlement_on=D(2026, 2, 1), settlement_due_on=D(2026, 3, 1)),
    )


def test_settlement_cases_are_dated_and_flagged(db):
    _cases(db)
    got = views.settlements(db, SUPERVISOR, Filters(as_of=AS_OF), "A")
    assert got["ruling_recorded"] is True
    rows = {r["case_number"]: r for r in got["cases"].iter_rows(named=True)}
    assert set(rows) == {"S1", "S2", "S3", "S4", "S5"}
    assert [rows[c]["long_term"] for c in ("S1", "S2", "S3", "S4", "S5")] == [
        True, False, False, True, False]      # 365, 30, 58, 259, 111 days
    assert {c: rows[c]["days_overdue"] for c in rows} == {
        "S1": 0, "S2": 30, "S3": 10, "S4": 0, "S5": 10}
    assert {c: rows[c]["status"] for c in rows} == {
        "S1": "pending", "S2": "pending", "S3": "fully_performed", "S4": "withdrawn",
        "S5": "pending"}
    assert [c for c in rows if rows[c]["closed_without_ruling"]] == ["S4"]
    assert rows["S5"]["settlement_ruling_on"] is None      # dated after D
    # flagged first, then the most overdue
    assert got["cases"]["case_number"].to_list()[:2] == ["S4", "S2"]


def test_without_any_ruling_in_the_data_the_page_is_told(db):
    add_cases(db, dict(case_number="S1", court_code="A", filed_on=D(2026, 1, 1),
                       settlement_on=D(2026, 2, 1), settlement_due_on=D(2026, 3, 1)))
    assert views.settlements(db, SUPERVISOR, Filters(as_of=AS_OF), "A")[
        "ruling_recorded"] is False
