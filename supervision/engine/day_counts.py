"""The default view's counts (every case, no sidebar filter) at any as-of date of the last
year, looked up in per-day tables instead of derived by a pass over the cases.

A pass over every case at a date never seen (memory_counts.dated) costs 0.13–0.32 s at
10 M cases, several times the bare rank query at that date. Every count of the default
view is a difference of cumulative counts by one day of the case, because a case is never
closed before it was filed (a CHECK of the table):

- concluded in the period and each week back: the counted closings (a method not left out
  of counts) through the week's end, less those through the day before the period;
- pending at the date: the filings through it less the closings of any method through it;
- the 3+1 flags of the cases a count keeps: actually concluded, terminations and qualified
  terminations by closing day; the property cases due and concluded within the limit by
  deadline day (closed within the limit: by its deadline, so by the date); the three-year
  cases by filing day (less those filed before the window, per window) and the concluded
  ones by closing day, per three-year window (a window is the as-of year's);
- a case closed by a method left out of counts is counted as pending until that day and
  in nothing after it, so its flags depend on two days at once: the few such cases (~1 %)
  are kept apart and counted at each date.

So `write` keeps, per data version, day-major tables (row t: cumulative through day
first + t) for the as-of dates of the last COVERED_DAYS days of the data and the week
boundaries and period starts they reach back to, and `DayTables.view_at` reads a date's 55
rows — its 54 week ends and the day before its period (os.preadv: the pages are the
kernel's, not the server's memory) — and takes differences in place: the same counts as
`dated` (memory_counts.default_view; amounts whole fen in int64 where `dated` gives the
same numbers as doubles), which tests hold them to, date by date. A date outside the tables, or a period that starts
before them, is derived as before (`covers` False).
"""

from __future__ import annotations

import datetime as dt
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from supervision.engine import memory_counts as mc

# as-of dates this many days before the data's last day, up to it, are looked up
COVERED_DAYS = 366


def _min_cases() -> int:
    """SUPERVISION_DAY_TABLES_MIN_CASES (a whole number, 0: always), else 1,000,000."""
    text = os.environ.get("SUPERVISION_DAY_TABLES_MIN_CASES", "1000000").strip()
    if not text.isdigit():
        raise ValueError(f"SUPERVISION_DAY_TABLES_MIN_CASES: not a whole number: {text!r}")
    return int(text)


# below this many cases, the pass over them costs a few milliseconds: no tables are kept
MIN_CASES = _min_cases()
# the layout `write` writes and `DayTables` reads (raise it when either changes)
FORMAT = 1
# rows written at a time: the tables go to the file, not the process's memory
CHUNK_DAYS = 64
# whole numbers a double holds exactly
EXACT = 2 ** 53
# the tables by court × bucket (the rank counts) and by court (the 3+1 flags)
RANK_TABLES = ("concluded", "fully_performed", "amount_applied", "amount_recovered", "open")
CLOSING_FLAGS = ("actually_concluded", "terminations", "terminations_qualified")
DEADLINE_FLAGS = ("property_due", "property_in_limit")


def _three_year_start(year: int) -> int:
    """The day number of the three-year window's start for an as-of date in `year`."""
    return mc._day(dt.date(year - 3, 1, 1))


def _years(first_as_of: int, last: int) -> range:
    return range((mc.EPOCH + dt.timedelta(days=first_as_of)).year,
                 (mc.EPOCH + dt.timedelta(days=last)).year + 1)


@dataclass(frozen=True)
class _Events:
    """Events of some cases (`positions` in Cases), each on a row of the tables (its day
    less the first day; what is older, row 0), sorted by row: `rows` each one's, `bounds`
    where each row's start (row r: bounds[r] … bounds[r + 1] - 1). Events after the last
    day are left out."""

    positions: np.ndarray
    rows: np.ndarray
    bounds: np.ndarray

    @classmethod
    def on(cls, positions: np.ndarray, day: np.ndarray, first: int, last: int) -> _Events:
        if day.size and day.max() > last:
            keep = day <= last
            positions, day = positions[keep], day[keep]
        # int16 throughout (days and rows are below 2^15): no wider temporaries
        row = np.maximum(day.astype(np.int16, copy=False), np.int16(first))
        row -= np.int16(first)
        order = np.argsort(row, kind="stable")        # a radix sort of 16-bit keys
        counts = np.bincount(row, minlength=last - first + 1)
        return cls(positions[order].astype(np.int32, copy=False), row[order],
                   np.concatenate([[0], np.cumsum(counts)]))


