"""The counts from the cases in memory (queries/memory_cases.sql, derived at each as-of
date and counted by supervision/engine/memory_counts.py and memory_core_counts.py) against
the SQL reference (tests/sql/court_rank_counts.sql, court_counts.sql): the two paths may not
drift. Hand-worked on a few cases, then compared row for row on the generated demo under
several filters, weeks and as-of dates (the previous year's included)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from supervision.data.db import connect
from supervision.data.lookups import specific_types
from supervision.domain.filters import Filters
from supervision.engine import memory_core_counts, memory_counts, metrics
from supervision.engine.projection import PACE_WEEKS
from tests.conftest import DEMO_END, D, add_cases, closed
from tests.sql_reference import run_reference

AS_OF = D(2026, 6, 30)   # a Tuesday; week 0 is 24–30 June, week 1 is 17–23 June


def test_weeks_back_count_what_was_concluded_by_then(db):
    add_cases(db,
              closed("w0", "A", D(2026, 1, 5), AS_OF, "fully_performed"),               # week 0
              closed("w0b", "A", D(2026, 1, 5), D(2026, 6, 24), "terminated_current"),  # week 0
              closed("w1", "A", D(2026, 1, 5), D(2026, 6, 23), "fully_performed"),      # week 1
              closed("w3", "A", D(2026, 1, 5), D(2026, 6, 9), "terminated_current"),    # week 3
              closed("old", "A", D(2025, 1, 5), D(2025, 12, 31), "fully_performed"),    # 2025
              closed("p", "A", D(2026, 1, 5), None, None),                              # pending
              closed("x", "A", D(2026, 1, 5), D(2026, 6, 1), "transferred"))           # left out
    f = Filters(as_of=AS_OF)

    def overall(weeks_back: int) -> dict:
        ranks = metrics.court_ranks(db, f, ["A"], weeks_back=weeks_back)
        return ranks.filter(pl.col("ranking") == "overall").row(0, named=True)

    # now: 4 concluded in 2026 (w0, w0b, w1, w3), 2 fully performed; 1 pending
    assert (overall(0)["concluded"], overall(0)["fully_performed"], overall(0)["pending"]) \
        == (4, 2, 1)
    # on 23 June: w1 and w3 concluded, 1 fully performed; pending is not told for then
    assert (overall(1)["concluded"], overall(1)["fully_performed"]) == (2, 1)
    assert overall(1)["pending"] is None
    # on 16 June and 9 June: only w3
    assert overall(2)["concluded"] == overall(3)["concluded"] == 1
    assert overall(4)["concluded"] == 0
    # the pace counts the last 8 weeks (all four here) and the weekly trend accumulates
    pace = metrics.year_end_projection(db, f).filter(pl.col("court_code") == "A").row(
        0, named=True)
    assert (pace["concluded_8w"], pace["fully_performed_8w"], pace["pending"]) == (4, 2, 1)
    trend = metrics.weekly_ranks(db, f, "overall", ["A"])
    by_week = dict(zip(trend["week_end"], trend["concluded"], strict=True))
    assert by_week[AS_OF] == 4 and by_week[D(2026, 6, 23)] == 2
    assert by_week[D(2026, 6, 16)] == by_week[D(2026, 6, 9)] == 1
    assert by_week[D(2026, 6, 2)] == 0 and min(by_week) == D(2026, 1, 6)


def test_the_sidebar_filters_keep_the_cases_cases_in_scope_keeps(db):
    # the value range is [min, max) to the fen; priority, complexity and type are "one of"
    def case(number: str, amount: float, **extra) -> dict:
        return closed(number, "A", D(2026, 1, 5), D(2026, 6, 1), "fully_performed",
                      amount_applied=amount, amount_recovered=amount / 2, **extra)

    add_cases(db,
              case("at_min", 10_000.00),                      # kept: the lower bound is in
              case("below_min", 9_999.99),                    # out: a fen below
              case("below_max", 49_999.99, priority="high"),  # kept
              case("at_max", 50_000.00),                      # out: the upper bound is not
              case("low", 20_000.00, priority="low"),          # out by priority
              case("complex", 20_000.00, complexity="complex"),  # out by complexity
              case("wage", 20_000.00, case_type="wage"),       # out by case type
              case("other", 30_000.00, case_type="other"))     # kept
    f = Filters(as_of=AS_OF, value_min=10_000.0, value_max=50_000.0,
                priorities=("normal", "high"), complexities=("ordinary",),
                case_types=("loan", "other"))
    ranks = metrics.court_ranks(db, f, ["A"])
    overall = ranks.filter(pl.col("ranking") == "overall").row(0, named=True)
    # at_min + below_max + other: 3 cases, 10,000 + 49,999.99 + 30,000 applied, half recovered
    assert overall["concluded"] == overall["fully_performed"] == 3
    assert overall["amount_applied"] == 89_999.99
    assert overall["amount_recovered"] == pytest.approx(44_999.995, abs=0.011)
    loan = ranks.filter(pl.col("ranking") == "loan").row(0, named=True)
    assert loan["concluded"] == 2 and loan["amount_applied"] == 59_999.99
    assert ranks.filter(pl.col("ranking") == "wage")["concluded"].to_list() == [0]
    raw = _raw(db, f).filter(pl.col("court_code") == "A").sort("ranking")
    assert_frame_equal(ranks.select(raw.columns[:-1]).sort("ranking"),
                       raw.select(raw.columns[:-1]), check_dtypes=False)


def _sorted_cases(fen: np.ndarray, **indices: np.ndarray) -> memory_counts.Cases:
    """Cases of amounts `fen` (sorted within each combination), 2 priorities × 2
    complexities × 3 types; the indices default to 0."""
    codes = {"priorities": ("high", "low"), "complexities": ("simple", "complex"),
             "case_types": ("loan", "wage", "lease")}
    zeros = np.zeros(fen.size, np.int8)
    segment = ("priority_index", "complexity_index", "case_type_index")
    arrays = {"applied_fen": fen, "court_index": zeros.astype(np.int16),
              **{c: indices.get(c, zeros) for c in segment}}
    petitions = {c: np.zeros(0, np.int8) for c in ("court_index", *segment)}
    return memory_counts.Cases.from_arrays(arrays, petitions, courts=pl.DataFrame(),
                                           specific=(), **codes)


def test_a_value_bound_selects_what_the_sql_comparison_selects():
    # the cases in memory hold amounts in fen; a bound is compared as SQL compares
    # CAST(amount AS DOUBLE): fen / 100 >= bound, even for bounds between two fen
    rng = np.random.default_rng(3)
    fen = np.sort(rng.integers(0, 5_000, 2_000).astype(np.float64))
    cases = _sorted_cases(fen)
    bounds = [0.1 + 0.2, 0.3, 12.345, 12.35, 12.355, 49.99, 50.0, -1.0, 1e9, 0.0,
              *rng.uniform(0, 50, 200)]
    at = np.arange(fen.size)
    for low in bounds:
        for high in (None, low + 0.005, low + 7.3):
            rows = memory_counts.selected_rows(cases, low, high, None, None, None).rows
            expected = (fen / 100 >= low) & ((fen / 100 < high) if high is not None else True)
            assert memory_counts.gathered(at, rows).tolist() == np.flatnonzero(expected).tolist()
    assert memory_counts.selected_rows(cases, float("nan"), None, None, None, None).rows == ()


def test_a_filter_selects_its_combinations_value_range_in_each():
    # 12 combinations of priority × complexity × type, each sorted by amount; the rows a
    # filter keeps are those a mask over every case keeps, as slices in row order
    rng = np.random.default_rng(5)
    n = 3_000
    p, c, t = (rng.integers(0, k, n).astype(np.int8) for k in (2, 2, 3))
    fen = rng.integers(0, 10_000, n).astype(np.float64)
    order = np.lexsort((fen, t, c, p))
    cases = _sorted_cases(fen[order], priority_index=p[order], complexity_index=c[order],
                          case_type_index=t[order])
    p, c, t, fen = p[order], c[order], t[order], fen[order]
    assert cases.segments.tolist()[0] == 0 and cases.segments[-1] == n
    at = np.arange(n)
    for low, high, priorities, complexities, types in [
            (None, None, None, None, None), (12.5, 70.0, None, None, None),
            (None, None, ("low",), None, None), (10.0, None, ("high",), ("complex",), None),
            (None, 55.55, None, ("simple",), ("wage", "lease")),
            (30.0, 30.0, None, None, None), (0.0, 100.0, ("high", "low"), None, ("lease",))]:
        rows = memory_counts.selected_rows(cases, low, high, priorities, complexities,
                                           types).rows
        keep = ((fen / 100 >= (low if low is not None else -np.inf))
                & (fen / 100 < (high if high is not None else np.inf))
                & np.isin(p, [("high", "low").index(x) for x in priorities or ("high", "low")])
                & np.isin(c, [("simple", "complex").index(x)
                              for x in complexities or ("simple", "complex")])
                & np.isin(t, [("loan", "wage", "lease").index(x)
                              for x in types or ("loan", "wage", "lease")]))
        assert memory_counts.gathered(at, rows).tolist() == np.flatnonzero(keep).tolist()
        # no filter: one slice of every case (a view, no copy)
        if low is high is priorities is complexities is types is None:
            assert rows == (slice(0, n),)


def test_cases_not_sorted_by_combination_and_amount_are_refused():
    fen = np.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="not sorted"):     # amounts down within one
        _sorted_cases(fen[::-1].copy())
    with pytest.raises(ValueError, match="not sorted"):     # a combination before the last
        _sorted_cases(fen, case_type_index=np.array([0, 2, 1], np.int8))
    # sorted by combination first: an amount may go down where the combination changes
    assert _sorted_cases(np.array([5.0, 1.0, 2.0]),
                         case_type_index=np.array([0, 1, 1], np.int8)).segments.tolist() == \
        [0, 1, 3, *[3] * 10]


@pytest.fixture(scope="module")
def demo(demo_db) -> duckdb.DuckDBPyConnection:
    con = connect(demo_db, read_only=True)
    yield con
    con.close()


FILTERS = [
    {},
    {"value_min": 10_000.0, "value_max": 5_000_000.0},
    {"priorities": ("high", "normal"), "complexities": ("complex",)},
    {"case_types": ("livelihood",)},
    {"case_types": ("financial_loan", "lease"), "value_min": 50_000.0},
]


def _raw(con: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    return run_reference(con, "court_rank_counts", scope=f.scope(national=True), **f.params())


KEYS = ["ranking", "court_code"]
COUNTS = ["concluded", "fully_performed", "amount_applied", "amount_recovered"]


@pytest.mark.parametrize("chosen", FILTERS)
def test_the_aggregate_path_and_the_raw_path_agree_on_the_demo(demo, chosen):
    f = Filters(as_of=DEMO_END, **chosen)
    aggregate = metrics.rank_aggregate(demo, f)
    courts = metrics.all_courts(demo)
    specific = specific_types(demo)
    assert aggregate.courts.equals(courts) and aggregate.specific == specific
    for weeks_back in (0, 1, 2, 8):
        then = f.with_(as_of=f.as_of - dt.timedelta(days=7 * weeks_back))
        derived = metrics.national_ranks(demo, f, aggregate, weeks_back)   # its counts
        raw = _raw(demo, then)
        columns = KEYS + COUNTS + (["pending"] if weeks_back == 0 else [])
        assert_frame_equal(derived.select(columns).sort(KEYS), raw.select(columns).sort(KEYS),
                           check_dtypes=False, abs_tol=0.01)
        assert raw["concluded"].sum() > 0
    # the ranks a week before are those computed at that date
    week_ago = f.with_(as_of=f.as_of - dt.timedelta(days=7))
    ranked = ["ranking", "court_code", "rank", "cutoff", "gap", "is_ranked"]
    assert_frame_equal(metrics.national_ranks(demo, f, aggregate, weeks_back=1).select(ranked),
                       metrics.national_ranks(demo, week_ago).select(ranked))


@pytest.mark.parametrize("chosen", FILTERS)
def test_a_subset_counted_for_now_is_its_counts_by_week_summed(demo, chosen):
    # a sidebar's subset is counted for now only (its rank now, 3+1 counts and province
    # ranking need no week): every cell the sum of its weeks, the pending the same; a week
    # back or a trend asked of those counts is refused, not answered with zeros
    f = Filters(as_of=DEMO_END, **chosen)
    by_week = metrics.rank_aggregate(demo, f).counts
    now = metrics.rank_aggregate(demo, f, by_week=False).counts
    assert by_week.by_week and now.by_week is (not f.narrows())
    for column in COUNTS:
        assert np.array_equal(now.weeks(column), by_week.weeks(column))
        assert now.weeks(column).sum() > 0
    assert np.array_equal(now.pending, by_week.pending) and now.pending.sum() > 0
    if f.narrows():
        with pytest.raises(ValueError, match="for now, not by week"):
            now.weeks("concluded", 1)
        with pytest.raises(ValueError, match="for now, not by week"):
            memory_counts.weekly_grid(now, "overall", f.as_of, f.start)


def test_a_trend_of_an_unknown_ranking_is_refused(demo):
    with pytest.raises(ValueError, match="no ranking 'nonexistent'"):
        metrics.weekly_ranks(demo, Filters(as_of=DEMO_END), "nonexistent", ["HI720"])


def test_the_pace_is_the_difference_of_the_raw_counts_eight_weeks_apart(demo):
    f = Filters(as_of=DEMO_END, value_min=10_000.0)
    pace = metrics.year_end_projection(demo, f).sort("court_code")
    before = f.with_(as_of=f.as_of - dt.timedelta(days=7 * PACE_WEEKS))
    now, then = (_raw(demo, g).filter(pl.col("ranking") == "overall").sort("court_code")
                 for g in (f, before))
    assert pace["concluded"].to_list() == now["concluded"].to_list()
    assert pace["concluded_8w"].to_list() == (now["concluded"] - then["concluded"]).to_list()
    assert pace["fully_performed_8w"].to_list() == \
        (now["fully_performed"] - then["fully_performed"]).to_list()
    assert pace["pending"].to_list() == now["pending"].to_list()
    assert pace["concluded_8w"].sum() > 0


@pytest.mark.parametrize("trend", ["overall", "livelihood"])
def test_each_week_of_the_trend_is_the_raw_count_at_that_weeks_end(demo, trend):
    f = Filters(as_of=DEMO_END, value_min=10_000.0)
    weekly = metrics.weekly_ranks(demo, f, trend, metrics.all_courts(demo)["court_code"])
    for weeks_back in (0, 3, 20):
        then = f.as_of - dt.timedelta(days=7 * weeks_back)
        raw = _raw(demo, f.with_(as_of=then)).filter(pl.col("ranking") == trend)
        week = weekly.filter(pl.col("week_end") == then)
        assert_frame_equal(week.select("court_code", *COUNTS).sort("court_code"),
                           raw.select("court_code", *COUNTS).sort("court_code"),
                           check_dtypes=False, abs_tol=0.01)
        assert week["concluded"].sum() > 0


@pytest.mark.parametrize("trend", ["overall", "livelihood"])
def test_each_week_of_the_trend_ranks_as_the_ranking_of_that_week(demo_db, tmp_path, trend):
    # the trend's ranks and cutoffs (ranking.rank_columns, every court of every week) are
    # the national ranking's (ranking.rank) as of that week's end, court by court, on both
    # metrics; and with a minimum no court reaches, no rank and no cutoff (null, not NaN)
    shutil.copy(demo_db, tmp_path / "demo.duckdb")
    demo = connect(tmp_path / "demo.duckdb")
    for metric, minimum in (("overall_rate", 3), ("amount_recovery_rate", 3),
                            ("overall_rate", 10**9)):
        demo.execute("UPDATE targets SET metric = ?, min_concluded = ?", [metric, minimum])
        f = Filters(as_of=DEMO_END, priorities=("high", "normal"))
        codes = metrics.all_courts(demo)["court_code"]
        # one count of the cases for both (the counts are held to the SQL elsewhere)
        aggregate = metrics.rank_aggregate(demo, f)
        weekly = metrics.weekly_ranks(demo, f, trend, codes, aggregate)
        assert set(weekly["metric"]) == {metric}
        for weeks_back in (0, 1, 5, 30):
            week = weekly.filter(pl.col("week_end") == f.as_of - dt.timedelta(days=7 * weeks_back))
            ranked = metrics.national_ranks(demo, f, aggregate, weeks_back=weeks_back).filter(
                pl.col("ranking") == trend)
            assert_frame_equal(week.select("court_code", "rate", "rank", "cutoff"),
                               ranked.select("court_code", "rate", "rank", "cutoff")
                               .sort("court_code"))
            if minimum == 3:
                assert week["rank"].drop_nulls().len() > 5
            else:
                assert week["rank"].null_count() == week["cutoff"].null_count() == week.height
    demo.close()


def test_the_presidents_province_rate_is_the_province_rankings_rate(demo):
    # two paths to a province's pooled rate: the rank counts (targets page) and court_counts
    # (the province ranking); a president's chart shows the one beside the other's table
    from supervision import views
    from supervision.security.access import Access

    president = Access("p", "president", "HI720", "琼")
    for chosen in FILTERS[:3]:
        f = Filters(as_of=DEMO_END, **chosen)
        page = views.targets_view(demo, president, f, "HI720")
        # the targets page's pooled rate is official (every case), whatever the filter
        provinces = views.province_ranking_view(demo, president, f.official())
        own = provinces.filter(pl.col("province") == "琼").row(0, named=True)
        assert own["concluded"] > 0
        assert page["province_overall_rate"] == pytest.approx(own["overall_rate"], abs=1e-12)


# as-of dates across the demo's last year: a Monday, the 1st of a month, the last day of
# the previous year, its first week and the day before the demo's last
DATES = [DEMO_END - dt.timedelta(days=1), dt.date(2026, 9, 1), dt.date(2026, 1, 4),
         dt.date(2025, 12, 31), dt.date(2025, 12, 29)]


@pytest.mark.parametrize("as_of", DATES)
def test_any_as_of_date_is_counted_from_memory_as_the_sql_counts_it(demo, as_of):
    # the cases in memory are read once, whatever the date; each date derives who is
    # concluded, pending or left out then (memory_counts.dated): the SQL's ranks and 3+1
    # counts, court by court, the previous year's period included
    for chosen in (FILTERS[0], FILTERS[2]):
        f = Filters(as_of=as_of, **chosen)
        derived = metrics.national_ranks(demo, f)      # the counts it ranks
        raw = _raw(demo, f)
        columns = KEYS + COUNTS + ["pending"]
        assert_frame_equal(derived.select(columns).sort(KEYS), raw.select(columns).sort(KEYS),
                           check_dtypes=False, abs_tol=0.01)
        scanned = metrics.as_core_indices(metrics.court_counts(demo, f, None))
        courts = metrics.court_core_counts(demo, f)
        assert_frame_equal(
            courts.sort("court_code"),
            scanned.filter(pl.col("level") == "court").select(courts.columns).sort("court_code"),
            check_dtypes=False, check_exact=False, rel_tol=1e-12, abs_tol=1e-9)
        assert raw["pending"].sum() > 0 and courts["property_due"].sum() > 0


@pytest.mark.parametrize("as_of", DATES[:3])
def test_a_dates_own_counts_are_those_of_every_case_counted_by_slices(demo, as_of,
                                                                     monkeypatch):
    # the default view (every case) is counted with the date (Dated.official, core_counts),
    # in runs of rows; counting every case as a filter's slices are counted gives the same
    f = Filters(as_of=as_of)
    cases = metrics._memory_cases(demo, f)
    whole = memory_counts.dated(cases, as_of, f.start)       # one run (the SQL's, above)
    monkeypatch.setattr(memory_counts, "PART_ROWS", 997)    # several runs, one short
    assert cases.columns["traits"].size > 3 * 997
    at = memory_counts.dated(cases, as_of, f.start)
    for field in ("concluded_rows", "concluded_cell", "pending_rows", "pending_cell",
                  "core_combo", "core_counts"):
        assert np.array_equal(getattr(at, field), getattr(whole, field)), field
    every = memory_counts.selected_rows(cases, None, None, None, None, None)
    assert every.every_case and memory_counts.count_cells(cases, at, every) is at.official
    # the same rows as slices: split at each combination, so the slice path runs
    sliced = dataclasses.replace(every, every_case=False, rows=tuple(
        slice(int(a), int(b)) for a, b in zip(cases.segments[:-1], cases.segments[1:],
                                              strict=True) if b > a))
    assert len(sliced.rows) > 1
    counted = memory_counts.count_cells(cases, at, sliced)
    for column, grid in at.official.grid.items():
        assert np.array_equal(grid, counted.grid[column]), column
    assert at.official.grid["concluded"].sum() > 0
    cells = memory_counts.count_cells(cases, at, every)
    assert_frame_equal(
        memory_core_counts.court_core_counts(cases, memory_counts.default_view(cases, at).core,
                                             cells),
        memory_core_counts.court_core_counts(
            cases, memory_core_counts.subset_core(cases, at, sliced), cells))
    assert at.core_counts.sum() == cases.columns["traits"].size


def test_a_trend_of_any_ranking_comes_from_one_aggregate(demo):
    f = Filters(as_of=DEMO_END)
    aggregate = metrics.rank_aggregate(demo, f)
    for trend in ("overall", "livelihood"):
        assert_frame_equal(metrics.weekly_ranks(demo, f, trend, ["HI720"], aggregate),
                           metrics.weekly_ranks(demo, f, trend, ["HI720"]))


@pytest.mark.parametrize("chosen", FILTERS[:3])
def test_core_indices_of_visible_courts_are_those_of_the_national_scan(demo, chosen):
    # the brief and the province view read only their provinces' cases; every court row and
    # the province rows must be what the national scan gives
    f = Filters(as_of=DEMO_END, **chosen)
    national = metrics.as_core_indices(metrics.court_counts(demo, f, None))
    courts = metrics.all_courts(demo)
    hainan = courts.filter(pl.col("province") == "琼")["court_code"].to_list()
    other = courts.filter(pl.col("province") != "琼")["court_code"][0]
    for visible in (["HI720"], hainan, ["HI720", other]):
        scoped = metrics.core_indices(demo, f, visible)
        assert "nation" not in scoped["level"].to_list()
        provinces = courts.filter(pl.col("court_code").is_in(visible))["province"].unique()
        expected = national.filter(
            ((pl.col("level") == "court") & pl.col("court_code").is_in(visible))
            | ((pl.col("level") == "province") & pl.col("province").is_in(provinces.implode())))
        assert scoped.height == len(visible) + provinces.len()
        assert_frame_equal(scoped.sort("level", "province", "court_code"),
                           expected.sort("level", "province", "court_code"))


@pytest.mark.parametrize("chosen", [*FILTERS, {"value_min": 12_345.67, "value_max": 12_345.68},
                                    {"value_min": 1e12}])
def test_core_counts_from_memory_are_those_of_the_scan(demo, chosen):
    # the province ranking counts the 3+1 indices from the cases in memory
    # (supervision.engine.memory_core_counts); court by court and province by province, they are
    # court_counts.sql's
    for as_of in (DEMO_END, DEMO_END - dt.timedelta(days=40)):
        f = Filters(as_of=as_of, **chosen)
        scanned = metrics.as_core_indices(metrics.court_counts(demo, f, None))
        courts = metrics.court_core_counts(demo, f)
        assert_frame_equal(
            courts.sort("court_code"),
            scanned.filter(pl.col("level") == "court").select(courts.columns).sort("court_code"),
            check_dtypes=False, check_exact=False, rel_tol=1e-12, abs_tol=1e-9)
        pooled = memory_core_counts.pooled_by_province(courts)
        provinces = scanned.filter(pl.col("level") == "province").select(pooled.columns)
        # a province with no case in the subset has no row in the scan; here it is zeros
        empty = pooled.filter(~pl.col("province").is_in(provinces["province"].implode()))
        assert (empty["handled"] == 0).all() and (empty["three_year_cases"] == 0).all()
        assert_frame_equal(
            pooled.join(provinces.select("province"), on="province").sort("province"),
            provinces.sort("province"),
            check_dtypes=False, check_exact=False, rel_tol=1e-12, abs_tol=1e-9)
        if chosen in FILTERS:   # the two last: a fen's range, and no case at all
            assert courts["three_year_cases"].sum() > 0 < courts["terminations"].sum()


@pytest.mark.parametrize("chosen", FILTERS[:3])
def test_the_briefs_core_indices_from_memory_are_those_of_its_provinces_scan(demo, chosen):
    # the brief counts its court's and province's 3+1 indices from the cases in memory;
    # the province view scans its provinces' cases (core_indices): the same rows
    f = Filters(as_of=DEMO_END, **chosen)
    for visible in (["HI720"], ["HI720", "HI100"]):
        memory = metrics.core_indices_from_memory(demo, f, visible)
        scanned = metrics.core_indices(demo, f, visible).select(memory.columns)
        assert memory.height == len(visible) + 1 > 1
        assert_frame_equal(memory.sort("level", "province", "court_code"),
                           scanned.sort("level", "province", "court_code"),
                           check_dtypes=False, check_exact=False, rel_tol=1e-12)
