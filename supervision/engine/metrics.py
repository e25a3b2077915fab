"""The metric engine's Python side: calls the SQL in queries/ and combines frames.

Counts are defined once in SQL, each rate once in supervision/domain/metric_declarations.py, ranks,
cutoffs and gaps once in supervision/engine/ranking.py; this module only joins, applies thresholds
(data) and shapes results. `visible` is the list of court codes the caller may
see (None = every court); it is passed into each query so rows of other courts never
leave DuckDB.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import polars as pl

from supervision.data.lookups import specific_types, targets, thresholds
from supervision.data.queries import run, run_arrays
from supervision.domain import metric_declarations, vocabulary
from supervision.domain.filters import SIDEBAR_FILTERS, Filters
from supervision.engine import (
    day_counts,
    mapped_arrays,
    memory_core_counts,
    memory_counts,
    ranking,
    single_flight,
)
from supervision.engine.projection import PACE_WEEKS, project_year_end

T = TypeVar("T")
log = logging.getLogger(__name__)

MAX_WEEKS = memory_counts.MAX_WEEKS  # the weekly trend reaches back a year at most
# the 3+1 core indices: the declared metrics held to a threshold, in declared order
CORE_INDICES = [m.code for m in metric_declarations.CORE_METRICS]


def _visible(visible: list[str] | tuple[str, ...] | None) -> list[str] | None:
    return None if visible is None else list(visible)


def lookup(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """queries/<name>.sql, a small lookup table (court names, case types, provinces,
    targets, thresholds), read once per served data version and parameters for every
    session (single_flight.LOOKUPS): a page run and a filter change ask for several, each
    a DuckDB query of 2–4 ms at 10 M cases. Elsewhere (a connection whose data may change)
    read each time. Callers share the frame: polars frames are not changed in place."""
    key = tuple(sorted((k, tuple(sorted(v)) if isinstance(v, set | frozenset)
                        else tuple(v) if isinstance(v, list | tuple) else v)
                       for k, v in params.items()))
    return single_flight.LOOKUPS.get(con, name, key, lambda: run(con, name, **params))


def court_counts(con: duckdb.DuckDBPyConnection, filters: Filters,
                 visible: list[str] | None) -> pl.DataFrame:
    """Every indicator and 3+1 core-index count and rate, from one scan: rows for the
    visible courts, every province and the nation (queries/court_counts.sql). Every
    court's (`visible` None) names no user: one computation serves every session
    (supervision.engine.single_flight)."""
    def counts() -> pl.DataFrame:
        return _counted(con, filters, filters.scope(national=True), visible)

    if visible is None:
        return _national(con, "court_counts", filters, None, counts)
    return counts()


def _counted(con: duckdb.DuckDBPyConnection, filters: Filters, scope: dict[str, Any],
             visible: list[str] | tuple[str, ...] | None) -> pl.DataFrame:
    """queries/court_counts.sql's counts on `scope` with every declared rate
    (metric_declarations.with_rates, under court_counts' own names)."""
    counts = run(con, "court_counts", scope=scope, visible=_visible(visible),
                 **filters.params())
    return metric_declarations.with_rates(
        counts, names=metric_declarations.COURT_COUNTS_NAMES,
        days=metric_declarations.period_days(filters.start, filters.as_of))


@dataclass(frozen=True)
class RankAggregate:
    """The counts of one filter set at one date that a page's rankings derive from
    (supervision.engine.memory_counts: per court × ranking bucket × week back) and the
    reference they are ranked against, read together on one connection: every court, the
    five ranked types and the targets. A page derives all its rankings, weeks back and
    trends from one of these without reading the reference again."""

    counts: memory_counts.RankCells
    courts: pl.DataFrame
    specific: list[str]
    targets: pl.DataFrame


def _memory_cases(con: duckdb.DuckDBPyConnection, filters: Filters) -> memory_counts.Cases:
    """Every case of the filters other than the sidebar's (memory_counts.SLICED_FILTERS), in
    memory (queries/memory_cases.sql, memory_petitions.sql), whatever the as-of date: read
    once per data version and such subset, and shared by every session
    (supervision.engine.single_flight). A subset by closing method (a status as of a date)
    is read per date."""
    unsliced = _unsliced(filters)
    key = _undated(unsliced)

    def read() -> memory_counts.Cases:
        courts, specific, codes = all_courts(con), specific_types(con, lookup), _case_codes(con)
        params = _memory_params(unsliced, courts, codes)
        return memory_counts.Cases.from_arrays(
            _case_arrays(con, "memory_cases", key, params),
            _case_arrays(con, "memory_petitions", key, params),
            courts=courts, specific=tuple(specific), **codes)

    return single_flight.CASES.get(con, "memory_cases", key, read)


def _dated_cases(con: duckdb.DuckDBPyConnection, filters: Filters,
                cases: memory_counts.Cases | None = None,
                default_view: bool = False) -> memory_counts.Dated:
    """The cases in memory (`cases`: _memory_cases(con, filters), if the caller has them) as
    they stand at filters.as_of for the period from filters.start (memory_counts.dated: a
    few masks, no read), shared by every session. The default view is counted in the same
    pass when asked for (`default_view`: the day tables do not give it) or when the day
    tables do not cover the date; else not (a derivation 2–3× as fast at 10 M cases)."""
    unsliced = _unsliced(filters)

    def derive() -> memory_counts.Dated:
        held = cases or _memory_cases(con, filters)
        count_view = default_view or _covering_tables(con, filters, held) is None
        return memory_counts.dated(held, unsliced.as_of, unsliced.start,
                                   default_view=count_view)

    return single_flight.DATED.get(con, "_dated_cases", unsliced, derive)


def _default_view(con: duckdb.DuckDBPyConnection, filters: Filters,
                  cases: memory_counts.Cases | None = None) -> memory_counts.DefaultView:
    """Every case's counts (no sidebar filter) at filters.as_of for the period from
    filters.start: looked up in the day tables (supervision.engine.day_counts) where they
    cover the date, else counted in the date's derivation (memory_counts.default_view).
    Shared by every session."""
    unsliced = _unsliced(filters)

    def look_up() -> memory_counts.DefaultView:
        held = cases or _memory_cases(con, filters)
        tables = _covering_tables(con, filters, held)
        if tables is not None:
            try:
                return tables.view_at(held, unsliced.as_of, unsliced.start)
            except OSError:     # a read that failed: the date is derived
                log.warning("day tables not read at %s", unsliced.as_of, exc_info=True)
        at = _dated_cases(con, filters, held, default_view=True)
        if at.official is None:     # derived while the tables covered the date; gone since
            at = memory_counts.dated(held, unsliced.as_of, unsliced.start)
        return memory_counts.default_view(held, at)

    return single_flight.DATED.get(con, "_default_view", unsliced, look_up)


def _covering_tables(con: duckdb.DuckDBPyConnection, filters: Filters,
                     cases: memory_counts.Cases) -> day_counts.DayTables | None:
    """The day tables (_day_tables) when they cover filters.as_of and its period."""
    tables = _day_tables(con, filters, cases)
    if tables is None or not tables.covers(filters.as_of, filters.start):
        return None
    return tables


def _day_tables(con: duckdb.DuckDBPyConnection, filters: Filters,
                cases: memory_counts.Cases, wait: bool = False) -> day_counts.DayTables | None:
    """The day tables of the served version's cases (every case, no subset), kept beside
    the version and read from there by every server; None on a connection that is not a
    served version, for a subset of the cases, below day_counts.MIN_CASES cases, where
    they cannot be written or read, or (unless `wait`) while they are being written: the
    first request for them starts that on a thread of its own (10–20 s at 10 M cases), and
    the dates asked meanwhile are derived."""
    version = single_flight.served_version(con)
    unsliced = _unsliced(filters)
    key = _undated(unsliced)
    if (version is None or key != Filters(as_of=memory_counts.EPOCH)
            or cases.columns["traits"].size < day_counts.MIN_CASES):
        return None
    folder = _day_tables_folder(con, version, unsliced, cases)
    if not folder.is_dir():
        writer = _day_tables_writer(version, folder, cases)
        if writer is None or not wait:
            return None
        writer.join()
        if not folder.is_dir():
            return None
    try:
        return single_flight.DAYS.get(con, "day_tables", key,
                                      lambda: day_counts.DayTables.open(folder, cases))
    except (ValueError, EOFError):     # not whole: removed, and written anew
        log.warning("%s: day tables not whole, written anew", folder, exc_info=True)
        shutil.rmtree(folder, ignore_errors=True)
        _day_tables_writer(version, folder, cases)
    except OSError:     # this request could not open them (too many open files, say)
        log.warning("%s: day tables not opened, the date derived", folder, exc_info=True)
    return None


def _day_tables_folder(con: duckdb.DuckDBPyConnection, version: str, unsliced: Filters,
                       cases: memory_counts.Cases) -> Path:
    """Where the day tables of the version's cases are kept: the folder's name covers the
    cases' query and parameters and the Python that writes and reads the tables and
    defines the counts (day_counts.py, memory_counts.py), so that a new release never
    reads the tables of an old one."""
    params = _memory_params(unsliced, cases.courts, _case_codes(con))
    return mapped_arrays.folder_of(version, "memory_cases",
                                   {**params, "day_counts": day_counts.FORMAT,
                                    "definitions": _DEFINITIONS}, label="day_counts")


_DEFINITIONS = hashlib.sha256(b"".join(
    Path(m.__file__).read_bytes() for m in (day_counts, memory_counts))).hexdigest()
_writers: dict[Path, threading.Thread] = {}
_failed: set[Path] = set()
_writers_lock = threading.Lock()


def _day_tables_writer(version: str, folder: Path,
                       cases: memory_counts.Cases) -> threading.Thread | None:
    """The thread writing the day tables into `folder`, started by the first to ask (again
    when they were removed as not whole); None when writing them failed in this process
    (the dates are derived) or the version has been replaced (its folder is gone)."""
    with _writers_lock:
        writer = _writers.get(folder)
        if folder in _failed or not Path(version).exists():
            return None
        if writer is None or not writer.is_alive():
            writer = _writers[folder] = threading.Thread(
                target=_write_day_tables, args=(folder, cases), name="day-tables",
                daemon=True)
            writer.start()
        return writer


def _write_day_tables(folder: Path, cases: memory_counts.Cases) -> None:
    try:
        written = mapped_arrays.kept_folder(folder, lambda into: day_counts.write(cases, into))
    except Exception:  # noqa: BLE001 - the dates are derived instead; the cause is logged
        log.exception("%s: the day tables could not be written", folder)
        written = None
    if written is None:
        with _writers_lock:
            _failed.add(folder)
        return
    # the tables of another release or parameters, beside the same version: ~0.5 GB each
    for other in folder.parent.glob("day_counts-*"):
        if other != folder:
            log.warning("%s: day tables of another release, removed", other)
            shutil.rmtree(other, ignore_errors=True)


def warm_day_tables(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    """Write the day tables of the version's cases now, if they are kept for it (the
    server's warm-up: a thread of its own already), and say in the log whether they are."""
    tables = _day_tables(con, filters, _memory_cases(con, filters), wait=True)
    if tables is None:
        log.warning("day tables: none")
        return
    first, last = (memory_counts.EPOCH + dt.timedelta(days=d)
                   for d in (tables.first_as_of, tables.last))
    log.warning("day tables: in use, as-of dates %s to %s", first, last)


def warm_date(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    """Derive the date's cases (what a sidebar filter at that date counts from), beside
    its default view."""
    _dated_cases(con, filters)


def _undated(unsliced: Filters) -> Filters:
    """The key of the cases in memory: every date shares them, unless the subset is by
    closing method (a status as of the date)."""
    if unsliced.closing_methods is not None:
        return unsliced
    return unsliced.with_(as_of=memory_counts.EPOCH, period_start=None)


def _memory_params(unsliced: Filters, courts: pl.DataFrame,
                   codes: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    status_date = (unsliced.as_of if unsliced.closing_methods is not None
                   else dt.date(9999, 12, 31))
    return dict(scope=unsliced.scope(national=True), status_date=status_date,
                court_codes=courts["court_code"].to_list(), epoch=memory_counts.EPOCH,
                **codes)


def rank_aggregate(con: duckdb.DuckDBPyConnection, filters: Filters,
                   by_week: bool = True) -> RankAggregate:
    """What a page's rankings derive from: per court the counts by ranking and week back
    (`by_week`; else for now only: the ranks now, the 3+1 counts and the province ranking
    of a sidebar's subset), counted from the cases in memory at filters.as_of
    (supervision/engine/memory_counts.py). It names no user: one computation serves every
    session (supervision.engine.single_flight)."""
    # every case (no sidebar filter): the date's own counts, by week, whatever is asked
    # (one entry kept, not two of the same 28 MB)
    by_week = by_week or all(getattr(filters, f) is None for f in memory_counts.SLICED_FILTERS)

    def count() -> RankAggregate:
        cases = _memory_cases(con, filters)
        selection = _selection(cases, filters)
        cells = (_default_view(con, filters, cases).official if selection.every_case
                 else memory_counts.count_cells(cases, _dated_cases(con, filters, cases),
                                                selection, by_week))
        return RankAggregate(cells, cases.courts, list(cases.specific), targets(con, lookup))

    # national: the cases of every court, whoever asks
    return _national(con, "rank_aggregate", filters, by_week, count)


def _case_arrays(con: duckdb.DuckDBPyConnection, name: str, key: Filters,
                 params: dict[str, Any]) -> dict[str, np.ndarray]:
    """The columns of queries/<name>.sql (run_arrays) for the cases held in memory; those of
    every case (no subset) on a served version are kept on disk beside it, so that a
    server's next start maps them instead of reading them
    (supervision.engine.mapped_arrays)."""
    def read() -> dict[str, np.ndarray]:
        return run_arrays(con, name, **params)

    version = single_flight.served_version(con)
    if version is None or key != Filters(as_of=memory_counts.EPOCH):
        return read()
    return mapped_arrays.kept(version, name, params, read)


def _selection(cases: memory_counts.Cases, filters: Filters) -> memory_counts.Selection:
    """The cases in memory the sidebar's filters keep (memory_counts.selected_rows)."""
    return memory_counts.selected_rows(cases, filters.value_min, filters.value_max,
                                       filters.priorities, filters.complexities,
                                       filters.case_types)


def _case_codes(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """Every code a case may carry, per coded column (the vocabulary tables are filled from
    supervision.domain.vocabulary): what the cases in memory index into."""
    return {"priorities": tuple(vocabulary.codes(vocabulary.PRIORITIES)),
            "complexities": tuple(vocabulary.codes(vocabulary.COMPLEXITIES)),
            "case_types": tuple(lookup(con, "case_types_list")["code"])}


def _unsliced(filters: Filters) -> Filters:
    """The filters without the sidebar's (applied to the cases in memory) and the user's
    court scope (the cases of every court are read)."""
    return filters.with_(courts=None, **dict.fromkeys(memory_counts.SLICED_FILTERS))


def court_core_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Every court's 3+1 core-index counts and rates, and its handled, concluded and fully
    performed cases and amounts, counted from the cases in memory at filters.as_of
    (supervision.engine.memory_core_counts and the rank counts): the court rows of
    court_counts.sql for those columns, without a scan. Names no user: one computation
    serves every session (supervision.engine.single_flight)."""
    def count() -> pl.DataFrame:
        cases = _memory_cases(con, filters)
        selection = _selection(cases, filters)
        if selection.every_case:
            view = _default_view(con, filters, cases)
            return memory_core_counts.court_core_counts(cases, view.core, view.official)
        core = memory_core_counts.subset_core(cases, _dated_cases(con, filters, cases),
                                              selection)
        return memory_core_counts.court_core_counts(
            cases, core, rank_aggregate(con, filters, by_week=False).counts)

    return _national(con, "court_core_counts", filters, None, count)


def all_courts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every court's code and province: the rows a national ranking ranks."""
    return lookup(con, "court_names", visible=None).select("court_code", "province")


def _national(con: duckdb.DuckDBPyConnection, question: str, filters: Filters,
              key: object, compute: Callable[[], T]) -> T:
    """A national result — every court's, naming no user — computed once for every session
    (supervision.engine.single_flight), keyed by the filters without the user's court scope."""
    return single_flight.RESULTS.get(con, question, (filters.with_(courts=None), key), compute)


def national_ranks(con: duckdb.DuckDBPyConnection, filters: Filters,
                   aggregate: RankAggregate | None = None, weeks_back: int = 0) -> pl.DataFrame:
    """Every court's national rank, cutoff and gap, for the overall ranking and each of the
    five specific types, all on the same national subset (supervision.engine.ranking), as of
    `filters.as_of - 7 × weeks_back`. `aggregate`: rank_aggregate(con, filters), if the
    caller has it (one scan serves every ranking of a page)."""
    def compute() -> pl.DataFrame:
        agg = aggregate or rank_aggregate(con, filters, by_week=weeks_back > 0)
        grids = memory_counts.ranking_grids(agg.counts, agg.specific, weeks_back)
        columns = ranking.with_target(
            pl.DataFrame({"ranking": ["overall", *agg.specific]}).with_row_index("column"),
            agg.targets, agg.specific)
        sums = {c: memory_counts.yuan(grids[c]) if c.startswith("amount_") else grids[c]
                for c in ranking.COUNTS}
        return ranking.rank_grid(columns, agg.courts, sums,
                                 None if weeks_back else grids["pending"])

    return _national(con, "national_ranks", filters, weeks_back, compute)


def court_ranks(con: duckdb.DuckDBPyConnection, filters: Filters,
                visible: list[str] | None, aggregate: RankAggregate | None = None,
                weeks_back: int = 0) -> pl.DataFrame:
    """National rank, cutoff and gap of the visible courts (None: every court)."""
    ranks = national_ranks(con, filters, aggregate, weeks_back)
    return ranks if visible is None else ranks.filter(pl.col("court_code").is_in(list(visible)))


@dataclass(frozen=True)
class WeeklyRanks:
    """Every court's weekly trend on one ranking (`weekly_ranks`): the weeks (`week_end`,
    newest first), the target's metric, the courts' codes in the grids' row order (and
    each code's row), and court × week grids of the counts (amounts in fen) and of `ranks`
    (ranking.rank_columns)."""

    week_end: np.ndarray
    metric: str
    codes: pl.Series
    row_of: dict[str, int]
    sums: dict[str, np.ndarray]
    ranks: ranking.ColumnRanks


def weekly_ranks(con: duckdb.DuckDBPyConnection, filters: Filters, ranking_code: str,
                 visible: list[str], aggregate: RankAggregate | None = None) -> pl.DataFrame:
    """Week by week since the period start: the visible courts' cumulative rate and national
    rank on `ranking_code` ('overall' or a specific type), and each week's cutoff, on the
    target's own metric. `aggregate`: rank_aggregate(con, filters). Every court of every
    week is ranked once for all sessions (ranking.rank_columns); the frame holds only the
    visible courts' rows, by court code and week."""
    def every_court() -> WeeklyRanks | None:
        agg = aggregate or rank_aggregate(con, filters)
        if ranking_code != "overall" and ranking_code not in agg.specific:
            raise ValueError(f"no ranking {ranking_code!r}")
        target = ranking.with_target(pl.DataFrame({"ranking": [ranking_code]}), agg.targets,
                                     agg.specific)
        if not target.height:
            return None
        goal = target.row(0, named=True)
        weekly = memory_counts.weekly_grid(agg.counts, ranking_code, filters.as_of,
                                           filters.start, MAX_WEEKS)
        s = weekly.sums
        ranks = ranking.rank_columns(
            s["concluded"], s["fully_performed"], memory_counts.yuan(s["amount_applied"]),
            memory_counts.yuan(s["amount_recovered"]), goal["metric"], goal["target_rank"],
            goal["min_concluded"])
        codes = agg.courts["court_code"]
        return WeeklyRanks(weekly.week_end, goal["metric"], codes,
                           {code: row for row, code in enumerate(codes)}, s, ranks)

    return _visible_weeks(_national(con, "weekly_ranks", filters, ranking_code, every_court),
                          visible)


WEEKLY_SCHEMA = {"week_end": pl.Date, "court_code": pl.String, "metric": pl.String,
                 "concluded": pl.Int64, "fully_performed": pl.Int64,
                 "amount_applied": pl.Float64, "amount_recovered": pl.Float64,
                 "rate": pl.Float64, "rank": pl.Int64, "cutoff": pl.Float64}


def _visible_weeks(weekly: WeeklyRanks | None, visible: list[str]) -> pl.DataFrame:
    """The rows of the visible courts (by code, then week) of every court's trend."""
    if weekly is None or not weekly.week_end.size:
        return pl.DataFrame(schema=WEEKLY_SCHEMA)
    # each visible court once, by code (the grids' rows are the courts' order)
    chosen = np.array([weekly.row_of[code] for code in sorted(set(visible))
                       if code in weekly.row_of], dtype=np.int64)
    oldest_first = slice(None, None, -1)
    weeks = weekly.week_end.size

    def cells(grid: np.ndarray) -> np.ndarray:
        return grid[chosen][:, oldest_first].ravel()

    s, r = weekly.sums, weekly.ranks
    return pl.DataFrame({
        "week_end": np.tile(weekly.week_end[oldest_first], chosen.size),
        "court_code": weekly.codes.gather(np.repeat(chosen, weeks)),
        "metric": [weekly.metric] * (chosen.size * weeks),
        "concluded": cells(s["concluded"]).astype(np.int64),
        "fully_performed": cells(s["fully_performed"]).astype(np.int64),
        "amount_applied": memory_counts.yuan(cells(s["amount_applied"])),
        "amount_recovered": memory_counts.yuan(cells(s["amount_recovered"])),
        "rate": cells(r.rate),
        "rank": cells(r.rank),
        "cutoff": np.tile(r.cutoff[oldest_first], chosen.size),
    }, schema=WEEKLY_SCHEMA).with_columns(
        pl.col("rate", "cutoff").fill_nan(None),
        pl.when(pl.col("rank") > 0).then(pl.col("rank")).alias("rank"))


def year_end_projection(con: duckdb.DuckDBPyConnection, filters: Filters,
                        ranking_code: str = "overall",
                        aggregate: RankAggregate | None = None) -> pl.DataFrame:
    """Every court projected to 31 December at its recent pace, ranked nationally on the
    target's metric (supervision.engine.projection)."""
    def compute() -> pl.DataFrame:
        agg = aggregate or rank_aggregate(con, filters)
        pace = memory_counts.pace_counts(agg.counts, agg.courts, ranking_code, PACE_WEEKS)
        target = ranking.with_target(pl.DataFrame({"ranking": [ranking_code]}), agg.targets,
                                     agg.specific).row(0, named=True)
        return project_year_end(pace, filters.as_of, target["metric"], target["target_rank"],
                                target["min_concluded"])

    return _national(con, "year_end_projection", filters, ranking_code, compute)


def core_indices(con: duckdb.DuckDBPyConnection, filters: Filters,
                 visible: list[str] | None) -> pl.DataFrame:
    """The 3+1 core indices (with every court_counts count) for the visible courts and
    their provinces, pooled; with `visible` None, for every court, province and the nation.

    For visible courts only the cases of their provinces' courts are read: a province row
    pools exactly its own courts, so the court and province rows are those of a national
    scan (tests/test_rank_aggregate.py compares them) from a fraction of the cases. There
    is no nation row then: it would pool these provinces only."""
    if visible is None:
        return as_core_indices(court_counts(con, filters, None))
    courts = all_courts(con)
    provinces = courts.filter(pl.col("court_code").is_in(list(visible)))["province"]
    read = courts.filter(pl.col("province").is_in(provinces.implode()))["court_code"]
    # every court anyway: the national scan, without a list of 3,475 codes to test per case
    cases_of = None if read.len() == courts.height else tuple(read.sort())
    counts = _counted(con, filters, filters.with_(courts=cases_of).scope(), visible)
    return as_core_indices(counts.filter(pl.col("level") != "nation"))


def core_indices_from_memory(con: duckdb.DuckDBPyConnection, filters: Filters,
                             visible: list[str]) -> pl.DataFrame:
    """The 3+1 core indices and their counts for the visible courts (level 'court') and
    their provinces, pooled (level 'province'), as core_indices gives them, counted from
    the cases in memory (court_core_counts; no scan): what the brief shows."""
    courts = court_core_counts(con, filters)
    mine = courts.filter(pl.col("court_code").is_in(list(visible)))
    # the provinces of the visible courts, each pooled from its own courts only
    provinces = memory_core_counts.pooled_by_province(
        courts.filter(pl.col("province").is_in(mine["province"].implode())))
    return pl.concat([mine.with_columns(level=pl.lit("court")),
                      provinces.with_columns(level=pl.lit("province"),
                                             court_code=pl.lit(None, pl.String))],
                     how="diagonal_relaxed").select("level", "province", "court_code",
                                                    pl.exclude("level", "province",
                                                               "court_code"))


def as_core_indices(counts: pl.DataFrame) -> pl.DataFrame:
    """court_counts with the core indices under their declared names (petitions_resolved is
    the rate; the count is petitions_resolved_count)."""
    return counts.rename({counted: declared for declared, counted
                          in metric_declarations.COURT_COUNTS_NAMES.items()})


def meets_standard(core: pl.DataFrame, limits: dict[str, float]) -> pl.DataFrame:
    """Adds `meets_standard`: every core index at or above its threshold. An index with
    no cases in its denominator (NULL) cannot fail, so it does not count against."""
    ok = [pl.col(i).is_null() | (pl.col(i) >= limits[i]) for i in CORE_INDICES]
    return core.with_columns(meets_standard=pl.all_horizontal(ok))


def province_ranking(con: duckdb.DuckDBPyConnection, filters: Filters,
                     counts: Callable[[], pl.DataFrame] | None = None) -> pl.DataFrame:
    """Provinces pooled and ranked, with the share of their courts meeting the 3+1 standard.
    A province's rate pools its courts' counts on the overall target's metric; rank = 1 +
    provinces with a strictly higher rate (none without one).

    The counts come from the cases in memory (court_core_counts), or from `counts()`:
    court_counts(con, filters, None), where the caller has scanned for it (the report) or
    would rather scan than wait for the 3+1 cases to be read (the server's warm-up: called
    within the shared computation, so that a first page asking meanwhile waits for that
    scan rather than reading the cases itself). Both give the same figures
    (tests/test_metrics.py); the ranking names no user and is computed once for every
    session (supervision.engine.single_flight)."""
    def compute() -> pl.DataFrame:
        if counts is not None:
            return _ranked_provinces(con, *_scanned_provinces(counts()))
        courts = court_core_counts(con, filters)
        return _ranked_provinces(con, memory_core_counts.pooled_by_province(courts), courts)

    return _national(con, "province_ranking", filters, None, compute)


def _scanned_provinces(counts: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """court_counts' province rows and court rows (with the core indices)."""
    return (counts.filter(pl.col("level") == "province"),
            as_core_indices(counts).filter(pl.col("level") == "court"))


def _ranked_provinces(con: duckdb.DuckDBPyConnection, pooled: pl.DataFrame,
                      courts: pl.DataFrame) -> pl.DataFrame:
    """The provinces ranked on their `pooled` counts, with the share of their `courts`
    meeting the 3+1 standard."""
    limits = thresholds(con, lookup)
    pooled = pooled.select(
        "province", "handled", "concluded", "fully_performed", "actually_concluded",
        "overall_rate", "amount_recovery_rate", "closure_rate", "actual_conclusion_rate")
    provinces = lookup(con, "provinces_list").join(pooled, on="province", how="left").with_columns(
        pl.col("handled", "concluded", "fully_performed", "actually_concluded").fill_null(0))
    ranked = provinces.with_columns(
        rate=pl.when(pl.col("metric") == "amount_recovery_rate")
        .then(pl.col("amount_recovery_rate")).otherwise(pl.col("overall_rate"))
    ).with_columns(rank=pl.col("rate").rank("min", descending=True).cast(pl.Int64))
    share = meets_standard(courts, limits).group_by("province").agg(
        courts=pl.len(), courts_meeting_standard=pl.col("meets_standard").sum())
    limit = limits["courts_meeting_standard"]
    return (ranked.join(share, on="province", how="left")
            .with_columns(share_meeting_standard=pl.col("courts_meeting_standard")
                          / pl.col("courts"))
            .with_columns(province_meets_standard=pl.col("share_meeting_standard") >= limit)
            .sort("rank", "sort_order", nulls_last=True))


def _num(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def report(con: duckdb.DuckDBPyConnection, filters: Filters,
           visible: list[str] | None = None) -> dict[str, Any]:
    """The `report` command's document: targets, courts and provinces as of filters.as_of.
    Under a sidebar filter (`Filters.narrows`) every figure is the subset's, as the pages'
    analysis of it: the document says so (`subset`) and gives no gap, which is official
    only (a court's distance to its national target is counted on all its cases)."""
    # two national scans: every count (court_counts) and every ranking (rank_aggregate)
    counts = court_counts(con, filters, None)
    all_ranks = national_ranks(con, filters)
    mine = pl.lit(True) if visible is None else pl.col("court_code").is_in(list(visible))
    indicators = counts.filter((pl.col("level") == "court") & mine)
    ranks = all_ranks.filter(mine)
    all_core = meets_standard(as_core_indices(counts).filter(pl.col("level") == "court"),
                              thresholds(con, lookup))
    core = all_core.filter(mine)
    names = lookup(con, "court_names", visible=_visible(visible))
    overall = ranks.filter(pl.col("ranking") == "overall")
    types = ranks.filter(pl.col("ranking") != "overall")

    subset = filters.narrows()
    # a filter of exactly one specific type, and nothing else: that type's ranking counts
    # all its cases, so it is official (its gap stands), as the targets page leads with it
    only_type = (filters.case_types[0] if filters.case_types and len(filters.case_types) == 1
                 and not filters.with_(case_types=None).narrows() else None)

    def gap(row: dict[str, Any], column: str = "gap") -> Any:
        official = not subset or row["ranking"] == only_type
        return _num(row[column]) if official else None

    by_court_types: dict[str, dict[str, Any]] = {}
    for row in types.iter_rows(named=True):
        by_court_types.setdefault(row["court_code"], {})[row["ranking"]] = {
            "concluded": row["concluded"], "rate": _num(row["rate"]), "rank": row["rank"],
            "cutoff": _num(row["cutoff"]), "gap": gap(row), "metric": row["metric"],
            "amount_gap": gap(row, "amount_gap")}
    core_by_court = {r["court_code"]: r for r in core.iter_rows(named=True)}
    overall_by_court = {r["court_code"]: r for r in overall.iter_rows(named=True)}
    name_by_court = {r["court_code"]: r for r in names.iter_rows(named=True)}

    courts = []
    for row in indicators.sort("court_code").iter_rows(named=True):
        code = row["court_code"]
        o, k = overall_by_court[code], core_by_court[code]
        courts.append({
            "court_code": code,
            "name": name_by_court[code]["name"],
            "province": row["province"],
            "handled": row["handled"],
            "concluded": row["concluded"],
            "fully_performed": row["fully_performed"],
            "actually_concluded": row["actually_concluded"],
            "overall_rate": _num(row["overall_rate"]),
            "overall_rank": o["rank"],
            "overall_cutoff": _num(o["cutoff"]),
            "overall_gap": gap(o),
            # the overall ranking's metric (the targets table's): its rank, cutoff and gap
            # are that rate's; for the amount metric the gap is yuan (`overall_amount_gap`)
            "overall_metric": o["metric"],
            "overall_ranked_rate": _num(o["rate"]),
            "overall_amount_gap": gap(o, "amount_gap"),
            "amount_recovery_rate": _num(row["amount_recovery_rate"]),
            "closure_rate": _num(row["closure_rate"]),
            "actual_conclusion_rate": _num(row["actual_conclusion_rate"]),
            "termination_rate": _num(row["termination_rate"]),
            "mean_days_to_close": _num(row["mean_days_to_close"]),
            "clearance_rate": _num(row["clearance_rate"]),
            "disposition_time_days": _num(row["disposition_time_days"]),
            "median_pending_days": _num(row["median_pending_days"]),
            "share_pending_over_6_months": _num(row["share_pending_over_6_months"]),
            "pending": row["pending"],
            "core": {i: _num(k[i]) for i in CORE_INDICES},
            "meets_standard": k["meets_standard"],
            "types": by_court_types.get(code, {}),
        })
    provinces = province_ranking(con, filters, lambda: counts)
    return {
        "as_of": filters.as_of.isoformat(),
        "period_start": filters.start.isoformat(),
        # the sidebar's filters when they narrow the cases (null: the official position)
        "subset": _subset(filters) if subset else None,
        "targets": {
            r["ranking"]: {"metric": r["metric"], "target_rank": r["target_rank"],
                           "min_concluded": r["min_concluded"], "cutoff": _num(r["cutoff"]),
                           "ranked_courts": r["ranked_courts"]}
            for r in rank_cutoffs(con, filters, all_ranks).iter_rows(named=True)
        },
        "courts": courts,
        "provinces": [
            {"province": p["province"], "name": p["name"], "handled": p["handled"],
             "concluded": p["concluded"], "fully_performed": p["fully_performed"],
             "overall_rate": _num(p["overall_rate"]), "metric": p["metric"],
             "ranked_rate": _num(p["rate"]), "rank": p["rank"],
             "courts": p["courts"], "courts_meeting_standard": p["courts_meeting_standard"],
             "share_meeting_standard": _num(p["share_meeting_standard"])}
            for p in provinces.iter_rows(named=True)
        ],
    }


def rank_cutoffs(con: duckdb.DuckDBPyConnection, filters: Filters,
                 ranks: pl.DataFrame | None = None) -> pl.DataFrame:
    """The cutoff of each ranking: a national fact that names no court. `ranks`:
    national_ranks(con, filters), if the caller has it."""
    if ranks is None:
        ranks = national_ranks(con, filters)
    return (ranks.select("ranking", "metric", "target_rank", "min_concluded", "ranked_courts",
                         "cutoff").unique().sort("ranking"))


def _subset(filters: Filters) -> dict[str, Any]:
    """The narrowing filters of a report, by name (`Filters.scope`'s values)."""
    scope = filters.scope()
    return {name: scope[name] for name in SIDEBAR_FILTERS if scope.get(name) is not None}


def report_rows(document: dict[str, Any]) -> pl.DataFrame:
    """The report flattened to one row per court (the CSV format)."""
    rows = []
    for c in document["courts"]:
        row = {k: v for k, v in c.items() if k not in ("core", "types")}
        row["as_of"] = document["as_of"]
        row["period_start"] = document["period_start"]
        # the narrowing filters, name=value; empty on the official position
        row["subset"] = "; ".join(
            f"{name}={','.join(map(str, value)) if isinstance(value, list) else value}"
            for name, value in (document.get("subset") or {}).items())
        row.update({f"core_{k}": v for k, v in c["core"].items()})
        for code, t in sorted(c["types"].items()):
            row.update({f"{code}_{k}": v for k, v in t.items()})
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)
