"""The sidebar's filters (supervision.domain.filters.SIDEBAR_FILTERS: case types, the value
range [min, max) in yuan, priorities, complexities) applied to the cases in memory
(supervision/engine/memory_counts.py, memory_core_counts.py, through the public functions of
supervision/engine/metrics.py the pages call) give, court by court, the counts the SQL gives
straight from the case table (tests/sql/court_rank_counts.sql, queries/court_counts.sql),
on random filters and as-of dates over one hand-built database.

The database (built once for the module, from a seeded generator) has 8 courts in 3
provinces and a 4th province without a court, every priority, complexity and closing method,
five case types (three ranked, two pooled in the 'other' bucket), amounts on and beside the
fen edges the value bounds are drawn at, closings clustered on a few dates (so that an as-of
date or a week back from it falls on a week boundary), petitions and 终本 conditions.

The in-memory path is called on a connection to a served version (as the server reads it:
results shared by sessions, the default view's cases kept on disk); the SQL reference on a
plain read-only connection to the same file, where nothing is shared. Counts and rates are
compared exactly (amounts are whole fen on both paths).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from supervision.data.db import connect, connect_current_version
from supervision.data.lookups import latest_date, specific_types, targets
from supervision.domain import vocabulary
from supervision.domain.filters import SIDEBAR_FILTERS, Filters
from supervision.engine import memory_core_counts, metrics, ranking, single_flight
from tests.conftest import add_cases, make_db
from tests.sql_reference import run_reference

D = dt.date
SEED = 20261204
N_CASES = 420

COURTS = [("A", "琼"), ("B", "琼"), ("C", "琼"), ("D", "京"), ("E", "京"), ("F", "京"),
          ("G", "沪"), ("H", "沪")]
# 沪 holds two courts; 渝 none (the province ranking lists it with no counts)
EXTRA_PROVINCES = [("沪", "上海市", "Shanghai", 3), ("渝", "重庆市", "Chongqing", 4)]
# make_db gives loan and wage (ranked) and other (not); two more: lease ranked, misc not,
# so that the unranked bucket pools two types
EXTRA_TYPES = [("lease", "租赁", "Lease", True), ("misc", "杂项", "Misc", False)]
CASE_TYPES = ("loan", "wage", "other", "lease", "misc")
PRIORITIES = tuple(vocabulary.codes(vocabulary.PRIORITIES))
COMPLEXITIES = tuple(vocabulary.codes(vocabulary.COMPLEXITIES))
METHODS = tuple(vocabulary.codes(vocabulary.CLOSING_METHODS))

# amounts (yuan) on the edges a bound is drawn at: a fen apart, round sums, 万元 steps
EDGE_AMOUNTS = (0.0, 0.01, 0.07, 0.29, 0.99, 1.0, 99.99, 100.0, 100.01, 9_999.99, 10_000.0,
                10_000.01, 12_345.67, 12_345.68, 49_999.99, 50_000.0, 50_000.01, 123_400.0,
                999_999.99, 1_000_000.0, 1_234_567.89)
# closings cluster on these days (the as-of dates are drawn on them and whole weeks after)
ANCHORS = (D(2024, 3, 4), D(2024, 12, 31), D(2025, 1, 1), D(2025, 2, 28), D(2025, 6, 30),
           D(2025, 12, 29), D(2026, 1, 4), D(2026, 1, 5), D(2026, 3, 31), D(2026, 6, 1),
           D(2026, 9, 15), D(2026, 11, 20), D(2026, 11, 25))
FIRST_FILED, LAST_DAY = D(2021, 1, 1), D(2026, 11, 30)


def hand_built_cases(seed: int = SEED, n: int = N_CASES) -> tuple[list[dict], list[tuple]]:
    """`n` cases over COURTS and their petitions, drawn from a seeded generator: every
    priority, complexity, case type and closing method, amounts half on EDGE_AMOUNTS,
    half of the closings on ANCHORS, 终本 conditions true, false or unknown."""
    rng = np.random.default_rng(seed)
    days = (LAST_DAY - FIRST_FILED).days
    filed = np.array(FIRST_FILED, dtype="datetime64[D]") + rng.integers(0, days, n)
    # the first cases: each edge amount three times, filed by 2024, with petitions in 2025
    # and 2026 (so that a bound on an edge decides whether a petition counts)
    edged = 3 * len(EDGE_AMOUNTS)
    filed[:edged] = np.datetime64("2023-01-01") + rng.integers(0, 700, edged)
    # a third pending, the rest closed a few days to a year and a half after filing, or on
    # the anchor day after filing
    anchors = np.array(ANCHORS, dtype="datetime64[D]")
    after = filed + rng.integers(0, 540, n)
    anchored = anchors[rng.integers(0, anchors.size, n)]
    closed = np.where((rng.random(n) < 0.5) & (anchored >= filed), anchored, after)
    closed = np.minimum(closed, np.datetime64(LAST_DAY))
    is_closed = rng.random(n) < 0.67
    fen = rng.integers(0, 300_000_000, n)
    edge = np.round(np.array(EDGE_AMOUNTS) * 100).astype(np.int64)[rng.integers(
        0, len(EDGE_AMOUNTS), n)]
    applied_fen = np.where(rng.random(n) < 0.5, edge, fen)
    applied_fen[:edged] = np.round(np.array(EDGE_AMOUNTS * 3) * 100).astype(np.int64)
    recovered_fen = (applied_fen * rng.random(n)).astype(np.int64)
    condition = np.array([True, True, True, False, None], dtype=object)

    def pick(values: tuple, size: int = n) -> np.ndarray:
        return np.array(values, dtype=object)[rng.integers(0, len(values), size)]

    frame = pl.DataFrame({
        "case_number": [f"c{i:04d}" for i in range(n)],
        "court_code": pick(tuple(c for c, _ in COURTS)),
        "filed_on": filed.astype(dt.date),
        "closed_on": np.where(is_closed, closed, np.datetime64("NaT")).astype("datetime64[D]"),
        "closing_method": np.where(is_closed, pick(METHODS), None),
        "case_kind": pick(("first", "first", "resumed")),
        "case_type": pick(CASE_TYPES),
        "priority": pick(PRIORITIES),
        "complexity": pick(COMPLEXITIES),
        # a fen a whole number of yuan/100: exactly the DECIMAL(18, 2) stored
        "amount_applied": applied_fen / 100,
        "amount_recovered": recovered_fen / 100,
        "has_property": rng.random(n) < 0.7,
        **{c: pick(tuple(condition)) for c in (
            "notice_served", "consumption_restricted", "dishonest_listed",
            "network_inquiry_done", "site_investigation_done", "applicant_informed")},
    }, strict=False).with_columns(pl.col("closed_on").cast(pl.Date))
    # petitions: on the edge cases and a sixth of the others, one to three, received after
    # filing (the edge cases': in 2025 or 2026), some resolved
    chosen = np.flatnonzero((np.arange(n) < edged) | (rng.random(n) < 0.17))
    of_case = np.repeat(chosen, rng.integers(1, 4, chosen.size))
    received = np.where(
        of_case < edged,
        np.datetime64("2025-01-01") + rng.integers(0, (LAST_DAY - D(2025, 1, 1)).days,
                                                   of_case.size),
        filed[of_case] + rng.integers(0, 400, of_case.size))
    resolved = received + rng.integers(0, 90, of_case.size)
    petitions = pl.DataFrame({
        "petition_id": [f"p{k:04d}" for k in range(of_case.size)],
        "case_number": frame["case_number"].gather(of_case),
        "received_on": received.astype(dt.date),
        "resolved_on": np.where(rng.random(of_case.size) < 0.6, resolved,
                                np.datetime64("NaT")).astype("datetime64[D]"),
    }).with_columns(pl.col("resolved_on").cast(pl.Date))
    return frame.to_dicts(), petitions.rows()


CASES, PETITIONS = hand_built_cases()
CLOSING_DAYS = sorted({c["closed_on"] for c in CASES if c["closed_on"] is not None})


def test_the_hand_built_cases_cover_every_code_and_edge():
    # the property below is only as good as the data: every value a filter selects on, and
    # every closing method, occurs (and occurs closed in a period)
    frame = pl.DataFrame(CASES)
    for column, codes in (("priority", PRIORITIES), ("complexity", COMPLEXITIES),
                          ("case_type", CASE_TYPES), ("closing_method", METHODS),
                          ("court_code", tuple(c for c, _ in COURTS))):
        assert set(frame[column].drop_nulls()) == set(codes), column
    assert set(EDGE_AMOUNTS) <= set(frame["amount_applied"])
    combos = frame.select("priority", "complexity", "case_type").unique().height
    assert combos > 0.8 * len(PRIORITIES) * len(COMPLEXITIES) * len(CASE_TYPES)
    assert set(ANCHORS) <= set(CLOSING_DAYS)
    assert len(PETITIONS) > 100


def write_hand_built(path: Path) -> None:
    """The hand-built database at `path`: COURTS, the extra provinces and types, CASES and
    PETITIONS, and small targets, so that 8 courts rank, cut off and have gaps (the types
    on amounts)."""
    con = make_db(path, COURTS)
    con.executemany("INSERT INTO provinces VALUES (?, ?, ?, ?)", EXTRA_PROVINCES)
    con.executemany("INSERT INTO case_types VALUES (?, ?, ?, ?)", EXTRA_TYPES)
    con.execute("UPDATE targets SET target_rank = 3, min_concluded = 2")
    con.execute("UPDATE targets SET metric = 'amount_recovery_rate' "
                "WHERE target = 'specific_type'")
    add_cases(con, *CASES)
    con.executemany("INSERT INTO petitions VALUES (?, ?, ?, ?)", PETITIONS)
    con.close()


@pytest.fixture(scope="module")
def cons(tmp_path_factory) -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]:
    """(served, plain): a connection to the served version of the hand-built database (the
    in-memory path, shared as on the server) and a plain read-only one (the SQL reference)."""
    path = tmp_path_factory.mktemp("filters") / "cases.duckdb"
    write_hand_built(path)
    served, _version = connect_current_version(path)
    plain = connect(path, read_only=True)
    assert latest_date(plain) == LAST_DAY     # drawn by AS_OF: the default view
    assert single_flight.served_version(served) is not None
    assert single_flight.served_version(plain) is None
    yield served, plain
    served.close()
    plain.close()
    single_flight.forget()


# --- the draws -----------------------------------------------------------------------------

def _subset(codes: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...] | None]:
    """No restriction, or a non-empty subset of `codes` in any order (the sidebar's
    multiselect: nothing chosen is None)."""
    return st.one_of(st.none(), st.lists(st.sampled_from(codes), min_size=1,
                                         max_size=len(codes), unique=True).map(tuple))


# a bound: none, an amount on the data's edges, a fen (or half a fen) beside it, one typed
# in 万元 (times 10,000 in floating point, as the sidebar does), an edge worked out as
# fen × 0.01 (a last bit above fen / 100 for some: 99.99, 1,234,567.89), or any amount
_BOUND = st.one_of(
    st.none(),
    st.sampled_from(EDGE_AMOUNTS),
    st.sampled_from(EDGE_AMOUNTS).map(lambda a: round(a * 100) * 0.01),
    st.tuples(st.sampled_from(EDGE_AMOUNTS), st.sampled_from((0.0, 0.01, -0.01, 0.005)))
    .map(lambda a: a[0] + a[1]),
    st.sampled_from(EDGE_AMOUNTS).map(lambda a: round(a / 10_000, 6) * 10_000),
    st.floats(min_value=0.0, max_value=3_000_000.0),
)


NO_FILTER = dict.fromkeys(SIDEBAR_FILTERS)


@st.composite
def sidebar(draw) -> dict:
    """The sidebar's filters (SIDEBAR_FILTERS), each None or drawn."""
    chosen = dict(case_types=draw(_subset(CASE_TYPES)), value_min=draw(_BOUND),
                  value_max=draw(_BOUND), priorities=draw(_subset(PRIORITIES)),
                  complexities=draw(_subset(COMPLEXITIES)))
    assert set(chosen) == set(SIDEBAR_FILTERS)
    return chosen


