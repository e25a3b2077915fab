"""Every court's rank counts and 3+1 counts at any as-of date, counted from the cases held
in memory (numpy and polars, no I/O).

Three layers, each kept as long as what it depends on:

- `Cases` (per data version, whatever the date): every case of queries/memory_cases.sql
  and its petitions (queries/memory_petitions.sql), as column arrays sorted by priority ×
  complexity × case type and, within each such combination, by amount: court, ranking
  bucket, amounts in fen, filing and closing days and the closing method's
  traits. No column depends on a date.
- `Dated` (per version and as-of date): derived from `Cases` with a few vectorised masks
  (`dated`, ~0.1–0.2 s at 10 M cases): the positions of the cases a ranking counts at that
  date (concluded in the period or pending), each with its cell (court × bucket × week
  back, or pending), and every case's court × combination of 3+1 flags — the case_status
  and case_core_status macros' definitions, which tests hold these to.
- `RankCells` (per version, date and filters): `selected_rows` takes the combinations of
  the sidebar's priorities, complexities and case types and, within each, the value range
  as one slice (no pass over the cases); `count_cells` counts them per court × bucket ×
  week (numpy bincount, amounts summed exactly in fen).

From the cells: `ranking_grids` (every court × ranking, as of `as_of - 7k`),
`weekly_grid` (the trend of any ranking, week by week) and `pace_counts` (the year-end
projection's input). Ranks, cutoffs and gaps are computed by supervision.engine.ranking,
the one definition; the tests hold these counts to tests/sql/court_rank_counts.sql, which
counts one date straight from the table.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

SUMS = ("concluded", "fully_performed", "amount_applied", "amount_recovered")
MAX_WEEKS = 54           # weeks told apart: a period reaches back at most a year
PENDING_SLOT = MAX_WEEKS  # the last slot of a court × bucket: its pending cases
SLOTS = MAX_WEEKS + 1
EPOCH = dt.date(2000, 1, 1)   # day numbers (SMALLINT) count from it
NEVER = 32767                 # the day number of a date that has not come (not closed)
# the Filters fields applied to the cases in memory; the case read leaves them out of its
# scope (every other path applies them in cases_in_scope)
SLICED_FILTERS = ("value_min", "value_max", "priorities", "complexities", "case_types")
# the traits bits of queries/memory_cases.sql
LEFT_OUT, FULLY, ACTUALLY, TERMINATES, FIRST_WITH_PROPERTY, CONDITIONS_MET, IN_LIMIT = (
    1, 2, 4, 8, 16, 32, 64)
TRAIT_BITS = 7
# where a day falls against a date's bounds (the codes of a day's state): before the
# first bound, within both (inclusive), after the last
BEFORE, WITHIN, AFTER = 0, 1, 2
# the 3+1 flags a case has at a date, bit k = 2^k (supervision.engine.memory_core_counts)
CORE_FLAGS = ("actually_concluded", "property_due", "property_in_limit", "terminations",
              "terminations_qualified", "three_year_cases", "three_year_concluded")
# one slice per combination kept, ascending and disjoint
Rows = tuple[slice, ...]
# the derivation of a date (`dated`) takes the cases in runs of PART_ROWS rows on THREADS
# threads (numpy's look-ups and gathers leave Python's lock; bincount does not)
PART_ROWS = 1 << 18
THREADS = 2
_THREADS = ThreadPoolExecutor(THREADS, thread_name_prefix="memory_counts")


def _day(date: dt.date) -> int:
    """A date's day number (queries/memory_cases.sql's $epoch)."""
    return (date - EPOCH).days


@dataclass(frozen=True)
class Cases:
    """Every case of the data version (queries/memory_cases.sql) as column arrays sorted by
    combination and amount, the combinations' code lists and where each starts
    (`segments`: combination k holds rows segments[k] … segments[k + 1] - 1), the courts
    (court_code, province: the order of the court indices), the specific types (bucket k
    is the k-th, 0 every other type) and the petitions (`petitions`: their columns, and
    `petition_combination`)."""

    columns: dict[str, np.ndarray]
    petitions: dict[str, np.ndarray]
    courts: pl.DataFrame
    specific: tuple[str, ...]
    priorities: tuple[str, ...]
    complexities: tuple[str, ...]
    case_types: tuple[str, ...]
    segments: np.ndarray

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], petitions: dict[str, np.ndarray], *,
                    courts: pl.DataFrame, specific: tuple[str, ...],
                    priorities: tuple[str, ...], complexities: tuple[str, ...],
                    case_types: tuple[str, ...]) -> Cases:
        """From the columns of queries/memory_cases.sql and memory_petitions.sql
        (queries.run_arrays), the cases sorted by combination and amount."""
        shape = (len(priorities), len(complexities), len(case_types))
        combination = _combination(arrays, shape)
        fen = arrays["applied_fen"]
        step = np.diff(combination)
        if combination.size and (combination.min() < 0 or combination.max() >= math.prod(shape)
                                 or step.min(initial=0) < 0
                                 or not (fen[1:] >= fen[:-1])[step == 0].all()):
            raise ValueError("the cases are not sorted by combination and amount")
        segments = np.searchsorted(combination, np.arange(math.prod(shape) + 1))
        bucket_of_type = np.array([specific.index(t) + 1 if t in specific else 0
                                   for t in case_types], dtype=np.int8)
        bucket = np.repeat(bucket_of_type[np.arange(math.prod(shape)) % len(case_types)],
                           np.diff(segments)) if combination.size else np.zeros(0, np.int8)
        # a combination's priority, complexity and type are its segment's: not kept per case
        # plain arrays (a memory map's own class costs Python time at every slice)
        columns = {c: np.asarray(a) for c, a in arrays.items() if not c.endswith("_index")}
        # each case's court × combination of 3+1 flags, but for the combination (a date's)
        columns["court_core"] = arrays["court_index"].astype(np.int32) * np.int32(len(COMBOS))
        buckets = len(specific) + 1
        columns["court_bucket"] = (arrays["court_index"].astype(np.int32) * buckets
                                   + bucket).astype(np.int16 if courts.height * buckets < 2 ** 15
                                                    else np.int32)
        kept = {c: a for c, a in petitions.items() if not c.endswith("_index")}
        kept["court_index"] = petitions["court_index"].astype(np.int32)
        kept["combination"] = _combination(petitions, shape)
        return cls(columns, kept, courts, specific, priorities, complexities, case_types,
                   segments)


def _combination(arrays: dict[str, np.ndarray], shape: tuple[int, int, int]) -> np.ndarray:
    return ((arrays["priority_index"].astype(np.int32) * shape[1]
             + arrays["complexity_index"]) * shape[2] + arrays["case_type_index"])


@dataclass(frozen=True)
class Dated:
    """What the cases are at one as-of date, for the period from `start`:
    `concluded_rows` the cases concluded in the period (ascending positions in Cases) and
    `concluded_cell` each one's court × bucket × slot (the week back, 0 … MAX_WEEKS - 1,
    the last holding every older week: RankCells' layout); `pending_rows` those pending at
    the date and `pending_cell` each one's court × bucket (a ranking counts both); `core_combo` every case's
    combination of CORE_FLAGS (the flags of combination k: COMBOS[k]; its court ×
    combination is Cases' `court_core` plus it); `petition_in` the
    petitions received in the period of a case counted then, `petition_resolved` those
    resolved by the date. The date's default view, every case (no sidebar filter), is
    counted in the same pass unless the day tables give it: `official` its rank counts,
    `core_counts` its court × combination counts (None both when not counted)."""

    as_of: dt.date
    start: dt.date
    concluded_rows: np.ndarray
    concluded_cell: np.ndarray
    pending_rows: np.ndarray
    pending_cell: np.ndarray
    core_combo: np.ndarray
    petition_in: np.ndarray
    petition_resolved: np.ndarray
    official: RankCells | None
    core_counts: np.ndarray | None


def _where(days: np.ndarray, low: int, high: int) -> np.ndarray:
    """BEFORE low, WITHIN [low, high] or AFTER high, per day number."""
    return np.where(days < low, BEFORE, np.where(days <= high, WITHIN, AFTER)).astype(np.uint16)


def _deadline(days: np.ndarray) -> np.ndarray:
    """The statutory deadline of a case filed on each day: 6 calendar months later, the day
    clamped to the month's end (DuckDB's `filed_on + INTERVAL 6 MONTH`)."""
    dates = np.datetime64(EPOCH, "D") + days.astype(np.int64)
    month = dates.astype("datetime64[M]")
    later = month + 6
    last = (later + 1).astype("datetime64[D]") - 1
    due = np.minimum(later.astype("datetime64[D]") + (dates - month.astype("datetime64[D]")),
                     last)
    return (due - np.datetime64(EPOCH, "D")).astype(np.int64)


# every day number a case's day columns can hold (int16), and the deadline of a case filed
# on each: the same for every date, so worked out once (~3 ms a derivation otherwise)
_EVERY_DAY = np.arange(2 ** 16, dtype=np.uint32).astype(np.uint16).view(np.int16)
_DEADLINE_OF_DAY = _deadline(_EVERY_DAY)
_EVERY_DAY.flags.writeable = _DEADLINE_OF_DAY.flags.writeable = False


def _case_flags(traits: np.ndarray, closed: np.ndarray, filed: np.ndarray,
               deadline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether a ranking counts a case at a date (concluded in the period or pending), and
    its 3+1 flags (bit k: CORE_FLAGS[k]), from its traits and where its closing, filing
    and deadline days fall: closed BEFORE/WITHIN/AFTER [period start, as-of date] (AFTER:
    pending), filed BEFORE/WITHIN/AFTER [three-year start, as-of date], its deadline
    BEFORE/WITHIN/AFTER the period. queries/macros.sql case_status and case_core_status,
    vectorised."""
    closed_by = closed != AFTER
    exists = (filed != AFTER) & ~(closed_by & ((traits & LEFT_OUT) != 0))
    in_period = closed != BEFORE
    concluded = (closed == WITHIN) & exists
    actually = (traits & ACTUALLY) != 0
    due = ((traits & FIRST_WITH_PROPERTY) != 0) & (deadline == WITHIN) & exists
    terminated = concluded & ((traits & TERMINATES) != 0)
    three_year = exists & (filed != BEFORE)
    flags = np.zeros(traits.shape, dtype=np.uint8)
    for bit, flag in enumerate((
            concluded & actually,
            due,
            due & closed_by & actually & ((traits & IN_LIMIT) != 0),
            terminated,
            terminated & ((traits & CONDITIONS_MET) != 0),
            three_year,
            three_year & closed_by)):
        flags |= flag.astype(np.uint8) << np.uint8(bit)
    return exists & in_period, flags


