"""Hostile URLs and cookies get a clear message and a usable page, never a traceback."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from supervision.security import auth
from supervision.store import engine
from supervision.ui.login import session_token
from tests.test_app import PASSWORDS, login, texts

APP = str(Path(__file__).resolve().parent.parent / "app.py")
KEY = "k" * 40


def _unsigned(claims: dict) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize("cookie", [
    None, "", "garbage", "a.b.c", _unsigned({"sid": "x", "exp": time.time() + 999}),
    jwt.encode({"sid": "x", "exp": int(time.time()) + 999}, "another key" * 4, algorithm="HS256"),
    jwt.encode({"sid": "x", "exp": int(time.time()) - 5}, KEY, algorithm="HS256"),
    jwt.encode({"username": "admin", "exp_date": time.time() + 999}, KEY, algorithm="HS256"),
    jwt.encode({"sid": ["x"], "exp": int(time.time()) + 999}, KEY, algorithm="HS256"),
], ids=["none", "empty", "garbage", "three-dots", "unsigned", "foreign-key", "expired",
        "no-sid", "sid-a-list"])   # fixed ids: each xdist worker collects the same tests
def test_a_forged_or_foreign_cookie_carries_no_session(cookie):
    assert session_token(cookie, KEY) is None


def test_a_cookie_of_an_ended_session_logs_no_one_in(operational_store, demo_db):
    store = engine(operational_store)
    token = auth.login(store, "analyst", PASSWORDS["analyst"]).token
    cookie = jwt.encode({"sid": token, "exp": int(time.time()) + 999}, KEY, algorithm="HS256")
    assert auth.resume(store, session_token(cookie, KEY)) == "analyst"
    auth.end_session(store, token)
    assert auth.resume(store, session_token(cookie, KEY)) is None


@pytest.mark.parametrize("as_of", ["2030-01-01", "9999-12-31", "0001-01-01", "yesterday",
                                   "2026-02-30", "%00"])
def test_an_as_of_outside_the_data_is_refused_with_a_message(demo_db, monkeypatch, as_of):
    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["as_of"] = as_of
    login(at, "supervisor")
    assert not at.exception, at.exception
    assert "不在数据范围" in texts(at) + "".join(w.value for w in at.sidebar.warning)
    # the page still works, at the latest date
    assert at.title and "全省一览" in at.title[0].value
    at.run()
    assert not at.exception


QUERY_KEYS = ["as_of", "court", "type", "band", "vmin", "vmax", "pri", "cx", "page", "lang"]
TEXT = st.one_of(st.text(max_size=30), st.sampled_from(
    ["HI720", "HI100", "ZZ", "all", "custom", "-1", "1e400", "nan", "high,low", "2026-01-01",
     "explorer", "admin", "brief", "en", "../../etc/passwd", "<script>", "![x](http://x)"]))


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(params=st.dictionaries(st.sampled_from(QUERY_KEYS), TEXT, max_size=6),
       user=st.sampled_from(["supervisor", "president"]))
def test_any_url_parameters_give_a_page_and_no_traceback(demo_db, params, user):
    # set for this example only (a hypothesis test takes no function-scoped monkeypatch)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SUPERVISION_DB", str(demo_db))
        _any_url_parameters(params, user)


def _any_url_parameters(params: dict[str, str], user: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    login(at, user)
    assert not at.exception, (params, at.exception)
    assert at.title, params
    if user == "president":
        # whatever the URL says, a president sees only their own court
        assert "海口市中级人民法院" not in texts(at)
