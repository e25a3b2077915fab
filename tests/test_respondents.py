"""The respondent view on hand-built cases, each figure worked out by hand below."""

from __future__ import annotations

import datetime as dt
import hashlib

from supervision import views
from supervision.access import Access, AccessDenied
from supervision.queries import Filters
from tests.conftest import add_cases, closed

D = dt.date
AS_OF = D(2026, 6, 30)
SUPERVISOR = Access("s", "supervisor", "A", "琼")   # courts A, B (琼); C is 京
X = hashlib.md5(b"X-ID").hexdigest()


def _cases(db) -> None:
    add_cases(
        db,
        closed("x1", "A", D(2026, 1, 1), None, None, respondent_id="X-ID", respondent_name="某乙公司",
               respondent_kind="enterprise", amount_applied=100_000.0, judge="王法官"),
        closed("x2", "B", D(2026, 4, 1), None, None, respondent_id="X-ID", respondent_name="某乙公司",
               respondent_kind="enterprise", amount_applied=50_000.0, judge="李法官",
               case_type="wage"),
        closed("x3", "A", D(2025, 5, 1), D(2026, 2, 1), "fully_performed", respondent_id="X-ID",
               respondent_name="某乙公司", respondent_kind="enterprise", amount_applied=20_000.0,
               judge="王法官"),
        # outside: another province's court, a case filed after D, another respondent
        closed("x4", "C", D(2026, 1, 1), None, None, respondent_id="X-ID"),
        closed("x5", "A", D(2026, 7, 1), None, None, respondent_id="X-ID"),
        closed("y1", "A", D(2026, 1, 1), None, None, respondent_id="Y-ID"),
    )
    db.execute("INSERT INTO petitions VALUES ('p1', 'x1', '2026-03-01', NULL), "
               "('p2', 'x1', '2026-05-01', '2026-05-20'), ('p3', 'x2', '2026-07-02', NULL)")


def test_one_respondent_across_the_users_courts(db):
    _cases(db)
    # the sidebar's filters (here: a case type) do not narrow a respondent's cases
    cases = views.respondent_cases(db, SUPERVISOR, Filters(as_of=AS_OF, case_types=("loan",)),
                                   X)
    assert cases["case_number"].to_list() == ["x1", "x2", "x3"]   # pending first, by value
    summary = views.respondent_summary(cases)
    assert summary["cases"] == 3 and summary["pending"] == 2
    assert summary["value_yuan"] == 170_000.0 and summary["pending_value_yuan"] == 150_000.0
    assert summary["courts"] == ["A", "B"] and summary["judges"] == ["王法官", "李法官"]
    assert summary["petitions"] == 2        # p1, p2 on x1; p3 was received after D
    # x1 filed 2026-01-01: 180 days pending on 2026-06-30; x2 filed 04-01: 90
    assert summary["oldest_pending_days"] == 180 and summary["median_pending_days"] == 135


def test_a_president_sees_only_their_courts_cases_of_a_respondent(db):
    _cases(db)
    president = Access("p", "president", "B", "琼")
    cases = views.respondent_cases(db, president, Filters(as_of=AS_OF), X)
    assert cases["case_number"].to_list() == ["x2"]


def test_a_respondent_is_found_by_name_or_id(db):
    _cases(db)
    found = views.respondent_search(db, SUPERVISOR, Filters(as_of=AS_OF), "某乙")
    assert found.select("respondent_key", "cases", "pending", "courts").rows() == [(X, 3, 2, 2)]
    assert views.respondent_search(db, SUPERVISOR, Filters(as_of=AS_OF), "x-id").height == 1


def test_a_respondent_key_is_no_way_into_other_courts(db):
    _cases(db)
    # a court with none of the respondent's cases sees none; a role without case data is
    # refused where the data is queried
    assert views.respondent_cases(db, Access("n", "president", "Z", "琼"),
                                  Filters(as_of=AS_OF), X).height == 0
    try:
        views.respondent_cases(db, Access("a", "admin", None, None), Filters(as_of=AS_OF), X)
    except AccessDenied:
        return
    raise AssertionError("the administrator read a respondent's cases")