_STATES = np.arange(2 ** (TRAIT_BITS + 6), dtype=np.uint16)
# per state (traits, then 2 bits each: closed, filed, deadline against a date's bounds):
# whether a ranking counts the case, and the combination of 3+1 flags it has — COMBOS[k]
# the flags of combination k (a few dozen of the 2^7 are possible), 0 or 1 each
_COUNTED, _FLAGS = _case_flags(
    (_STATES & (2 ** TRAIT_BITS - 1)).astype(np.uint8), (_STATES >> TRAIT_BITS) & 3,
    (_STATES >> (TRAIT_BITS + 2)) & 3, (_STATES >> (TRAIT_BITS + 4)) & 3)
_CLOSED_STATE = (_STATES >> TRAIT_BITS) & 3
_FLAG_VALUES, _COMBO_OF_STATE = np.unique(_FLAGS, return_inverse=True)
COMBOS = (_FLAG_VALUES[:, None] >> np.arange(len(CORE_FLAGS))) & 1
# what a state means, in one byte (one look-up per case): its combination of 3+1 flags
# times 4, plus whether a ranking counts the case as concluded in the period, pending, or
# not (0)
CONCLUDED_KIND, PENDING_KIND = 1, 2
_MEANING = ((_COMBO_OF_STATE << 2)
            + np.where(_COUNTED & (_CLOSED_STATE == WITHIN), CONCLUDED_KIND,
                       np.where(_COUNTED & (_CLOSED_STATE == AFTER), PENDING_KIND, 0))
            ).astype(np.uint8)
