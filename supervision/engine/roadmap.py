"""A roadmap to the target (pure polars, no I/O): which pending cases to push first, and a
week-by-week schedule that reaches the cutoff if kept.

Likelihood of full performance. For each pending case, the share of the court's own cases
closed in the last three years that ended in full performance, among cases with the same
property finding and complexity, shrunk toward the court's overall share with the weight of
PRIOR_CASES cases: (full + m·p_court) ÷ (closed + m). A combination the court never closed
falls back to its overall share; a court with no closed cases gets no likelihood (None).

Order. Likelihood first; then priority (high first), then the sooner target close date,
then the larger value.

Schedule. The need (full-performance conclusions on top of the court's pace, from the
year-end projection) is spread evenly over the weeks left to 31 December; cases are taken
in order into the earliest week whose cumulative expected full performances (the sum of
likelihoods) is still below that week's cumulative quota. Where every pending case together
is expected to give less than the need, the shortfall is stated.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

PRIOR_CASES = 20
PRIORITY_ORDER = {"high": 0, "normal": 1, "low": 2}


def likelihoods(history: pl.DataFrame, pending: pl.DataFrame,
                prior_cases: int = PRIOR_CASES) -> pl.DataFrame:
    """`pending` with `likelihood`, estimated from `history` (has_property, complexity,
    closed, fully_performed)."""
    closed = int(history["closed"].sum()) if history.height else 0
    if closed == 0:
        return pending.with_columns(likelihood=pl.lit(None, pl.Float64))
    overall = history["fully_performed"].sum() / closed
    cells = history.select(
        "has_property", "complexity",
        likelihood=(pl.col("fully_performed") + prior_cases * overall)
        / (pl.col("closed") + prior_cases))
    return (pending.join(cells, on=["has_property", "complexity"], how="left")
            .with_columns(pl.col("likelihood").fill_null(overall)))


def ranked(pending: pl.DataFrame) -> pl.DataFrame:
    """Pending cases in the order to push them, numbered from 1."""
    return (pending.with_columns(
        _priority=pl.col("priority").replace_strict(PRIORITY_ORDER, default=9))
        .sort(["likelihood", "_priority", "target_close_on", "amount_yuan"],
              descending=[True, False, False, True], nulls_last=True)
        .drop("_priority").with_row_index("order", offset=1))


def week_starts(as_of: dt.date) -> list[dt.date]:
    """Mondays from the week after `as_of` up to 31 December of its year (at least one)."""
    first = as_of + dt.timedelta(days=7 - as_of.weekday())
    year_end = dt.date(as_of.year, 12, 31)
    weeks = []
    day = first
    while day <= year_end:
        weeks.append(day)
        day += dt.timedelta(days=7)
    return weeks or [first]


def plan(pending: pl.DataFrame, need: int | None, as_of: dt.date
         ) -> tuple[pl.DataFrame, pl.DataFrame, float]:
    """(the cases on the roadmap with their week; a row per week with its quota and the
    expected full performances planned; the shortfall — expected full performances the
    whole pending caseload cannot give, 0 when reachable)."""
    order = ranked(pending)
    weeks = week_starts(as_of)
    empty_weeks = pl.DataFrame({"week": weeks, "quota": [0.0] * len(weeks),
                                "cases": [0] * len(weeks), "expected": [0.0] * len(weeks)})
    if not need or need <= 0 or order.height == 0:
        return order.head(0).with_columns(week=pl.lit(None, pl.Date),
                                          cumulative_expected=pl.lit(None, pl.Float64)), \
            empty_weeks, 0.0
    total = float(order["likelihood"].fill_null(0).sum())
    shortfall = max(0.0, need - total)
    per_week = need / len(weeks)
    # cumulative expected after each case, and the week whose cumulative quota it falls in
    week_table = pl.DataFrame({"week_index": range(len(weeks)), "week": weeks},
                              schema={"week_index": pl.Int64, "week": pl.Date})
    planned = (order.with_columns(cumulative_expected=pl.col("likelihood").fill_null(0)
                                  .cum_sum())
               .with_columns(week_index=(pl.col("cumulative_expected")
                                         .shift(1, fill_value=0.0) / per_week + 1e-9)
                             .floor().cast(pl.Int64).clip(upper_bound=len(weeks) - 1))
               .join(week_table, on="week_index", how="left", maintain_order="left")
               .drop("week_index"))
    # only as many cases as the need calls for (or all of them, short of it)
    planned = planned.filter(pl.col("cumulative_expected").shift(1, fill_value=0.0) < need)
    by_week = (planned.group_by("week").agg(cases=pl.len(), expected=pl.col("likelihood").sum())
               .join(pl.DataFrame({"week": weeks}), on="week", how="right")
               .with_columns(pl.col("cases").fill_null(0), pl.col("expected").fill_null(0.0),
                             quota=pl.lit(per_week))
               .select("week", "quota", "cases", "expected").sort("week"))
    return planned, by_week, shortfall
