"""An index's drill-through (`/explorer?court=…&index=…`) lists exactly the cases that hold
the index down: its denominator's cases not in its numerator, case by case, on hand-built
cases whose sets are worked out by hand below (as of 30 June 2026, period from 1 January)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from supervision import views
from supervision.data.queries import run
from supervision.domain.filters import Filters
from supervision.security.access import Access
from tests.conftest import DEMO_END, D, add_cases, closed
from tests.sql_reference import run_reference

AS_OF = D(2026, 6, 30)
START = D(2026, 1, 1)
PRESIDENT = Access("p", "president", "A", "琼")
SUPERVISOR = Access("s", "supervisor", "A", "琼")   # every court of 琼
LOAN, WAGE, OTHER = {"case_type": "loan"}, {"case_type": "wage"}, {"case_type": "other"}


def _cases() -> list[dict]:
    """Court A's cases (B's one case must never be listed for A). Type loan, first
    enforcement with property, amount 1,000 yuan applied and 0 recovered unless given."""
    full = {"amount_recovered": 1000.0}
    return [
        # p*: the property index: statutory deadline = filing + 6 months
        closed("p1", "A", D(2025, 9, 1), D(2026, 2, 15), "fully_performed", **full),
        closed("p2", "A", D(2025, 10, 10), D(2026, 5, 1), "fully_performed", **full),
        closed("p3", "A", D(2025, 11, 1), None, None, priority="high"),
        closed("p4", "A", D(2025, 8, 1), D(2026, 1, 20), "terminated_current"),
        closed("p5", "A", D(2025, 9, 1), None, None, case_kind="resumed"),
        closed("p6", "A", D(2025, 9, 1), None, None, has_property=False),
        closed("p7", "A", D(2025, 12, 31), None, None),      # deadline 30 June: on D
        closed("p8", "A", D(2026, 1, 5), None, None),        # deadline 5 July: after D
        closed("p9", "A", D(2025, 6, 30), None, None),       # deadline 30 Dec 2025: before P
        # t*: 终本 closings
        closed("t1", "A", D(2025, 10, 1), D(2026, 3, 1), "terminated_current",
               dishonest_listed=False, **WAGE),
        closed("t2", "A", D(2026, 1, 10), D(2026, 3, 1), "terminated_current", **WAGE),
        closed("t3", "A", D(2024, 1, 1), D(2025, 12, 1), "terminated_current", **OTHER),
        # r*: the ranking's conclusions
        closed("r1", "A", D(2025, 2, 1), D(2026, 4, 1), "withdrawn", **OTHER, **full),
        closed("r2", "A", D(2022, 6, 1), D(2026, 2, 1), "fully_performed",
               amount_recovered=400.0),
        closed("r3", "A", D(2022, 5, 1), None, None),
        closed("r4", "A", D(2025, 3, 1), D(2026, 7, 15), "fully_performed", **full),
        # transferred: outside every count (it would otherwise be property-due)
        closed("x1", "A", D(2025, 9, 1), D(2026, 2, 1), "transferred"),
        # k*: petitions (inserted below)
        closed("k1", "A", D(2025, 5, 1), None, None, **OTHER),
        closed("k2", "A", D(2025, 4, 1), None, None, **OTHER),
        # another court's case that holds every index of B down
        closed("b1", "B", D(2025, 10, 10), None, None),
    ]


@pytest.fixture
def cases(db):
    add_cases(db, *_cases())
    db.execute("""INSERT INTO petitions VALUES
        ('e1', 'k1', '2026-02-01', '2026-03-01'),  -- received and resolved in P
        ('e2', 'k1', '2026-05-01', '2026-07-15'),  -- resolved after D: open at D
        ('e3', 'k1', '2026-06-30', NULL),          -- received on D, open
        ('e4', 'k1', '2025-12-31', '2026-01-05'),  -- received before P: outside
        ('e5', 'k2', '2026-03-01', '2026-04-01')   -- k2's only petition, resolved""")
    return db


# By hand, court A:
# property_within_limit — due (first, with property, deadline in P, not transferred):
#   p1 p2 p3 p4 p7 t1; met (actually concluded by the deadline): p1 → p2 p3 p4 p7 t1
# termination_qualified — 终本 in P: p4 t1 t2; met: p4 (t1 not listed as dishonest, t2
#   closed within 3 months of filing) → t1 t2
# petitions_resolved — cases with petitions in P: k1 (3: e1 e2 e3), k2 (1); resolved by D:
#   k1 1, k2 1 → k1 (the index: 4 petitions, 2 resolved)
# three_year_conclusion — filed from 2023-01-01: p1–p9 t1 t2 t3 r1 r4 k1 k2 (16);
#   concluded by D: p1 p2 p4 t1 t2 t3 r1 → p3 p5 p6 p7 p8 p9 r4 k1 k2
# rank_overall — concluded in P: p1 p2 p4 t1 t2 r1 r2; fully performed: p1 p2 r2
#   → p4 t1 t2 r1
# rank_loan — loans concluded in P: p1 p2 p4 r2; fully performed p1 p2 r2 → p4
# rank_wage — wages concluded in P: t1 t2; none fully performed → t1 t2
EXPECTED = {
    "property_within_limit": ({"p2", "p3", "p4", "p7", "t1"}, 6, 1),
    "termination_qualified": ({"t1", "t2"}, 3, 1),
    "petitions_resolved": ({"k1"}, 4, 2),
    "three_year_conclusion": ({"p3", "p5", "p6", "p7", "p8", "p9", "r4", "k1", "k2"}, 16, 7),
    "rank_overall": ({"p4", "t1", "t2", "r1"}, 7, 3),
    "rank_loan": ({"p4"}, 4, 3),
    "rank_wage": ({"t1", "t2"}, 2, 0),
}
# court_counts.sql's (denominator, numerator) columns of each 3+1 index
CORE_COLUMNS = {
    "property_within_limit": ("property_due", "property_in_limit"),
    "termination_qualified": ("terminations", "terminations_qualified"),
    "petitions_resolved": ("petitions", "petitions_resolved"),
    "three_year_conclusion": ("three_year_cases", "three_year_concluded"),
}


