"""National rank, cutoff and gap: the one definition (polars and numpy, no I/O).

DOMAIN.md "National-rank targets". Every ranking in the product goes through this
definition, written three times for the shapes it is asked in: `rank` (polars, any
groups of a frame: the year-end projection), `rank_grid` (numpy, a court × ranking grid:
the national ranks now and in the weeks before) and `rank_columns` (numpy, a court × week
grid: the weekly trend); the two numpy ones share their kernel (`_rates`, `_rank_column`)
and tests/test_ranking.py holds each to `rank` on drawn data. Counts come from the cases
in memory (read by queries/memory_cases.sql, counted at any as-of date by
supervision/engine/memory_counts.py; the tests' per-date reference is
tests/sql/court_rank_counts.sql); the target's metric, rank and minimum are data (the
targets table).

- rate: fully performed ÷ concluded (`overall_rate`), or Σ recovered ÷ Σ applied
  (`amount_recovery_rate`), as the target names;
- ranked: at least `min_concluded` concluded cases and a rate;
- rank = 1 + number of ranked courts with a strictly higher rate (ties share the best);
- cutoff = the k-th highest rate among ranked courts (the lowest if fewer than k);
- gap = more full-performance conclusions needed to reach the cutoff, each adding one to
  numerator and denominator: max(0, ⌈(cutoff × concluded − fully performed) ÷ (1 − cutoff)⌉),
  in exact integers (cutoff = cutoff_fp ÷ cutoff_concluded); empty when not ranked, or when
  the cutoff is 100 % and the court is below it; for the amount metric, the yuan gap
  max(0, ⌈cutoff × applied − recovered⌉), in exact integers of fen (cutoff = R ÷ A).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

OVERALL_RATE, AMOUNT_RECOVERY_RATE = "overall_rate", "amount_recovery_rate"
COUNTS = ("concluded", "fully_performed", "amount_applied", "amount_recovered")


def rate(metric: pl.Expr) -> pl.Expr:
    """The rate the target's metric names, from the count columns."""
    by_cases = pl.col("fully_performed") / pl.when(pl.col("concluded") > 0).then(
        pl.col("concluded"))
    by_amount = pl.col("amount_recovered") / pl.when(pl.col("amount_applied") > 0).then(
        pl.col("amount_applied"))
    return pl.when(metric == AMOUNT_RECOVERY_RATE).then(by_amount).otherwise(by_cases)


def rank(counts: pl.DataFrame, over: list[str]) -> pl.DataFrame:
    """Rank the rows of `counts` within each group of `over` (a ranking, a week …).

    `counts` has court_code, the COUNTS columns and, per row, the target's metric,
    target_rank and min_concluded. Adds rate, is_ranked, rank, ranked_courts, cutoff, gap,
    amount_gap and meets_target."""
    scored = counts.with_row_index("_row").with_columns(rate=rate(pl.col("metric"))).with_columns(
        is_ranked=(pl.col("concluded") >= pl.col("min_concluded")) & pl.col("rate").is_not_null())
    # the ranked rows in rate order within each group (ties by code: any k-th value of a
    # tie is the same rate), so that a row's position is its place in that order
    ranked = (scored.filter(pl.col("is_ranked"))
              .sort([*over, "rate", "court_code"],
                    descending=[False] * len(over) + [True, False])
              .with_columns(
                  rank=pl.col("rate").rank("min", descending=True).over(over).cast(pl.Int64),
                  ranked_courts=pl.len().over(over).cast(pl.Int64),
                  _position=(pl.int_range(pl.len()) + 1).over(over)))
    cutoffs = (ranked.filter(pl.col("_position") == pl.min_horizontal(
        "target_rank", "ranked_courts"))
        .select(*over, cutoff="rate", _cutoff_fp="fully_performed",
                _cutoff_concluded="concluded", _cutoff_recovered="amount_recovered",
                _cutoff_applied="amount_applied", _cutoff_ranked="ranked_courts"))
    # each row's rank back by its row number (one integer key, not the group and the code)
    out = (scored.join(ranked.select("_row", "rank"), on="_row", how="left",
                       maintain_order="left")
           .join(cutoffs, on=over, how="left", maintain_order="left")
           .drop("_row")
           .with_columns(ranked_courts=pl.col("_cutoff_ranked").fill_null(0)))
    return out.with_columns(
        gap=_case_gap(),
        amount_gap=_amount_gap(),
        meets_target=(pl.col("rank") <= pl.col("target_rank")).fill_null(False),
    ).drop("_cutoff_fp", "_cutoff_concluded", "_cutoff_recovered", "_cutoff_applied",
           "_cutoff_ranked")


