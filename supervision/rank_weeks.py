"""Everything a page ranks, derived from one national scan (pure polars, no I/O).

queries/court_rank_weeks.sql counts the concluded and fully performed cases and amounts
by week back from the as-of date: part 'recent' per court × ranking bucket × recent week
(the last RECENT_WEEKS weeks one by one, older ones together; week NULL: the pending
cases), part 'trend' per court × week for the trend's ranking. A case concluded by
`as_of - 7k` was concluded in week k or an older one, so summing the weeks >= k gives the
counts as of that date. From the one result:

- `ranking_counts(agg, courts, specific, k)`: every court × ranking ('overall' and each
  specific type) as of `as_of - 7k`: the current ranks (k = 0) and those of the weeks
  before (the brief's and the province view's "rank fell");
- `weekly_counts`: the weekly trend of the trend's ranking, cumulative, week by week;
- `pace_counts`: totals and the last PACE_WEEKS weeks, for the year-end projection.

Ranks, cutoffs and gaps are then computed by supervision.ranking, the one definition.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

SUMS = ("concluded", "fully_performed", "amount_applied", "amount_recovered")
RECENT_WEEKS = 9         # weeks told apart in part 'recent': ranks up to 8 weeks back, pace


def _part(agg: pl.DataFrame, part: str) -> pl.DataFrame:
    """The rows of one part ('recent' or 'trend'); the SQL types counts BIGINT, sums DOUBLE."""
    return agg.filter(pl.col("part") == part)


def _rankings(specific: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"ranking": ["overall", *specific]})


def _in_ranking(recent: pl.DataFrame, ranking: str) -> pl.DataFrame:
    """The recent part's rows a ranking counts: every bucket for 'overall', else its own."""
    return recent if ranking == "overall" else recent.filter(pl.col("bucket") == ranking)


def ranking_counts(agg: pl.DataFrame, courts: pl.DataFrame, specific: list[str],
                   weeks_back: int = 0) -> pl.DataFrame:
    """Every court (`courts`: court_code, province) × ranking, counted as of
    `as_of - 7 × weeks_back`; zero where a court has no case. `pending` is the pending
    count at the as-of date itself (null for an earlier week: a case closed since was
    pending then, which the aggregate does not tell)."""
    if not 0 <= weeks_back < RECENT_WEEKS:
        raise ValueError(f"ranks are kept for the last {RECENT_WEEKS - 1} weeks")
    recent = _part(agg, "recent")
    upto = recent.filter(pl.col("recent_week") >= weeks_back).group_by(
        "court_code", "bucket").agg([pl.col(c).sum() for c in SUMS])
    pending = recent.filter(pl.col("recent_week").is_null()).group_by(
        "court_code", "bucket").agg(pl.col("pending").sum())
    by_bucket = upto.join(pending, on=["court_code", "bucket"], how="full", coalesce=True)
    overall = by_bucket.group_by("court_code").agg(
        [pl.col(c).sum() for c in (*SUMS, "pending")]).with_columns(ranking=pl.lit("overall"))
    typed = by_bucket.filter(pl.col("bucket").is_in(specific)).rename({"bucket": "ranking"})
    counts = pl.concat([overall, typed], how="diagonal_relaxed")
    grid = _rankings(specific).join(courts.select("court_code", "province"), how="cross")
    out = grid.join(counts, on=["ranking", "court_code"], how="left").with_columns(
        pl.col("concluded", "fully_performed", "pending").fill_null(0).cast(pl.Int64),
        pl.col("amount_applied", "amount_recovered").fill_null(0.0).cast(pl.Float64))
    if weeks_back:
        out = out.with_columns(pending=pl.lit(None, pl.Int64))
    return out.select("ranking", "court_code", "province", *SUMS, "pending")


def weekly_counts(agg: pl.DataFrame, courts: pl.DataFrame, ranking: str, as_of: dt.date,
                  period_start: dt.date, max_weeks: int) -> pl.DataFrame:
    """For each week ending as_of, as_of - 7, … back to the period start (at most
    `max_weeks`), every court's cumulative counts since the period start on `ranking` (the
    trend's ranking the aggregate was made for)."""
    weeks = [w for w in range(max_weeks) if as_of - dt.timedelta(days=7 * w) >= period_start]
    codes = courts["court_code"]
    if not weeks:
        return pl.DataFrame(schema={"week_end": pl.Date, "court_code": pl.String,
                                    "ranking": pl.String, **dict.fromkeys(SUMS[:2], pl.Int64),
                                    **dict.fromkeys(SUMS[2:], pl.Float64)})
    # the oldest week shown also holds what is older (a period longer than max_weeks)
    per_week = (_part(agg, "trend").filter(pl.col("trend_week").is_not_null())
                .join(courts.select("court_code").with_row_index("court_index"),
                      on="court_code", how="inner")
                .with_columns(week_no=pl.col("trend_week").clip(upper_bound=max(weeks))))
    rows, cols = per_week["court_index"].to_numpy(), per_week["week_no"].to_numpy()
    out: dict[str, object] = {
        # court-major, newest week first: the same order for every column below
        "week_end": np.tile(np.datetime64(as_of, "D") - 7 * np.array(weeks), len(codes)),
        "court_code": codes.to_numpy().repeat(len(weeks)),
        "ranking": ranking,
    }
    cell = rows.astype(np.int64) * len(weeks) + cols
    for c in SUMS:
        grid = np.bincount(cell, weights=per_week[c].to_numpy(),
                           minlength=len(codes) * len(weeks)).reshape(len(codes), len(weeks))
        # week k holds every conclusion up to its end: the weeks k, k+1, … (older weeks)
        out[c] = grid[:, ::-1].cumsum(axis=1)[:, ::-1].ravel()
    return pl.DataFrame(out).with_columns(pl.col("week_end").cast(pl.Date),
                                          pl.col("concluded", "fully_performed").cast(pl.Int64))


def pace_counts(agg: pl.DataFrame, courts: pl.DataFrame, ranking: str,
                pace_weeks: int) -> pl.DataFrame:
    """Each court's totals on `ranking` so far, the same over the last `pace_weeks` weeks
    (columns *_8w) and its pending cases: the input of the year-end projection."""
    if pace_weeks >= RECENT_WEEKS:
        raise ValueError(f"the pace is kept for the last {RECENT_WEEKS - 1} weeks")
    rows = _in_ranking(_part(agg, "recent"), ranking)
    recent = pl.col("recent_week") < pace_weeks
    per_court = rows.group_by("court_code").agg(
        *[pl.col(c).filter(pl.col("recent_week").is_not_null()).sum() for c in SUMS],
        *[pl.col(c).filter(recent).sum().alias(f"{c}_8w") for c in SUMS],
        pl.col("pending").filter(pl.col("recent_week").is_null()).sum())
    out = courts.select("court_code").join(per_court, on="court_code", how="left")
    return out.with_columns(
        *[pl.col(c).fill_null(0).cast(pl.Int64) for c in
          ("concluded", "fully_performed", "concluded_8w", "fully_performed_8w", "pending")],
        *[pl.col(c).fill_null(0.0).cast(pl.Float64) for c in
          ("amount_applied", "amount_recovered", "amount_applied_8w", "amount_recovered_8w")])