def _listed(con, filters: Filters, court: str | None = "A",
            access: Access = PRESIDENT) -> set[str]:
    return set(views.explorer_page(con, access, filters, court, 0, 1000)["case_number"])


def _counted(con, index: str) -> tuple[int, int]:
    """The index's (denominator, numerator) for court A as the pages count it."""
    if index.startswith("rank_"):
        ranking = index.removeprefix("rank_")
        row = run_reference(con, "court_rank_counts", scope=Filters(as_of=AS_OF).scope(national=True),
                  as_of=AS_OF, period_start=START).filter(
            (pl.col("court_code") == "A")
            & (pl.col("ranking") == ranking)).row(0, named=True)
        return row["concluded"], row["fully_performed"]
    row = run(con, "court_counts", scope=Filters(as_of=AS_OF).scope(national=True),
              visible=["A"], as_of=AS_OF, period_start=START).filter(
        pl.col("court_code") == "A").row(0, named=True)
    den, num = CORE_COLUMNS[index]
    return row[den], row[num]


@pytest.mark.parametrize("index", list(EXPECTED))
def test_the_drill_through_lists_the_denominator_minus_the_numerator(cases, index):
    expected, denominator, numerator = EXPECTED[index]
    filters = Filters(as_of=AS_OF, index=index)
    assert _listed(cases, filters) == expected
    total = views.explorer_count(cases, PRESIDENT, filters, "A")
    assert total["cases"] == len(expected)
    assert total["transferred"] == 0
    # the same counts the pages rank and colour: denominator − numerator
    assert _counted(cases, index) == (denominator, numerator)
    assert total["index_shortfall"] == denominator - numerator
    breakdown = views.explorer_breakdown(cases, PRESIDENT, filters, "A")
    assert breakdown["cases"].sum() == len(expected)


def test_without_an_index_the_explorer_lists_every_case_of_the_court(cases):
    # every A case that exists on D (p8 filed 5 Jan exists; the transfer is listed too)
    everything = {c["case_number"] for c in _cases() if c["court_code"] == "A"}
    filters = Filters(as_of=AS_OF)
    assert _listed(cases, filters) == everything
    total = views.explorer_count(cases, PRESIDENT, filters, "A")
    assert (total["cases"], total["transferred"], total["index_shortfall"]) == (19, 1, None)


def test_every_court_of_the_scope_adds_the_other_courts_cases(cases):
    # b1 is B's property-due pending case: in B's index, never in A's
    filters = Filters(as_of=AS_OF, index="property_within_limit")
    assert _listed(cases, filters, None, SUPERVISOR) == {"p2", "p3", "p4", "p7", "t1", "b1"}
    assert _listed(cases, filters, "B", SUPERVISOR) == {"b1"}


def test_a_sidebar_filter_intersects_the_index(cases):
    # only p3 is high-priority among property_within_limit's five
    filters = Filters(as_of=AS_OF, index="property_within_limit", priorities=("high",))
    assert _listed(cases, filters) == {"p3"}
    # and the explorer's own closing-method filter: the 终本 ones of the five
    filters = Filters(as_of=AS_OF, index="property_within_limit",
                      closing_methods=("terminated_current",))
    assert _listed(cases, filters) == {"p4", "t1"}


def test_an_amount_ranking_lists_the_conclusions_that_recovered_less(cases):
    cases.execute("UPDATE targets SET metric = 'amount_recovery_rate' WHERE target = 'overall'")
    # concluded in P: p1 p2 p4 t1 t2 r1 r2, 1,000 yuan applied each; recovered 1,000 by
    # p1 p2 r1, 400 by r2, nothing by p4 t1 t2 → p4 t1 t2 r2, short 3 × 1,000 + 600 yuan
    filters = Filters(as_of=AS_OF, index="rank_overall")
    assert _listed(cases, filters) == {"p4", "t1", "t2", "r2"}
    assert views.explorer_count(cases, PRESIDENT, filters, "A")["index_shortfall"] == 3600.0
    # the type rankings still rank on the overall rate
    assert _listed(cases, Filters(as_of=AS_OF, index="rank_loan")) == {"p4"}


