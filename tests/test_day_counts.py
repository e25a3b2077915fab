"""The default view's counts looked up in the day tables (supervision/engine/day_counts.py)
are those of the date's derivation (memory_counts.dated, itself held to the SQL in
tests/test_rank_aggregate.py and test_filter_property.py) at every date the tables cover,
and the SQL's straight from the case table through the pages' functions; worked by hand on
a few cases first. The tables are written beside a served version, by a thread of their
own, and never trusted when they cannot be read."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervision.data.db import connect, connect_current_version
from supervision.domain.filters import Filters
from supervision.engine import day_counts, memory_counts, metrics, single_flight
from tests.conftest import add_cases, closed
from tests.test_filter_property import (
    KEYS,
    LAST_DAY,
    RANK_COUNTS,
    RANKED,
    SETTINGS,
    equal,
    sql_ranks,
    write_hand_built,
)

D = dt.date


def _tables(con: duckdb.DuckDBPyConnection, folder: Path,
            as_of: dt.date) -> tuple[memory_counts.Cases, day_counts.DayTables]:
    cases = metrics._memory_cases(con, Filters(as_of=as_of))
    folder.mkdir()
    day_counts.write(cases, folder)
    return cases, day_counts.DayTables.open(folder, cases)


def test_a_few_cases_worked_by_hand(db, tmp_path):
    # court A, 2026; the latest event is 30 June 2026
    add_cases(db,
              # concluded 10 June, fully performed: week 2 back from 30 June
              closed("f", "A", D(2026, 1, 10), D(2026, 6, 10), "fully_performed",
                     amount_applied=100.0, amount_recovered=100.0, has_property=False),
              # 终本 on 24 June, the notice never served: a termination, not qualified
              closed("t", "A", D(2025, 12, 1), D(2026, 6, 24), "terminated_current",
                     notice_served=False, has_property=False),
              # transferred (left out) on 20 June, a first case with property due on
              # 5 June (filed 5 December 2025): due and three-year while pending only
              closed("x", "A", D(2025, 12, 5), D(2026, 6, 20), "transferred",
                     case_kind="first", has_property=True),
              # pending, filed 2 January: pending and three-year
              closed("p", "A", D(2026, 1, 2), None, None, has_property=False),
              # concluded 2025 (the previous period), filed 2022 (before the window)
              closed("o", "A", D(2022, 3, 1), D(2025, 3, 1), "fully_performed",
                     has_property=False),
              # the latest day
              closed("z", "B", D(2026, 6, 30), None, None))
    cases, tables = _tables(db, tmp_path / "t", D(2026, 6, 30))
    court = {code: i for i, code in enumerate(cases.courts["court_code"])}

    def a(view: memory_counts.DefaultView, flag: str) -> int:
        return int(view.core.flags[court["A"], memory_counts.CORE_FLAGS.index(flag)])

    def concluded(view: memory_counts.DefaultView) -> np.ndarray:
        return view.official.grid["concluded"][court["A"]].sum(axis=0)   # per slot

    june30 = tables.view_at(cases, D(2026, 6, 30), D(2026, 1, 1))
    # concluded in 2026: t in week 0 (24–30 June), f in week 2 (4–10 June); pending: p
    assert concluded(june30)[0] == 1 and concluded(june30)[2] == 1
    assert concluded(june30)[:memory_counts.MAX_WEEKS].sum() == 2
    assert concluded(june30)[memory_counts.PENDING_SLOT] == 1
    assert june30.official.grid["fully_performed"][court["A"]].sum() == 1
    assert june30.official.grid["amount_recovered"][court["A"]].sum() == 100_00   # fen
    assert (a(june30, "terminations"), a(june30, "terminations_qualified")) == (1, 0)
    # x was transferred on 20 June: no longer due, nor a three-year case
    assert a(june30, "property_due") == 0
    # three-year window from 1 January 2023: f, t, p (o filed 2022; x left out)
    assert (a(june30, "three_year_cases"), a(june30, "three_year_concluded")) == (3, 2)
    june19 = tables.view_at(cases, D(2026, 6, 19), D(2026, 1, 1))
    # on 19 June x is pending: due (5 June), a three-year case, pending with p and t
    assert a(june19, "property_due") == 1
    assert (a(june19, "three_year_cases"), a(june19, "three_year_concluded")) == (4, 1)
    assert concluded(june19)[memory_counts.PENDING_SLOT] == 3
    # the previous year: o concluded in 2025's period
    last_year = tables.view_at(cases, D(2025, 12, 31), D(2025, 1, 1))
    assert concluded(last_year)[:memory_counts.MAX_WEEKS].sum() == 1
    for view, as_of in ((june30, D(2026, 6, 30)), (june19, D(2026, 6, 19)),
                        (last_year, D(2025, 12, 31))):
        _same(view, memory_counts.default_view(cases, memory_counts.dated(
            cases, as_of, D(as_of.year, 1, 1))), f"{as_of}")


def _same(got: memory_counts.DefaultView, want: memory_counts.DefaultView, what: str) -> None:
    for column in memory_counts.SUMS:
        g, w = got.official.grid[column], want.official.grid[column]
        # (a period with no conclusion gives `dated` integer amounts: the same zeros)
        assert g.shape == w.shape and np.array_equal(g, w), f"{what}: {column}"
    for field in ("flags", "petitions", "petitions_resolved"):
        assert np.array_equal(getattr(got.core, field), getattr(want.core, field)), \
            f"{what}: {field}"


@pytest.fixture(scope="module")
def hand_built(tmp_path_factory) -> Iterator[Path]:
    """tests/test_filter_property.py's hand-built database: 8 courts, every closing method,
    filed from 2021, closings clustered on week boundaries and year ends, petitions, the
    types ranked on amounts."""
    path = tmp_path_factory.mktemp("days") / "cases.duckdb"
    write_hand_built(path)
    yield path


def test_every_covered_date_is_the_dates_derivation(hand_built, tmp_path):
    # every as-of date the tables cover (the data's last 367 days), with its year's period
    # and with periods that start on other days, exactly as `dated` counts them
    con = connect(hand_built, read_only=True)
    cases, tables = _tables(con, tmp_path / "t", LAST_DAY)
    con.close()
    first = LAST_DAY - dt.timedelta(days=day_counts.COVERED_DAYS)
    dates = [first + dt.timedelta(days=k) for k in range(day_counts.COVERED_DAYS + 1)]
    assert dates[-1] == LAST_DAY and D(2025, 12, 31) in dates and D(2026, 1, 1) in dates
    checked, flagged = 0, np.zeros(len(memory_counts.CORE_FLAGS), dtype=np.int64)
    for as_of in dates:
        for start in (D(as_of.year, 1, 1), as_of - dt.timedelta(days=100), as_of):
            if not tables.covers(as_of, start):
                continue
            view = tables.view_at(cases, as_of, start)
            _same(view,
                  memory_counts.default_view(cases, memory_counts.dated(cases, as_of, start)),
                  f"{as_of} from {start}")
            checked += 1
            flagged += view.core.flags.sum(axis=0)
    # every date with its period and a hundred days' one; every flag met
    assert checked > 2 * len(dates) and (flagged > 0).all()
    # outside: the day before the first date, a day after the last, a period before them
    assert not tables.covers(first - dt.timedelta(days=1), D(first.year, 1, 1))
    assert not tables.covers(LAST_DAY + dt.timedelta(days=1), D(LAST_DAY.year, 1, 1))
    assert not tables.covers(LAST_DAY, D(2023, 1, 1))
    with pytest.raises(ValueError, match="do not cover"):
        tables.view_at(cases, LAST_DAY, D(2023, 1, 1))


@pytest.fixture(scope="module")
def served_with_tables(hand_built, tmp_path_factory) -> Iterator[tuple]:
    """The hand-built database served (tables kept for any number of cases), its tables
    written as the warm-up writes them; and a plain connection for the SQL reference."""
    path = tmp_path_factory.mktemp("served") / "cases.duckdb"
    shutil.copy(hand_built, path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(day_counts, "MIN_CASES", 0)
        single_flight.forget()
        served, _version = connect_current_version(path)
        plain = connect(path, read_only=True)
        metrics.warm_day_tables(served, Filters(as_of=LAST_DAY))
        yield served, plain
        served.close()
        plain.close()
        single_flight.forget()


COVERED = st.dates(min_value=LAST_DAY - dt.timedelta(days=day_counts.COVERED_DAYS),
                   max_value=LAST_DAY)


@SETTINGS
@given(as_of=COVERED, week=st.integers(1, 8))
def test_the_pages_figures_from_the_tables_are_the_sqls(served_with_tables, as_of, week,
                                                        monkeypatch):
    # at a date the tables cover, the default view comes from them (never a derivation):
    # every court's ranks now and weeks back, its 3+1 counts and the province ranking are
    # the SQL's
    served, plain = served_with_tables
    single_flight.forget()
    looked_up = []
    real = day_counts.DayTables.view_at
    monkeypatch.setattr(day_counts.DayTables, "view_at",
                        lambda self, *a: looked_up.append(a[1]) or real(self, *a))

    def never(*_a):  # noqa: ANN202 - the derivation must not run for the default view
        raise AssertionError("derived, not looked up")

    monkeypatch.setattr(memory_counts, "dated", never)
    f = Filters(as_of=as_of)
    aggregate = metrics.rank_aggregate(served, f)
    for weeks in (0, week):
        got = metrics.national_ranks(served, f, aggregate, weeks_back=weeks)
        want = sql_ranks(plain, f.with_(as_of=as_of - dt.timedelta(days=7 * weeks),
                                        period_start=f.start))
        columns = KEYS + RANK_COUNTS + RANKED + (["pending"] if weeks == 0 else [])
        equal(got.select(columns), want, KEYS, f"{f}, {weeks} weeks back")
    memory = metrics.court_core_counts(served, f)
    national = metrics.court_counts(plain, f, None)
    scanned = metrics.as_core_indices(national).filter(pl.col("level") == "court")
    equal(memory, scanned, ["court_code"], f"{f}: 3+1")
    equal(metrics.province_ranking(served, f),
          metrics.province_ranking(plain, f, lambda: national), ["province"], f"{f}: provinces")
    assert looked_up == [as_of]


def _one_type_cases(fen: list[float], filed: list[int], closed: list[int]
                    ) -> memory_counts.Cases:
    """Cases of one court, one combination, no petitions: amounts in fen, day numbers."""
    order = np.argsort(fen, kind="stable")
    n = len(fen)
    arrays = {"court_index": np.zeros(n, np.int16), "priority_index": np.zeros(n, np.int8),
              "complexity_index": np.zeros(n, np.int8), "case_type_index": np.zeros(n, np.int8),
              "applied_fen": np.array(fen)[order], "recovered_fen": np.zeros(n),
              "filed_day": np.array(filed, np.int16)[order],
              "closed_day": np.array(closed, np.int16)[order], "traits": np.zeros(n, np.uint8)}
    petitions = {**{c: a[:0] for c, a in arrays.items() if c != "recovered_fen"},
                 "received_day": np.zeros(0, np.int16), "resolved_day": np.zeros(0, np.int16)}
    return memory_counts.Cases.from_arrays(
        arrays, petitions, courts=pl.DataFrame({"court_code": ["A"], "province": ["琼"]}),
        specific=(), priorities=("normal",), complexities=("ordinary",), case_types=("loan",))


def test_amounts_are_exact_however_large_the_history_before_the_period(tmp_path):
    # three closings of 4 × 10^15 fen in 2024 (together beyond 2^53, where doubles stop
    # holding every whole number), then 1.01 and 1.00 yuan in 2026: the 2026 period's
    # amount is 201 fen exactly, as the derivation (and the SQL) sum it
    last = memory_counts._day(D(2026, 6, 30))
    big = 4e15
    cases = _one_type_cases([big, big, big, 101.0, 100.0],
                            [last - 700, last - 650, last - 600, last - 100, last - 50],
                            [last - 690, last - 640, last - 590, last - 20, last])
    (tmp_path / "t").mkdir()
    day_counts.write(cases, tmp_path / "t")
    view = day_counts.DayTables.open(tmp_path / "t", cases).view_at(cases, D(2026, 6, 30),
                                                                    D(2026, 1, 1))
    assert view.official.weeks("amount_applied").sum() == 201
    # a day whose amounts a double cannot sum exactly: no tables (the dates are derived)
    cases = _one_type_cases([2.0 ** 53, 1.0], [last - 100, last - 50], [last - 20, last])
    (tmp_path / "u").mkdir()
    with pytest.raises(ValueError, match="exactly"):
        day_counts.write(cases, tmp_path / "u")


def test_the_tables_are_written_once_by_a_thread_and_distrusted_when_unreadable(
        hand_built, tmp_path, monkeypatch):
    path = tmp_path / "cases.duckdb"
    shutil.copy(hand_built, path)
    monkeypatch.setattr(day_counts, "MIN_CASES", 0)
    single_flight.forget()
    con, _version = connect_current_version(path)
    plain = connect(path, read_only=True)
    link = Path(single_flight.served_version(con))
    kept = link.with_name(link.name + ".arrays")
    derived = []      # (as-of date, whether the default view was counted in the pass)
    real = memory_counts.dated
    monkeypatch.setattr(memory_counts, "dated", lambda *a, **k: derived.append(
        (a[1], k.get("default_view", True))) or real(*a, **k))

    def overall_ranks(f: Filters) -> None:
        got = metrics.national_ranks(con, f)
        equal(got.select(KEYS + RANK_COUNTS + RANKED + ["pending"]), sql_ranks(plain, f), KEYS,
              f"{f}")

    def writer() -> threading.Thread:
        [thread] = [t for f, t in metrics._writers.items() if str(f).startswith(str(kept))]
        return thread

    # the first date asked: the tables are not there yet, the date is derived with its
    # default view, and a thread writes them
    first = LAST_DAY - dt.timedelta(days=10)
    overall_ranks(Filters(as_of=first))
    assert derived == [(first, True)]
    writer().join()
    [folder] = kept.glob("day_counts-*")
    # tables of another release beside the version go when these are written
    other = folder.with_name("day_counts-0123456789abcdef")
    shutil.copytree(folder, other)
    shutil.rmtree(folder)
    single_flight.forget()
    overall_ranks(Filters(as_of=first))
    writer().join()
    assert folder.is_dir() and not other.exists()
    # the next date is looked up; a filter there derives the date without the default view
    second = LAST_DAY - dt.timedelta(days=20)
    overall_ranks(Filters(as_of=second))
    assert derived == [(first, True)] * 2
    overall_ranks(Filters(as_of=second, priorities=("high",)))
    assert derived == [(first, True)] * 2 + [(second, False)]
    # tables not whole (a header alone; a table cut short; an empty file): the folder is
    # removed, the default view counted by a derivation that counts it (even where a
    # filter derived the date without it), and the tables written anew
    for n, broken in enumerate(("concluded.npy", "open.npy", "bounds.npy")):
        at = LAST_DAY - dt.timedelta(days=30 + n)
        overall_ranks(Filters(as_of=at, value_min=1_000.0))
        whole = (folder / broken).read_bytes()
        (folder / broken).write_bytes(whole[:6] if n == 0 else whole[:len(whole) // 2]
                                      if n == 1 else b"")
        single_flight.DAYS.clear()
        overall_ranks(Filters(as_of=at))
        assert derived[-2:] == [(at, False), (at, True)], broken
        writer().join()
        assert (folder / broken).read_bytes() == whole, broken
    # writing that fails is not tried again by this process: every date is derived
    single_flight.DAYS.clear()
    shutil.rmtree(folder)

    def failing(*_a):  # noqa: ANN202 - a write that fails
        raise ValueError("amounts too large to be summed exactly")

    monkeypatch.setattr(day_counts, "write", failing)
    for days in (40, 41):
        overall_ranks(Filters(as_of=LAST_DAY - dt.timedelta(days=days)))
        writer().join()
    assert not folder.exists() and folder in metrics._failed
    assert [d for d, _ in derived[-2:]] == [LAST_DAY - dt.timedelta(days=d) for d in (40, 41)]
    con.close()
    plain.close()
    single_flight.forget()
