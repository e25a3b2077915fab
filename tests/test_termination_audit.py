"""The 终本 audit on hand-built cases, each expected figure worked out by hand below."""

from __future__ import annotations

import datetime as dt

import polars as pl

from supervision import views
from supervision.data.queries import run
from supervision.domain.filters import Filters
from supervision.engine import metrics
from supervision.security.access import Access
from tests.conftest import add_cases, closed

D = dt.date
AS_OF = D(2026, 6, 30)
SUPERVISOR = Access("s", "supervisor", "A", "琼")   # sees courts A and B (琼)


def _cases(db) -> None:
    add_cases(
        db,
        # court A, four 终本 closings in the period (2026-01-01 .. 06-30):
        # T1 qualified: all six conditions, closed 4 months after filing
        closed("T1", "A", D(2026, 1, 10), D(2026, 5, 12), "terminated_current"),
        # T2 misses two conditions (dishonest list not done, site investigation unknown)
        closed("T2", "A", D(2026, 1, 5), D(2026, 5, 20), "terminated_current",
               dishonest_listed=False, site_investigation_done=None),
        # T3 has every condition but closed 2 months after filing: within 3 months
        closed("T3", "A", D(2026, 3, 1), D(2026, 5, 1), "terminated_current",
               respondent_id="R9"),
        # T4 closed on the day 3 calendar months after filing: qualified
        closed("T4", "A", D(2026, 2, 28), D(2026, 5, 28), "terminated_current"),
        # outside the audit: a 终本 before the period, full performance, a 终本 after D
        closed("T0", "A", D(2025, 6, 1), D(2025, 10, 1), "terminated_current",
               respondent_id="R9"),
        closed("F1", "A", D(2026, 1, 2), D(2026, 3, 2), "fully_performed"),
        closed("T5", "A", D(2026, 2, 1), D(2026, 7, 15), "terminated_current"),
        # resumed after a 终本 of court A against R9 (T0, closed 2025-10-01): counted in June;
        # a resumed case against R1 before any 终本 of R1 closed is not
        dict(case_number="R1", court_code="A", filed_on=D(2026, 6, 3), case_kind="resumed",
             respondent_id="R9"),
        dict(case_number="R2", court_code="A", filed_on=D(2026, 1, 3), case_kind="resumed",
             respondent_id="R1"),
        # court B: one unqualified 终本 (applicant not informed)
        closed("B1", "B", D(2026, 1, 1), D(2026, 4, 30), "terminated_current",
               applicant_informed=False),
    )


def test_each_termination_names_the_conditions_it_misses(db):
    _cases(db)
    audit = views.termination_audit(db, SUPERVISOR, Filters(as_of=AS_OF), "A")
    cases = {r["case_number"]: r for r in audit["cases"].iter_rows(named=True)}
    assert set(cases) == {"T1", "T2", "T3", "T4"}          # T0, F1, T5 are outside
    assert cases["T1"]["missing"] == [] and cases["T4"]["missing"] == []
    assert cases["T2"]["missing"] == ["dishonest_listed", "site_investigation_done"]
    assert cases["T3"]["missing"] == ["closed_within_3_months"]
    # 2026-01-10 → 2026-05-12: 4 whole months; 2026-03-01 → 05-01: 2; 02-28 → 05-28: 3
    assert (cases["T1"]["months_to_close"], cases["T3"]["months_to_close"],
            cases["T4"]["months_to_close"]) == (4, 2, 3)
    # unqualified first
    assert [r for r in audit["cases"]["case_number"]][:2] == ["T2", "T3"]


def test_the_monthly_figures_and_the_core_index_agree(db):
    _cases(db)
    audit = views.termination_audit(db, SUPERVISOR, Filters(as_of=AS_OF), "A")
    monthly = audit["monthly"]
    a = monthly.filter(pl.col("court_code") == "A")
    may = a.filter(pl.col("month") == D(2026, 5, 1)).row(0, named=True)
    # May: T1, T2, T3, T4 closed; T1 and T4 qualified; T3 within 3 months
    assert (may["terminations"], may["qualified"], may["closed_within_3_months"]) == (4, 2, 1)
    assert may["qualified_rate"] == 0.5
    june = a.filter(pl.col("month") == D(2026, 6, 1)).row(0, named=True)
    assert (june["terminations"], june["resumed_after_termination"]) == (0, 1)
    assert june["qualified_rate"] is None
    assert a["resumed_after_termination"].sum() == 1        # R2 preceded R1's 终本: not counted
    b = monthly.filter(pl.col("court_code") == "B").row(0, named=True)
    assert (b["month"], b["terminations"], b["qualified"]) == (D(2026, 4, 1), 1, 0)
    # the 3+1 index counts the same qualified closings: 2 of 4 for A
    core = metrics.core_indices(db, Filters(as_of=AS_OF), ["A"])
    row = core.filter(pl.col("court_code") == "A").row(0, named=True)
    assert row["termination_qualified"] == 0.5


def test_the_audit_is_scoped_to_the_users_courts(db):
    _cases(db)
    president = Access("p", "president", "B", "琼")
    audit = views.termination_audit(db, president, Filters(as_of=AS_OF), "B")
    assert set(audit["monthly"]["court_code"]) == {"B"}
    try:
        views.termination_audit(db, president, Filters(as_of=AS_OF), "A")
    except Exception as exc:     # AccessDenied: refused where the data is queried
        assert "A" in str(exc)
    else:
        raise AssertionError("a president read another court's 终本 audit")


def test_the_missing_list_is_the_one_definition(db):
    _cases(db)
    got = run(db, "termination_audit_cases", scope=Filters(as_of=AS_OF, courts=("A",)).scope(),
              as_of=AS_OF, period_start=D(2026, 1, 1))
    assert got.filter(pl.col("missing").list.len() == 0)["case_number"].sort().to_list() == [
        "T1", "T4"]
