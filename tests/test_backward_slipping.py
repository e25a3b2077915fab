"""Backward (落后) means slipping: below the threshold, below the province, or a national rank
that fell since last week. Being outside the top k is a standing state, never a reason.
views.backward_indices on hand-built frames, every expected value written by hand."""

from __future__ import annotations

import polars as pl

from supervision.engine.metrics import CORE_INDICES
from supervision.views import backward_indices

LIMITS = {"property_within_limit": 0.9, "termination_qualified": 0.9,
          "petitions_resolved": 0.9, "three_year_conclusion": 0.8}


def _core(court: dict[str, float | None], province: dict[str, float | None]) -> pl.DataFrame:
    """The 3+1 rows backward_indices reads: the court's and its province's."""
    return pl.DataFrame([
        {"level": "court", "court_code": "A", "province": "琼", **court},
        {"level": "province", "court_code": None, "province": "琼", **province}],
        schema={"level": pl.String, "court_code": pl.String, "province": pl.String,
                **dict.fromkeys(CORE_INDICES, pl.Float64)})


def _ranks(*rows: tuple[str, int | None, bool, bool]) -> pl.DataFrame:
    """(ranking, rank, is_ranked, meets_target) rows of court A, rate 50 %, cutoff 60 %."""
    return pl.DataFrame(
        [{"court_code": "A", "ranking": r, "rank": rank, "is_ranked": ranked,
          "meets_target": meets, "rate": 0.5, "cutoff": 0.6} for r, rank, ranked, meets in rows],
        schema={"court_code": pl.String, "ranking": pl.String, "rank": pl.Int64,
                "is_ranked": pl.Boolean, "meets_target": pl.Boolean, "rate": pl.Float64,
                "cutoff": pl.Float64})


AT_THRESHOLD = {"property_within_limit": 0.9, "termination_qualified": 0.95,
                "petitions_resolved": None, "three_year_conclusion": 0.8}
PROVINCE = {"property_within_limit": 0.9, "termination_qualified": 0.92,
            "petitions_resolved": 0.97, "three_year_conclusion": 0.8}


def _by_index(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["index"]: r for r in frame.iter_rows(named=True)}


def test_outside_the_top_k_without_a_fall_is_not_backward():
    # 25th overall (top 20 is the target) both weeks; every 3+1 index at its threshold and
    # at or above the province
    rows = _by_index(backward_indices(_core(AT_THRESHOLD, PROVINCE),
                                      _ranks(("overall", 25, True, False)),
                                      _ranks(("overall", 25, True, False)), LIMITS, "A"))
    assert all(r["reasons"] == [] for r in rows.values())
    overall = rows["rank_overall"]
    assert overall["standing"] == "outside_target"
    assert overall["status"] == "amber"       # outside the target, not slipping: never red
    assert [rows[i]["status"] for i in CORE_INDICES] == ["green", "green", "grey", "green"]
    assert all(rows[i]["standing"] is None for i in CORE_INDICES)


def test_a_rank_that_fell_is_backward_whatever_its_standing():
    rows = _by_index(backward_indices(
        _core(AT_THRESHOLD, PROVINCE),
        _ranks(("overall", 26, True, False), ("loan", 12, True, True)),
        _ranks(("overall", 25, True, False), ("loan", 9, True, True)), LIMITS, "A"))
    assert rows["rank_overall"]["reasons"] == ["rank_fell"]
    assert rows["rank_overall"]["status"] == "red"
    assert rows["rank_overall"]["rank_week_before"] == 25
    # within the top 15 and still slipping 9 → 12: backward too
    assert rows["rank_loan"]["reasons"] == ["rank_fell"]
    assert rows["rank_loan"]["standing"] == "in_target"


def test_a_rank_that_rose_or_held_in_the_target_is_green():
    rows = _by_index(backward_indices(_core(AT_THRESHOLD, PROVINCE),
                                      _ranks(("overall", 3, True, True)),
                                      _ranks(("overall", 7, True, True)), LIMITS, "A"))
    assert rows["rank_overall"]["reasons"] == []
    assert rows["rank_overall"]["status"] == "green"


def test_an_unranked_court_is_grey_and_not_backward():
    rows = _by_index(backward_indices(_core(AT_THRESHOLD, PROVINCE),
                                      _ranks(("overall", None, False, False)),
                                      _ranks(("overall", 4, True, True)), LIMITS, "A"))
    assert rows["rank_overall"]["reasons"] == []
    assert (rows["rank_overall"]["standing"], rows["rank_overall"]["status"]) == (
        "unranked", "grey")


def test_the_3_plus_1_reasons_are_the_threshold_and_the_province():
    court = {"property_within_limit": 0.85,       # below 90 %, above the province's 80 %
             "termination_qualified": 0.85,       # below 90 % and the province's 92 %
             "petitions_resolved": 0.95,          # above 90 %, below the province's 97 %
             "three_year_conclusion": 0.81}       # above both
    province = {"property_within_limit": 0.80, "termination_qualified": 0.92,
                "petitions_resolved": 0.97, "three_year_conclusion": 0.8}
    rows = _by_index(backward_indices(_core(court, province), _ranks(), _ranks(), LIMITS,
                                      "A"))
    assert rows["property_within_limit"]["reasons"] == ["below_threshold"]
    assert rows["property_within_limit"]["status"] == "amber"
    assert rows["termination_qualified"]["reasons"] == ["below_threshold", "below_province"]
    assert rows["termination_qualified"]["status"] == "red"
    assert rows["petitions_resolved"]["reasons"] == ["below_province"]
    assert rows["petitions_resolved"]["status"] == "green"
    assert rows["three_year_conclusion"]["reasons"] == []
    assert set(rows) == set(CORE_INDICES)     # no rank rows given, none made up


def test_below_cutoff_is_never_a_reason():
    rows = backward_indices(_core(AT_THRESHOLD, PROVINCE),
                            _ranks(("overall", 40, True, False), ("loan", 30, True, False)),
                            _ranks(("overall", 41, True, False), ("loan", 30, True, False)),
                            LIMITS, "A")
    reasons = {r for rs in rows["reasons"].to_list() for r in rs}
    assert reasons == set()
    assert "below_cutoff" not in reasons
