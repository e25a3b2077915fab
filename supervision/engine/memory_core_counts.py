"""Every court's "3+1" core-index counts, counted from the cases held in memory (numpy and
polars, no I/O).

queries/core_scan_cases.sql reads, once per data version and as-of date, every case with a
part in a core index (or in the period's actually-concluded count), kept sorted as the
rank counts keep theirs (by priority × complexity × case type, then amount): its court,
its amount, the counts it is in (`core_flags`, from the case_core_status macro, the one
definition court_counts.sql counts too) and its petitions (`CoreCases`; its priority,
complexity and type are those of its combination's segment). A filter change then costs no scan of the case table: the rows
are selected as the rank counts select theirs (memory_counts.selected_rows: per combination of
the chosen priorities, complexities and types, the value range one slice of its rows), and
one numpy bincount counts them per court × combination of flags (a case is in a handful of
the 2^7 combinations only), from which each count per court is a sum.

- `court_core_counts(cases, rows, cells)`: every court's core-index counts and rates, with
  the handled, concluded and fully performed cases and amounts from the rank counts
  (supervision.engine.memory_counts, the same selection): what the province ranking needs.
- `pooled_by_province(counts)`: those counts pooled per province, with the rates.

The rates are the declared metrics (supervision/domain/metric_declarations.py `with_rates`, the
one function court_counts' rates come from too); tests hold both paths to the same numbers,
court by court and province by province.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from supervision.domain import metric_declarations
from supervision.engine import memory_counts

# the bits of core_scan_cases.sql's core_flags, in order (bit k = 2^k)
CORE_FLAGS = ("actually_concluded", "property_due", "property_in_limit", "terminations",
              "terminations_qualified", "three_year_cases", "three_year_concluded")
# the counts court_core_counts gives each court: the core flags, the petitions and the rank
# counts' handled, concluded, fully performed and amounts
COUNTED = (*CORE_FLAGS, "petitions", "petitions_resolved_count", "handled", "concluded",
           "fully_performed", "amount_applied", "amount_recovered")
# the declared metrics (supervision/domain/metric_declarations.py) these counts give: the 3+1
# core indices, and the other rates a province pools (overall, amount recovery, closure,
# actual conclusion)
CORE_RATES = metric_declarations.CORE_METRICS
POOLED_RATES = tuple(m for m in metric_declarations.METRICS if m not in CORE_RATES
                     and {m.numerator, m.denominator} <= set(COUNTED)
                     and not m.times_period_days)


@dataclass(frozen=True)
class CoreCases:
    """The cases of queries/core_scan_cases.sql as column arrays sorted by combination and
    amount (memory_counts.SortedCases; `columns`: the amount memory_counts.selected_rows reads,
    and `court_combo`, each case's court × combination of flags), the flags of each combination (`combos`: combinations ×
    CORE_FLAGS, 0 or 1), the few cases with petitions (their positions in the sorted
    rows, ascending, their courts and counts), the courts (court_code, province: the order
    of the court indices) and the code lists the indices point into."""

    columns: dict[str, np.ndarray]
    combos: np.ndarray
    petition_rows: np.ndarray
    petition_court: np.ndarray
    petitions: np.ndarray
    petitions_resolved: np.ndarray
    courts: pl.DataFrame
    priorities: tuple[str, ...]
    complexities: tuple[str, ...]
    case_types: tuple[str, ...]
    segments: np.ndarray

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], *, courts: pl.DataFrame,
                    priorities: tuple[str, ...], complexities: tuple[str, ...],
                    case_types: tuple[str, ...]) -> CoreCases:
        """From the columns of queries/core_scan_cases.sql (queries.run_arrays),
        sorted by combination and amount."""
        segments = memory_counts.case_segments(arrays, priorities, complexities, case_types)
        # the amounts (for the value range: a combination's priority, complexity and type
        # are its segment's)
        column = {"applied_fen": arrays["applied_fen"]}
        flags = arrays["core_flags"]
        present = np.flatnonzero(np.bincount(flags, minlength=2 ** len(CORE_FLAGS)))
        combo_of = np.zeros(2 ** len(CORE_FLAGS), dtype=np.int32)
        combo_of[present] = np.arange(present.size)
        court = arrays["court_index"].astype(np.int32)
        column["court_combo"] = court * np.int32(present.size) + combo_of[flags]
        petitions = arrays["petitions"]
        with_petitions = np.flatnonzero(petitions)
        return cls(
            columns=column,
            combos=(present[:, None] >> np.arange(len(CORE_FLAGS))) & 1,
            petition_rows=with_petitions,
            petition_court=court[with_petitions],
            petitions=petitions[with_petitions].astype(np.int64),
            petitions_resolved=arrays["petitions_resolved"][with_petitions].astype(np.int64),
            courts=courts,
            priorities=priorities,
            complexities=complexities,
            case_types=case_types,
            segments=segments,
        )


def _chosen(positions: np.ndarray, rows: memory_counts.Rows) -> np.ndarray:
    """Which of `positions` (row positions) are among `rows` (selected_rows: ascending,
    disjoint slices)."""
    if not rows:
        return np.zeros(positions.size, dtype=bool)
    starts = np.array([r.start for r in rows], dtype=np.int64)
    stops = np.array([r.stop for r in rows], dtype=np.int64)
    # the last slice starting at or before each position: the position is in it or in none
    at = np.searchsorted(starts, positions, "right") - 1
    return (at >= 0) & (positions < stops[np.maximum(at, 0)])


def court_core_counts(cases: CoreCases, rows: memory_counts.Rows,
                      cells: memory_counts.RecentCells) -> pl.DataFrame:
    """Every court (court_code, province) with its counts of the cases `rows`
    (memory_counts.selected_rows on `cases`): the core indices' counts and rates, and the
    handled, concluded and fully performed cases and the amounts of `cells` (the recent
    rank counts of the same filters) with their rates; zero where a court has none."""
    courts = cases.courts.height
    combos = cases.combos.shape[0]
    per_combo = np.bincount(memory_counts.gathered(cases.columns["court_combo"], rows),
                            minlength=courts * combos).reshape(courts, combos)
    flagged = per_combo @ cases.combos
    chosen = _chosen(cases.petition_rows, rows)
    court = cases.petition_court[chosen]
    concluded = cells.recent["concluded"].sum(axis=(1, 2))
    counts = pl.DataFrame({
        **{flag: flagged[:, k] for k, flag in enumerate(CORE_FLAGS)},
        "petitions": np.bincount(court, weights=cases.petitions[chosen], minlength=courts),
        "petitions_resolved_count": np.bincount(court, weights=cases.petitions_resolved[chosen],
                                                minlength=courts),
        "handled": concluded + cells.pending.sum(axis=1),
        "concluded": concluded,
        "fully_performed": cells.recent["fully_performed"].sum(axis=(1, 2)),
        # fen, whole numbers summed exactly; yuan as the SQL's DECIMAL sums cast to DOUBLE
        "amount_applied": cells.recent["amount_applied"].sum(axis=(1, 2)) / 100,
        "amount_recovered": cells.recent["amount_recovered"].sum(axis=(1, 2)) / 100,
    }).with_columns(pl.all().exclude("amount_applied", "amount_recovered").cast(pl.Int64))
    return metric_declarations.with_rates(
        pl.concat([cases.courts.select("court_code", "province"), counts], how="horizontal"),
        (*POOLED_RATES, *CORE_RATES))


def pooled_by_province(counts: pl.DataFrame) -> pl.DataFrame:
    """court_core_counts pooled per province (every count summed), with the province's
    overall, amount recovery, closure and actual conclusion rates."""
    rates = {m.code for m in (*POOLED_RATES, *CORE_RATES)}
    summed = [c for c in counts.columns if c not in ("court_code", "province", *rates)]
    pooled = counts.group_by("province").agg(pl.col(summed).sum())
    return metric_declarations.with_rates(pooled, (*POOLED_RATES, *CORE_RATES)).sort("province")