def _case_gap() -> pl.Expr:
    """⌈(cutoff × c − f) ÷ (1 − cutoff)⌉ with cutoff = a/b: ⌈(a·c − f·b) ÷ (b − a)⌉, in
    integers, so a court exactly on the cutoff needs 0 and nothing rounds the wrong way."""
    a, b = pl.col("_cutoff_fp").cast(pl.Int64), pl.col("_cutoff_concluded").cast(pl.Int64)
    c, f = pl.col("concluded").cast(pl.Int64), pl.col("fully_performed").cast(pl.Int64)
    short = a * c - f * b
    return (pl.when(~pl.col("is_ranked") | (pl.col("metric") != OVERALL_RATE)).then(None)
            .when(a == b).then(pl.when(f == c).then(0))          # a 100 % cutoff
            .when(short <= 0).then(0)
            .otherwise((short + (b - a) - 1) // (b - a))
            .cast(pl.Int64))


def _amount_gap() -> pl.Expr:
    """⌈cutoff × applied − recovered⌉ yuan with cutoff = R/A (the k-th court's recovered and
    applied): ⌈(R·applied − recovered·A) ÷ A⌉ in whole fen, exact in 128-bit integers (in
    floating point the k-th court itself came out 1 yuan short), then up to the yuan."""
    def fen(column: str) -> pl.Expr:
        return (pl.col(column) * 100).round(0).cast(pl.Int128)

    short = fen("_cutoff_recovered") * fen("amount_applied") - fen("amount_recovered") * fen(
        "_cutoff_applied")
    per = fen("_cutoff_applied")
    gap_fen = (short + per - 1) // per
    return (pl.when(~pl.col("is_ranked") | (pl.col("metric") != AMOUNT_RECOVERY_RATE)).then(None)
            .when(short <= 0).then(0.0)
            .otherwise(((gap_fen + 99) // 100).cast(pl.Float64)))


def with_target(counts: pl.DataFrame, targets: pl.DataFrame, specific: list[str]) -> pl.DataFrame:
    """Attach each row's target (metric, target_rank, min_concluded) by its `ranking`:
    'overall' takes the overall target, a specific type code the specific-type target."""
    kind = pl.when(pl.col("ranking") == "overall").then(pl.lit("overall")).when(
        pl.col("ranking").is_in(specific)).then(pl.lit("specific_type"))
    # each distinct ranking's target first (a handful of rows), then one join by ranking:
    # a weekly trend has 160,000 rows of one ranking
    per_ranking = counts.select(pl.col("ranking").unique()).with_columns(target=kind).join(
        targets.select("target", "metric", "target_rank", "min_concluded"), on="target",
        how="inner")
    return counts.join(per_ranking, on="ranking", how="inner", maintain_order="left")


@dataclass(frozen=True)
class ColumnRanks:
    """`rank_columns`' result, court × column (a column: a week of the trend): `rate` (NaN:
    none), `rank` (0: not ranked) and per column the `cutoff` (NaN: no court ranked)."""

    rate: np.ndarray
    rank: np.ndarray
    cutoff: np.ndarray


def rank_columns(concluded: np.ndarray, fully_performed: np.ndarray,
                 amount_applied: np.ndarray, amount_recovered: np.ndarray, metric: str,
                 target_rank: int, min_concluded: int) -> ColumnRanks:
    """`rank`'s rate, rank and cutoff for every court (row) within each column of court ×
    column grids of the COUNTS (amounts in yuan), all columns on one target: the same
    definition in numpy, for the weekly trend (at 10 M, 163,000 court-weeks in ~16 ms,
    where a polars frame of them, its target's join and `rank` took ~67). The rate is the
    same IEEE division of the same doubles."""
    rate, ranked = _rates(concluded, fully_performed, amount_applied, amount_recovered,
                          metric, min_concluded)
    ranks = np.zeros(rate.shape, dtype=np.int64)
    cutoff = np.full(rate.shape[1], np.nan)
    for column in range(rate.shape[1]):
        chosen = ranked[:, column]
        ranks[chosen, column], cutoff[column], _ = _rank_column(rate[chosen, column],
                                                                target_rank)
    return ColumnRanks(rate, ranks, cutoff)


def _rates(concluded: np.ndarray, fully_performed: np.ndarray, amount_applied: np.ndarray,
           amount_recovered: np.ndarray, metric: str, min_concluded: int
           ) -> tuple[np.ndarray, np.ndarray]:
    """The target metric's rate (NaN: none) and whether each cell is ranked."""
    numerator, denominator = ((amount_recovered, amount_applied)
                              if metric == AMOUNT_RECOVERY_RATE
                              else (fully_performed, concluded))
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(denominator > 0, numerator / denominator, np.nan)
    return rate, (np.asarray(concluded) >= min_concluded) & ~np.isnan(rate)


def _rank_column(rates: np.ndarray, target_rank: int) -> tuple[np.ndarray, float, int]:
    """The ranked rates of one group: each one's rank (1 + the rates strictly above it),
    the cutoff (the target_rank-th highest, the lowest if fewer; NaN: none) and how many
    rates are strictly above the cutoff."""
    ascending = np.sort(rates)
    if not ascending.size:
        return np.zeros(0, dtype=np.int64), np.nan, 0
    cutoff = ascending[ascending.size - min(target_rank, ascending.size)]
    ranks = 1 + ascending.size - np.searchsorted(ascending, rates, side="right")
    above = ascending.size - int(np.searchsorted(ascending, cutoff, side="right"))
    return ranks, float(cutoff), above


def rank_grid(columns: pl.DataFrame, courts: pl.DataFrame, sums: dict[str, np.ndarray],
              pending: np.ndarray | None) -> pl.DataFrame:
    """`rank` with `over=["ranking"]` for court × ranking grids (the national ranks), in
    numpy: the same rows and values as `rank` on their long frame, sorted by ranking, rank
    (unranked last) and court code (at 10 M, 20,850 rows: a national ranking ~13 ms with
    its grids, where the frame, its target's join, `rank` and the sort took ~20;
    tests/test_ranking.py holds the two equal).

    `columns`: a row per ranking with a target, in any order: `column` (its grids'
    column), ranking, target, metric, target_rank, min_concluded (`with_target`).
    `courts`: court_code and province, the grids' rows. `sums`: the COUNTS, court ×
    column, amounts in yuan; `pending`: court × column, or None (null)."""
    codes = courts["court_code"]
    place = np.empty(len(codes), dtype=np.int64)       # each court's place in code order
    place[codes.arg_sort().to_numpy()] = np.arange(len(codes))
    parts: list[dict[str, np.ndarray]] = []
    ordered = columns.sort("ranking")      # the rows come out by ranking
    described = ordered.to_dicts()
    for d in described:
        j = d["column"]
        rate, ranked = _rates(*(sums[c][:, j] for c in COUNTS), d["metric"], d["min_concluded"])
        ranks = np.zeros(len(codes), dtype=np.int64)
        ranks[ranked], cutoff, above = _rank_column(rate[ranked], d["target_rank"])
        ranked_courts = int(ranked.sum())
        # the court at the cutoff's place, ties in code order (`rank`'s order)
        cutoff_row = -1
        if ranked_courts:
            tied = np.flatnonzero(ranked & (rate == cutoff))
            tied = tied[np.argsort(place[tied])]
            cutoff_row = int(tied[min(d["target_rank"], ranked_courts) - above - 1])
        rows = np.lexsort((place, np.where(ranked, ranks, len(codes) + 1)))
        parts.append({
            "rows": rows, "rate": rate[rows], "is_ranked": ranked[rows], "rank": ranks[rows],
            **{c: sums[c][rows, j] for c in COUNTS},
            **({"pending": pending[rows, j]} if pending is not None else {}),
            # (no court ranked: no row is, and no gap reads these)
            **{f"_cutoff_{c}": np.full(rows.size, sums[c][cutoff_row, j] if ranked_courts
                                       else 0) for c in COUNTS},
            "cutoff": np.full(rows.size, cutoff), "ranked_courts": np.full(rows.size,
                                                                           ranked_courts)})

    def joined(name: str) -> np.ndarray:
        return np.concatenate([part[name] for part in parts]) if parts else np.zeros(0)

    rows = joined("rows").astype(np.int64)
    # each column's ranking and target on each of its rows
    targets = ordered.select("ranking", "target", "metric", "target_rank", "min_concluded")[
        np.repeat(np.arange(len(parts)), [part["rows"].size for part in parts])]
    out = pl.DataFrame({
        "ranking": targets["ranking"],
        "court_code": codes.gather(rows), "province": courts["province"].gather(rows),
        "concluded": joined("concluded").astype(np.int64),
        "fully_performed": joined("fully_performed").astype(np.int64),
        "amount_applied": joined("amount_applied").astype(np.float64),
        "amount_recovered": joined("amount_recovered").astype(np.float64),
        "pending": (joined("pending").astype(np.int64) if pending is not None
                    else pl.Series([None] * rows.size, dtype=pl.Int64)),
        **{key: targets[key] for key in ("target", "metric", "target_rank", "min_concluded")},
        "rate": joined("rate"), "is_ranked": joined("is_ranked").astype(bool),
        "rank": joined("rank").astype(np.int64), "cutoff": joined("cutoff"),
        "ranked_courts": joined("ranked_courts").astype(np.int64),
        "_cutoff_fp": joined("_cutoff_fully_performed"),
        "_cutoff_concluded": joined("_cutoff_concluded"),
        "_cutoff_recovered": joined("_cutoff_amount_recovered"),
        "_cutoff_applied": joined("_cutoff_amount_applied"),
    }).with_columns(pl.col("rate", "cutoff").fill_nan(None),
                    pl.when(pl.col("rank") > 0).then(pl.col("rank")).alias("rank"))
    return out.with_columns(
        gap=_case_gap(),
        amount_gap=_amount_gap(),
        meets_target=(pl.col("rank") <= pl.col("target_rank")).fill_null(False),
    ).drop("_cutoff_fp", "_cutoff_concluded", "_cutoff_recovered", "_cutoff_applied")
