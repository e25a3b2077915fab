"""The audit trail: who did what, when, to which thing. Append-only: the store's triggers
refuse UPDATE, REPLACE and (for entries younger than RETENTION_DAYS) DELETE; the admin page
shows it and exports it; `archive` moves entries past the retention period to a file.

No entry carries an ID number: anything shaped like one is masked before it is written."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, delete, func, insert, select

from supervision.security import personal
from supervision.store.schema import audit_log

EVENTS = {
    "login_success", "login_failure", "login_locked", "logout", "session_ended",
    "login_refused", "totp_enrolled", "totp_reset",
    "export", "import", "import_failed", "user_added", "user_disabled", "user_enabled",
    "password_changed", "visit_recorded", "ledger_item_added", "ledger_item_updated",
    "typical_case_marked", "escalation_changed", "export_refused", "audit_archived",
    "write_refused", "backup_made", "backup_restored", "drop_import", "weekly_published",
    "id_lookup", "id_lookup_refused",
}
# GB/T 22239-2019 level 3 asks that audit records be kept at least six months; the store
# refuses to delete younger entries (migration 0003 says the same number)
RETENTION_DAYS = 180


def scrub_id_numbers(text: str) -> str:
    """`text` with every ID-number-shaped run (18-character and old 15-digit resident
    numbers, unified social credit codes) masked as the screens mask them: one rule,
    supervision.security.personal.mask_id."""
    return personal.scrub_id_numbers(text)


def now() -> dt.datetime:
    """UTC without tzinfo: what every store column holds (SQLite keeps no zone)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record(target_db: Engine | Connection, actor: str | None, event: str,
           target: str | None = None, **detail: Any) -> None:
    """Append one entry. Inside a Connection it joins that transaction, so a change and its
    audit entry commit together or not at all."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event}")
    row = dict(at=now(), actor=actor, event=event,
               target=scrub_id_numbers(target) if target else target,
               detail=scrub_id_numbers(json.dumps(detail, ensure_ascii=False, default=str))
               if detail else None)
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


def archive(eng: Engine, folder: Path, before: dt.date, *, actor: str | None = None
            ) -> dict[str, Any]:
    """Move the entries dated before `before` (which must be at least RETENTION_DAYS ago)
    to `folder`/audit-<first>-<last>.jsonl.gz with a .sha256 beside it, read the file back
    and check it, then delete those entries and record `audit_archived`. Returns what was
    archived (count, file, checksum) as read back from the file and the store."""
    cutoff = dt.datetime.combine(before, dt.time())
    if cutoff > now() - dt.timedelta(days=RETENTION_DAYS):
        raise ValueError(f"entries are kept {RETENTION_DAYS} days: archive only before "
                         f"{(now() - dt.timedelta(days=RETENTION_DAYS)).date()}")
    with eng.connect() as connection:
        rows = [dict(r) for r in connection.execute(
            select(audit_log).where(audit_log.c.at < cutoff).order_by(audit_log.c.id)
        ).mappings().all()]
    if not rows:
        return {"archived": 0}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audit-{rows[0]['id']}-{rows[-1]['id']}.jsonl.gz"
    lines = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows)
    path.write_bytes(gzip.compress(lines.encode("utf-8"), mtime=0))
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_name(path.name + ".sha256").write_text(f"{checksum}  {path.name}\n")
    written = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    if [json.loads(line)["id"] for line in written] != [r["id"] for r in rows]:
        raise RuntimeError(f"{path} does not hold what was read; nothing was deleted")
    ids = [r["id"] for r in rows]
    with eng.begin() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.id.in_(ids)))
        left = connection.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.id.in_(ids))).scalar_one()
        if left:
            raise RuntimeError("the archived entries are still in the store")
        record(connection, actor, "audit_archived", str(path), entries=len(written),
               first_id=ids[0], last_id=ids[-1], sha256=checksum, before=before)
    return {"archived": len(written), "file": str(path), "sha256": checksum}
