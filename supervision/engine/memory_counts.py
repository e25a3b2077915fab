"""Everything a page ranks, counted from the period's cases held in memory (numpy and
polars, no I/O).

queries/rank_scan_cases.sql reads, once per data version and as-of date, every case of
the period a ranking counts (concluded in the period or pending), kept sorted by priority ×
complexity × case type and, within each such combination, by amount: its court, ranking
bucket, the week back from the as-of date it was concluded in, whether it was fully
performed, and its amounts, priority, complexity and type (`RankCases`). A filter change
then costs no scan of the case table, nor a pass over every case held: `selected_rows`
takes the combinations of the chosen priorities, complexities and case types — the
sidebar's filters, which cases_in_scope applies the same way on every other path — and
the value range within each as one slice of the sorted rows, and `count_cells` counts
those rows per court × bucket × recent week and, for the trend's ranking, per court ×
week (`RankCells`; numpy bincount). A case concluded by
`as_of - 7k` was concluded in week k or an older one, so summing the weeks >= k gives the
counts as of that date. From the cells:

- `ranking_counts(cells, courts, specific, k)`: every court × ranking ('overall' and each
  specific type) as of `as_of - 7k`: the current ranks (k = 0) and those of the weeks
  before (the brief's and the province view's "rank fell");
- `weekly_counts`: the weekly trend of the trend's ranking, cumulative, week by week;
- `pace_counts`: totals and the last PACE_WEEKS weeks, for the year-end projection.

Ranks, cutoffs and gaps are then computed by supervision.engine.ranking, the one definition.
queries/court_rank_counts.sql counts one date straight from the case table; tests hold
the two paths to the same numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import polars as pl

SUMS = ("concluded", "fully_performed", "amount_applied", "amount_recovered")
RECENT_WEEKS = 9         # weeks told apart per bucket: ranks up to 8 weeks back, the pace
# the Filters fields count_cells applies to the cases in memory; the case read leaves them
# out of its scope (every other path applies them in cases_in_scope)
SLICED_FILTERS = ("value_min", "value_max", "priorities", "complexities", "case_types")
CASE_COLUMNS = ("court_index", "bucket", "week_no", "fully_performed", "applied_fen",
                "recovered_fen", "priority_index", "complexity_index", "case_type_index")
PENDING_SLOT = RECENT_WEEKS + 1    # the last slot of a court × bucket: its pending cases


# the cases a filter keeps: ascending, disjoint slices of the sorted cases (one slice, a
# view, when the filter keeps every combination)
Rows = tuple[slice, ...]
SEGMENT_COLUMNS = ("priority_index", "complexity_index", "case_type_index")


class SortedCases(Protocol):
    """Cases held as column arrays sorted by combination (priority × complexity × case
    type) and by amount (`applied_fen`) within each, with the code lists the combinations
    are made of and where each combination's cases start (`segments`, case_segments):
    RankCases, and supervision.engine.memory_core_counts.CoreCases."""

    columns: dict[str, np.ndarray]
    priorities: tuple[str, ...]
    complexities: tuple[str, ...]
    case_types: tuple[str, ...]
    segments: np.ndarray


@dataclass(frozen=True)
class RankCases:
    """The period's cases of queries/rank_scan_cases.sql as column arrays sorted by
    combination and amount (SortedCases), with the courts (court_code, province: the order
    of the court indices), the code lists of the combinations and where each combination
    starts. Each case's cells are computed once, when
    the cases are read: `recent_key`, its court × bucket × slot (slots 0 …
    RECENT_WEEKS - 1 the weeks back one by one, RECENT_WEEKS every older week of the
    period, PENDING_SLOT pending), and `trend_key`, its court × week (a pending case: one
    cell past the last, counted and dropped, so that the overall trend needs no mask)."""

    columns: dict[str, np.ndarray]
    courts: pl.DataFrame
    specific: tuple[str, ...]
    max_weeks: int
    priorities: tuple[str, ...]
    complexities: tuple[str, ...]
    case_types: tuple[str, ...]
    segments: np.ndarray

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], *, courts: pl.DataFrame,
                    specific: tuple[str, ...], max_weeks: int,
                    priorities: tuple[str, ...], complexities: tuple[str, ...],
                    case_types: tuple[str, ...]) -> RankCases:
        """From the columns of queries/rank_scan_cases.sql (queries.run_arrays),
        sorted by combination and amount."""
        segments = case_segments(arrays, priorities, complexities, case_types)
        # a combination's priority, complexity and type are its segment's: not kept per case
        column = {c: arrays[c] for c in CASE_COLUMNS if c not in SEGMENT_COLUMNS}
        court = column.pop("court_index").astype(np.int32)
        week = column.pop("week_no").astype(np.int32)
        slot = np.where(week >= 0, np.minimum(week, RECENT_WEEKS), PENDING_SLOT)
        column["recent_key"] = ((court * (len(specific) + 1) + column["bucket"])
                                * (PENDING_SLOT + 1) + slot).astype(np.int32)
        past_last = courts.height * max_weeks
        column["trend_key"] = np.where(week >= 0, court * max_weeks + week,
                                       past_last).astype(np.int32)
        return cls(column, courts, specific, max_weeks, priorities, complexities, case_types,
                   segments)


def case_segments(columns: dict[str, np.ndarray], priorities: tuple[str, ...],
                  complexities: tuple[str, ...], case_types: tuple[str, ...]) -> np.ndarray:
    """Where each combination's cases start in `columns` (and, last, their number):
    combination k = (priority × len(complexities) + complexity) × len(case_types) + type
    holds the rows segments[k] … segments[k + 1] - 1. The cases must come sorted by
    combination and, within each, by amount (the queries' ORDER BY): a filter's rows are
    then a few slices."""
    combination = ((columns["priority_index"].astype(np.int32) * len(complexities)
                    + columns["complexity_index"]) * len(case_types)
                   + columns["case_type_index"])
    fen = columns["applied_fen"]
    step = np.diff(combination)
    combinations = len(priorities) * len(complexities) * len(case_types)
    if combination.size and (combination.min() < 0 or combination.max() >= combinations
                             or step.min(initial=0) < 0
                             or not (fen[1:] >= fen[:-1])[step == 0].all()):
        raise ValueError("the cases are not sorted by combination and amount")
    return np.searchsorted(combination, np.arange(combinations + 1))


def gathered(column: np.ndarray, rows: Rows) -> np.ndarray:
    """The values of `column` at `rows` (a view when they are one slice)."""
    if len(rows) == 1:
        return column[rows[0]]
    if not rows:
        return column[:0]
    return np.concatenate([column[r] for r in rows])


@dataclass(frozen=True)
class RankCells:
    """The counts of one filter set. `recent[s]`: court × bucket × slot, slots 0 …
    RECENT_WEEKS - 1 the weeks back one by one and slot RECENT_WEEKS every older week of
    the period; `pending`: court × bucket, pending at the as-of date; `trend[s]`: court ×
    week (0 … max_weeks - 1, the last holding every older week) of `trend_ranking`.
    Bucket 0 is every type outside the specific ones, bucket k the k-th specific type.
    Amounts are in fen, so that every sum of cells is exact; the frames below give yuan."""

    recent: dict[str, np.ndarray]
    pending: np.ndarray
    trend: dict[str, np.ndarray]
    specific: tuple[str, ...]
    trend_ranking: str


def _first_at_least(applied_fen: np.ndarray, bound: float) -> int:
    """The first case whose amount, as the DOUBLE cases_in_scope compares (fen / 100), is
    >= bound. Every amount up to a fen and a half below the bound is below it; from there
    at most a couple of distinct amounts are checked one by one."""
    if not math.isfinite(bound):      # NaN: no amount is >= it (as in SQL); ±inf
        return 0 if bound == -math.inf else applied_fen.size
    i = int(np.searchsorted(applied_fen, math.floor(bound * 100) - 1, "left"))
    while i < applied_fen.size and applied_fen[i] / 100 < bound:
        i = int(np.searchsorted(applied_fen, applied_fen[i], "right"))
    return i


def _kept(codes: tuple[str, ...], chosen: tuple[str, ...] | None) -> np.ndarray:
    """The code indices a filter of `chosen` codes keeps (None: no filter, every one)."""
    if chosen is None:
        return np.arange(len(codes))
    return np.flatnonzero(np.isin(np.array(codes, dtype=object), list(chosen)))


def selected_rows(cases: SortedCases, value_min: float | None, value_max: float | None,
                  priorities: tuple[str, ...] | None, complexities: tuple[str, ...] | None,
                  case_types: tuple[str, ...] | None) -> Rows:
    """The cases in the value range [value_min, value_max) of the given priorities,
    complexities and case types (None: no restriction): per combination kept, the slice of
    its cases in the value range (no pass over the cases); adjacent slices joined."""
    fen = cases.columns["applied_fen"]
    combinations = ((_kept(cases.priorities, priorities)[:, None, None]
                     * len(cases.complexities)
                     + _kept(cases.complexities, complexities)[None, :, None])
                    * len(cases.case_types)
                    + _kept(cases.case_types, case_types)[None, None, :]).ravel()
    rows: list[slice] = []
    for k in np.sort(combinations):
        start, stop = int(cases.segments[k]), int(cases.segments[k + 1])
        segment = fen[start:stop]
        low = start + (0 if value_min is None else _first_at_least(segment, float(value_min)))
        high = stop if value_max is None else start + _first_at_least(segment,
                                                                       float(value_max))
        if high <= low:
            continue
        if rows and rows[-1].stop == low:
            rows[-1] = slice(rows[-1].start, high)
        else:
            rows.append(slice(low, high))
    return tuple(rows)


def _sums(key: np.ndarray, fully_performed: np.ndarray, applied_fen: np.ndarray,
          recovered_fen: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """SUMS per cell of `key` (each case's cell); amounts in fen, whole numbers summed
    exactly."""
    return {
        "concluded": np.bincount(key, minlength=size),
        "fully_performed": np.bincount(key[fully_performed], minlength=size),
        "amount_applied": np.bincount(key, weights=applied_fen, minlength=size),
        "amount_recovered": np.bincount(key, weights=recovered_fen, minlength=size),
    }


@dataclass(frozen=True)
class RecentCells:
    """The counts of one filter set that do not depend on the trend shown: `recent[s]`
    court × bucket × slot and `pending` court × bucket, as in RankCells."""

    recent: dict[str, np.ndarray]
    pending: np.ndarray


_CELL_COLUMNS = ("fully_performed", "applied_fen", "recovered_fen")


def count_recent(cases: RankCases, rows: Rows) -> RecentCells:
    """The counts of the cases `rows` (selected_rows) per court × bucket × recent week,
    and the pending."""
    shape = (cases.courts.height, len(cases.specific) + 1, PENDING_SLOT + 1)
    recent = {c: a.reshape(shape) for c, a in
              _sums(gathered(cases.columns["recent_key"], rows),
                    *(gathered(cases.columns[c], rows) for c in _CELL_COLUMNS),
                    int(np.prod(shape))).items()}
    return RecentCells({c: a[:, :, :PENDING_SLOT] for c, a in recent.items()},
                       recent["concluded"][:, :, PENDING_SLOT])


def count_cells(cases: RankCases, rows: Rows, trend_ranking: str,
                recent: RecentCells | None = None) -> RankCells:
    """The counts of the cases `rows` (selected_rows): per court × bucket × recent week,
    the pending (`recent`, when the caller has counted them: count_recent), and per court ×
    week of `trend_ranking` ('overall' or a specific type)."""
    if recent is None:
        recent = count_recent(cases, rows)
    courts = cases.courts.height
    of = {c: gathered(cases.columns[c], rows) for c in ("trend_key", *_CELL_COLUMNS)}
    if trend_ranking != "overall":
        mine = gathered(cases.columns["bucket"], rows) == cases.specific.index(trend_ranking) + 1
        of = {c: a[mine] for c, a in of.items()}
    cells = courts * cases.max_weeks
    trend = {c: a[:cells].reshape(courts, cases.max_weeks) for c, a in
             _sums(of["trend_key"], *(of[c] for c in _CELL_COLUMNS),
                   cells + 1).items()}   # the last cell: pending cases
    return RankCells(recent.recent, recent.pending, trend, cases.specific, trend_ranking)


def _frame(columns: dict[str, object]) -> pl.DataFrame:
    """The counts as a frame: counts Int64, amounts from fen to yuan (as the SQL's DECIMAL
    sums cast to DOUBLE)."""
    return pl.DataFrame(columns).with_columns(
        pl.col("concluded", "fully_performed").cast(pl.Int64),
        pl.col("amount_applied", "amount_recovered").cast(pl.Float64) / 100)


def ranking_counts(cells: RankCells, courts: pl.DataFrame, specific: list[str],
                   weeks_back: int = 0) -> pl.DataFrame:
    """Every court (`courts`: court_code, province) × ranking, counted as of
    `as_of - 7 × weeks_back`; zero where a court has no case. `pending` is the pending
    count at the as-of date itself (null for an earlier week: a case closed since was
    pending then, which the cells do not tell)."""
    if not 0 <= weeks_back < RECENT_WEEKS:
        raise ValueError(f"ranks are kept for the last {RECENT_WEEKS - 1} weeks")
    if list(cells.specific) != list(specific):
        raise ValueError("the cells were counted for other specific types")

    def by_ranking(per_bucket: np.ndarray) -> np.ndarray:
        # ranking-major: every court of 'overall' (all buckets), then of each specific type
        return np.concatenate([per_bucket.sum(axis=1), per_bucket[:, 1:].T.ravel()])

    # ranking-major, courts in their order within each ranking (strings gathered in polars)
    grid = pl.DataFrame({"ranking": ["overall", *specific]}).join(
        courts.select("court_code", "province"), how="cross", maintain_order="left_right")
    out = pl.concat([grid, _frame({
        **{c: by_ranking(cells.recent[c][:, :, weeks_back:].sum(axis=2)) for c in SUMS},
        "pending": by_ranking(cells.pending),
    }).with_columns(pl.col("pending").cast(pl.Int64))], how="horizontal")
    if weeks_back:
        out = out.with_columns(pending=pl.lit(None, pl.Int64))
    return out


def weekly_counts(cells: RankCells, courts: pl.DataFrame, ranking: str, as_of: dt.date,
                  period_start: dt.date, max_weeks: int) -> pl.DataFrame:
    """For each week ending as_of, as_of - 7, … back to the period start (at most
    `max_weeks`), every court's cumulative counts since the period start on `ranking` (the
    trend's ranking the cells were counted for)."""
    if ranking != cells.trend_ranking:
        raise ValueError(f"the cells hold the trend of {cells.trend_ranking!r}")
    weeks = [w for w in range(max_weeks) if as_of - dt.timedelta(days=7 * w) >= period_start]
    codes = courts["court_code"]
    if not weeks:
        return pl.DataFrame(schema={"week_end": pl.Date, "court_code": pl.String,
                                    "ranking": pl.String, **dict.fromkeys(SUMS[:2], pl.Int64),
                                    **dict.fromkeys(SUMS[2:], pl.Float64)})
    out: dict[str, object] = {
        # court-major, newest week first: the same order for every column below
        "week_end": np.tile(np.datetime64(as_of, "D") - 7 * np.array(weeks), len(codes)),
        "court_code": codes.gather(np.arange(len(codes)).repeat(len(weeks))),
        "ranking": ranking,
    }
    last = max(weeks)
    for c in SUMS:
        grid = cells.trend[c][:, :last + 1].copy()
        # the oldest week shown also holds what is older (a period longer than max_weeks)
        grid[:, last] += cells.trend[c][:, last + 1:].sum(axis=1)
        # week k holds every conclusion up to its end: the weeks k, k+1, … (older weeks)
        out[c] = grid[:, ::-1].cumsum(axis=1)[:, ::-1].ravel()
    return _frame(out).with_columns(pl.col("week_end").cast(pl.Date))


def pace_counts(cells: RankCells, courts: pl.DataFrame, ranking: str,
                pace_weeks: int) -> pl.DataFrame:
    """Each court's totals on `ranking` so far, the same over the last `pace_weeks` weeks
    (columns *_8w) and its pending cases: the input of the year-end projection."""
    if pace_weeks >= RECENT_WEEKS:
        raise ValueError(f"the pace is kept for the last {RECENT_WEEKS - 1} weeks")

    def of_ranking(per_bucket: np.ndarray) -> np.ndarray:
        if ranking == "overall":
            return per_bucket.sum(axis=1)
        return per_bucket[:, cells.specific.index(ranking) + 1]

    out = _frame({
        "court_code": courts["court_code"],
        **{c: of_ranking(cells.recent[c].sum(axis=2)) for c in SUMS},
        **{f"{c}_8w": of_ranking(cells.recent[c][:, :, :pace_weeks].sum(axis=2))
           for c in SUMS},
        "pending": of_ranking(cells.pending),
    })
    return out.with_columns(
        pl.col("concluded_8w", "fully_performed_8w", "pending").cast(pl.Int64),
        pl.col("amount_applied_8w", "amount_recovered_8w").cast(pl.Float64) / 100)
