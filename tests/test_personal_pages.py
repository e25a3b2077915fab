"""ID numbers on the pages (streamlit.testing): a search by ID number is not mirrored into
the URL (respondent page, explorer), the respondent page shows the number masked to a role
without full numbers and whole to the president, and an old `respondent=<md5>` link or an
old `rq=` finds nothing without a traceback."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from supervision.security import personal
from supervision.security.users import DEMO_USERS

PASSWORDS = {u: p for u, _, _, _, p in DEMO_USERS}
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def person_of(db: Path, court: str) -> tuple[str, str]:
    """A person respondent with cases in `court`: (ID number, name)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql("""SELECT respondent_id, any_value(respondent_name) FROM cases
                          WHERE court_code = $c AND respondent_kind = 'person'
                          GROUP BY respondent_id ORDER BY count(*) DESC, respondent_id
                          LIMIT 1""", params={"c": court}).fetchall()[0]
    finally:
        con.close()


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    return AppTest.from_file(APP, default_timeout=60)


def login(at: AppTest, user: str) -> AppTest:
    at.query_params["court"] = "HI720"
    at.run()
    at.text_input[0].input(user)
    at.text_input[1].input(PASSWORDS[user])
    next(b for b in at.button if b.label in ("登录", "Log in")).click()
    at.run()
    assert not at.exception, at.exception
    return at


def url_text(at: AppTest) -> str:
    return " ".join(f"{k}={v}" for k, v in at.query_params.items())


def shown(at: AppTest) -> str:
    parts = [s.value for s in at.subheader] + [c.value for c in at.caption]
    parts += [d.value.to_string() for d in at.dataframe]
    return "\n".join(parts)


@pytest.mark.parametrize("user", ["analyst", "president"])
def test_a_search_by_id_number_stays_out_of_the_url_and_is_masked_for_the_role(
        app, demo_db, user):
    number, _name = person_of(demo_db, "HI720")
    login(app, user)
    app.switch_page("pages/respondent.py")
    app.run()
    app.text_input(key="r_query").input(number).run()
    assert not app.exception, app.exception
    assert number not in url_text(app) and "rq" not in app.query_params
    found = app.dataframe[0].value
    ids = found[found.columns[1]].to_list()       # 被执行人, 证件号, …
    assert ids == [number if user == "president" else personal.mask_id(number)]
    # opened by its reference (what choosing the row puts in the URL)
    app.query_params["respondent"] = personal.reference(number)
    app.run()
    assert not app.exception, app.exception
    assert number not in url_text(app)
    text = shown(app)
    if user == "president":
        assert number in text
    else:
        assert number not in text and personal.mask_id(number).replace("*", "\\*") in text


def test_an_old_md5_link_and_an_old_rq_find_nothing(app, demo_db):
    number, _name = person_of(demo_db, "HI720")
    app.query_params["respondent"] = hashlib.md5(number.encode()).hexdigest()
    app.query_params["rq"] = number
    login(app, "analyst")
    app.switch_page("pages/respondent.py")
    app.run()
    assert not app.exception, app.exception
    assert number not in url_text(app) and "rq" not in app.query_params
    assert app.text_input(key="r_query").value == ""
    assert any("没有该被执行人" in i.value for i in app.info)
    assert number not in shown(app)


def test_the_explorer_keeps_a_search_by_id_number_out_of_the_url(app, demo_db):
    number, name = person_of(demo_db, "HI720")
    login(app, "analyst")
    app.switch_page("pages/explorer.py")
    app.run()
    app.text_input(key="x_q").input(number).run()
    assert not app.exception, app.exception
    assert number not in url_text(app) and "q" not in app.query_params
    assert app.session_state["x_saved"]["q"] == number     # kept for the way back
    # a name is still in the URL (a copied URL reproduces the view)
    app.text_input(key="x_q").input(name).run()
    assert app.query_params.get("q") in (name, [name])
