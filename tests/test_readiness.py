"""The readiness check (GET /healthz, supervision.web.readiness): 200 when the case database
opens with this release's schema and the operational store answers at its Alembic head;
503 with the reason otherwise."""

from __future__ import annotations

import json

import duckdb
import pytest
from sqlalchemy import text
from starlette.requests import Request

from supervision import web
from supervision.store import engine
from tests.conftest import make_db, run_coroutine


@pytest.fixture
def ready_setup(tmp_path, monkeypatch):
    """A current case database and a migrated SQLite store, named in the environment."""
    db = tmp_path / "cases.duckdb"
    make_db(db).close()
    url = f"sqlite:///{tmp_path / 'operations.sqlite'}"
    engine(url)
    monkeypatch.setenv("SUPERVISION_DB", str(db))
    monkeypatch.setenv("SUPERVISION_STORE", url)
    return db, url


def get_healthz() -> tuple[int, dict]:
    """The route's answer, as the server gives it."""
    request = Request({"type": "http", "method": "GET", "path": "/healthz", "headers": [],
                       "query_string": b""})
    answer = run_coroutine(web.ready(request))
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    return answer.status_code, json.loads(answer.body)


def test_ready_when_both_stores_are_current(ready_setup):
    status, body = get_healthz()
    assert status == 200, body
    assert body["status"] == "ready" and "reasons" not in body
    assert body["case_db"]["ok"] and body["store"]["ok"]
    assert body["store"]["revision"] == web.store_head_revision()


def test_not_ready_without_the_case_database(ready_setup):
    db, _url = ready_setup
    db.unlink()
    status, body = get_healthz()
    assert status == 503
    assert body["status"] == "not ready"
    assert body["reasons"] == ["case database missing: cases.duckdb"]
    assert body["store"]["ok"]            # the other check still answers


def test_not_ready_when_the_case_database_cannot_be_opened(ready_setup):
    db, _url = ready_setup
    db.write_bytes(b"not a duckdb file" * 100)
    status, body = get_healthz()
    assert status == 503
    assert body["reasons"][0].startswith("case_db failed: ")


def test_not_ready_when_the_case_schema_is_an_older_release(ready_setup):
    db, _url = ready_setup
    con = duckdb.connect(str(db))
    con.execute("UPDATE macro_source SET sha256 = 'an older release'")
    con.close()
    status, body = get_healthz()
    assert status == 503
    assert "case database schema is not this release's" in body["reasons"][0]


def test_not_ready_when_the_store_lacks_a_migration(ready_setup):
    _db, url = ready_setup
    head = web.store_head_revision()
    with engine(url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    status, body = get_healthz()
    assert status == 503
    assert body["store"] == {"ok": False, "revision": "0001", "expected": head}
    assert body["reasons"] == [f"operational store at revision 0001, this release expects {head}"]


def test_not_ready_when_the_store_is_unreachable(ready_setup, monkeypatch):
    monkeypatch.setenv("SUPERVISION_STORE",
                       "postgresql+psycopg://nobody:secret-password@127.0.0.1:9/none")
    status, body = get_healthz()
    assert status == 503
    assert body["reasons"] == ["store failed: OperationalError"]
    assert "secret-password" not in json.dumps(body)
    assert body["case_db"]["ok"]


def test_serve_brings_an_older_case_database_current_before_its_port_opens(ready_setup):
    from supervision.serve import bring_case_db_current

    db, _url = ready_setup
    con = duckdb.connect(str(db))
    con.execute("UPDATE macro_source SET sha256 = 'an older release'")
    con.close()
    assert get_healthz()[0] == 503
    assert bring_case_db_current(db) is True
    status, body = get_healthz()
    assert status == 200, body
    assert bring_case_db_current(db) is False          # current: nothing to do
    assert bring_case_db_current(db.with_name("missing.duckdb")) is False