# one part of a table: events, each one's cell (a column of Cases, or a function of the
# events' positions), a weight column (None: counted) and which of them count (None: all),
# and the sign they count with
_Part = tuple[_Events, "np.ndarray | Callable[[np.ndarray], np.ndarray]",
              "np.ndarray | None", "Callable[[np.ndarray], np.ndarray] | None", int]


def _write_cumulative(path: Path, parts: list[_Part], cells: int, rows: int,
                      dtype: type) -> None:
    """A day-major table (`rows` × `cells`) of the events of `parts`, cumulative: row t
    holds every event up to its day (`_Events`). Written CHUNK_DAYS rows at a time, each
    chunk from its own events only. Sums are whole numbers (amounts in fen) kept in int64:
    a difference of two rows is exact however large the history before them."""
    total = np.zeros(cells, dtype=np.int64)
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {
            "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False,
            "shape": (rows, cells)})
        for start in range(0, rows, CHUNK_DAYS):
            n = min(CHUNK_DAYS, rows - start)
            counts = np.zeros(n * cells, dtype=total.dtype)
            for events, cell_of, weights, keep_of, sign in parts:
                span = slice(int(events.bounds[start]), int(events.bounds[start + n]))
                positions = events.positions[span]
                index = (events.rows[span].astype(np.int64) - start) * cells
                index += (cell_of(positions) if callable(cell_of) else cell_of[positions])
                w = None if weights is None else weights[positions]
                if keep_of is not None:
                    keep = keep_of(positions)
                    index, w = index[keep], None if w is None else w[keep]
                counted = np.bincount(index, weights=w, minlength=n * cells)
                if w is not None:
                    # a day's sum of amounts in fen, exact as a double below 2^53
                    if np.abs(counted).max(initial=0) >= EXACT:
                        raise ValueError("amounts too large to be summed exactly")
                    counted = counted.astype(np.int64)
                counts += counted if sign > 0 else -counted
            chunk = np.cumsum(counts.reshape(n, cells), axis=0, dtype=total.dtype)
            chunk += total
            total = chunk[-1].copy()
            if np.abs(total).max(initial=0) >= EXACT ** 1.125:     # 2^59.6: far from overflow
                raise ValueError("sums too large to be kept exactly")
            f.write(np.ascontiguousarray(chunk.astype(dtype)).tobytes())


