"""Figures that agree under every filter: the headline follows a one-type filter, the
explorer's pending bar and its drill-down count the same cases, transferred cases are
shown where they are counted, and the weekly trend and projection follow the target's
metric. Each worked by hand."""

from __future__ import annotations

import polars as pl
import pytest

from supervision import views
from supervision.domain.filters import Filters
from supervision.engine import metrics
from supervision.security.access import Access
from tests.conftest import D, add_cases, closed
from tests.test_metrics import AS_OF, _concluded, ranked_db  # noqa: F401 (fixture)

SUPERVISOR = Access("s", "supervisor", "A", "琼")


def test_a_one_type_filter_leads_with_that_types_own_ranking(ranked_db):  # noqa: F811
    # loan is a specific type: with the filter, the headline is loan's ranking (top 2 here)
    f = Filters(as_of=AS_OF, case_types=("loan",))
    data = views.targets_view(ranked_db, SUPERVISOR, f, "A")
    assert data["headline"] == "loan"
    # the five-type chart is official: wage keeps its ranking on all its cases
    assert set(data["court_ranks"]["ranking"]) == {"overall", "loan", "wage"}
    # the trend is of the headline ranking
    assert data["weekly"]["rank"].drop_nulls().to_list()[-1] == 1
    assert views.targets_view(ranked_db, SUPERVISOR, Filters(as_of=AS_OF), "A")[
        "headline"] == "overall"
    # two types, or a non-specific one: the overall ranking leads
    assert views.headline_ranking(f.with_(case_types=("loan", "wage")), ["loan", "wage"]) \
        == "overall"
    assert views.headline_ranking(f.with_(case_types=("other",)), ["loan", "wage"]) == "overall"


def test_the_explorer_pending_bar_and_its_drill_down_count_the_same_cases(db):
    add_cases(db,
              closed("p1", "A", D(2026, 1, 5), None, None),
              # closed after D: pending as of D in the bar *and* in the drill-down
              closed("p2", "A", D(2026, 1, 5), D(2026, 7, 15), "fully_performed"),
              closed("p3", "A", D(2026, 1, 5), D(2026, 3, 1), "fully_performed"))
    f = Filters(as_of=AS_OF)
    bars = views.explorer_breakdown(db, SUPERVISOR, f, "A")
    pending_bar = bars.filter(pl.col("status") == "pending")["cases"].sum()
    drilled = views.explorer_count(db, SUPERVISOR, f.with_(closing_methods=("pending",)), "A")
    listed = views.explorer_page(db, SUPERVISOR, f.with_(closing_methods=("pending",)), "A",
                                 0, 50)
    assert pending_bar == drilled["cases"] == listed.height == 2
    assert set(listed["case_number"]) == {"p1", "p2"}


def test_transferred_cases_are_counted_in_the_explorer_and_named_as_left_out_of_rates(db):
    add_cases(db, *_concluded("A", 3, 2, prefix="t"),
              closed("x1", "A", D(2026, 1, 5), D(2026, 2, 1), "transferred"))
    f = Filters(as_of=AS_OF)
    total = views.explorer_count(db, SUPERVISOR, f, "A")
    assert (total["cases"], total["transferred"]) == (4, 1)
    # the rate leaves it out: 2 of 3, not 2 of 4
    row = metrics.court_counts(db, f, ["A"]).filter(pl.col("court_code") == "A").row(
        0, named=True)
    assert row["concluded"] == 3 and row["overall_rate"] == pytest.approx(2 / 3)


def test_the_weekly_trend_and_projection_follow_the_targets_metric(ranked_db):  # noqa: F811
    ranked_db.execute("UPDATE targets SET metric = 'amount_recovery_rate'")
    ranked_db.execute("UPDATE cases SET amount_recovered = 500 WHERE court_code = 'E'")
    f = Filters(as_of=AS_OF)
    headline = metrics.court_ranks(ranked_db, f, ["E"]).filter(
        pl.col("ranking") == "overall").row(0, named=True)
    weekly = metrics.weekly_ranks(ranked_db, f, "overall", ["E"])
    last = weekly.sort("week_end").row(-1, named=True)
    # E: 1,500 recovered of 3,000 applied, as in the headline (not E's 0 % case rate)
    assert last["metric"] == "amount_recovery_rate"
    assert last["rate"] == pytest.approx(0.5) == pytest.approx(headline["rate"])
    assert last["rank"] == headline["rank"] == 1
    projection = metrics.year_end_projection(ranked_db, f).filter(pl.col("court_code") == "E")
    assert projection["projected_rate"][0] == pytest.approx(0.5)   # no pace: stays
