"""Each metric declared once (supervision/domain/metric_declarations.py), status vocabularies in the
domain declarations, and no target rank or week count written into a sentence."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from supervision.data.queries import run
from supervision.domain import metric_declarations, vocabulary
from supervision.domain.filters import Filters
from supervision.domain.metric_declarations import (
    COURT_COUNTS_NAMES,
    METRIC_BY_CODE,
    METRICS,
    period_days,
    with_rates,
)
from supervision.engine import memory_core_counts, metrics
from supervision.words import i18n
from supervision.workflow import ledger
from tests.conftest import add_cases, closed

D = dt.date
AS_OF = D(2026, 3, 31)


def test_every_metric_has_names_help_a_formula_and_a_unit():
    assert len({m.code for m in METRICS}) == len(METRICS)
    for m in METRICS:
        assert m.zh and m.en and m.help_zh and m.help_en, m.code
        assert m.numerator and m.denominator and m.source, m.code
        assert m.unit in ("rate", "days", "count"), m.code
        # the UI's name and help are the declaration's
        assert i18n.ENUMS[m.code] == (m.zh, m.en)
        assert i18n.HELP[m.code] == (m.help_zh, m.help_en)


def test_the_core_indices_are_the_metrics_held_to_a_threshold_in_declared_order():
    assert metrics.CORE_INDICES == ["property_within_limit", "termination_qualified",
                                    "petitions_resolved", "three_year_conclusion"]
    # each is held to the threshold of its own index code (core_thresholds.index_code)
    for code in metrics.CORE_INDICES:
        assert METRIC_BY_CODE[code].held_to == metric_declarations.HeldTo("threshold", (code,))
    assert [m.code for m in memory_core_counts.CORE_RATES] == metrics.CORE_INDICES
    assert [m.code for m in memory_core_counts.POOLED_RATES] == [
        "overall_rate", "amount_recovery_rate", "closure_rate", "actual_conclusion_rate"]


def test_with_rates_on_a_hand_built_frame():
    counts = pl.DataFrame({
        "fully_performed": [3, 0, 5], "concluded": [4, 0, 10],
        "amount_recovered": [50.0, 0.0, 0.0], "amount_applied": [200.0, 0.0, 80.0],
        "pending": [6, 2, 0],
    })
    rated = with_rates(counts, [METRIC_BY_CODE[c] for c in (
        "overall_rate", "amount_recovery_rate", "disposition_time_days")], days=90)
    assert rated["overall_rate"].to_list() == [0.75, None, 0.5]           # 0 concluded: null
    assert rated["amount_recovery_rate"].to_list() == [0.25, None, 0.0]   # 0 applied: null
    # 90 days × pending ÷ concluded: 90 × 6 ÷ 4 = 135; 90 × 0 ÷ 10 = 0
    assert rated["disposition_time_days"].to_list() == [135.0, None, 0.0]
    with pytest.raises(ValueError, match="period"):
        with_rates(counts, [METRIC_BY_CODE["disposition_time_days"]])


def test_with_rates_under_court_counts_names():
    counts = pl.DataFrame({"petitions_resolved": [1, 0], "petitions": [4, 0]})
    rated = with_rates(counts, [METRIC_BY_CODE["petitions_resolved"]], names=COURT_COUNTS_NAMES)
    assert rated.columns == ["petitions_resolved", "petitions", "petitions_resolved_rate"]
    assert rated["petitions_resolved_rate"].to_list() == [0.25, None]


def test_period_days_counts_both_ends():
    assert period_days(D(2026, 1, 1), D(2026, 3, 31)) == 31 + 28 + 31
    assert period_days(D(2026, 5, 5), D(2026, 5, 5)) == 1


def test_court_counts_sql_gives_counts_and_every_rate_is_declared(db):
    # court A: of 4 cases filed this period, 2 fully performed, 1 终本, 1 pending
    add_cases(db,
              closed("a1", "A", D(2026, 1, 10), D(2026, 2, 1), "fully_performed",
                     amount_applied=1000.0, amount_recovered=1000.0),
              closed("a2", "A", D(2026, 1, 10), D(2026, 2, 21), "fully_performed",
                     amount_applied=3000.0, amount_recovered=1000.0),
              closed("a3", "A", D(2026, 1, 10), D(2026, 3, 1), "terminated_current",
                     has_property=False),
              closed("a4", "A", D(2026, 2, 1), None, None))
    f = Filters(as_of=AS_OF)
    raw = run(db, "court_counts", scope=f.scope(national=True), visible=None, **f.params())
    rated = metrics.court_counts(db, f, None)
    declared = [COURT_COUNTS_NAMES.get(m.code, m.code) for m in METRICS]
    # the SQL gives counts only; the rates are exactly the declared ones, in declared order
    assert not set(declared) & set(raw.columns)
    assert rated.columns == [*raw.columns, *declared]
    a = rated.filter(pl.col("court_code") == "A").row(0, named=True)
    assert (a["concluded"], a["fully_performed"], a["pending"], a["handled"]) == (3, 2, 1, 4)
    assert a["overall_rate"] == pytest.approx(2 / 3)
    # recovered 1,000 + 1,000 of 1,000 + 3,000 + 1,000 applied (the 终本 case's default)
    assert a["amount_recovery_rate"] == pytest.approx(2000 / 5000)
    assert a["closure_rate"] == pytest.approx(3 / 4)
    assert a["actual_conclusion_rate"] == pytest.approx(2 / 4)
    assert a["termination_rate"] == pytest.approx(1 / 3)
    # days filed → closed: 22 + 42 + 50
    assert a["mean_days_to_close"] == pytest.approx((22 + 42 + 50) / 3)
    assert a["clearance_rate"] == pytest.approx(3 / 4)
    assert a["disposition_time_days"] == pytest.approx(90 * 1 / 3)
    assert a["share_pending_over_6_months"] == 0.0
    # its one 终本 meets every condition but closed within 3 months of filing: unqualified
    assert a["termination_qualified"] == 0.0
    assert a["petitions_resolved_rate"] is None   # no petition: null, never 0
    b = rated.filter(pl.col("court_code") == "B").row(0, named=True)
    assert all(b[c] is None for c in declared)    # no case: every rate null


def test_statuses_are_declared_in_the_domain_and_named_from_there():
    assert ledger.ITEM_STATUSES == ("open", "in_progress", "done")
    assert ledger.ESCALATION_STATUSES == ("proposed", "escalated", "resolved")
    assert ledger.ITEM_NEW == "open" and ledger.ITEM_CLOSED == ("done",)
    for status in (*vocabulary.LEDGER_STATUSES, *vocabulary.ESCALATION_STATUSES):
        assert isinstance(status, vocabulary.Term)
        assert i18n.ENUMS[status.code] == (status.zh, status.en)


def test_a_new_role_that_may_write_is_one_declaration(monkeypatch):
    from supervision.security.access import Access

    deputy = vocabulary.Role("deputy", "副院长", "vice-president", pages=("brief", "ledger"),
                         scope="own_court", requires_court=True,
                         writes=frozenset({"update_item"}))
    monkeypatch.setitem(vocabulary.ROLE_BY_CODE, "deputy", deputy)
    access = Access("d", "deputy", "A", "琼")
    assert access.pages == ("brief", "ledger")
    assert access.may("update_item") and not access.may("record_visit")
    assert not Access("x", "nobody", "A", "琼").may("update_item")


def test_help_fills_named_constants_and_keeps_unfilled_placeholders(monkeypatch):
    monkeypatch.setattr(i18n, "lang", lambda: "en")
    assert f"last {metrics.PACE_WEEKS} weeks'" in i18n.help_text("needed_per_week")
    assert i18n.help_text("property_within_limit", threshold="90%").endswith(
        "Threshold 90%.")
    assert i18n.help_text("property_within_limit").endswith("Threshold {threshold}.")


# a target rank, table size or week count written into a sentence as digits
LITERAL = re.compile(r"前\d+名|top[- ]\d+|\d+周|\d+ weeks", re.IGNORECASE)


def literals(table: dict[str, tuple[str, str]]) -> list[str]:
    return sorted(key for key, pair in table.items() if any(LITERAL.search(s) for s in pair))


def test_no_target_rank_or_week_count_is_written_into_a_sentence():
    assert literals(i18n.HELP) == []
    assert literals(i18n.LABELS) == []
