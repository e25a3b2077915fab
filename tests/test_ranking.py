"""The one definition of rank, cutoff and gap (supervision.engine.ranking), worked by hand."""

from __future__ import annotations

import polars as pl
import pytest

from supervision.engine.ranking import rank


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