assert len(COMBOS) <= 2 ** 6


def dated(cases: Cases, as_of: dt.date, start: dt.date, default_view: bool = True) -> Dated:
    """The cases at `as_of`, for the period [start, as_of] (the macros' definitions: a case
    filed after as_of does not exist yet; one closed after it is pending; one closed by a
    method left out of counts by then is left out; see queries/macros.sql).

    Each case's state — its traits and where its closing, filing and deadline days fall
    against the date's bounds — is one of 2^13 values, whose meaning (_case_flags) is a
    table worked out once: each case looks its own up. The cases are taken in runs of
    PART_ROWS rows on THREADS threads, and the default view (every case) is counted in the
    same pass (`official`, `core_counts`), unless not asked for (`default_view` False:
    the day tables give it, supervision.engine.day_counts; both None then)."""
    d, ps = _day(as_of), _day(start)
    three_years = _day(dt.date(as_of.year - 3, 1, 1))
    col = cases.columns
    # where each day falls, as the bits of a state: traits, closed, filed and the deadline
    # (filed + 6 months: a day's deadline is the filing day's, so one look-up gives both)
    closed_at = _where(_EVERY_DAY, ps, d) << TRAIT_BITS
    filed_at = ((_where(_EVERY_DAY, three_years, d) << (TRAIT_BITS + 2))
                | (_where(_DEADLINE_OF_DAY, ps, d) << (TRAIT_BITS + 4)))
    # the week back of a closing day up to the as-of date
    week_of = np.clip((d - _EVERY_DAY.astype(np.int32)) // 7, 0, MAX_WEEKS - 1).astype(np.int32)
    core_combo = np.empty(col["traits"].size, dtype=np.uint8)
    buckets = cases.courts.height * (len(cases.specific) + 1)

    def part(rows: slice) -> tuple[Any, ...]:
        closed = col["closed_day"][rows].view(np.uint16)
        state = closed_at[closed]
        state |= filed_at[col["filed_day"][rows].view(np.uint16)]
        state |= col["traits"][rows]
        meaning = _MEANING[state]
        np.right_shift(meaning, 2, out=core_combo[rows])
        kind = meaning & 3
        concluded = np.flatnonzero(kind == CONCLUDED_KIND).astype(np.int32)
        pending = np.flatnonzero(kind == PENDING_KIND).astype(np.int32)
        bucket = col["court_bucket"][rows]
        cell = bucket[concluded].astype(np.int32)
        cell *= np.int32(SLOTS)
        cell += week_of[closed[concluded]]
        pending_cell = bucket[pending]
        core_counts, counted_values = None, {}
        if default_view:
            # the default view's (every case's) 3+1 counts, while the part is in cache
            core = np.add(col["court_core"][rows], core_combo[rows], dtype=np.int32)
            core_counts = np.bincount(core, minlength=cases.courts.height * len(COMBOS))
            # what the default view's rank counts add up (counted once the runs are joined)
            counted_values = {c: col[c][rows][concluded] for c in _COUNTED_COLUMNS}
        concluded += np.int32(rows.start)
        pending += np.int32(rows.start)
        return concluded, cell, pending, pending_cell, core_counts, counted_values

    # runs of PART_ROWS rows, so that every temporary is small: in the processor's cache,
    # and reused by the allocator (one of a whole column is mapped and faulted in afresh
    # each time: supervision.serve.return_large_allocations)
    parts = list(_THREADS.map(part, [slice(a, a + PART_ROWS)
                                     for a in range(0, max(core_combo.size, 1), PART_ROWS)]))
    concluded_rows, concluded_cell, pending_rows, pending_cell = (
        np.concatenate([run[k] for run in parts]) for k in range(4))
    petition_in, petition_resolved = petitions_at(cases.petitions, d, ps)
    if not default_view:
        return Dated(as_of, start, concluded_rows, concluded_cell, pending_rows, pending_cell,
                     core_combo, petition_in, petition_resolved, None, None)
    # the default view's rank counts (count_cells of every case)
    official = _rank_cells(cases, _cell_counts(
        concluded_cell.astype(np.intp), pending_cell, buckets,
        lambda c: np.concatenate([run[5][c] for run in parts])))
    return Dated(as_of, start, concluded_rows, concluded_cell, pending_rows, pending_cell,
                 core_combo, petition_in, petition_resolved, official,
                 np.sum([run[4] for run in parts], axis=0))


def petitions_at(p: dict[str, np.ndarray], d: int, ps: int) -> tuple[np.ndarray, np.ndarray]:
    """Which petitions count at day `d` for the period from day `ps` (masks): those received
    in the period of a case that exists then (filed, and not closed by a method left out),
    and of those the ones resolved by then (the case_core_status macro's petitions)."""
    received = ((p["received_day"] >= ps) & (p["received_day"] <= d) & (p["filed_day"] <= d)
                & ~((p["closed_day"] <= d) & ((p["traits"] & LEFT_OUT) != 0)))
    return received, received & (p["resolved_day"] <= d)


@dataclass(frozen=True)
class CoreCounts:
    """Every court's 3+1 counts at a date (rows in the courts' order): `flags` court ×
    CORE_FLAGS, and the petitions received in the period and resolved by the date."""

    flags: np.ndarray
    petitions: np.ndarray
    petitions_resolved: np.ndarray


@dataclass(frozen=True)
class DefaultView:
    """Every case's counts at one date (no sidebar filter): the rank counts by week
    (`official`, RankCells) and the 3+1 counts (`core`): what every page's official
    position is ranked and judged on."""

    official: RankCells
    core: CoreCounts


def petition_counts(cases: Cases, received: np.ndarray,
                    resolved: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per court, how many petitions `received` and `resolved` (masks) hold."""
    court, courts = cases.petitions["court_index"], cases.courts.height
    return (np.bincount(court[received], minlength=courts),
            np.bincount(court[resolved], minlength=courts))


def default_view(cases: Cases, at: Dated) -> DefaultView:
    """The default view's counts of a derived date (counted in `dated`'s pass)."""
    flags = at.core_counts.reshape(cases.courts.height, len(COMBOS)) @ COMBOS
    return DefaultView(at.official, CoreCounts(
        flags, *petition_counts(cases, at.petition_in, at.petition_resolved)))


def counted(cells: np.ndarray, size: int) -> np.ndarray:
    """np.bincount of `cells` (few distinct cells: `size` small beside them), a million at a
    time: bincount converts its input to intp first, which for ten million cells at once is
    80 MB written and read again."""
    out = np.zeros(size, dtype=np.int64)
    step = 1 << 20
    for at in range(0, cells.size, step):
        out += np.bincount(cells[at:at + step], minlength=size)
    return out


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


@dataclass(frozen=True)
class Selection:
    """The cases a sidebar filter keeps: `rows`, slices of the sorted cases, and the
    combinations and value range they come from (the petitions are selected by these);
    `every_case`: the rows are every case (a date's `official` counts are theirs)."""

    rows: Rows
    combinations: np.ndarray
    value_min: float | None
    value_max: float | None
    every_case: bool


def selected_rows(cases: Cases, value_min: float | None, value_max: float | None,
                  priorities: tuple[str, ...] | None, complexities: tuple[str, ...] | None,
                  case_types: tuple[str, ...] | None) -> Selection:
    """The cases in the value range [value_min, value_max) of the given priorities,
    complexities and case types (None: no restriction): per combination kept, the slice of
    its cases in the value range (no pass over the cases); adjacent slices joined."""
    fen = cases.columns["applied_fen"]
    combinations = np.sort(((_kept(cases.priorities, priorities)[:, None, None]
                             * len(cases.complexities)
                             + _kept(cases.complexities, complexities)[None, :, None])
                            * len(cases.case_types)
                            + _kept(cases.case_types, case_types)[None, None, :]).ravel())
    rows: list[slice] = []
    for k in combinations:
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
    return Selection(tuple(rows), combinations, value_min, value_max,
                     rows == [slice(0, fen.size)])


def gathered(column: np.ndarray, rows: Rows) -> np.ndarray:
    """The values of `column` at `rows` (a view when they are one slice)."""
    if len(rows) == 1:
        return column[rows[0]]
    if not rows:
        return column[:0]
    return np.concatenate([column[r] for r in rows])


@dataclass(frozen=True)
class RankCells:
    """The counts of one filter set at one date: `grid[s]` court × bucket × slot. Counted
    by week (`by_week`): slots 0 … MAX_WEEKS - 1 the weeks back and PENDING_SLOT the pending
    cases (only `concluded` is counted there); counted for now only (NOW_SLOTS): slot 0
    every conclusion of the period, slot 1 the pending. Bucket 0 is every type outside the
    specific ones, bucket k the k-th specific type. Amounts are in fen, so that every sum
    of cells is exact; the frames give yuan."""

    grid: dict[str, np.ndarray]
    specific: tuple[str, ...]
    # the sums `weeks` gave (a page asks the same ones several times; a few MB a date at
    # 10 M cases, outside the byte count of the results that hold these cells); not compared
    _summed: dict[tuple[str, int, int], np.ndarray] = field(
        default_factory=dict, compare=False, repr=False)

    @property
    def by_week(self) -> bool:
        return self.grid["concluded"].shape[2] == SLOTS

    def weeks(self, column: str, from_week: int = 0, to_week: int = MAX_WEEKS) -> np.ndarray:
        """court × bucket: `column` summed over the weeks back from_week … to_week - 1
        (read-only: kept for the next asker)."""
        if not self.by_week:
            if (from_week, to_week) != (0, MAX_WEEKS):
                raise ValueError("these counts were counted for now, not by week")
            now = self.grid[column][:, :, 0]
            now.flags.writeable = False
            return now
        key = (column, from_week, to_week)
        summed = self._summed.get(key)
        if summed is None:
            # summed slot by slot: whole rows when the grid is laid out slot-major (the day
            # tables'), a strided pass otherwise
            summed = np.add.reduce(np.moveaxis(self.grid[column], 2, 0)[from_week:to_week])
            summed.flags.writeable = False
            self._summed[key] = summed
        return summed

    @property
    def pending(self) -> np.ndarray:
        """court × bucket: pending at the as-of date."""
        return self.grid["concluded"][:, :, -1]


# a filter set counted for now only: every conclusion of the period, and the pending
NOW_SLOTS = 2


def _within(rows: np.ndarray, selection: Selection) -> Rows:
    """The slices of `rows` (ascending positions in Cases) that fall in `selection`'s
    slices of the cases (bounds as int32: a Python int would make numpy convert every
    position to int64)."""
    return tuple(slice(int(np.searchsorted(rows, np.int32(r.start))),
                       int(np.searchsorted(rows, np.int32(r.stop)))) for r in selection.rows)


# the columns of the concluded cases _cell_counts adds up
_COUNTED_COLUMNS = ("traits", "applied_fen", "recovered_fen")


def _cell_counts(cell: np.ndarray, pending_cell: np.ndarray, buckets: int,
                 column: Callable[[str], np.ndarray], slots: int = SLOTS
                 ) -> dict[str, np.ndarray]:
    """The flat court × bucket × slot grid (`slots` per court × bucket, the last the
    pending) of the concluded cases at `cell` (intp), whose traits and amounts in fen
    `column(name)` gives (asked after the first count), and of the pending cases at
    `pending_cell` (court × bucket)."""
    size = buckets * slots
    concluded = np.bincount(cell, minlength=size)
    # no concluded case has the pending slot: it takes the pending cases' count
    concluded.reshape(buckets, slots)[:, slots - 1] = counted(pending_cell, buckets)
    fully = (column("traits") & FULLY) != 0
    return {"concluded": concluded,
            "fully_performed": np.bincount(cell[fully], minlength=size),
            "amount_applied": np.bincount(cell, weights=column("applied_fen"), minlength=size),
            "amount_recovered": np.bincount(cell, weights=column("recovered_fen"),
                                            minlength=size)}


def _rank_cells(cases: Cases, grid: dict[str, np.ndarray], slots: int = SLOTS) -> RankCells:
    shape = (cases.courts.height, len(cases.specific) + 1, slots)
    return RankCells({c: (a.astype(np.int32) if c in SUMS[:2] else a).reshape(shape)
                      for c, a in grid.items()}, cases.specific)


def count_cells(cases: Cases, at: Dated, selection: Selection,
                by_week: bool = True) -> RankCells:
    """The counts of the cases of `selection` that a ranking counts at `at`, per court ×
    bucket: `by_week`, the concluded ones per week back, with their fully performed cases
    and amounts, and the pending ones (counted only) in PENDING_SLOT; else the same for
    now only (NOW_SLOTS: a few hundred kilobytes of cells that stay in the processor's
    cache, instead of 9 MB each: what a filter's rank now, 3+1 counts and province ranking
    need). Every case: the date's own (`at.official`, counted with the date, by week),
    where the date's derivation counted it."""
    if selection.every_case and at.official is not None:
        return at.official
    sub = _within(at.concluded_rows, selection)
    positions = gathered(at.concluded_rows, sub)
    # the counted cases' traits and amounts are gathered on the other threads (numpy's
    # gathers leave Python's lock) while this one counts (bincount holds it)
    gathers = {c: _THREADS.submit(np.take, cases.columns[c], positions)
               for c in _COUNTED_COLUMNS}
    cell = gathered(at.concluded_cell, sub).astype(np.intp)
    slots = SLOTS if by_week else NOW_SLOTS
    if not by_week:
        # court × bucket × week → court × bucket × slot 0
        cell //= SLOTS
        cell *= NOW_SLOTS
    return _rank_cells(cases, _cell_counts(
        cell, gathered(at.pending_cell, _within(at.pending_rows, selection)),
        cases.courts.height * (len(cases.specific) + 1), lambda c: gathers[c].result(),
        slots), slots)


def yuan(fen: object) -> np.ndarray:
    """Amounts in fen (whole numbers) as yuan: the nearest double to fen / 100, as the SQL's
    DECIMAL sums cast to DOUBLE give them. numpy divides, correctly rounded (polars'
    `/ 100` multiplies by 0.01, a last bit off for about one amount in eight)."""
    return np.asarray(fen, dtype=np.float64) / 100


def _frame(columns: dict[str, object]) -> pl.DataFrame:
    """The counts as a frame: counts (concluded, fully performed, pending, and their `_8w`)
    Int64, amounts (`amount_*`) from fen to yuan."""
    return pl.DataFrame({
        c: yuan(v) if c.startswith("amount_")
        else np.asarray(v).astype(np.int64) if c.startswith(("concluded", "fully_performed",
                                                             "pending"))
        else v
        for c, v in columns.items()})


def _of_ranking(per_bucket: np.ndarray, specific: tuple[str, ...], ranking: str) -> np.ndarray:
    """court × bucket → per court, on `ranking` ('overall': every bucket)."""
    if ranking == "overall":
        return per_bucket.sum(axis=1)
    return per_bucket[:, specific.index(ranking) + 1]


def ranking_grids(cells: RankCells, specific: list[str], weeks_back: int = 0
                  ) -> dict[str, np.ndarray]:
    """Every court × ranking ('overall': every bucket, then each specific type), as court ×
    ranking grids: SUMS as of `as_of - 7 × weeks_back` (amounts in fen) and `pending` at
    the as-of date."""
    if not 0 <= weeks_back < MAX_WEEKS:
        raise ValueError(f"ranks are kept for the last {MAX_WEEKS - 1} weeks")
    if list(cells.specific) != list(specific):
        raise ValueError("the cells were counted for other specific types")
    if weeks_back and not cells.by_week:
        raise ValueError("these counts were counted for now, not by week")

    def by_ranking(per_bucket: np.ndarray) -> np.ndarray:
        return np.column_stack([_of_ranking(per_bucket, cells.specific, ranking)
                                for ranking in ("overall", *cells.specific)])

    return {**{c: by_ranking(cells.weeks(c, weeks_back)) for c in SUMS},
            "pending": by_ranking(cells.pending)}


@dataclass(frozen=True)
class WeeklyCounts:
    """The trend of one ranking: for each week ending as_of, as_of - 7, … back to the period
    start (`week_end`, newest first), every court's cumulative counts since the period
    start (`sums[c]`: court × week, in the courts' order; counts whole numbers, amounts
    in fen, as float64)."""

    week_end: np.ndarray
    sums: dict[str, np.ndarray]


def weekly_grid(cells: RankCells, ranking: str, as_of: dt.date, period_start: dt.date,
                max_weeks: int = MAX_WEEKS) -> WeeklyCounts:
    """The weeks of the trend of `ranking` since the period start (at most `max_weeks`)
    and every court's cumulative counts at each week's end."""
    if not cells.by_week:
        raise ValueError("these counts were counted for now, not by week")
    weeks = [w for w in range(min(max_weeks, MAX_WEEKS))
             if as_of - dt.timedelta(days=7 * w) >= period_start]
    week_end = np.datetime64(as_of, "D") - 7 * np.array(weeks, dtype=np.int64)
    if not weeks:
        return WeeklyCounts(week_end, {c: np.zeros((cells.grid[c].shape[0], 0)) for c in SUMS})
    last = max(weeks)
    sums: dict[str, np.ndarray] = {}
    for c in SUMS:
        # week-major (week × court × bucket): whole rows when the grid is laid out so
        per_week = np.moveaxis(cells.grid[c], 2, 0)[:MAX_WEEKS]
        # the buckets added by einsum: ~5× numpy's sum over this short, strided last axis
        # (~3 ms a column on the day tables' grid), in the grid's own type: int32 counts
        # (a court's conclusions in one week of one bucket, far below 2^31 / 6) or
        # float64 fen (whole, exact below 2^53), as `sum` adds them
        trend = (np.einsum("wcb->wc", per_week) if ranking == "overall"
                 else per_week[:, :, cells.specific.index(ranking) + 1]).astype(np.float64)
        grid = trend[:last + 1].copy()
        # the oldest week shown also holds what is older (a period longer than shown)
        grid[last] += trend[last + 1:].sum(axis=0)
        # week k holds every conclusion up to its end: the weeks k, k+1, … (older weeks);
        # court × week, as a view of the week-major sums
        sums[c] = grid[::-1].cumsum(axis=0)[::-1].T
    return WeeklyCounts(week_end, sums)


def pace_counts(cells: RankCells, courts: pl.DataFrame, ranking: str,
                pace_weeks: int) -> pl.DataFrame:
    """Each court's totals on `ranking` so far, the same over the last `pace_weeks` weeks
    (columns *_8w) and its pending cases: the input of the year-end projection."""
    if pace_weeks >= MAX_WEEKS:
        raise ValueError(f"the pace is kept for the last {MAX_WEEKS - 1} weeks")
    specific = cells.specific
    out = _frame({
        "court_code": courts["court_code"],
        **{c: _of_ranking(cells.weeks(c), specific, ranking) for c in SUMS},
        **{f"{c}_8w": _of_ranking(cells.weeks(c, 0, pace_weeks), specific, ranking)
           for c in SUMS},
        "pending": _of_ranking(cells.pending, specific, ranking),
    })
    return out
