"""The roadmap to the target: likelihoods, order and schedule worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from supervision.engine import roadmap

D = dt.date


def _history() -> pl.DataFrame:
    # the court closed 100 cases: 40 with property & simple (30 fully performed),
    # 60 without property & complex (6 fully performed): overall 36 / 100 = 0.36
    return pl.DataFrame({"has_property": [True, False], "complexity": ["simple", "complex"],
                         "closed": [40, 60], "fully_performed": [30, 6]})


def _pending() -> pl.DataFrame:
    return pl.DataFrame({
        "case_number": ["P1", "P2", "P3", "P4"],
        "has_property": [True, False, True, True],
        "complexity": ["simple", "complex", "complex", "simple"],
        "priority": ["normal", "high", "high", "high"],
        "amount_yuan": [1.0, 2.0, 3.0, 4.0],
        "target_close_on": [D(2026, 12, 1)] * 4,
    })


def test_likelihood_is_the_courts_own_share_shrunk_toward_its_overall_share():
    got = roadmap.likelihoods(_history(), _pending(), prior_cases=20)
    by_case = dict(zip(got["case_number"], got["likelihood"], strict=True))
    # property & simple: (30 + 20 × 0.36) / (40 + 20) = 37.2 / 60 = 0.62
    assert by_case["P1"] == pytest.approx(0.62) and by_case["P4"] == pytest.approx(0.62)
    # no property & complex: (6 + 7.2) / 80 = 0.165
    assert by_case["P2"] == pytest.approx(0.165)
    # property & complex: never closed by this court: its overall share 0.36
    assert by_case["P3"] == pytest.approx(0.36)
    # a court with no closed case: no likelihood at all (not a guess)
    empty = roadmap.likelihoods(_history().head(0), _pending())
    assert empty["likelihood"].is_null().all()


def test_order_is_likelihood_then_priority_then_date_then_value():
    order = roadmap.ranked(roadmap.likelihoods(_history(), _pending()))
    # P4 and P1 tie on 0.62: P4 is high priority; then P3 (0.36), then P2 (0.165)
    assert order["case_number"].to_list() == ["P4", "P1", "P3", "P2"]
    assert order["order"].to_list() == [1, 2, 3, 4]


def test_the_schedule_spreads_the_need_over_the_weeks_left():
    as_of = D(2026, 12, 9)       # a Wednesday: weeks from Mon 12-14, 12-21, 12-28
    assert roadmap.week_starts(as_of) == [D(2026, 12, 14), D(2026, 12, 21), D(2026, 12, 28)]
    cases, weeks, shortfall = roadmap.plan(roadmap.likelihoods(_history(), _pending()), 1,
                                           as_of)
    # need 1 over 3 weeks: quota 1/3 a week. Cumulative before each case: P4 0 -> week 0;
    # P1 0.62 -> floor(0.62 / 0.333) = 1 -> week 1; after P1 the total 1.24 ≥ 1: stop
    assert cases["case_number"].to_list() == ["P4", "P1"]
    assert cases["week"].to_list() == [D(2026, 12, 14), D(2026, 12, 21)]
    assert weeks["cases"].to_list() == [1, 1, 0]
    assert weeks["quota"][0] == pytest.approx(1 / 3)
    assert shortfall == 0.0


def test_a_need_beyond_the_whole_caseload_is_a_stated_shortfall():
    cases, weeks, shortfall = roadmap.plan(roadmap.likelihoods(_history(), _pending()), 3,
                                           D(2026, 12, 9))
    # all four cases are expected to give 0.62 + 0.62 + 0.36 + 0.165 = 1.765 < 3
    assert cases.height == 4
    assert shortfall == pytest.approx(3 - 1.765)
    # need 3 over 3 weeks, quota 1: before P1 0.62 -> week 0; before P3 1.24 -> 1;
    # before P2 1.60 -> 1
    assert cases["week"].to_list() == [D(2026, 12, 14), D(2026, 12, 14), D(2026, 12, 21),
                                       D(2026, 12, 21)]


def test_no_need_no_roadmap():
    cases, weeks, shortfall = roadmap.plan(roadmap.likelihoods(_history(), _pending()), 0,
                                           D(2026, 12, 9))
    assert cases.height == 0 and shortfall == 0.0 and weeks["cases"].sum() == 0


def test_the_roadmap_learns_from_the_courts_own_cases_only(db):
    """Court A closed 4 cases in the last three years (2 by full performance, both with
    property and simple), court B closed 10 without full performance: A's pending simple
    case with property gets (2 + 20 × 0.5) / (2 + 20) = 12 / 22 from A's cases alone."""
    from supervision import views
    from supervision.data.queries import run
    from supervision.domain.filters import Filters
    from supervision.security.access import Access
    from tests.conftest import add_cases, closed

    as_of = D(2026, 11, 25)
    add_cases(
        db,
        closed("a1", "A", D(2025, 1, 5), D(2025, 3, 1), "fully_performed", complexity="simple"),
        closed("a2", "A", D(2025, 1, 5), D(2025, 3, 1), "fully_performed", complexity="simple"),
        closed("a3", "A", D(2025, 1, 5), D(2025, 3, 1), "terminated_current",
               has_property=False),
        closed("a4", "A", D(2025, 1, 5), D(2025, 3, 1), "withdrawn", has_property=False),
        *[closed(f"b{i}", "B", D(2025, 1, 5), D(2025, 3, 1), "withdrawn", complexity="simple")
          for i in range(10)],
        dict(case_number="p1", court_code="A", filed_on=D(2026, 10, 1), complexity="simple"),
        dict(case_number="p2", court_code="B", filed_on=D(2026, 10, 1), complexity="simple"),
    )
    filters = Filters(as_of=as_of)
    history = run(
        db, "roadmap_history", scope=filters.with_(courts=("A",)).scope(), as_of=as_of,
        history_days=views.ROADMAP_HISTORY_DAYS)
    assert int(history["closed"].sum()) == 4 and int(history["fully_performed"].sum()) == 2
    pending = run(
        db, "roadmap_pending", scope=filters.with_(courts=("A",)).scope(), as_of=as_of)
    got = roadmap.likelihoods(history, pending)
    assert got["case_number"].to_list() == ["p1"]
    assert got["likelihood"][0] == pytest.approx(12 / 22)
    plans = views.roadmap_view(db, Access("s", "supervisor", "A", "琼"), filters, "A")
    assert "overall" in plans
    assert set(plans["overall"]["cases"]["case_number"]) <= {"p1"}
