"""Everything a page ranks, derived from one national scan (pure polars, no I/O).

queries/court_rank_weeks.sql counts, per court × ranking bucket × week back from the
as-of date, the concluded and fully performed cases and amounts (and, in week NULL, the
pending cases). A case concluded by `as_of - 7k` was concluded in week k or an older one,
so summing the weeks >= k gives the counts as of that date. From the one result:

- `ranking_counts(agg, courts, specific, k)`: every court × ranking ('overall' and each
  specific type) as of `as_of - 7k`: the current ranks (k = 0) and those of the weeks
  before (the brief's and the province view's "rank fell");
- `weekly_counts`: the weekly trend of one ranking, cumulative, week by week;
- `pace_counts`: totals and the last PACE_WEEKS weeks, for the year-end projection.

Ranks, cutoffs and gaps are then computed by supervision.ranking, the one definition.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

OTHER = "other"          # the bucket of the case types no specific ranking counts
SUMS = ("concluded", "fully_performed", "amount_applied", "amount_recovered")


def _typed(agg: pl.DataFrame) -> pl.DataFrame:
    return agg.with_columns(
        pl.col("concluded", "fully_performed", "pending").cast(pl.Int64),
        pl.col("amount_applied", "amount_recovered").cast(pl.Float64))


def _rankings(specific: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"ranking": ["overall", *specific]})


def _in_ranking(agg: pl.DataFrame, ranking: str) -> pl.DataFrame:
    """The aggregate's rows a ranking counts: every bucket for 'overall', else its own."""
    return agg if ranking == "overall" else agg.filter(pl.col("bucket") == ranking)


def ranking_counts(agg: pl.DataFrame, courts: pl.DataFrame, specific: list[str],
                   weeks_back: int = 0) -> pl.DataFrame:
    """Every court (`courts`: court_code, province) × ranking, counted as of
    `as_of - 7 × weeks_back`; zero where a court has no case. `pending` is the pending
    count at the as-of date itself (null for an earlier week: a case closed since was
    pending then, which the aggregate does not tell)."""
    agg = _typed(agg)
    upto = agg.filter(pl.col("week_no") >= weeks_back).group_by("court_code", "bucket").agg(
        [pl.col(c).sum() for c in SUMS])
    pending = agg.filter(pl.col("week_no").is_null()).group_by("court_code", "bucket").agg(
        pl.col("pending").sum())
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
    `max_weeks`), every court's cumulative counts since the period start on `ranking`."""
    weeks = [w for w in range(max_weeks) if as_of - dt.timedelta(days=7 * w) >= period_start]
    per_week = (_in_ranking(_typed(agg), ranking).filter(pl.col("week_no").is_not_null())
                .group_by("court_code", "week_no").agg([pl.col(c).sum() for c in SUMS]))
    grid = pl.DataFrame({"week_no": weeks}, schema={"week_no": pl.Int64}).join(
        courts.select("court_code"), how="cross")
    # week k holds every conclusion up to its end: the buckets k, k+1, … (older weeks);
    # the oldest bucket also holds what is older than the oldest week shown
    older = (per_week.with_columns(week_no=pl.col("week_no").clip(upper_bound=max(weeks,
                                                                               default=0)))
             if weeks else per_week)
    filled = grid.join(older.group_by("court_code", "week_no").agg(
        [pl.col(c).sum() for c in SUMS]), on=["court_code", "week_no"], how="left").with_columns(
        pl.col("concluded", "fully_performed").fill_null(0),
        pl.col("amount_applied", "amount_recovered").fill_null(0.0))
    cumulative = filled.sort("court_code", "week_no", descending=[False, True]).with_columns(
        [pl.col(c).cum_sum().over("court_code") for c in SUMS])
    return cumulative.with_columns(
        week_end=pl.lit(as_of) - pl.duration(days=7 * pl.col("week_no")),
        ranking=pl.lit(ranking)).select(
        "week_end", "court_code", "ranking", *SUMS).with_columns(
        pl.col("week_end").cast(pl.Date))


def pace_counts(agg: pl.DataFrame, courts: pl.DataFrame, ranking: str,
                pace_weeks: int) -> pl.DataFrame:
    """Each court's totals on `ranking` so far, the same over the last `pace_weeks` weeks
    (columns *_8w) and its pending cases: the input of the year-end projection."""
    agg = _in_ranking(_typed(agg), ranking)
    recent = pl.col("week_no") < pace_weeks
    per_court = agg.group_by("court_code").agg(
        *[pl.col(c).filter(pl.col("week_no").is_not_null()).sum() for c in SUMS],
        *[pl.col(c).filter(recent).sum().alias(f"{c}_8w") for c in SUMS],
        pl.col("pending").filter(pl.col("week_no").is_null()).sum())
    out = courts.select("court_code").join(per_court, on="court_code", how="left")
    return out.with_columns(
        *[pl.col(c).fill_null(0).cast(pl.Int64) for c in
          ("concluded", "fully_performed", "concluded_8w", "fully_performed_8w", "pending")],
        *[pl.col(c).fill_null(0.0).cast(pl.Float64) for c in
          ("amount_applied", "amount_recovered", "amount_applied_8w", "amount_recovered_8w")])
