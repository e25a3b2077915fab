"""The one definition of rank, cutoff and gap (supervision.engine.ranking), worked by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.engine.ranking import rank, rank_columns, rank_grid, with_target


def frame(rows, metric="overall_rate", k=2, minimum=10):
    """rows: (court, concluded, fully_performed[, applied, recovered][, group])."""
    out = []
    for r in rows:
        court, c, f = r[:3]
        applied, recovered = (r[3], r[4]) if len(r) >= 5 else (0.0, 0.0)
        out.append(dict(court_code=court, concluded=c, fully_performed=f,
                        amount_applied=applied, amount_recovered=recovered,
                        group=r[5] if len(r) == 6 else "g"))
    return pl.DataFrame(out).with_columns(metric=pl.lit(metric), target_rank=pl.lit(k),
                                          min_concluded=pl.lit(minimum))


def by_court(result: pl.DataFrame) -> dict:
    return {r["court_code"]: r for r in result.iter_rows(named=True)}


def test_ties_share_the_best_rank_and_the_cutoff_is_the_kth_rate():
    # A 9/10, B 9/10, C 6/10, D 3/10, E 5/9 (fewer than 10 concluded: not ranked)
    out = by_court(rank(frame([("A", 10, 9), ("B", 10, 9), ("C", 10, 6), ("D", 10, 3),
                               ("E", 9, 5)], k=3), over=["group"]))
    assert [out[c]["rank"] for c in "ABCD"] == [1, 1, 3, 4]
    assert out["E"]["is_ranked"] is False and out["E"]["rank"] is None
    assert out["A"]["ranked_courts"] == 4
    assert out["A"]["cutoff"] == pytest.approx(0.6)       # the 3rd highest rate
    assert [out[c]["meets_target"] for c in "ABCDE"] == [True, True, True, False, False]


def test_gap_is_exact_at_the_cutoff_and_rounds_up_below_it():
    # cutoff (k=1) = A's 9/10. C at 6/10: (0.9 * 10 - 6) / 0.1 = 30 exactly -> 30, no fudge.
    # D at 3/10 with 20 concluded: ... D is 6/20: (0.9 * 20 - 6) / 0.1 = 120.
    # B at 8/9 with 9 concluded is unranked (minimum 9 < 10): no gap.
    out = by_court(rank(frame([("A", 10, 9), ("C", 10, 6), ("D", 20, 6), ("B", 9, 8)], k=1),
                        over=["group"]))
    assert (out["A"]["gap"], out["C"]["gap"], out["D"]["gap"]) == (0, 30, 120)
    assert out["B"]["gap"] is None
    # 7/11 against 9/10: (9 * 11 - 7 * 10) / (10 - 9) = 29 -> (7 + 29) / (11 + 29) = 0.9
    out = by_court(rank(frame([("A", 10, 9), ("X", 11, 7)], k=1), over=["group"]))
    assert out["X"]["gap"] == 29


def test_a_100_percent_cutoff_leaves_the_gap_empty_below_it():
    out = by_court(rank(frame([("A", 10, 10), ("B", 10, 9)], k=1), over=["group"]))
    assert out["A"]["gap"] == 0 and out["B"]["gap"] is None


def test_fewer_ranked_courts_than_the_target_rank_take_the_lowest_rate():
    out = by_court(rank(frame([("A", 10, 9), ("B", 10, 5)], k=20), over=["group"]))
    assert out["A"]["cutoff"] == pytest.approx(0.5) and out["B"]["meets_target"] is True


def test_the_amount_metric_ranks_amounts_and_gives_a_yuan_gap():
    out = by_court(rank(frame([("A", 10, 1, 100.0, 90.0), ("B", 10, 9, 100.0, 40.0)],
                              metric="amount_recovery_rate", k=1), over=["group"]))
    assert (out["A"]["rank"], out["B"]["rank"]) == (1, 2)
    assert out["B"]["amount_gap"] == 50 and out["B"]["gap"] is None


def test_each_group_is_ranked_on_its_own():
    out = rank(frame([("A", 10, 9, 0.0, 0.0, "w1"), ("B", 10, 5, 0.0, 0.0, "w1"),
                      ("A", 10, 1, 0.0, 0.0, "w2"), ("B", 10, 5, 0.0, 0.0, "w2")], k=1),
               over=["group"])
    ranks = {(r["group"], r["court_code"]): r["rank"] for r in out.iter_rows(named=True)}
    assert ranks == {("w1", "A"): 1, ("w1", "B"): 2, ("w2", "A"): 2, ("w2", "B"): 1}


# ------------------------------------------------ rank_columns: the weekly trend's grid


def test_the_grid_ranks_each_week_on_its_own_as_worked_by_hand():
    # rows A–D, columns two weeks; k = 2, at least 10 concluded
    # week 1: A 9/10, B 9/10, C 6/10, D 5/9 (unranked) -> ranks 1, 1, 3; cutoff 0.9 (2nd)
    # week 2: A 3/10, B 0/0 (no rate), C 8/10, D 7/10 -> C 1, D 2, A 3; cutoff 0.7
    concluded = np.array([[10, 10], [10, 0], [10, 10], [9, 10]], dtype=np.float64)
    fully = np.array([[9, 3], [9, 0], [6, 8], [5, 7]], dtype=np.float64)
    zeros = np.zeros_like(concluded)
    out = rank_columns(concluded, fully, zeros, zeros, "overall_rate", 2, 10)
    assert out.rank.tolist() == [[1, 3], [1, 0], [3, 1], [0, 2]]
    assert out.cutoff.tolist() == pytest.approx([0.9, 0.7])
    assert np.isnan(out.rate[1, 1]) and out.rate[3, 0] == pytest.approx(5 / 9)
    # on the amount metric: recovered ÷ applied; a week where no court is ranked
    applied = np.array([[100.0, 0], [50.0, 0]])
    recovered = np.array([[25.0, 0], [50.0, 0]])
    out = rank_columns(np.full((2, 2), 10.0), np.zeros((2, 2)), applied, recovered,
                       "amount_recovery_rate", 1, 1)
    assert out.rank.tolist() == [[2, 0], [1, 0]]
    assert out.cutoff[0] == 1.0 and np.isnan(out.cutoff[1])


@settings(max_examples=300, deadline=None)
@given(data=st.data(), courts=st.integers(1, 9), weeks=st.integers(1, 4),
       metric=st.sampled_from(["overall_rate", "amount_recovery_rate"]),
       k=st.integers(1, 10), minimum=st.integers(0, 4))
def test_the_grid_ranks_as_rank_ranks(data, courts, weeks, metric, k, minimum):
    # small counts, so that ties, empty courts and courts under the minimum are common
    def grid(top: int) -> np.ndarray:
        return np.array(data.draw(st.lists(st.lists(st.integers(0, top), min_size=weeks,
                                                    max_size=weeks),
                                           min_size=courts, max_size=courts)),
                        dtype=np.float64)

    concluded = grid(6)
    fully = np.minimum(grid(6), concluded)
    applied = grid(4) * 25.5
    recovered = np.minimum(grid(4) * 25.5, applied)
    got = rank_columns(concluded, fully, applied, recovered, metric, k, minimum)
    long = pl.DataFrame({
        "court_code": [f"C{c}" for c in range(courts) for _ in range(weeks)],
        "week": [w for _ in range(courts) for w in range(weeks)],
        "concluded": concluded.ravel().astype(np.int64),
        "fully_performed": fully.ravel().astype(np.int64),
        "amount_applied": applied.ravel(), "amount_recovered": recovered.ravel(),
    }).with_columns(metric=pl.lit(metric), target_rank=pl.lit(k),
                    min_concluded=pl.lit(minimum))
    want = rank(long, over=["week"])
    assert want["rank"].fill_null(0).to_list() == got.rank.ravel().tolist()
    assert want["rate"].fill_null(np.nan).to_numpy().tobytes() == got.rate.ravel().tobytes()
    cutoffs = np.tile(got.cutoff, courts)
    assert want["cutoff"].fill_null(np.nan).to_numpy().tobytes() == cutoffs.tobytes()


# ------------------------------------------------ rank_grid: the national ranks' grid


@settings(max_examples=150, deadline=None)
@given(data=st.data(), courts=st.integers(1, 9), specific=st.integers(0, 3),
       metrics=st.lists(st.sampled_from(["overall_rate", "amount_recovery_rate"]),
                        min_size=2, max_size=2),
       ks=st.lists(st.integers(1, 10), min_size=2, max_size=2),
       minimums=st.lists(st.integers(0, 4), min_size=2, max_size=2),
       with_pending=st.booleans(), specific_target=st.booleans())
def test_the_national_grid_ranks_as_rank_ranks(data, courts, specific, metrics, ks,
                                               minimums, with_pending, specific_target):
    """rank_grid against rank on the long frame, every column and row: courts in an order
    that is not their codes' (ties at the cutoff are taken in code order), a target for
    'overall' and one for the specific types (or none: those columns left out)."""
    columns = 1 + specific

    def grid(top: int) -> np.ndarray:
        return np.array(data.draw(st.lists(st.lists(st.integers(0, top), min_size=columns,
                                                    max_size=columns),
                                           min_size=courts, max_size=courts)),
                        dtype=np.int64)

    codes = data.draw(st.permutations([f"C{c}" for c in range(courts)]))
    concluded = grid(6)
    fully = np.minimum(grid(6), concluded)
    applied = grid(4) * 25.5
    recovered = np.minimum(grid(4) * 25.5, applied)
    pending = grid(3)
    rankings = ["overall", *[f"t{j}" for j in range(specific)]]
    targets = pl.DataFrame({"target": ["overall", "specific_type"], "metric": metrics,
                            "target_rank": ks, "min_concluded": minimums},
                           schema_overrides={"target_rank": pl.Int32,
                                             "min_concluded": pl.Int32})
    if not specific_target:
        targets = targets.head(1)
    courts_frame = pl.DataFrame({"court_code": codes, "province": [c[-1] for c in codes]})
    described = with_target(pl.DataFrame({"ranking": rankings}).with_row_index("column"),
                            targets, rankings[1:])
    got = rank_grid(described, courts_frame,
                    {"concluded": concluded, "fully_performed": fully,
                     "amount_applied": applied, "amount_recovered": recovered},
                    pending if with_pending else None)
    long = pl.DataFrame({
        "ranking": [r for r in rankings for _ in range(courts)],
        "court_code": codes * columns, "province": courts_frame["province"].to_list() * columns,
        "concluded": concluded.T.ravel(), "fully_performed": fully.T.ravel(),
        "amount_applied": applied.T.ravel(), "amount_recovered": recovered.T.ravel(),
        "pending": pending.T.ravel() if with_pending else [None] * (courts * columns),
    }, schema_overrides={"pending": pl.Int64})
    want = rank(with_target(long, targets, rankings[1:]), over=["ranking"]).sort(
        "ranking", "rank", "court_code", nulls_last=True)
    assert got.columns == want.columns
    assert got.to_dicts() == want.to_dicts()
    assert got.schema == want.schema
