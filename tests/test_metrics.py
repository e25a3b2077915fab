"""Each metric on tiny hand-built data; expected values are worked out by hand below."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from supervision.data import lookups
from supervision.domain.filters import Filters
from supervision.engine import metrics
from tests.conftest import D, add_cases, closed

AS_OF = D(2026, 6, 30)


def court_row(frame: pl.DataFrame, code: str) -> dict:
    return frame.filter((pl.col("level") == "court") & (pl.col("court_code") == code)).row(
        0, named=True)


@pytest.fixture
def boundary_cases(db):
    """Court A, period 2026-01-01 .. 2026-06-30 (181 days)."""
    add_cases(
        db,
        # pending at the period start, closed on its first day: handled and concluded
        closed("c1", "A", D(2025, 12, 1), D(2026, 1, 1), "fully_performed",
               amount_applied=1000.0, amount_recovered=1000.0),
        # closed the day before the period: neither handled nor concluded
        closed("c2", "A", D(2025, 11, 1), D(2025, 12, 31), "fully_performed"),
        # filed on the as-of date: handled, pending
        closed("c3", "A", D(2026, 6, 30), None, None),
        # filed the day after: does not exist yet
        closed("c4", "A", D(2026, 7, 1), None, None),
        # closed after the as-of date: pending at D
        closed("c5", "A", D(2026, 3, 1), D(2026, 7, 1), "fully_performed"),
        # 终本 on the as-of date: concluded, not actually concluded
        closed("c6", "A", D(2026, 2, 1), D(2026, 6, 30), "terminated_current",
               amount_applied=500.0, amount_recovered=100.0),
        # transferred within the period: left out of every count
        closed("c7", "A", D(2026, 2, 1), D(2026, 3, 1), "transferred"),
        # withdrawn: concluded and actually concluded
        closed("c8", "A", D(2026, 1, 10), D(2026, 4, 10), "withdrawn", amount_applied=500.0),
    )
    return db


def test_volume_and_rates_at_the_period_boundaries(boundary_cases):
    row = court_row(metrics.court_counts(boundary_cases, Filters(as_of=AS_OF), None), "A")
    # handled = c1 (pending at start) + c3, c5, c6, c8 (filed in P); c7 transferred
    assert row["handled"] == 5
    assert row["filed"] == 4                      # c3, c5, c6, c8
    assert row["concluded"] == 3                  # c1, c6, c8
    assert row["fully_performed"] == 1            # c1
    assert row["actually_concluded"] == 2         # c1, c8
    assert row["terminated_current"] == 1         # c6
    assert row["pending"] == 2                    # c3, c5
    assert row["overall_rate"] == pytest.approx(1 / 3)
    assert row["closure_rate"] == pytest.approx(3 / 5)
    assert row["actual_conclusion_rate"] == pytest.approx(2 / 5)
    assert row["termination_rate"] == pytest.approx(1 / 3)
    # recovered 1000 + 100 + 0 of applied 1000 + 500 + 500
    assert row["amount_recovery_rate"] == pytest.approx(1100 / 2000)
    # c1: Dec 1 -> Jan 1 = 31 days; c6: Feb 1 -> Jun 30 = 149; c8: Jan 10 -> Apr 10 = 90
    assert row["mean_days_to_close"] == pytest.approx((31 + 149 + 90) / 3)
    assert row["clearance_rate"] == pytest.approx(3 / 4)
    # 181 days in P x 2 pending / 3 concluded
    assert row["disposition_time_days"] == pytest.approx(181 * 2 / 3)
    # pending ages: c3 0 days, c5 Mar 1 -> Jun 30 = 121 days
    assert row["median_pending_days"] == pytest.approx(60.5)
    assert row["share_pending_over_6_months"] == 0


def test_a_case_closed_after_the_as_of_date_counts_as_it_stood(boundary_cases):
    # one day later c5 (closed 2026-07-01) is concluded and c4 (filed 2026-07-01) exists
    row = court_row(metrics.court_counts(boundary_cases, Filters(as_of=D(2026, 7, 1)), None), "A")
    assert row["concluded"] == 4
    assert row["fully_performed"] == 2
    assert row["handled"] == 6


def test_transfer_after_the_as_of_date_is_still_pending_at_it(db):
    add_cases(db, closed("t1", "A", D(2026, 2, 1), D(2026, 8, 1), "transferred"))
    row = court_row(metrics.court_counts(db, Filters(as_of=AS_OF), None), "A")
    assert (row["handled"], row["pending"], row["concluded"]) == (1, 1, 0)
    later = court_row(metrics.court_counts(db, Filters(as_of=D(2026, 8, 1)), None), "A")
    assert (later["handled"], later["pending"], later["concluded"]) == (0, 0, 0)


def test_empty_denominators_are_null_not_zero(db):
    row = court_row(metrics.court_counts(db, Filters(as_of=AS_OF), None), "B")
    assert row["concluded"] == 0
    assert row["overall_rate"] is None
    assert row["closure_rate"] is None
    assert row["mean_days_to_close"] is None


def test_province_and_nation_rows_pool_every_court(db):
    add_cases(
        db,
        closed("a1", "A", D(2026, 1, 5), D(2026, 2, 1), "fully_performed"),
        closed("b1", "B", D(2026, 1, 5), D(2026, 2, 1), "terminated_current"),
        closed("b2", "B", D(2026, 1, 5), D(2026, 2, 1), "terminated_current"),
        closed("c1", "C", D(2026, 1, 5), D(2026, 2, 1), "fully_performed"),
    )
    frame = metrics.court_counts(db, Filters(as_of=AS_OF), ["A"])
    # only A's court row is returned; the province 琼 pools A and B: 1 of 3
    assert frame.filter(pl.col("level") == "court")["court_code"].to_list() == ["A"]
    province = frame.filter((pl.col("level") == "province") & (pl.col("province") == "琼"))
    assert province["overall_rate"][0] == pytest.approx(1 / 3)
    nation = frame.filter(pl.col("level") == "nation")
    assert nation["overall_rate"][0] == pytest.approx(2 / 4)


# ------------------------------------------------------------------ ranks, cutoffs, gaps


def _concluded(court: str, n: int, fully: int, case_type: str = "loan",
               prefix: str = "") -> list[dict]:
    """n cases concluded in 2026, `fully` of them by full performance."""
    return [closed(f"{prefix}{court}{case_type}{i}", court, D(2026, 1, 2), D(2026, 2, 1),
                   "fully_performed" if i < fully else "terminated_current",
                   case_type=case_type) for i in range(n)]


@pytest.fixture
def ranked_db(tmp_path):
    from tests.conftest import make_db

    con = make_db(tmp_path / "rank.duckdb",
                  [("A", "琼"), ("B", "琼"), ("C", "琼"), ("D", "京"), ("E", "京")])
    # targets are data: rank 2 with at least 3 concluded cases
    con.execute("UPDATE targets SET target_rank = 2, min_concluded = 3")
    add_cases(con, *_concluded("A", 4, 3), *_concluded("B", 4, 3), *_concluded("C", 5, 2),
              *_concluded("D", 2, 2), *_concluded("E", 3, 0))
    yield con
    con.close()


def _overall(con, **filters) -> dict[str, dict]:
    ranks = metrics.court_ranks(con, Filters(as_of=AS_OF, **filters), None)
    return {r["court_code"]: r for r in ranks.filter(pl.col("ranking") == "overall")
            .iter_rows(named=True)}


def test_ranks_share_ties_and_skip_unranked_courts(ranked_db):
    r = _overall(ranked_db)
    # rates: A 3/4, B 3/4, C 2/5, D 2/2 (only 2 concluded < 3: unranked), E 0/3
    assert {c: r[c]["rank"] for c in "ABCDE"} == {"A": 1, "B": 1, "C": 3, "D": None, "E": 4}
    assert r["D"]["is_ranked"] is False and r["D"]["rate"] == 1.0
    assert r["A"]["ranked_courts"] == 4


def test_cutoff_and_gap_in_cases(ranked_db):
    r = _overall(ranked_db)
    # 2nd highest rate among ranked courts: 0.75 (A and B tie)
    assert r["A"]["cutoff"] == pytest.approx(0.75)
    # C: ceil((0.75*5 - 2) / 0.25) = 7, and indeed (2+7)/(5+7) = 0.75
    assert r["C"]["gap"] == 7
    # E: ceil((0.75*3 - 0) / 0.25) = 9: (0+9)/(3+9) = 0.75
    assert r["E"]["gap"] == 9
    assert r["A"]["gap"] == 0 and r["B"]["gap"] == 0
    assert r["D"]["gap"] is None                      # unranked: no gap
    assert [r[c]["meets_target"] for c in "ABCDE"] == [True, True, False, False, False]


def test_fewer_ranked_courts_than_the_target_rank_uses_the_lowest_rate(ranked_db):
    ranked_db.execute("UPDATE targets SET target_rank = 10")
    r = _overall(ranked_db)
    assert r["A"]["cutoff"] == 0.0                    # E's 0/3 is the lowest ranked rate
    assert r["E"]["gap"] == 0
    assert r["E"]["meets_target"] is True             # rank 4 <= 10


def test_cutoff_of_one_hundred_percent_leaves_the_gap_empty_below_it(ranked_db):
    add_cases(ranked_db, *_concluded("D", 1, 1, prefix="x"))   # D: 3 of 3 -> ranked at 100 %
    ranked_db.execute("UPDATE targets SET target_rank = 1")
    r = _overall(ranked_db)
    assert r["D"]["cutoff"] == 1.0 and r["D"]["rank"] == 1
    assert r["D"]["gap"] == 0
    assert r["A"]["gap"] is None                      # cannot reach 100 % by adding cases


def test_a_court_under_the_minimum_per_type_is_unranked_on_that_type(ranked_db):
    add_cases(ranked_db, *_concluded("A", 3, 1, case_type="wage"),
              *_concluded("B", 2, 2, case_type="wage"))
    ranks = metrics.court_ranks(ranked_db, Filters(as_of=AS_OF), None)
    wage = {r["court_code"]: r for r in ranks.filter(pl.col("ranking") == "wage")
            .iter_rows(named=True)}
    assert wage["A"]["rank"] == 1 and wage["A"]["ranked_courts"] == 1
    assert wage["B"]["rank"] is None and wage["B"]["concluded"] == 2
    # only the specific types are ranked
    assert set(ranks["ranking"].unique()) == {"overall", "loan", "wage"}


def test_a_rank_under_a_filter_ranks_every_court_on_the_same_subset(ranked_db):
    # give C three high-priority full performances; filtering to high priority ranks
    # only those cases, and A/B (no high-priority cases) drop out of the ranking
    add_cases(ranked_db, *[closed(f"h{i}", "C", D(2026, 1, 2), D(2026, 2, 1), "fully_performed",
                                  priority="high") for i in range(3)])
    r = _overall(ranked_db, priorities=("high",))
    assert r["C"]["rank"] == 1 and r["C"]["concluded"] == 3
    assert r["A"]["is_ranked"] is False


def test_amount_recovery_rate_can_be_the_ranked_metric(ranked_db):
    ranked_db.execute("UPDATE targets SET metric = 'amount_recovery_rate'")
    ranked_db.execute("UPDATE cases SET amount_recovered = 500 WHERE court_code = 'E'")
    r = _overall(ranked_db)
    # E recovered 3 x 500 of 3 x 1000 = 0.5; everyone else 0
    assert r["E"]["rate"] == pytest.approx(0.5) and r["E"]["rank"] == 1
    assert r["A"]["rank"] == 2 and r["A"]["gap"] is None
    # the cutoff is the 2nd best rate, 0 (A, B and C tie), so A needs no more yuan;
    # E's case gap is empty because the ranked metric is an amount, not cases
    assert r["A"]["cutoff"] == 0.0 and r["A"]["amount_gap"] == 0
    assert r["E"]["gap"] is None


# ------------------------------------------------------------------ the 3+1 core indices


@pytest.fixture(params=["scan", "memory"])
def core_of(request):
    """Court A's 3+1 counts and indices, by either path a page takes: the scan of
    court_counts.sql (the brief, the report) or the cases in memory (the province
    ranking: supervision.engine.memory_core_counts)."""
    def core(con, as_of: dt.date) -> dict:
        f = Filters(as_of=as_of)
        if request.param == "scan":
            return court_row(metrics.core_indices(con, f, None), "A")
        return metrics.court_core_counts(con, f).filter(pl.col("court_code") == "A").row(
            0, named=True)
    return core


def test_property_within_limit_with_month_end_deadlines(db, core_of):
    add_cases(
        db,
        # filed Aug 31: deadline clamps to Feb 28; concluded on it -> within limit
        closed("p1", "A", D(2025, 8, 31), D(2026, 2, 28), "fully_performed"),
        # filed Aug 30: deadline Feb 28 too; still pending at D -> counted, not within limit
        closed("p2", "A", D(2025, 8, 30), D(2026, 3, 5), "fully_performed"),
        # 终本 before the deadline is not an actual conclusion
        closed("p3", "A", D(2025, 8, 1), D(2026, 1, 15), "terminated_current"),
        # deadline Mar 1, after D: not yet due
        closed("p4", "A", D(2025, 9, 1), None, None),
        # resumed cases and cases without property are outside the index
        closed("p5", "A", D(2025, 8, 31), None, None, case_kind="resumed"),
        closed("p6", "A", D(2025, 8, 31), None, None, has_property=False),
        # deadline Dec 31, 2025: before the period
        closed("p7", "A", D(2025, 6, 30), None, None),
    )
    row = core_of(db, D(2026, 2, 28))
    assert (row["property_due"], row["property_in_limit"]) == (3, 1)
    assert row["property_within_limit"] == pytest.approx(1 / 3)


def test_leap_year_deadline(db, core_of):
    # filed 2023-08-31: deadline 2024-02-29; closed 2024-03-01 is one day late
    add_cases(db, closed("l1", "A", D(2023, 8, 31), D(2024, 3, 1), "fully_performed"),
              closed("l2", "A", D(2023, 8, 31), D(2024, 2, 29), "fully_performed"))
    row = core_of(db, D(2024, 3, 31))
    assert (row["property_due"], row["property_in_limit"]) == (2, 1)


def test_termination_qualified_needs_every_condition_and_three_months(db, core_of):
    add_cases(
        db,
        # Jan 31 + 3 months = Apr 30 (clamped): closed on it -> qualified
        closed("t1", "A", D(2026, 1, 31), D(2026, 4, 30), "terminated_current"),
        # one day short of three months
        closed("t2", "A", D(2026, 1, 31), D(2026, 4, 29), "terminated_current"),
        # a condition left empty counts as not satisfied
        closed("t3", "A", D(2025, 10, 1), D(2026, 3, 1), "terminated_current",
               dishonest_listed=None),
        # a condition explicitly not satisfied
        closed("t4", "A", D(2025, 10, 1), D(2026, 3, 1), "terminated_current",
               site_investigation_done=False),
        # not a 终本: outside the index
        closed("t5", "A", D(2025, 10, 1), D(2026, 3, 1), "fully_performed"),
    )
    row = core_of(db, AS_OF)
    assert (row["terminations"], row["terminations_qualified"]) == (4, 1)
    assert row["termination_qualified"] == pytest.approx(1 / 4)


def test_petitions_resolved_by_the_as_of_date(db, core_of):
    add_cases(db, closed("k1", "A", D(2025, 5, 1), None, None))
    db.execute("""INSERT INTO petitions VALUES
        ('x1', 'k1', '2026-02-01', '2026-03-01'),  -- received and resolved in P
        ('x2', 'k1', '2026-05-01', '2026-07-15'),  -- resolved after D: open at D
        ('x3', 'k1', '2026-06-30', NULL),          -- received on D, open
        ('x4', 'k1', '2025-12-31', '2026-01-05')   -- received before P: outside""")
    row = core_of(db, AS_OF)
    assert (row["petitions"], row["petitions_resolved_count"]) == (3, 1)
    assert row["petitions_resolved"] == pytest.approx(1 / 3)


def test_three_year_conclusion_rate(db, core_of):
    add_cases(
        db,
        closed("y0", "A", D(2022, 12, 31), None, None),                       # before window
        closed("y1", "A", D(2023, 1, 1), D(2024, 1, 1), "fully_performed"),  # concluded
        closed("y2", "A", D(2026, 6, 30), None, None),                        # pending
        closed("y3", "A", D(2025, 5, 1), D(2026, 7, 1), "fully_performed"),  # closed after D
        closed("y4", "A", D(2024, 1, 1), D(2024, 2, 1), "transferred"),      # left out
        closed("y5", "A", D(2024, 3, 1), D(2025, 1, 1), "terminated_current"),  # 终本 counts
    )
    row = core_of(db, AS_OF)
    assert (row["three_year_cases"], row["three_year_concluded"]) == (4, 2)
    assert row["three_year_conclusion"] == pytest.approx(0.5)


def test_meets_standard_uses_the_thresholds_table(db):
    core = pl.DataFrame({"court_code": ["A", "B"], "property_within_limit": [0.9, 0.95],
                         "termination_qualified": [0.95, 0.89], "petitions_resolved": [None, 1.0],
                         "three_year_conclusion": [0.8, 0.9]})
    limits = lookups.thresholds(db)
    assert limits["three_year_conclusion"] == 0.8
    out = metrics.meets_standard(core, limits)
    # A: all at or above (a NULL index cannot fail); B: 0.89 < 0.90
    assert out["meets_standard"].to_list() == [True, False]


# ------------------------------------------------------------------ filters


def test_value_bands_are_half_open(db):
    add_cases(db, *[closed(f"v{i}", "A", D(2026, 1, 2), D(2026, 2, 1), "fully_performed",
                           amount_applied=a) for i, a in enumerate([99_999.99, 100_000, 999_999.99,
                                                                     1_000_000])])
    f = Filters(as_of=AS_OF, value_min=100_000, value_max=1_000_000)
    row = court_row(metrics.court_counts(db, f, None), "A")
    assert row["concluded"] == 2          # 100,000 and 999,999.99


@pytest.mark.parametrize("field,values,expected", [
    ("priorities", ("high",), 1), ("complexities", ("complex", "simple"), 2),
    ("case_types", ("wage",), 1), ("respondent_kinds", ("enterprise",), 1),
    ("closing_methods", ("fully_performed",), 3), ("text", "（2026）琼", 1),
])
def test_each_filter_restricts_the_cases(db, field, values, expected):
    add_cases(
        db,
        closed("（2026）琼1执1号", "A", D(2026, 1, 2), D(2026, 2, 1), "fully_performed",
               priority="high", complexity="complex"),
        closed("n2", "A", D(2026, 1, 2), D(2026, 2, 1), "fully_performed", case_type="wage",
               complexity="simple"),
        closed("n3", "A", D(2026, 1, 2), D(2026, 2, 1), "fully_performed",
               respondent_kind="enterprise"),
        closed("n4", "A", D(2026, 1, 2), D(2026, 2, 1), "withdrawn", priority="low"),
    )
    row = court_row(metrics.court_counts(db, Filters(as_of=AS_OF, **{field: values}), None), "A")
    assert row["concluded"] == expected


def test_period_start_defaults_to_the_first_of_january():
    assert Filters(as_of=dt.date(2026, 9, 30)).start == dt.date(2026, 1, 1)
    assert Filters(as_of=dt.date(2026, 9, 30), period_start=dt.date(2026, 7, 1)).start == \
        dt.date(2026, 7, 1)


def test_related_respondents_are_pending_cases_of_one_respondent(db):
    from supervision.security.access import Access
    from supervision.views import related_respondents

    add_cases(
        db,
        closed("r1", "A", D(2026, 1, 2), None, None, respondent_id="X", amount_applied=100.0),
        closed("r2", "B", D(2026, 2, 2), None, None, respondent_id="X", amount_applied=50.0),
        closed("r3", "A", D(2026, 2, 2), D(2026, 3, 1), "withdrawn", respondent_id="X"),  # closed
        closed("r4", "A", D(2026, 2, 2), None, None, respondent_id="Y"),   # only one case
        closed("r5", "C", D(2026, 2, 2), None, None, respondent_id="X"),   # other province
    )
    frame = related_respondents(db, Access("s", "supervisor", "A", "琼"), Filters(as_of=AS_OF))
    # X has two pending cases in the user's province (A, B); C is outside the scope
    from supervision.security import personal

    # the respondent is keyed by its keyed reference (no ID number in a URL), its ID number
    # masked for a supervisor (one character: starred whole)
    assert frame.select("respondent_key", "respondent_id", "cases", "courts",
                        "value_yuan").rows() == [(personal.reference("X"), "*", 2, 2, 150.0)]


@pytest.mark.parametrize("path", ["memory", "scan"])
def test_province_ranking_pools_its_courts_and_counts_those_meeting_the_standard(db, path):
    add_cases(
        db,
        # A (琼): 1 concluded, fully performed; 1 pending. Three years: 1 of 2 concluded,
        # 0.5 < 0.8: A misses the standard
        closed("a1", "A", D(2026, 1, 5), D(2026, 3, 1), "fully_performed"),
        closed("a2", "A", D(2026, 2, 1), None, None),
        # B (琼): 2 concluded, 1 fully performed, 1 qualified 终本 (4 months, every
        # condition); three years 2 of 2; its petition resolved: B meets the standard
        closed("b1", "B", D(2026, 1, 5), D(2026, 2, 1), "fully_performed"),
        closed("b2", "B", D(2026, 1, 5), D(2026, 5, 6), "terminated_current"),
        # C (京): 1 concluded, fully performed; its petition is still open: 0 of 1 resolved
        closed("c1", "C", D(2026, 1, 5), D(2026, 2, 1), "fully_performed"),
    )
    db.execute("""INSERT INTO petitions VALUES
        ('x1', 'b1', '2026-03-01', '2026-03-10'),
        ('x2', 'c1', '2026-03-01', NULL)""")
    f = Filters(as_of=AS_OF)
    counts = None if path == "memory" else (lambda: metrics.court_counts(db, f, None))
    ranked = metrics.province_ranking(db, f, counts)
    by_province = {r["province"]: r for r in ranked.iter_rows(named=True)}
    hainan, beijing = by_province["琼"], by_province["京"]
    # 琼 pools A and B: 3 concluded, 2 fully performed, 4 handled (a2 pending)
    assert (hainan["concluded"], hainan["fully_performed"], hainan["handled"]) == (3, 2, 4)
    assert hainan["rate"] == pytest.approx(2 / 3)
    assert beijing["rate"] == pytest.approx(1.0)
    assert (beijing["rank"], hainan["rank"]) == (1, 2)
    # of 琼's 2 courts, B meets the 3+1 standard: 0.5 < 0.9; of 京's 1, none
    assert (hainan["courts"], hainan["courts_meeting_standard"]) == (2, 1)
    assert hainan["share_meeting_standard"] == pytest.approx(0.5)
    assert (beijing["courts"], beijing["courts_meeting_standard"]) == (1, 0)
    assert not hainan["province_meets_standard"] and not beijing["province_meets_standard"]


def test_the_amount_gap_is_exact_for_the_cutoff_court_and_below_it():
    """Amount metric, top 1. A applied 34,234,786 and recovered 7,913,390 (23.1 %, 1st: the
    cutoff itself; in floating point cutoff × applied − recovered came out above 0 and the
    gap 1 yuan). B 4,000,000 applied, 3,000,000 recovered; C the cutoff of a second group,
    3,900,000 of 4,000,000 (97.5 %), and D 3,000,000 of 4,000,000 below it:
    3,900,000 − 3,000,000 = 900,000 yuan exactly. E recovered 1 fen short of 75 % of
    1,000,000.03 yuan against a cutoff of 3 ÷ 4: ⌈750,000.0225 − 750,000.01⌉ = 1 yuan."""
    from supervision.engine import ranking

    counts = pl.DataFrame({
        "group": ["g1", "g1", "g2", "g2", "g3", "g3"],
        "court_code": ["A", "B", "C", "D", "F", "E"],
        "concluded": [3, 3, 3, 3, 3, 3], "fully_performed": [0] * 6,
        "amount_applied": [34_234_786.0, 4_000_000.0, 4_000_000.0, 4_000_000.0, 4.0,
                           1_000_000.03],
        "amount_recovered": [7_913_390.0, 0.0, 3_900_000.0, 3_000_000.0, 3.0, 750_000.01],
    }).with_columns(metric=pl.lit(ranking.AMOUNT_RECOVERY_RATE), target_rank=pl.lit(1),
                    min_concluded=pl.lit(3))
    out = ranking.rank(counts, ["group"])
    gaps = dict(zip(out["court_code"], out["amount_gap"], strict=True))
    # B: ⌈7,913,390 × 4,000,000 ÷ 34,234,786 − 0⌉ = ⌈924,602.25⌉ = 924,603
    assert gaps == {"A": 0.0, "B": 924_603.0, "C": 0.0, "D": 900_000.0, "F": 0.0, "E": 1.0}
