"""Year-end projection at each court's recent pace (pure polars, no I/O).

Every court is assumed to keep concluding cases at its pace of the last 8 weeks until
31 December; all courts are projected, so the projected rank and cutoff are national.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

PACE_WEEKS = 8


def weeks_left(as_of: dt.date) -> float:
    """Weeks from the as-of date to 31 December of its year."""
    return (dt.date(as_of.year, 12, 31) - as_of).days / 7


def kth_cutoff(rates: pl.Series, k: int) -> float | None:
    """The k-th highest rate, or the lowest if fewer than k (None if there are none)."""
    ordered = rates.drop_nulls().sort(descending=True)
    if ordered.len() == 0:
        return None
    return float(ordered[min(k, ordered.len()) - 1])


def project_year_end(pace: pl.DataFrame, as_of: dt.date, target_rank: int,
                     min_concluded: int) -> pl.DataFrame:
    """Adds projected year-end concluded, fully performed, rate, rank and cutoff, and the
    extra full-performance conclusions (total and per week) needed to reach that cutoff.

    `pace` has one row per court: concluded, fully_performed, concluded_8w,
    fully_performed_8w, pending."""
    w = weeks_left(as_of)
    p = pace.with_columns(
        weekly_concluded=pl.col("concluded_8w") / PACE_WEEKS,
        weekly_fully_performed=pl.col("fully_performed_8w") / PACE_WEEKS,
    ).with_columns(
        projected_concluded=pl.col("concluded") + pl.col("weekly_concluded") * w,
        projected_fully_performed=pl.col("fully_performed") + pl.col("weekly_fully_performed") * w,
    ).with_columns(
        projected_rate=pl.when(pl.col("projected_concluded") > 0)
        .then(pl.col("projected_fully_performed") / pl.col("projected_concluded")),
        projected_ranked=(pl.col("projected_concluded") >= min_concluded)
        & (pl.col("projected_concluded") > 0),
    )
    ranked_rates = p.filter(pl.col("projected_ranked"))["projected_rate"]
    cutoff = kth_cutoff(ranked_rates, target_rank)
    p = p.with_columns(
        projected_rank=pl.when(pl.col("projected_ranked"))
        .then(pl.col("projected_rate").rank("min", descending=True)
              .over(pl.col("projected_ranked"))),
        projected_cutoff=pl.lit(cutoff, dtype=pl.Float64),
        weeks_left=pl.lit(w),
    )
    c, f = pl.col("projected_concluded"), pl.col("projected_fully_performed")
    if cutoff is None:
        extra = pl.lit(None, dtype=pl.Int64)
    elif cutoff >= 1:
        extra = pl.when(f >= c).then(0).otherwise(None).cast(pl.Int64)
    else:
        # tiny tolerance: a projection that lands exactly on the cutoff needs nothing more
        extra = (((cutoff * c - f) / (1 - cutoff)) - 1e-9).ceil().clip(lower_bound=0).cast(pl.Int64)
    p = p.with_columns(extra_needed=pl.when(pl.col("projected_ranked")).then(extra))
    return p.with_columns(
        extra_per_week=pl.when(pl.lit(w) > 0).then(pl.col("extra_needed") / w),
        reachable=pl.col("extra_needed") <= pl.col("pending"),
    )
