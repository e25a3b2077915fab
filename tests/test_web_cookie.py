"""The one-time tickets that buy the httpOnly login cookie, and the cookie's key
(supervision.security.login_cookie; the routes themselves: test_web_server.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from supervision import config
from supervision.security import audit, auth, login_cookie
from supervision.store import engine
from supervision.ui import login
from tests.test_app import PASSWORDS


@pytest.fixture
def store(operational_store, demo_db, monkeypatch):
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", "t" * 40)
    return engine(operational_store)


def _session(store) -> str:
    return auth.login(store, "analyst", PASSWORDS["analyst"]).token


def test_a_ticket_is_good_once(store):
    token = _session(store)
    ticket = login_cookie.issue(store, token)
    assert not login_cookie.traded(store, token)
    assert login_cookie.trade(store, ticket) == token
    assert login_cookie.traded(store, token)
    assert login_cookie.trade(store, ticket) is None


def test_a_ticket_expires_after_a_minute(store):
    token = _session(store)
    now = audit.now()
    ticket = login_cookie.issue(store, token, now=now)
    late = now + dt.timedelta(seconds=login_cookie.TICKET_SECONDS + 1)
    assert login_cookie.trade(store, ticket, now=late) is None
    # and a fresh one, traded in time, works
    assert login_cookie.trade(store, login_cookie.issue(store, token)) == token


def test_a_new_ticket_replaces_the_last_one(store):
    token = _session(store)
    first = login_cookie.issue(store, token)
    second = login_cookie.issue(store, token)
    assert login_cookie.trade(store, first) is None
    assert login_cookie.trade(store, second) == token


def test_an_altered_or_foreign_ticket_buys_nothing(store, monkeypatch):
    token = _session(store)
    ticket = login_cookie.issue(store, token)
    nonce, sealed = ticket.split(".")
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    for bad in ["", "garbage", "a.b", f"{nonce}.{flipped}", ticket + "x", "é" * 50,
                ticket * 3]:
        assert login_cookie.trade(store, bad) is None, bad
    # another installation's key unseals it to the wrong token: refused, and used up
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", "o" * 40)
    assert login_cookie.trade(store, ticket) is None
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", "t" * 40)
    assert login_cookie.trade(store, ticket) is None


def test_a_ticket_of_an_ended_session_buys_nothing(store):
    token = _session(store)
    ticket = login_cookie.issue(store, token)
    auth.end_session(store, token)
    assert login_cookie.trade(store, ticket) is None
    assert login_cookie.issue(store, token) is None


def test_the_page_never_sees_the_session_token(store):
    """The ticket is all the page holds: the token is sealed in it, and only its hash is
    stored."""
    token = _session(store)
    ticket = login_cookie.issue(store, token)
    assert token not in ticket
    assert token[:8] not in ticket
    assert login_cookie._ticket_hash(ticket) != ticket
    assert login_cookie.trade(store, ticket) == token


def test_the_cookie_key_comes_from_the_server_secret(monkeypatch):
    """Not random per process start (the old st.cache_resource key): every server of an
    installation, and a restarted one, reads the same cookies."""
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", "s" * 40)
    assert login.cookie_key() == config.derived_key("cookie") == login_cookie.cookie_key()
    cookie = login_cookie.cookie_value("some-token")
    assert login.session_token(cookie, login.cookie_key()) == "some-token"
    # the derived key, not the secret itself, signs the cookie
    assert login.session_token(cookie, "s" * 40) is None
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", "r" * 40)
    assert login.session_token(cookie, login.cookie_key()) is None