def test_an_unknown_index_is_refused(cases):
    with pytest.raises(ValueError):
        views.explorer_count(cases, PRESIDENT, Filters(as_of=AS_OF, index="rank_other"), "A")


def test_the_index_is_not_a_filter_of_the_official_position():
    filters = Filters(as_of=AS_OF, index="rank_overall", priorities=("high",))
    assert filters.official() == Filters(as_of=AS_OF)
    assert "index" not in filters.scope()


def test_the_period_is_the_as_of_dates(cases):
    # as of 31 Jan: period 1–31 Jan 2026; concluded then: p4 only (终本) → listed
    filters = Filters(as_of=dt.date(2026, 1, 31), index="rank_overall")
    assert _listed(cases, filters) == {"p4"}


def test_on_generated_data_every_index_of_every_court_agrees_with_its_counts(demo_db):
    # the generated demo: for each court of 琼 and each index, the cases listed leave
    # exactly the index's denominator − numerator (one case each, petitions: their count)
    from supervision.data.db import connect

    con = connect(demo_db, read_only=True)
    try:
        as_of = run(con, "latest_data_date")["latest"][0]
        courts = run(con, "court_names", visible=None).filter(pl.col("province") == "琼")
        supervisor = Access("s", "supervisor", courts["court_code"][0], "琼")
        national = Filters(as_of=as_of).scope(national=True)
        core = run(con, "court_counts", scope=national, visible=None, as_of=as_of,
                   period_start=Filters(as_of=as_of).start)
        ranks = run_reference(con, "court_rank_counts", scope=national, as_of=as_of,
                    period_start=Filters(as_of=as_of).start)
        indices = views.index_codes(con)
        assert len(indices) == 4 + 1 + 5
        checked = 0
        for court in courts["court_code"]:
            for index in indices:
                total = views.explorer_count(con, supervisor,
                                             Filters(as_of=as_of, index=index), court)
                if index.startswith("rank_"):
                    row = ranks.filter((pl.col("court_code") == court) & (
                        pl.col("ranking") == index.removeprefix("rank_"))).row(0, named=True)
                    short = row["concluded"] - row["fully_performed"]
                else:
                    row = core.filter((pl.col("level") == "court")
                                      & (pl.col("court_code") == court)).row(0, named=True)
                    den, num = CORE_COLUMNS[index]
                    short = row[den] - row[num]
                assert total["index_shortfall"] == short, (court, index)
                if index != "petitions_resolved":
                    assert total["cases"] == short, (court, index)
                checked += short > 0
        assert checked > 10
    finally:
        con.close()


INDEX_NAMES = {"three_year_conclusion": "近三年执行案件整体执结率"}


def _explorer_app(demo_db, monkeypatch, **params: str):
    from tests.test_app import login

    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"),
                           default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    login(at, "supervisor")
    at.switch_page("pages/explorer.py")
    at.run()
    assert not at.exception, at.exception
    return at


def official_count(demo_db, court: str, index: str) -> int:
    """How many cases hold `index` down for `court` on the demo's last date."""
    from supervision.data.db import connect

    con = connect(demo_db, read_only=True)
    try:
        as_of = run(con, "latest_data_date")["latest"][0]
        total = views.explorer_count(con, SUPERVISOR, Filters(as_of=as_of, index=index), court)
        return total["cases"]
    finally:
        con.close()


def test_the_explorer_names_the_index_court_and_period_and_removes_the_index(demo_db,
                                                                             monkeypatch):
    from tests.test_app import texts

    n = official_count(demo_db, "HI720", "three_year_conclusion")
    as_of = DEMO_END
    at = _explorer_app(demo_db, monkeypatch, court="HI720", index="three_year_conclusion")
    shown = texts(at)
    court_name = run_court_name(demo_db, "HI720")
    line = next(c.value for c in at.caption if c.value.startswith("拉低「"))
    assert line.startswith(f"拉低「{INDEX_NAMES['three_year_conclusion']}」的案件 · "
                           f"{court_name} · {as_of.year}-01-01 至 {as_of.isoformat()} · ")
    assert f"共 {n:,} 件" in shown
    assert "分母与分子之差" in shown and "交集" not in shown
    assert at.query_params["index"] == "three_year_conclusion"
    chip = next(b for b in at.button if b.key == "x_clear_index")
    chip.click()
    at.run()
    assert not at.exception
    assert "index" not in at.query_params and "拉低「" not in texts(at)


def test_a_sidebar_filter_intersects_the_index_and_says_so(demo_db, monkeypatch):
    from tests.test_app import texts

    at = _explorer_app(demo_db, monkeypatch, court="HI720", index="rank_overall", pri="high")
    shown = texts(at)
    assert "仅列出同时符合其他筛选条件的案件（交集）" in shown and "优先级" in shown
    assert "分母与分子之差" not in shown


def run_court_name(demo_db, court: str) -> str:
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        return con.sql("SELECT name FROM courts WHERE court_code = ?", params=[court]
                       ).fetchall()[0][0]
    finally:
        con.close()

