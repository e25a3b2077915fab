"""The audit trail: who did what, when, to which thing. Append-only (the store's triggers
refuse UPDATE and DELETE); the admin page shows it and exports it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, insert, select

from supervision.store.schema import audit_log

EVENTS = {
    "login_success", "login_failure", "login_locked", "logout", "session_ended",
    "export", "import", "import_failed", "user_added", "user_disabled", "user_enabled",
    "password_changed", "visit_recorded", "ledger_item_added", "ledger_item_updated",
    "typical_case_marked", "escalation_changed",
}


def now() -> dt.datetime:
    """UTC without tzinfo: what every store column holds (SQLite keeps no zone)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record(target_db: Engine | Connection, actor: str | None, event: str,
           target: str | None = None, **detail: Any) -> None:
    """Append one entry. Inside a Connection it joins that transaction, so a change and its
    audit entry commit together or not at all."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event}")
    row = dict(at=now(), actor=actor, event=event, target=target,
               detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None)
    if isinstance(target_db, Connection):
        target_db.execute(insert(audit_log).values(**row))
    else:
        with target_db.begin() as connection:
            connection.execute(insert(audit_log).values(**row))


def entries(eng: Engine, *, limit: int = 1000, event: str | None = None,
            actor: str | None = None) -> pl.DataFrame:
    """The newest entries first."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if event:
        query = query.where(audit_log.c.event == event)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    with eng.connect() as connection:
        rows = connection.execute(query).mappings().all()
    schema = {"id": pl.Int64, "at": pl.Datetime, "actor": pl.String, "event": pl.String,
              "target": pl.String, "detail": pl.String}
    return pl.DataFrame([dict(r) for r in rows], schema=schema)
