"""The respondent view on hand-built cases, each figure worked out by hand below; ID
numbers masked in what the views return unless the role sees full numbers; respondents
addressed by a keyed reference, never the number or an unkeyed hash of it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from supervision import config, views
from supervision.domain.filters import Filters
from supervision.security import personal
from supervision.security.access import Access, AccessDenied
from tests.conftest import add_cases, closed

D = dt.date
AS_OF = D(2026, 6, 30)
SUPERVISOR = Access("s", "supervisor", "A", "琼")   # courts A, B (琼); C is 京
ANALYST = Access("a", "analyst", "A", "琼")
PRESIDENT_A = Access("p", "president", "A", "琼")
X_ID = "91460100MA5T2K8Q1K"     # 某乙公司: a unified social credit code …
Y_ID = "11010519491231002X"     # … and a person: the textbook resident identity number
X = personal.reference(X_ID)


def _cases(db) -> None:
    add_cases(
        db,
        closed("x1", "A", D(2026, 1, 1), None, None, respondent_id=X_ID, respondent_name="某乙公司",
               respondent_kind="enterprise", amount_applied=100_000.0, judge="王法官"),
        closed("x2", "B", D(2026, 4, 1), None, None, respondent_id=X_ID, respondent_name="某乙公司",
               respondent_kind="enterprise", amount_applied=50_000.0, judge="李法官",
               case_type="wage"),
        closed("x3", "A", D(2025, 5, 1), D(2026, 2, 1), "fully_performed", respondent_id=X_ID,
               respondent_name="某乙公司", respondent_kind="enterprise", amount_applied=20_000.0,
               judge="王法官"),
        # outside: another province's court, a case filed after D, another respondent
        closed("x4", "C", D(2026, 1, 1), None, None, respondent_id=X_ID),
        closed("x5", "A", D(2026, 7, 1), None, None, respondent_id=X_ID),
        closed("y1", "A", D(2026, 1, 1), None, None, respondent_id=Y_ID),
        closed("y2", "A", D(2026, 2, 1), None, None, respondent_id=Y_ID),
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
    # by the whole ID number, whatever its case and surrounding spaces
    whole = views.respondent_search(db, SUPERVISOR, Filters(as_of=AS_OF), f" {X_ID.lower()} ")
    assert whole["respondent_key"].to_list() == [X]


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


@pytest.mark.parametrize("access, x_shown, y_shown", [
    (SUPERVISOR, "914601**********1K", "110105**********2X"),
    (ANALYST, "914601**********1K", "110105**********2X"),
    (PRESIDENT_A, X_ID, Y_ID),            # Role.full_id_numbers: the president only
])
def test_views_return_id_numbers_masked_unless_the_role_sees_full_numbers(db, access, x_shown,
                                                                         y_shown):
    _cases(db)
    filters = Filters(as_of=AS_OF)
    found = views.respondent_search(db, access, filters, "某乙")
    cases = views.respondent_cases(db, access, filters, X)
    # Y has two pending cases in court A: a related respondent for every role here
    related = views.related_respondents(db, access, filters)
    assert found["respondent_id"].to_list() == [x_shown]
    assert set(cases["respondent_id"]) == {x_shown} and cases.height >= 1
    assert related.filter(related["respondent_key"] == personal.reference(Y_ID))[
        "respondent_id"].to_list() == [y_shown]
    if not personal.sees_full_ids(access):
        rows = str([f.rows() for f in (found, cases, related)])
        assert X_ID not in rows and Y_ID not in rows


def test_a_role_with_masked_numbers_finds_a_respondent_by_the_whole_number_only(db):
    # else a masked number could be read back digit by digit through narrowing searches
    _cases(db)
    filters = Filters(as_of=AS_OF)
    for access in (SUPERVISOR, ANALYST):
        assert views.respondent_search(db, access, filters, Y_ID).height == 1
        assert views.respondent_search(db, access, filters, Y_ID[:-1]).height == 0
        assert views.respondent_search(db, access, filters, "110105").height == 0
    assert views.respondent_search(db, PRESIDENT_A, filters, "110105").height == 1


def test_the_reference_is_a_keyed_hmac_not_md5(db, monkeypatch):
    _cases(db)
    found = views.respondent_search(db, SUPERVISOR, Filters(as_of=AS_OF), "某乙")
    key = found["respondent_key"][0]
    # the queries' SQL HMAC is Python's HMAC-SHA256 under the server's respondent key
    expected = hmac.new(config.derived_key("respondent"), X_ID.encode(), hashlib.sha256)
    assert key == expected.hexdigest()[:32] == personal.reference(X_ID)
    assert key != hashlib.md5(X_ID.encode()).hexdigest()
    assert X_ID not in key and X_ID[-6:] not in key
    # another server secret: another reference (a reference says nothing without the key)
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", "another-server-secret-of-32-chars-or-more")
    assert personal.reference(X_ID) != key
    other = views.respondent_search(db, SUPERVISOR, Filters(as_of=AS_OF), "某乙")
    assert other["respondent_key"][0] == personal.reference(X_ID)
    assert views.respondent_cases(db, SUPERVISOR, Filters(as_of=AS_OF), key).height == 0


@pytest.mark.parametrize("old_key", [hashlib.md5(X_ID.encode()).hexdigest(), X_ID, "",
                                     "' OR 1=1 --", "0" * 32, "Z" * 32])
def test_an_old_md5_link_or_any_other_key_finds_nothing(db, old_key):
    _cases(db)
    assert views.respondent_cases(db, SUPERVISOR, Filters(as_of=AS_OF), old_key).height == 0


def test_a_respondent_just_found_and_a_copied_link_read_the_same_cases(db):
    # a reference the views handed out lately is read by its number (no HMAC of every case
    # in scope); a copied link, unknown to this process, by the HMAC: the same cases
    _cases(db)
    filters = Filters(as_of=AS_OF)
    views.respondent_search(db, SUPERVISOR, filters, "某乙")
    assert personal.known_number(X) == X_ID
    just_found = views.respondent_cases(db, SUPERVISOR, filters, X)
    personal._known.clear()
    copied_link = views.respondent_cases(db, SUPERVISOR, filters, X)
    assert just_found.equals(copied_link) and just_found.height == 3


def test_the_explorer_search_matches_an_id_number_only_whole(db):
    # a part of a number would read masked numbers back through the explorer's count
    _cases(db)
    filters = Filters(as_of=AS_OF)
    for access in (SUPERVISOR, PRESIDENT_A):
        counts = {text: views.explorer_count(db, access, filters.with_(text=text), "A")["cases"]
                  for text in (Y_ID, Y_ID.lower(), Y_ID[:-1], "110105")}
        assert counts == {Y_ID: 2, Y_ID.lower(): 2, Y_ID[:-1]: 0, "110105": 0}
