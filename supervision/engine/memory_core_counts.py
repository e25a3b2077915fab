"""Every court's "3+1" core-index counts at any as-of date, counted from the cases held in
memory (numpy and polars, no I/O).

supervision.engine.memory_counts holds every case of the data version and, per as-of date,
each case's court × combination of the counts it is in (`Dated.core_combo`: the
case_core_status macro's flags, memory_counts.CORE_FLAGS) and which petitions count then.
A filter's cases are selected as the rank counts select theirs (memory_counts.selected_rows:
per combination of the chosen priorities, complexities and types, the value range one
slice), and one numpy bincount counts them per court × combination of flags (a case is in
a handful of the 2^7 combinations only), from which each count per court is a sum.

- `subset_core(cases, at, selection)`: a filter's 3+1 counts per court (a date's default
  view has its own: memory_counts.DefaultView, supervision.engine.day_counts).
- `court_core_counts(cases, core, cells)`: every court's core-index counts and
  rates, with the handled, concluded and fully performed cases and amounts from the rank
  counts of the same filters and date: what the province ranking, the province view, the
  weekly report and the brief show.
- `pooled_by_province(counts)`: those counts pooled per province, with the rates.

The rates are the declared metrics (supervision/domain/metric_declarations.py `with_rates`,
the one function court_counts' rates come from too); tests hold both paths to the same
numbers, court by court and province by province.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from supervision.domain import metric_declarations
from supervision.engine import memory_counts

CORE_FLAGS = memory_counts.CORE_FLAGS
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


def _selected_petitions(cases: memory_counts.Cases,
                        selection: memory_counts.Selection) -> np.ndarray:
    """Which petitions belong to the cases of `selection` (a mask: petitions are few)."""
    p = cases.petitions
    keep = np.isin(p["combination"], selection.combinations)
    amount = p["applied_fen"] / 100       # the DOUBLE cases_in_scope compares
    if selection.value_min is not None:
        keep &= amount >= float(selection.value_min)
    if selection.value_max is not None:
        keep &= amount < float(selection.value_max)
    return keep


def _core_cells(cases: memory_counts.Cases, at: memory_counts.Dated,
                selection: memory_counts.Selection) -> np.ndarray:
    """Each selected case's court × combination of 3+1 flags at `at`."""
    out = np.empty(sum(r.stop - r.start for r in selection.rows), dtype=np.int32)
    at_row = 0
    for r in selection.rows:
        n = r.stop - r.start
        np.add(cases.columns["court_core"][r], at.core_combo[r], out=out[at_row:at_row + n],
               dtype=np.int32)
        at_row += n
    return out


def subset_core(cases: memory_counts.Cases, at: memory_counts.Dated,
                selection: memory_counts.Selection) -> memory_counts.CoreCounts:
    """The 3+1 counts of the cases of `selection` at `at`, per court."""
    courts, combos = cases.courts.height, memory_counts.COMBOS
    per_combo = memory_counts.counted(_core_cells(cases, at, selection),
                                      courts * len(combos)).reshape(courts, len(combos))
    chosen = _selected_petitions(cases, selection)
    return memory_counts.CoreCounts(per_combo @ combos, *memory_counts.petition_counts(
        cases, chosen & at.petition_in, chosen & at.petition_resolved))


def court_core_counts(cases: memory_counts.Cases, core: memory_counts.CoreCounts,
                      cells: memory_counts.RankCells) -> pl.DataFrame:
    """Every court (court_code, province) with its 3+1 counts `core` (subset_core, or a
    date's default view's) and rates, and the handled, concluded and fully performed cases
    and the amounts of `cells` (the rank counts of the same filters and date) with their
    rates; zero where a court has none."""
    concluded = cells.weeks("concluded").sum(axis=1)
    counts = pl.DataFrame({
        **{flag: core.flags[:, k] for k, flag in enumerate(CORE_FLAGS)},
        "petitions": core.petitions,
        "petitions_resolved_count": core.petitions_resolved,
        "handled": concluded + cells.pending.sum(axis=1),
        "concluded": concluded,
        "fully_performed": cells.weeks("fully_performed").sum(axis=1),
        # fen, whole numbers summed exactly; yuan as the SQL's DECIMAL sums cast to DOUBLE
        "amount_applied": memory_counts.yuan(cells.weeks("amount_applied").sum(axis=1)),
        "amount_recovered": memory_counts.yuan(cells.weeks("amount_recovered").sum(axis=1)),
    }).with_columns(pl.all().exclude("amount_applied", "amount_recovered").cast(pl.Int64))
    return metric_declarations.with_rates(
        pl.concat([cases.courts.select("court_code", "province"), counts], how="horizontal"),
        (*POOLED_RATES, *CORE_RATES))


def pooled_by_province(counts: pl.DataFrame) -> pl.DataFrame:
    """court_core_counts pooled per province (every count summed), with the province's
    overall, amount recovery, closure and actual conclusion rates. The amounts are pooled
    in fen (each court's yuan is the nearest double to a whole number of fen, so
    round(yuan × 100) is that number) and divided once, as the SQL sums DECIMALs."""
    rates = {m.code for m in (*POOLED_RATES, *CORE_RATES)}
    summed = [c for c in counts.columns if c not in ("court_code", "province", *rates)]
    amounts = [c for c in summed if c.startswith("amount_")]
    pooled = (counts.with_columns((pl.col(amounts) * 100).round().cast(pl.Int64))
              .group_by("province").agg(pl.col(summed).sum()).sort("province"))
    pooled = pooled.with_columns(
        pl.Series(c, memory_counts.yuan(pooled[c].to_numpy())) for c in amounts)
    return metric_declarations.with_rates(pooled, (*POOLED_RATES, *CORE_RATES))
