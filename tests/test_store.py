"""The operational store: users, lockout, sessions and the append-only audit trail, on
SQLite and (when SUPERVISION_TEST_PG_URL is set, as .ci/run does) on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from supervision.security import audit, auth, users
from supervision.store import _ENGINES, current_revision, engine

PG_URL = os.environ.get("SUPERVISION_TEST_PG_URL")
if os.environ.get("CI") == "true" and not PG_URL:
    raise RuntimeError("CI runs the store tests on PostgreSQL too: set SUPERVISION_TEST_PG_URL")


def _fresh_pg_database() -> str:
    """A new empty database on the test server; whoever made it drops it
    (drop_pg_database) when done: a server reused run after run (a developer's) would
    otherwise keep every one (~900 after nine runs, and autovacuum visits each)."""
    name = f"store_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    """Drop a database _fresh_pg_database made, and the engine cached for it."""
    if (eng := _ENGINES.pop(url, None)) is not None:
        eng.dispose()
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" '
                                "WITH (FORCE)"))
    admin.dispose()


def store_of_kind(kind: str, tmp_path):
    """A fresh, migrated store of the kind ("sqlite" or "postgresql") for one test, as a
    generator fixture body (other test files' `store` fixtures use it too)."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    elif PG_URL:
        url = _fresh_pg_database()
    else:
        pytest.skip("no PostgreSQL here (SUPERVISION_TEST_PG_URL); CI runs these on one")
    eng = engine(url)
    yield eng
    eng.dispose()
    if kind != "sqlite":
        drop_pg_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    yield from store_of_kind(request.param, tmp_path)


def add(store, name="zhang", role="president", court="HI720", password="correct horse 1"):
    return users.add_user(store, name, "张三", "", role, court, password, actor="admin")


def test_the_store_is_migrated_to_the_newest_revision(store):
    assert current_revision(store) == "0004"   # users … audit; ledger; hardening; publications


def test_usernames_are_unique_whatever_their_case(store):
    assert add(store, "Supervisor", role="supervisor", court="HI000") == "supervisor"
    with pytest.raises(users.UserError, match="exists"):
        add(store, "SUPERVISOR", role="president", court="HI720")
    with pytest.raises(users.UserError, match="exists"):
        add(store, " supervisor ", role="president", court="HI720")
    assert users.get_user(store, "supervisor")["role"] == "supervisor"


@pytest.mark.parametrize("password,reason", [
    ("short1", "at least 10"), ("          ", "only spaces"), ("", "only spaces"),
    ("Zhang.Wei.X", None), ("zhangweix1", "username"), ("密" * 25, "at most 72 bytes"),
])
def test_password_policy(store, password, reason):
    if reason is None:
        add(store, "zhang.wei.y", password=password)
        return
    with pytest.raises(users.UserError, match=reason):
        add(store, "zhangweix1", password=password)


def test_a_password_over_72_bytes_at_login_is_a_failure_not_an_error(store):
    add(store)
    outcome = auth.login(store, "zhang", "x" * 200)
    assert not outcome.ok and outcome.reason == "bad_credentials"


def test_ten_wrong_passwords_lock_the_account_for_a_while(store):
    add(store)
    t0 = dt.datetime(2026, 11, 27, 9, 0)
    for i in range(auth.MAX_FAILURES - 1):
        assert auth.login(store, "zhang", "wrong password", t0 + dt.timedelta(seconds=i)
                          ).reason == "bad_credentials"
    tenth = auth.login(store, "ZHANG", "wrong password", t0 + dt.timedelta(seconds=20))
    assert tenth.reason == "locked"
    # locked: even the right password is refused until the lock ends
    right = auth.login(store, "zhang", "correct horse 1", t0 + dt.timedelta(minutes=5))
    assert (right.ok, right.reason) == (False, "locked")
    later = t0 + dt.timedelta(minutes=auth.LOCK_MINUTES, seconds=21)
    assert auth.login(store, "zhang", "correct horse 1", later).ok
    events = audit.entries(store)["event"].to_list()
    assert events.count("login_failure") == auth.MAX_FAILURES
    assert "login_locked" in events and events[0] == "login_success"


def test_the_lock_survives_a_restart_of_the_app(store):
    add(store)
    for _ in range(auth.MAX_FAILURES):
        auth.login(store, "zhang", "wrong password")
    url = store.url.render_as_string(hide_password=False)
    _ENGINES.clear()                # a new process: a new engine on the same store
    again = engine(url)
    assert auth.locked_until(again, "zhang") is not None
    assert auth.login(again, "zhang", "correct horse 1").reason == "locked"


def test_a_new_servers_first_sessions_open_the_store_together(tmp_path):
    # found by the concurrency bench: five sessions on a new server each migrated the
    # store at once, and Alembic (module-global context) failed with KeyError 'config'
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    start = threading.Barrier(8)
    engines, errors = [], []

    def open_store() -> None:
        start.wait()
        try:
            engines.append(engine(url))
        except Exception as exc:  # noqa: BLE001 - every failure is the finding
            errors.append(repr(exc))

    threads = [threading.Thread(target=open_store) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len({id(e) for e in engines}) == 1          # one engine, migrated once
    assert current_revision(engines[0]) is not None


def test_concurrent_failures_are_all_counted(store):
    add(store)
    threads = [threading.Thread(target=auth.login, args=(store, "zhang", f"wrong {i}"))
               for i in range(auth.MAX_FAILURES)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert auth.locked_until(store, "zhang") is not None


def test_failures_long_ago_do_not_add_up(store):
    add(store)
    t0 = dt.datetime(2026, 11, 27, 9, 0)
    for i in range(auth.MAX_FAILURES - 1):
        auth.login(store, "zhang", "wrong password", t0 + dt.timedelta(seconds=i))
    later = t0 + auth.FAILURE_WINDOW + dt.timedelta(minutes=1)
    assert auth.login(store, "zhang", "wrong password", later).reason == "bad_credentials"


def test_logout_ends_the_session_on_the_server(store):
    add(store)
    token = auth.login(store, "zhang", "correct horse 1").token
    assert auth.resume(store, token) == "zhang"
    auth.end_session(store, token)
    assert auth.resume(store, token) is None      # a copied cookie no longer logs in
    assert auth.resume(store, "forged-token") is None


def test_an_idle_session_ends(store):
    add(store)
    t0 = dt.datetime(2026, 11, 27, 9, 0)
    token = auth.login(store, "zhang", "correct horse 1", t0).token
    assert auth.resume(store, token, t0 + dt.timedelta(minutes=auth.IDLE_MINUTES - 1)) == "zhang"
    # activity moved the idle clock; a long silence ends the session for good
    late = t0 + dt.timedelta(minutes=2 * auth.IDLE_MINUTES + 1)
    assert auth.resume(store, token, late) is None
    assert auth.resume(store, token, t0 + dt.timedelta(minutes=1)) is None


def test_disabling_a_user_ends_their_sessions_at_once(store):
    add(store)
    token = auth.login(store, "zhang", "correct horse 1").token
    users.disable_user(store, "zhang", actor="admin")
    assert auth.resume(store, token) is None
    assert not auth.login(store, "zhang", "correct horse 1").ok


def test_set_password_does_not_re_enable_a_disabled_account(store):
    add(store)
    users.disable_user(store, "zhang")
    users.set_password(store, "zhang", "another horse 2")
    assert users.get_user(store, "zhang")["disabled"] is True
    assert not auth.login(store, "zhang", "another horse 2").ok


def test_the_audit_trail_cannot_be_changed_or_deleted(store):
    add(store)
    assert audit.entries(store).height == 1
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.begin() as connection:
            connection.execute(text(statement))
    assert audit.entries(store)["actor"].to_list() == ["admin"]
