"""The audit trail and the ledger's histories: append-only against every SQL route
(UPDATE, DELETE, REPLACE / ON CONFLICT), kept RETENTION_DAYS, archived to a checked file,
and never holding an ID number. On SQLite and PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

from supervision.security import audit
from supervision.store.schema import (
    audit_log,
    escalation_events,
    ledger_items,
    ledger_updates,
    visits,
)
from tests.test_store import store  # noqa: F401 (the SQLite / PostgreSQL fixture)

NOW = audit.now()


def _history_rows(store) -> None:  # noqa: F811
    """One row in each append-only history (a visit and an item for the update's key)."""
    with store.begin() as c:
        visit = c.execute(insert(visits).values(court_code="A", visit_on=NOW.date(),
                                                members="m", created_by="s",
                                                created_at=NOW)).inserted_primary_key[0]
        item = c.execute(insert(ledger_items).values(
            visit_id=visit, court_code="A", requirement="r", owner="o", due_on=NOW.date(),
            status="open", version=1, updated_by="s", updated_at=NOW)).inserted_primary_key[0]
        c.execute(insert(ledger_updates).values(item_id=item, at=NOW, by="s", status="open",
                                                note="first"))
        c.execute(insert(escalation_events).values(case_number="X1", at=NOW, by="s",
                                                   status="proposed", note="first"))


def _rewrites(dialect: str, table: str, columns: str, values: str) -> list[str]:
    """Every single-statement way to overwrite row id 1 of `table` by inserting."""
    if dialect == "sqlite":
        return [f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({values})",
                f"REPLACE INTO {table} ({columns}) VALUES ({values})"]
    return [f"INSERT INTO {table} ({columns}) VALUES ({values}) "
            f"ON CONFLICT (id) DO UPDATE SET {columns.split(', ')[-1]} = excluded."
            f"{columns.split(', ')[-1]}"]


REWRITES = {
    "audit_log": ("id, at, event, actor", "1, CURRENT_TIMESTAMP, 'export', 'forger'",
                  "SELECT actor FROM audit_log WHERE id = 1", "admin"),
    "ledger_updates": ("id, item_id, at, by, status, note",
                       "1, 1, CURRENT_TIMESTAMP, 'forger', 'done', 'forged'",
                       "SELECT note FROM ledger_updates WHERE id = 1", "first"),
    "escalation_events": ("id, case_number, at, by, status, note",
                          "1, 'X1', CURRENT_TIMESTAMP, 'forger', 'resolved', 'forged'",
                          "SELECT note FROM escalation_events WHERE id = 1", "first"),
}


@pytest.mark.parametrize("table", list(REWRITES))
def test_an_append_only_row_cannot_be_replaced_by_an_insert(store, table):  # noqa: F811
    audit.record(store, "admin", "user_added", "zhang")
    _history_rows(store)
    columns, values, read, before = REWRITES[table]
    for statement in _rewrites(store.dialect.name, table, columns, values):
        with pytest.raises(DBAPIError, match="append-only"), store.begin() as c:
            c.execute(text(statement))
        with store.connect() as c:
            assert c.execute(text(read)).scalar() == before, statement
            assert c.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1


def test_young_entries_stay_and_old_ones_leave_only_through_a_checked_archive(store, tmp_path):  # noqa: F811
    old_at = NOW - dt.timedelta(days=audit.RETENTION_DAYS + 20)
    young_at = NOW - dt.timedelta(days=audit.RETENTION_DAYS - 20)
    with store.begin() as c:
        for at, actor in ((old_at, "old-1"), (old_at, "old-2"), (young_at, "young")):
            c.execute(insert(audit_log).values(at=at, actor=actor, event="login_success"))
    with pytest.raises(DBAPIError, match="append-only"), store.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE actor = 'young'"))
    with pytest.raises(ValueError, match="180 days"):
        audit.archive(store, tmp_path, (NOW - dt.timedelta(days=10)).date(), actor="ops")

    cutoff = (NOW - dt.timedelta(days=audit.RETENTION_DAYS + 1)).date()
    result = audit.archive(store, tmp_path / "archive", cutoff, actor="ops")

    assert result["archived"] == 2
    path = tmp_path / "archive" / result["file"].rsplit("/", 1)[-1]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == result["sha256"]
    assert (path.with_name(path.name + ".sha256").read_text().split()[0]
            == result["sha256"])
    archived = [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
    assert [r["actor"] for r in archived] == ["old-1", "old-2"]
    with store.connect() as c:
        left = c.execute(select(audit_log.c.actor, audit_log.c.event)
                         .order_by(audit_log.c.id)).all()
    assert [tuple(r) for r in left] == [("young", "login_success"), ("ops", "audit_archived")]


def test_no_id_number_reaches_the_audit_trail(store):  # noqa: F811
    audit.record(store, "sup", "export", "respondent_11010519491231002X.csv",
                 filters={"text": "11010519491231002X"}, old="110105491231002")
    entry = audit.entries(store).row(0, named=True)
    stored = entry["target"] + entry["detail"]
    assert "11010519491231002X" not in stored and "110105491231002" not in stored
    assert "110105**********2X" in entry["target"]
    assert "110105*******02" in entry["detail"]


@pytest.mark.parametrize("text_in, masked", [
    ("11010519491231002X", "110105**********2X"),
    ("x 460100199003071234 y", "x 460100**********34 y"),
    ("110105491231002", "110105*******02"),
    ("(2026)琼0105执123号 HI720 13912345678 2026-01-01", "(2026)琼0105执123号 HI720 "
                                                        "13912345678 2026-01-01"),
    ("9146000012345678X", "9146000012345678X"),   # 17 characters: not an ID number
])
def test_id_numbers_are_masked_and_nothing_else(text_in, masked):
    assert audit.scrub_id_numbers(text_in) == masked