# an as-of date: any day of the data's years (earlier years than the latest included), a
# closing day and whole weeks after it (a week back then ends on that day) or a day either
# side, the first days of a year, or the latest date (the default view)
AS_OF = st.one_of(
    st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)),
    st.tuples(st.sampled_from(ANCHORS + tuple(CLOSING_DAYS[::7])), st.integers(0, 9),
              st.sampled_from((-1, 0, 1)))
    .map(lambda a: a[0] + dt.timedelta(days=7 * a[1] + a[2])),
    st.dates(min_value=D(2025, 1, 1), max_value=D(2025, 1, 14)),
    st.just(LAST_DAY),
)

# each example asks the SQL reference two to four times (~50 ms each, DuckDB planning the
# macros, whatever the cases): the examples are as many as the file's time allows
SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
TREND_SETTINGS = settings(SETTINGS, max_examples=35)


# --- the SQL reference -------------------------------------------------------------------

KEYS = ["ranking", "court_code"]
RANK_COUNTS = ["province", "concluded", "fully_performed", "amount_applied",
               "amount_recovered"]
RANKED = ["metric", "target_rank", "min_concluded", "rate", "is_ranked", "rank",
          "ranked_courts", "cutoff", "gap", "amount_gap", "meets_target"]


def sql_rank_counts(plain: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    """tests/sql/court_rank_counts.sql on `f` (every court, national)."""
    return run_reference(plain, "court_rank_counts", scope=f.scope(national=True), **f.params())


def sql_ranks(plain: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    """Every court's counts and ranks, per ranking, straight from the case table."""
    counts = sql_rank_counts(plain, f)
    return ranking.rank(ranking.with_target(counts, targets(plain), specific_types(plain)),
                        over=["ranking"])


def back(f: Filters, weeks: int) -> Filters:
    """The filters as of `weeks` weeks before f.as_of, over f's period (the counts of a
    week back are those of the same period, up to that date)."""
    return f.with_(as_of=f.as_of - dt.timedelta(days=7 * weeks), period_start=f.start)


def equal(got: pl.DataFrame, want: pl.DataFrame, by: list[str], what: str) -> None:
    """Same rows, same values: counts and rates exactly."""
    try:
        assert_frame_equal(got.sort(by), want.select(got.columns).sort(by),
                           check_dtypes=False, check_exact=True)
    except AssertionError as e:
        e.add_note(what)
        raise


# --- the properties ----------------------------------------------------------------------

@SETTINGS
@given(chosen=sidebar(), as_of=AS_OF, week=st.integers(1, 8))
# no sidebar filter: the date's own counts (counted with the date, memory_counts.dated)
@example(chosen=NO_FILTER, as_of=D(2026, 3, 31), week=1)
def test_rank_counts_and_ranks_in_memory_are_the_sqls(cons, chosen, as_of, week):
    # every court × ranking (overall and each ranked type), now and a drawn number of weeks
    # back (one and two: the pages' "rank fell"; eight: the pace; or between), counted from
    # the cases in memory, is court_rank_counts.sql at that date; so are the ranks, cutoffs
    # and gaps ranked on them
    served, plain = cons
    f = Filters(as_of=as_of, **chosen)
    # the ranks now as a page's subset asks for them (no aggregate): a subset is counted
    # for now only (memory_counts.NOW_SLOTS), every case by week (the date's own counts)
    single_flight.forget()
    now_only = metrics.national_ranks(served, f)
    single_flight.forget()
    aggregate = metrics.rank_aggregate(served, f)
    for weeks in (0, week):
        got = metrics.national_ranks(served, f, aggregate, weeks_back=weeks)
        want = sql_ranks(plain, back(f, weeks))
        columns = KEYS + RANK_COUNTS + RANKED + (["pending"] if weeks == 0 else [])
        equal(got.select(columns), want, KEYS, f"{f}, {weeks} weeks back")
        if weeks == 0:
            equal(now_only.select(columns), want, KEYS, f"{f}, now only")


@TREND_SETTINGS
@given(chosen=sidebar(), as_of=AS_OF, trend=st.sampled_from(("overall", "loan", "lease")),
       weeks=st.lists(st.integers(0, 60), max_size=1))
def test_the_weekly_trend_and_the_pace_in_memory_are_the_sqls(cons, chosen, as_of, trend,
                                                               weeks):
    # the weekly trend of a ranking: each week's cumulative counts are court_rank_counts.sql
    # at that week's end (the first week, the last, and drawn ones); the year-end
    # projection's pace: the counts now less those eight weeks before
    served, plain = cons
    f = Filters(as_of=as_of, **chosen)
    aggregate = metrics.rank_aggregate(served, f)
    codes = [c for c, _ in COURTS]
    weekly = metrics.weekly_ranks(served, f, trend, codes, aggregate)
    reference: dict[int, pl.DataFrame] = {}

    def sql_at(k: int) -> pl.DataFrame:
        """court_rank_counts.sql on `trend`, k weeks back (each asked once)."""
        if k not in reference:
            reference[k] = sql_rank_counts(plain, back(f, k)).filter(
                pl.col("ranking") == trend)
        return reference[k]

    shown = sorted(set(weekly["week_end"]), reverse=True)
    assert shown == [f.as_of - dt.timedelta(days=7 * k) for k in range(len(shown))]
    assert shown[-1] - dt.timedelta(days=7) < f.start <= shown[-1] or len(shown) == \
        metrics.MAX_WEEKS
    for k in sorted({0, len(shown) - 1, *(w for w in weeks if w < len(shown))}):
        want = sql_at(k)
        got = weekly.filter(pl.col("week_end") == shown[k])
        equal(got.select("court_code", *RANK_COUNTS[1:]), want, ["court_code"],
              f"{f}, trend {trend}, week {k}")
    pace = metrics.year_end_projection(served, f, trend, aggregate)
    now, then = (sql_at(k).sort("court_code") for k in (0, 8))
    pace = pace.sort("court_code")
    assert pace["court_code"].to_list() == now["court_code"].to_list()
    for count in RANK_COUNTS[1:]:
        assert pace[count].to_list() == now[count].to_list(), (f, trend, count)
        # the difference of the two counts, in fen for the amounts (whole numbers, exact),
        # given in yuan as a sum of DECIMALs is: the nearest double
        fen = 100 if count.startswith("amount") else 1
        eight_weeks = (np.round(now[count].to_numpy() * fen)
                       - np.round(then[count].to_numpy() * fen)) / fen
        assert pace[f"{count}_8w"].to_list() == eight_weeks.tolist(), (f, trend, count)
    assert pace["pending"].to_list() == now["pending"].to_list()


@SETTINGS
@example(chosen=NO_FILTER, as_of=D(2025, 12, 29), visible=["A", "D", "G"])
@given(chosen=sidebar(), as_of=AS_OF,
       visible=st.lists(st.sampled_from([c for c, _ in COURTS]), min_size=1, max_size=3,
                        unique=True))
def test_core_counts_province_ranking_and_brief_in_memory_are_the_sqls(cons, chosen, as_of,
                                                                      visible):
    # every court's 3+1 counts and rates, handled, concluded, fully performed and amounts
    # counted in memory are court_counts.sql's court rows; the province ranking ranked on
    # them is the one ranked on that scan; the brief's court and province 3+1 indices are
    # those of its provinces' scan
    served, plain = cons
    f = Filters(as_of=as_of, **chosen)
    codes = [c for c, _ in COURTS]
    memory = metrics.court_core_counts(served, f)
    national = metrics.court_counts(plain, f, None)
    scanned = metrics.as_core_indices(national)
    assert scanned.filter(pl.col("level") == "court")["court_code"].sort().to_list() == codes
    equal(memory, scanned.filter(pl.col("level") == "court"), ["court_code"], f"{f}")

    # pooled per province (amounts in fen, one division), as the scan pools them
    keys = ["province"]
    pooled = memory_core_counts.pooled_by_province(memory)
    scanned_provinces = scanned.filter(pl.col("level") == "province")
    assert (pooled.join(scanned_provinces, on=keys, how="anti")["handled"] == 0).all()
    equal(pooled.join(scanned_provinces, on=keys, how="semi"), scanned_provinces, keys,
          f"{f}: provinces pooled")

    provinces = metrics.province_ranking(served, f)
    # on a connection that shares nothing, with the counts of that scan
    reference = metrics.province_ranking(plain, f, lambda: national)
    equal(provinces, reference, ["province"], f"{f}: province ranking")

    brief = metrics.core_indices_from_memory(served, f, visible)
    scan = metrics.core_indices(plain, f, visible)
    # a province with no case in the subset has no row in the scan; in memory its row
    # holds zeros (and no rate)
    keys = ["level", "province", "court_code"]
    empty = brief.join(scan.select(keys), on=keys, how="anti", nulls_equal=True)
    assert (empty["level"] == "province").all() and (empty["handled"] == 0).all() \
        and (empty["three_year_cases"] == 0).all() and (empty["petitions"] == 0).all(), empty
    equal(brief.join(scan.select(keys), on=keys, how="semi", nulls_equal=True), scan, keys,
          f"{f}: brief of {visible}")

