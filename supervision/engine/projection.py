"""Year-end projection at each court's recent pace (pure polars, no I/O).

Every court is assumed to keep concluding cases at its pace of the last PACE_WEEKS weeks
until 31 December; all courts are projected and ranked with supervision.engine.ranking (the one
definition of rank, cutoff and gap), so the projected rank and cutoff are national and
follow the target's metric.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from supervision.engine import ranking

PACE_WEEKS = 8
PACE_DAYS = PACE_WEEKS * 7


def weeks_left(as_of: dt.date) -> float:
    """Weeks from the as-of date to 31 December of its year."""
    return (dt.date(as_of.year, 12, 31) - as_of).days / 7


def project_year_end(pace: pl.DataFrame, as_of: dt.date, metric: str, target_rank: int,
                     min_concluded: int) -> pl.DataFrame:
    """Adds the weekly pace, projected year-end counts (cases rounded to whole cases),
    projected rate, rank and cutoff, and what is needed to reach that cutoff: more
    full-performance conclusions (`extra_needed`: the case gap on the counts projected at
    the current pace, i.e. EXTRA conclusions beyond that pace, not a total) or, for the
    amount metric, more yuan recovered (`extra_amount_needed`), in total and per week.
    `reachable` only compares `extra_needed` with the pending caseload (not more than the
    pending cases); it claims nothing about which cases can end in full performance.

    `pace` has one row per court: concluded, fully_performed, amount_applied,
    amount_recovered, their *_8w counterparts over the last PACE_WEEKS weeks, and pending."""
    w = weeks_left(as_of)
    weekly = {c: pl.col(f"{c}_8w") / PACE_WEEKS for c in ranking.COUNTS}
    projected = pace.with_columns(
        weekly_concluded=weekly["concluded"],
        weekly_fully_performed=weekly["fully_performed"],
        **{f"projected_{c}": (pl.col(c) + weekly[c] * w) for c in ranking.COUNTS},
    ).with_columns(
        [pl.col(f"projected_{c}").round(0).cast(pl.Int64)
         for c in ("concluded", "fully_performed")])
    ranked = ranking.rank(
        projected.select("court_code", *[pl.col(f"projected_{c}").alias(c)
                                         for c in ranking.COUNTS])
        .with_columns(metric=pl.lit(metric), target_rank=pl.lit(target_rank),
                      min_concluded=pl.lit(min_concluded), _all=pl.lit(1)),
        over=["_all"])
    out = projected.join(ranked.select(
        "court_code", projected_rate="rate", projected_ranked="is_ranked",
        projected_rank="rank", projected_cutoff="cutoff", extra_needed="gap",
        extra_amount_needed="amount_gap"), on="court_code", how="left")
    return out.with_columns(
        weeks_left=pl.lit(w),
        extra_per_week=pl.when(pl.lit(w) > 0).then(pl.col("extra_needed") / w),
        extra_amount_per_week=pl.when(pl.lit(w) > 0).then(pl.col("extra_amount_needed") / w),
        reachable=pl.col("extra_needed") <= pl.col("pending"),
    )
