"""The year-end projection on hand-built paces."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from supervision.projection import kth_cutoff, project_year_end, weeks_left


def test_weeks_left_to_the_end_of_the_year():
    assert weeks_left(dt.date(2026, 12, 3)) == pytest.approx(28 / 7)
    assert weeks_left(dt.date(2026, 12, 31)) == 0


def test_kth_cutoff_falls_back_to_the_lowest():
    rates = pl.Series([0.5, 0.9, None, 0.7])
    assert kth_cutoff(rates, 2) == 0.7
    assert kth_cutoff(rates, 10) == 0.5
    assert kth_cutoff(pl.Series([], dtype=pl.Float64), 1) is None


def test_projection_ranks_every_court_at_its_pace():
    # as of 3 Dec: 4 weeks left. Pace = last 8 weeks / 8.
    pace = pl.DataFrame({
        "court_code": ["A", "B", "C"],
        "concluded": [100, 50, 10],
        "fully_performed": [60, 40, 9],
        "concluded_8w": [16, 8, 0],         # A: 2/week, B: 1/week, C: 0
        "fully_performed_8w": [16, 0, 0],   # A: 2/week fully performed
        "pending": [30, 5, 0],
    })
    out = {r["court_code"]: r for r in
           project_year_end(pace, dt.date(2026, 12, 3), target_rank=1, min_concluded=20)
           .iter_rows(named=True)}
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
