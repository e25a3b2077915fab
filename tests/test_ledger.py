"""The supervision ledger and escalations in the operational store: who may write what,
nothing lost to a concurrent edit, every change in the audit trail, histories append-only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from supervision.security import audit
from supervision.security.access import Access, AccessDenied
from supervision.workflow import ledger
from tests.test_store import store_of_kind

D = dt.date
SUPERVISOR = Access("sup", "supervisor", "HI000", "琼")
PRESIDENT = Access("pres", "president", "HI720", "琼")
OTHER_PRESIDENT = Access("pres2", "president", "HI101", "琼")
ANALYST = Access("ana", "analyst", "HI000", "琼")
# the courts of the small case database the writes look cases and scopes up in
COURTS = (("HI000", "琼"), ("HI101", "琼"), ("HI720", "琼"), ("BJ000", "京"), ("BJ100", "京"))
LEDGER_CASES = ("c1", "(2026)琼720执1号", "(2026)琼720执9号")   # cases of HI720


def ledger_cases_db(path, cases=()):
    """A case database with Hainan's HI000, HI101 and HI720 and Beijing's BJ000 and BJ100,
    the cases these tests write about (of HI720) and `cases` ((number, court) pairs)."""
    from tests.conftest import add_cases, make_db

    con = make_db(path, COURTS)
    numbered = [*((n, "HI720") for n in LEDGER_CASES), *cases]
    add_cases(con, *[dict(case_number=n, court_code=c, filed_on=D(2025, 1, 1))
                     for n, c in numbered])
    return con


@pytest.fixture
def cases(tmp_path):
    con = ledger_cases_db(tmp_path / "cases.duckdb")
    yield con
    con.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """The ledger on both store engines (PostgreSQL where .ci/run provides one)."""
    yield from store_of_kind(request.param, tmp_path)


def _visit(store, cases) -> int:
    return ledger.record_visit(
        store, cases, SUPERVISOR, court="HI720", visit_on=D(2026, 11, 20),
        members="张三、李四",
        opinions=[ledger.Opinion("三个月内把有财产案件法定期限内执结率提到90%以上", "执行局长",
                                 D(2026, 12, 31), index_code="property_within_limit"),
                  ledger.Opinion("逐案清理超期未结案件", "院长", D(2026, 11, 25))])


def test_a_visit_with_two_opinions_and_a_presidents_update(store, cases):
    _visit(store, cases)
    items = ledger.items(store, ("HI720",), today=D(2026, 11, 27))
    assert items["status"].to_list() == ["open", "open"]
    # due 11-25, still open on 11-27: overdue; due 12-31: not yet
    assert items.sort("due_on")["overdue"].to_list() == [True, False]
    first = items.filter(items["index_code"] == "property_within_limit").row(0, named=True)
    version = ledger.update_item(store, cases, PRESIDENT, item_id=first["id"],
                                 read_version=first["version"], status="in_progress",
                                 note="已逐案排查", index_value=0.874,
                                 index_as_of=D(2026, 11, 27))
    assert version == 2
    history = ledger.item_history(store, first["id"])
    assert history["status"].to_list() == ["open", "in_progress"]
    assert history["index_value"].to_list() == [None, 0.874]
    assert ledger.items(store, ("HI720",), open_only=True).height == 2
    trail = audit.entries(store)
    updated = trail.filter(trail["event"] == "ledger_item_updated").row(0, named=True)
    detail = json.loads(updated["detail"])
    assert detail["before"]["status"] == "open" and detail["after"]["status"] == "in_progress"
    assert updated["actor"] == "pres"
    assert set(trail["event"]) >= {"visit_recorded", "ledger_item_added"}


def test_the_second_of_two_concurrent_saves_is_refused_and_nothing_is_lost(store, cases):
    _visit(store, cases)
    item = ledger.items(store, ("HI720",)).row(0, named=True)
    # two people opened the item at version 1; the first saves
    ledger.update_item(store, cases, PRESIDENT, item_id=item["id"], read_version=1,
                       status="in_progress", note="第一人的进展")
    with pytest.raises(ledger.ConcurrentEdit, match="nothing was saved"):
        ledger.update_item(store, cases, SUPERVISOR, item_id=item["id"], read_version=1,
                           status="done", note="第二人的进展")
    now = ledger.items(store, ("HI720",)).filter(
        ledger.items(store, ("HI720",))["id"] == item["id"]).row(0, named=True)
    assert (now["status"], now["progress"], now["version"]) == ("in_progress", "第一人的进展", 2)
    assert ledger.item_history(store, item["id"])["note"].to_list()[-1] == "第一人的进展"


def test_roles_are_enforced_where_the_ledger_is_written(store, cases):
    with pytest.raises(AccessDenied):
        ledger.record_visit(store, cases, PRESIDENT, court="HI720", visit_on=D(2026, 1, 1),
                            members="x", opinions=[ledger.Opinion("r", "o", D(2026, 2, 1))])
    with pytest.raises(AccessDenied):
        ledger.record_visit(store, cases, ANALYST, court="HI720", visit_on=D(2026, 1, 1),
                            members="x", opinions=[ledger.Opinion("r", "o", D(2026, 2, 1))])
    with pytest.raises(AccessDenied):   # a supervisor outside their province
        ledger.record_visit(store, cases, SUPERVISOR, court="BJ100", visit_on=D(2026, 1, 1),
                            members="x", opinions=[ledger.Opinion("r", "o", D(2026, 2, 1))])
    _visit(store, cases)
    item = ledger.items(store, ("HI720",)).row(0, named=True)
    for who in (OTHER_PRESIDENT, ANALYST):
        with pytest.raises(AccessDenied):
            ledger.update_item(store, cases, who, item_id=item["id"], read_version=1,
                               status="done", note="x")
    with pytest.raises(ledger.LedgerError):
        ledger.update_item(store, cases, PRESIDENT, item_id=item["id"], read_version=1,
                           status="done", note="   ")


def test_histories_and_the_audit_trail_cannot_be_rewritten(store, cases):
    _visit(store, cases)
    ledger.set_escalation(store, cases, SUPERVISOR, case_number="c1", court="HI720",
                          status="proposed", note="n", reasons=[], read_version=None)
    for table in ("ledger_updates", "escalation_events", "audit_log"):
        with pytest.raises(Exception, match="append-only"), store.begin() as connection:
            connection.execute(text(f"DELETE FROM {table}"))


def test_an_escalation_moves_from_proposed_to_resolved_with_its_history(store, cases):
    v1 = ledger.set_escalation(store, cases, SUPERVISOR, case_number="(2026)琼720执1号",
                               court="HI720", status="proposed", note="超过12个月未结",
                               reasons=["pending_long"], read_version=None)
    with pytest.raises(ledger.ConcurrentEdit):    # someone else proposed it meanwhile
        ledger.set_escalation(store, cases, SUPERVISOR, case_number="(2026)琼720执1号",
                              court="HI720", status="proposed", note="x", reasons=[],
                              read_version=None)
    v2 = ledger.set_escalation(store, cases, SUPERVISOR, case_number="(2026)琼720执1号",
                               court="HI720", status="escalated", note="提请联动",
                               reasons=["pending_long"], read_version=v1)
    ledger.set_escalation(store, cases, SUPERVISOR, case_number="(2026)琼720执1号",
                          court="HI720", status="resolved", note="已化解",
                          reasons=["pending_long"], read_version=v2)
    assert ledger.escalation_history(store, "(2026)琼720执1号")["status"].to_list() == [
        "proposed", "escalated", "resolved"]
    with pytest.raises(AccessDenied):
        ledger.set_escalation(store, cases, PRESIDENT, case_number="c1", court="HI720",
                              status="proposed", note="x", reasons=[], read_version=None)


def test_typical_cases_are_marked_with_a_summary(store, cases):
    ledger.mark_typical(store, cases, SUPERVISOR, court="HI720", case_number="(2026)琼720执9号",
                        summary="跨院协调执结")
    ledger.mark_typical(store, cases, SUPERVISOR, court="HI720", case_number="(2026)琼720执9号",
                        summary="跨院协调，三个月执结")
    marked = ledger.typical(store, ("HI720",))
    assert marked.select("case_number", "summary").rows() == [
        ("(2026)琼720执9号", "跨院协调，三个月执结")]


def test_escalation_candidates_name_each_criterion(db):
    """Pending cases on 2026-06-30 against the default criteria (365 days, 1,000 万元,
    2 petitions) and property past the statutory deadline, worked out case by case."""
    from supervision.domain.filters import Filters
    from supervision.views import EscalationCriteria, escalation_candidates
    from tests.conftest import add_cases

    as_of = D(2026, 6, 30)
    add_cases(
        db,
        # filed 2025-06-01: 394 days pending > 365; has property, deadline 2025-12-01 past
        dict(case_number="E1", court_code="A", filed_on=D(2025, 6, 1)),
        # 1,200 万元, no property, filed 2026-03-01 (deadline 09-01 not yet)
        dict(case_number="E2", court_code="A", filed_on=D(2026, 3, 1), has_property=False,
             amount_applied=12_000_000.0),
        # two petitions, no property, recent
        dict(case_number="E3", court_code="A", filed_on=D(2026, 4, 1), has_property=False),
        # nothing: recent, small, no property, one petition
        dict(case_number="E4", court_code="A", filed_on=D(2026, 4, 1), has_property=False),
        # closed: not a candidate; another province's court: outside the scope
        dict(case_number="E5", court_code="A", filed_on=D(2024, 1, 1), closed_on=D(2026, 1, 1),
             closing_method="withdrawn"),
        dict(case_number="E6", court_code="C", filed_on=D(2024, 1, 1)),
    )
    db.execute("INSERT INTO petitions VALUES ('q1', 'E3', '2026-05-01', NULL), "
               "('q2', 'E3', '2026-06-01', NULL), ('q3', 'E4', '2026-05-01', NULL)")
    got = escalation_candidates(db, Access("s", "supervisor", "A", "琼"), Filters(as_of=as_of),
                                None, EscalationCriteria())
    reasons = {r["case_number"]: r["reasons"] for r in got.iter_rows(named=True)}
    assert reasons == {"E1": ["pending_long", "property_unrealised"], "E2": ["large_value"],
                       "E3": ["many_petitions"]}
    assert got["case_number"][0] == "E1"          # most criteria first
    # a stricter petitions criterion drops E3
    stricter = escalation_candidates(db, Access("s", "supervisor", "A", "琼"),
                                     Filters(as_of=as_of), "A",
                                     EscalationCriteria(min_petitions=3))
    assert set(stricter["case_number"]) == {"E1", "E2"}


def test_the_weekly_report_shows_whether_the_measures_take_effect(store, cases):
    """An item linked to an index, updated twice with the index at 84.0 % then 87.4 %: the
    weekly report's row for the court lists it with both values."""
    import polars as pl

    from supervision.workflow import weekly

    _visit(store, cases)
    item = ledger.items(store, ("HI720",)).filter(
        pl.col("index_code") == "property_within_limit").row(0, named=True)
    v = ledger.update_item(store, cases, PRESIDENT, item_id=item["id"], read_version=1,
                           status="in_progress", note="排查", index_value=0.84,
                           index_as_of=D(2026, 11, 20))
    ledger.update_item(store, cases, PRESIDENT, item_id=item["id"], read_version=v,
                       status="in_progress", note="推进", index_value=0.874,
                       index_as_of=D(2026, 11, 27))
    items = ledger.items(store, ("HI720",), open_only=True, today=D(2026, 11, 27))
    linked = items.filter(pl.col("id") == item["id"]).row(0, named=True)
    assert (linked["first_value"], linked["latest_value"]) == (0.84, 0.874)
    view = {"courts": pl.DataFrame({
        "court_code": ["HI720"], "name": ["海口海事法院"], "name_en": ["Haikou Maritime Court"],
        "rank": [35], "rank_week_before": [40], "rate": [0.849],
        "property_within_limit": [0.874], "termination_qualified": [0.95],
        "petitions_resolved": [0.9], "three_year_conclusion": [0.93],
        "backward": [1], "backward_change": [0], "standing": ["outside_target"],
        "target_rank": [20], "newly_backward": [["property_within_limit"]],
        "backward_indices": [[{"index": "property_within_limit",
                               "reasons": ["below_threshold"]}]]}),
        "specific_types": [], "province": {"name": "海南省"}}
    table, marks, _kinds = weekly.report_tables(view, items, {}, "zh")
    row = table.row(0, named=True)
    assert row["未完成整改"] == "2（已逾期 1）"       # the 11-25 item is overdue on 11-27
    assert "84.0% → 87.4%" in row["督导整改事项（未完成）"]
    assert row["排名较上周"] == "上升5名"              # 40 → 35: up five, in words
    assert marks.row(0, named=True)["有财产案件法定期限内实际执结率"] is True