def write(cases: mc.Cases, folder: Path) -> None:
    """The day tables of `cases` into `folder` (an empty folder: the caller renames it into
    place once written)."""
    col = cases.columns
    traits, filed, closed = col["traits"], col["filed_day"], col["closed_day"]
    ended = closed != mc.NEVER
    last = int(max(filed.max(initial=0), closed[ended].max(initial=0)))
    first_as_of = last - COVERED_DAYS
    # a date's boundaries reach 7 × 53 days back, and the day before its period (1 January
    # of its year, which is at most 365 days back)
    first = first_as_of - 7 * mc.MAX_WEEKS
    rows = last - first + 1
    courts, buckets = cases.courts.height, len(cases.specific) + 1
    cells = courts * buckets
    bucket = col["court_bucket"]

    def court(positions: np.ndarray) -> np.ndarray:
        return bucket[positions] // buckets

    def having(bits: int) -> Callable[[np.ndarray], np.ndarray]:
        return lambda positions: (traits[positions] & bits) == bits

    def table(name: str, parts: list[_Part], by_court: bool = False,
              dtype: type = np.int32) -> None:
        _write_cumulative(folder / f"{name}.npy", parts, courts if by_court else cells, rows,
                          dtype)

    left_out = (traits & mc.LEFT_OUT) != 0
    # the counted closings (a method not left out), by closing day
    counted = np.flatnonzero(ended & ~left_out)
    closings = _Events.on(counted, closed[counted], first, last)
    table("concluded", [(closings, bucket, None, None, 1)])
    table("fully_performed", [(closings, bucket, None, having(mc.FULLY), 1)])
    for column in ("applied", "recovered"):
        table(f"amount_{column}", [(closings, bucket, col[f"{column}_fen"], None, 1)],
              dtype=np.int64)
    for name, bits in zip(CLOSING_FLAGS, (mc.ACTUALLY, mc.TERMINATES,
                                          mc.TERMINATES | mc.CONDITIONS_MET), strict=True):
        table(name, [(closings, court, None, having(bits), 1)], by_court=True)
    for year in _years(first_as_of, last):
        window = _three_year_start(year)
        table(f"three_year_concluded_{year}",
              [(closings, court, None, lambda p, w=window: filed[p] >= w, 1)], by_court=True)
    del closings
    # pending: the filings less the closings of any method
    every = np.arange(filed.size, dtype=np.int32)
    any_closing = np.flatnonzero(ended)
    table("open", [(_Events.on(every, filed, first, last), bucket, None, None, 1),
                   (_Events.on(any_closing, closed[any_closing], first, last), bucket, None,
                    None, -1)])
    kept = np.flatnonzero(~left_out)
    table("filed_kept", [(_Events.on(kept, filed[kept], first, last), court, None, None, 1)],
          by_court=True)
    for year in _years(first_as_of, last):
        np.save(folder / f"filed_kept_before_{year}.npy", np.bincount(
            court(kept[filed[kept] < _three_year_start(year)]),
            minlength=courts).astype(np.int64))
    with_property = kept[(traits[kept] & mc.FIRST_WITH_PROPERTY) != 0]
    due = _Events.on(with_property, mc._deadline(filed[with_property]), first, last)
    table("property_due", [(due, court, None, None, 1)], by_court=True)
    table("property_in_limit", [(due, court, None, having(mc.ACTUALLY | mc.IN_LIMIT), 1)],
          by_court=True)
    apart = np.flatnonzero(left_out)
    np.save(folder / "left_out.npy", np.stack([
        court(apart), filed[apart], closed[apart], mc._deadline(filed[apart]),
        (traits[apart] & mc.FIRST_WITH_PROPERTY) != 0]).astype(np.int64))
    np.save(folder / "bounds.npy", np.array([first, last, first_as_of], dtype=np.int64))


class _Rows:
    """A day-major .npy table read by rows (os.preadv into the result: no mapping)."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, fortran, self.dtype = read_header(f)
            self.offset = f.tell()
        if fortran or len(shape) != 2:
            raise ValueError(f"{path}: not a day-major table")
        self.rows, self.cells = shape
        self.row_bytes = self.cells * self.dtype.itemsize
        if path.stat().st_size != self.offset + self.rows * self.row_bytes:
            raise ValueError(f"{path}: cut short or too long")
        self.fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self.fd)

    def read(self, rows: np.ndarray) -> np.ndarray:
        """The table's `rows` (row numbers, each in the table), len(rows) × cells."""
        out = np.empty((len(rows), self.cells), dtype=self.dtype)
        for i, row in enumerate(rows.tolist()):
            if not 0 <= row < self.rows:
                raise IndexError(f"row {row} outside the table's {self.rows}")
            got = os.preadv(self.fd, [out[i]], self.offset + row * self.row_bytes)
            if got != self.row_bytes:
                raise OSError(f"a short read of a day table ({got} of {self.row_bytes} bytes)")
        return out


