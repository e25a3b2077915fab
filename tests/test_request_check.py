"""A request is checked when it runs: a download clicked after the session ended, in any of
the ways a session ends, or after the account's access changed, is refused."""

from __future__ import annotations

import datetime as dt
import logging
import sys

import pytest
from sqlalchemy import update

from supervision.security import audit, auth, users
from supervision.security.access import access_for
from supervision.security.request_check import (
    DOWNLOAD_LOGGER,
    RefusalLogFilter,
    RequestRefused,
    live_access,
)
from supervision.store import engine
from supervision.store.schema import users as users_table
from tests.conftest import make_db

PASSWORD = "correct horse 1"


@pytest.fixture
def world(tmp_path):
    store = engine(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    con = make_db(tmp_path / "cases.duckdb")
    users.add_user(store, "zhang", "张三", "", "president", "A", PASSWORD, actor="admin")
    outcome = auth.login(store, "zhang", PASSWORD)
    assert outcome.ok
    yield store, con, outcome.token, access_for(store, con, "zhang")
    con.close()
    store.dispose()


def test_a_live_session_with_unchanged_access_passes(world):
    store, con, token, drawn = world
    assert live_access(store, con, token, drawn) == drawn


@pytest.mark.parametrize("end, reason", [
    (lambda store, token: users.disable_user(store, "zhang", actor="admin"), "user_disabled"),
    (lambda store, token: auth.end_session(store, token), "logout"),
    (lambda store, token: users.set_password(store, "zhang", "another horse 2", actor="admin"),
     "password_changed"),
])
def test_a_session_ended_elsewhere_refuses_the_request(world, end, reason):
    store, con, token, drawn = world
    end(store, token)
    with pytest.raises(RequestRefused) as refused:
        live_access(store, con, token, drawn)
    assert refused.value.reason == reason


def test_an_idle_session_refuses_the_request(world):
    store, con, token, drawn = world
    later = audit.now() + dt.timedelta(minutes=auth.IDLE_MINUTES + 1)
    with pytest.raises(RequestRefused) as refused:
        live_access(store, con, token, drawn, now=later)
    assert refused.value.reason == "idle"
    # and the session stays ended afterwards, at any time
    with pytest.raises(RequestRefused):
        live_access(store, con, token, drawn)


def test_a_changed_court_refuses_a_request_drawn_for_the_old_one(world):
    store, con, token, drawn = world
    with store.begin() as c:
        c.execute(update(users_table).where(users_table.c.username == "zhang")
                  .values(court_code="B"))
    with pytest.raises(RequestRefused) as refused:
        live_access(store, con, token, drawn)
    assert refused.value.reason == "access_changed"


def test_no_token_is_refused(world):
    store, con, _token, drawn = world
    with pytest.raises(RequestRefused) as refused:
        live_access(store, con, None, drawn)
    assert refused.value.reason == "no_session"


def test_a_refused_download_is_one_line_in_the_log_not_a_traceback():
    """Streamlit logs the failed callable with its traceback; a refusal is expected and
    audited, so the server's log gets one INFO line (other errors keep theirs)."""
    def record_of(exc: BaseException) -> logging.LogRecord:
        try:
            raise RuntimeError("Callable execution failed") from exc
        except RuntimeError:
            return logging.LogRecord(DOWNLOAD_LOGGER, logging.ERROR, __file__, 1,
                                     "Error executing deferred callable", (), sys.exc_info())
    refused = record_of(RequestRefused("user_disabled"))
    assert RefusalLogFilter().filter(refused)
    assert refused.levelno == logging.INFO and refused.exc_info is None
    assert refused.getMessage() == "download refused (user_disabled): nothing delivered"
    other = record_of(ValueError("a real bug"))
    assert RefusalLogFilter().filter(other)
    assert other.levelno == logging.ERROR and other.exc_info is not None
