"""The year-end projection on hand-built paces."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from supervision.engine.projection import project_year_end, weeks_left


def test_weeks_left_to_the_end_of_the_year():
    assert weeks_left(dt.date(2026, 12, 3)) == pytest.approx(28 / 7)
    assert weeks_left(dt.date(2026, 12, 31)) == 0


def test_projection_ranks_every_court_at_its_pace():
    # as of 3 Dec: 4 weeks left. Pace = last 8 weeks / 8.
    pace = pl.DataFrame({
        "court_code": ["A", "B", "C"],
        "concluded": [100, 50, 10],
        "fully_performed": [60, 40, 9],
        "concluded_8w": [16, 8, 0],         # A: 2/week, B: 1/week, C: 0
        "fully_performed_8w": [16, 0, 0],   # A: 2/week fully performed
        "pending": [30, 5, 0],
    }).with_columns(**{c: pl.lit(0.0) for c in ("amount_applied", "amount_recovered",
                                                  "amount_applied_8w", "amount_recovered_8w")})
    out = {r["court_code"]: r for r in
           project_year_end(pace, dt.date(2026, 12, 3), "overall_rate", target_rank=1,
                            min_concluded=20).iter_rows(named=True)}
    # A: (60 + 8) / (100 + 8) = 68/108; B: (40 + 0) / (50 + 4) = 40/54; C: 10 < 20, unranked
    assert out["A"]["projected_rate"] == pytest.approx(68 / 108)
    assert out["B"]["projected_rate"] == pytest.approx(40 / 54)
    assert out["C"]["projected_ranked"] is False and out["C"]["projected_rank"] is None
    assert (out["B"]["projected_rank"], out["A"]["projected_rank"]) == (1, 2)
    # top-1 cutoff = B's 40/54; A needs x with (68 + x) / (108 + x) >= 40/54:
    # x >= (40/54 * 108 - 68) / (1 - 40/54) = (80 - 68) / (14/54) = 46.29 -> 47
    assert out["A"]["projected_cutoff"] == pytest.approx(40 / 54)
    assert out["A"]["extra_needed"] == 47
    assert out["A"]["extra_per_week"] == pytest.approx(47 / 4)
    assert out["A"]["reachable"] is False          # 47 > 30 pending
    assert out["B"]["extra_needed"] == 0 and out["B"]["reachable"] is True


def test_projection_on_the_amount_metric_ranks_amounts():
    # 4 weeks left. A recovers 50 of 100 so far and 10 of 10 a week: (50 + 40) / (100 + 40);
    # B recovers 80 of 100 and nothing more. Top-1 cutoff = B's 0.8; A needs
    # 0.8 * 140 - 90 = 22 more yuan.
    pace = pl.DataFrame({
        "court_code": ["A", "B"], "concluded": [40, 40], "fully_performed": [10, 10],
        "concluded_8w": [0, 0], "fully_performed_8w": [0, 0], "pending": [5, 5],
        "amount_applied": [100.0, 100.0], "amount_recovered": [50.0, 80.0],
        "amount_applied_8w": [80.0, 0.0], "amount_recovered_8w": [80.0, 0.0],
    })
    out = {r["court_code"]: r for r in
           project_year_end(pace, dt.date(2026, 12, 3), "amount_recovery_rate", target_rank=1,
                            min_concluded=20).iter_rows(named=True)}
    assert out["A"]["projected_rate"] == pytest.approx(90 / 140)
    assert (out["B"]["projected_rank"], out["A"]["projected_rank"]) == (1, 2)
    assert out["A"]["extra_amount_needed"] == 22
    assert out["A"]["extra_needed"] is None      # no case gap on the amount metric