@dataclass(frozen=True)
class DayTables:
    """The day tables of one data version (`write`), open for reading."""

    first: int
    last: int
    first_as_of: int
    tables: dict[str, _Rows]
    filed_before: dict[int, np.ndarray]
    left_out: np.ndarray

    @classmethod
    def open(cls, folder: Path, cases: mc.Cases) -> DayTables:
        """The tables `write` wrote of `cases` into `folder`; ValueError (or EOFError) when
        one is not whole or not of these cases' shape."""
        first, last, first_as_of = (int(v) for v in np.load(folder / "bounds.npy"))
        courts = cases.courts.height
        shapes = {**dict.fromkeys(RANK_TABLES, courts * (len(cases.specific) + 1)),
                  **dict.fromkeys((*CLOSING_FLAGS, *DEADLINE_FLAGS, "filed_kept",
                                   *(f"three_year_concluded_{y}"
                                     for y in _years(first_as_of, last))), courts)}
        tables = {name: _Rows(folder / f"{name}.npy") for name in shapes}
        before = {y: np.load(folder / f"filed_kept_before_{y}.npy")
                  for y in _years(first_as_of, last)}
        left_out = np.load(folder / "left_out.npy")
        if (any((t.rows, t.cells) != (last - first + 1, shapes[n]) for n, t in tables.items())
                or any(b.shape != (courts,) for b in before.values())
                or left_out.ndim != 2 or left_out.shape[0] != 5):
            raise ValueError(f"{folder}: tables of another shape than the cases'")
        return cls(first, last, first_as_of, tables, before, left_out)

    def covers(self, as_of: dt.date, start: dt.date) -> bool:
        """Whether the date and its period are within the tables."""
        d, ps = mc._day(as_of), mc._day(start)
        return self.first_as_of <= d <= self.last and self.first <= ps - 1 and ps <= d

    def view_at(self, cases: mc.Cases, as_of: dt.date, start: dt.date) -> mc.DefaultView:
        """The default view's counts at `as_of` for the period from `start` (`covers`)."""
        if not self.covers(as_of, start):
            raise ValueError("the day tables do not cover this date and period")
        d, ps = mc._day(as_of), mc._day(start)
        # slot k holds the closings of (d - 7(k+1), d - 7k]; the last slot every older one
        # of the period: boundaries d, d - 7, …, d - 7 × 53 and the day before the period
        ends = np.maximum(np.array([d - 7 * k for k in range(mc.MAX_WEEKS)] + [ps - 1]),
                          ps - 1) - self.first
        courts, buckets = cases.courts.height, len(cases.specific) + 1
        grid: dict[str, np.ndarray] = {}
        for column in mc.SUMS:
            # the rows read into the result itself, slot-major: row k less row k + 1 is slot
            # k (ascending, so that row k + 1 is still the table's), and the last row, the
            # day before the period, becomes the pending slot
            per_slot = self.tables[column].read(ends)
            for k in range(mc.MAX_WEEKS):
                np.subtract(per_slot[k], per_slot[k + 1], out=per_slot[k])
            per_slot[mc.PENDING_SLOT] = (self.tables["open"].read(np.array([d - self.first]))[0]
                                         if column == "concluded" else 0)
            # amounts stay whole fen in int64 (the derivation's are doubles, the same
            # numbers: every reader turns them into yuan)
            # court × bucket × slot as a view (no copy): the counts' readers sum over slots
            # or take one, which a slot-major layout serves as well
            grid[column] = per_slot.T
        official = mc.RankCells({c: a.reshape(courts, buckets, mc.SLOTS)
                                 for c, a in grid.items()}, cases.specific)
        return mc.DefaultView(official, mc.CoreCounts(
            self._flags(d, ps, courts),
            *mc.petition_counts(cases, *mc.petitions_at(cases.petitions, d, ps))))

    def _flags(self, d: int, ps: int, courts: int) -> np.ndarray:
        """court × CORE_FLAGS at day d, period from day ps."""
        now, before = d - self.first, ps - 1 - self.first
        rows = np.array([now, before])

        def in_period(name: str) -> np.ndarray:
            at = self.tables[name].read(rows)
            return at[0].astype(np.int64) - at[1]

        year = (mc.EPOCH + dt.timedelta(days=d)).year
        window = _three_year_start(year)
        court, filed, closed, deadline, with_property = self.left_out
        # the cases closed by a method left out of counts, still pending at d: due, and
        # three-year cases, as any pending case (nothing else counts them)
        waiting = (closed > d) & (filed <= d)
        due = waiting & (with_property != 0) & _within(deadline, ps, d)
        three_year = waiting & (filed >= window)
        flags = np.zeros((courts, len(mc.CORE_FLAGS)), dtype=np.int64)
        by_flag = {
            **{name: in_period(name) for name in (*CLOSING_FLAGS, *DEADLINE_FLAGS)},
            "three_year_cases": self.tables["filed_kept"].read(rows[:1])[0].astype(np.int64)
            - self.filed_before[year],
            "three_year_concluded": self.tables[f"three_year_concluded_{year}"].read(
                rows[:1])[0].astype(np.int64),
        }
        by_flag["property_due"] = by_flag["property_due"] + np.bincount(
            court[due], minlength=courts)
        by_flag["three_year_cases"] = by_flag["three_year_cases"] + np.bincount(
            court[three_year], minlength=courts)
        for k, name in enumerate(mc.CORE_FLAGS):
            flags[:, k] = by_flag[name]
        return flags


def _within(days: np.ndarray, low: int, high: int) -> np.ndarray:
    return (days >= low) & (days <= high)
