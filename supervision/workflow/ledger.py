"""The supervision and rectification ledger, and escalations to the joint-action mechanism,
in the operational store. Who may write what is decided here, where the data is written,
not by the page: whether a role writes at all comes from its declaration (`Role.writes`,
`Access.may`), and where from its scope, which each write derives itself from the Access
and the case database (`Access.allowed_courts`) — never from courts its caller passes. A
write about a case looks the case's real court up in the case database; an item update
checks the item's stored court; an existing typical-case or escalation row of another court
is never overwritten. A refusal raises AccessDenied and writes nothing. Every change goes
to the audit trail with its before and after, in the same transaction. Saves name the
version they read: a save after someone else's is refused with ConcurrentEdit, never
silently overwriting it."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import duckdb
import polars as pl
from sqlalchemy import Engine, and_, insert, select, update

from supervision.domain import vocabulary
from supervision.security import audit
from supervision.security.access import Access, AccessDenied
from supervision.store.schema import (
    escalation_events,
    escalations,
    ledger_items,
    ledger_updates,
    typical_cases,
    visits,
)

# the workflows' states, declared in supervision/domain/vocabulary.py (the codes are what is stored)
ITEM_STATUSES = tuple(vocabulary.codes(vocabulary.LEDGER_STATUSES))
ITEM_NEW = ITEM_STATUSES[0]
ITEM_CLOSED = vocabulary.closed_codes(vocabulary.LEDGER_STATUSES)
ESCALATION_STATUSES = tuple(vocabulary.codes(vocabulary.ESCALATION_STATUSES))


class LedgerError(ValueError):
    """A write that cannot be taken as asked (empty text, unknown status …)."""


class ConcurrentEdit(LedgerError):
    """Someone saved the same row after it was read; the later save is refused."""


@dataclass(frozen=True)
class Opinion:
    requirement: str
    owner: str
    due_on: dt.date
    index_code: str | None = None
    case_number: str | None = None


_WRITE_NAMES = {w.code: w.en for w in vocabulary.WRITES}
T = TypeVar("T")


def _writable(con: duckdb.DuckDBPyConnection, access: Access, capability: str
              ) -> tuple[str, ...]:
    """The courts `access` may make `capability` for: its role's declaration, its scope
    from the case database. Refused when the role does not declare it or has no courts."""
    what = _WRITE_NAMES[capability]
    if not access.may(capability):
        raise AccessDenied(f"{access.username} ({access.role}) may not {what}")
    courts = access.writable_courts(con, capability)
    if not courts:
        raise AccessDenied(f"{access.username} has no courts to {what} for")
    return courts


def _court_in(courts: tuple[str, ...], access: Access, capability: str, court: str) -> None:
    if court not in courts:
        raise AccessDenied(f"{access.username} may not {_WRITE_NAMES[capability]} for court "
                           f"{court}: it is not one of their courts")


def _case_of(con: duckdb.DuckDBPyConnection, courts: tuple[str, ...], access: Access,
             capability: str, case_number: str, court: str) -> None:
    """Refuse unless `court` is one of `courts` and `case_number` is, in the case database,
    a case of `court`. A case outside the writer's courts reads as no case (its court is
    not told)."""
    _court_in(courts, access, capability, court)
    rows = con.execute("SELECT court_code FROM cases WHERE case_number = ?",
                       [case_number]).fetchall()
    real = rows[0][0] if rows else None
    what = _WRITE_NAMES[capability]
    if real not in courts:
        raise AccessDenied(f"{access.username} may not {what} for {case_number}: there is no "
                           f"such case in their courts")
    if real != court:
        raise AccessDenied(f"{access.username} may not {what} for {case_number} as a case of "
                           f"{court}: it is a case of {real}")


def _same_court(access: Access, capability: str, case_number: str, court: str,
                before) -> None:  # noqa: ANN001
    """An existing row of another court is never overwritten."""
    if before is not None and before["court_code"] != court:
        raise AccessDenied(f"{access.username} may not {_WRITE_NAMES[capability]} for "
                           f"{case_number}: it is recorded for another court and is not "
                           f"overwritten")


def _refusals_audited(write: Callable[..., T]) -> Callable[..., T]:
    """A refused write changes nothing but is itself a security event: it is recorded
    (`write_refused`, in its own transaction) and the refusal raised again."""
    @functools.wraps(write)
    def checked(store: Engine, con: duckdb.DuckDBPyConnection, access: Access,
                **kwargs: object) -> T:
        try:
            return write(store, con, access, **kwargs)
        except AccessDenied as refused:
            audit.record(store, access.username, "write_refused", write.__name__,
                         reason=str(refused), **{k: kwargs[k] for k in REFUSAL_DETAIL
                                                 if k in kwargs})
            raise
    return checked


# what a refusal's audit entry names besides the write and the reason
REFUSAL_DETAIL = ("court", "case_number", "item_id")


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise LedgerError(f"{what} is empty")
    return value


@_refusals_audited
def record_visit(store: Engine, con: duckdb.DuckDBPyConnection, access: Access, *,
                 court: str, visit_on: dt.date, members: str, opinions: list[Opinion]) -> int:
    """A visit to `court` and its opinions, in one transaction; returns the visit's id. An
    opinion linked to a case must name a case of `court`."""
    courts = _writable(con, access, "record_visit")
    _court_in(courts, access, "record_visit", court)
    for opinion in opinions:
        if opinion.case_number:
            _case_of(con, courts, access, "record_visit", opinion.case_number, court)
    members = _text(members, "the delegation members")
    if not opinions:
        raise LedgerError("a visit records at least one opinion")
    now = audit.now()
    with store.begin() as connection:
        visit_id = connection.execute(insert(visits).values(
            court_code=court, visit_on=visit_on, members=members, created_by=access.username,
            created_at=now)).inserted_primary_key[0]
        audit.record(connection, access.username, "visit_recorded", court, visit=visit_id,
                     visit_on=visit_on, members=members)
        for opinion in opinions:
            _add_item(connection, access, visit_id, court, opinion, now)
    return int(visit_id)


def _add_item(connection, access: Access, visit_id: int, court: str, opinion: Opinion,  # noqa: ANN001
              now: dt.datetime) -> int:
    row = dict(visit_id=visit_id, court_code=court,
               requirement=_text(opinion.requirement, "the requirement"),
               owner=_text(opinion.owner, "the owner"), due_on=opinion.due_on,
               index_code=opinion.index_code or None, case_number=opinion.case_number or None,
               status=ITEM_NEW, progress=None, version=1, updated_by=access.username,
               updated_at=now)
    item_id = connection.execute(insert(ledger_items).values(**row)).inserted_primary_key[0]
    connection.execute(insert(ledger_updates).values(item_id=item_id, at=now,
                                                     by=access.username, status=ITEM_NEW,
                                                     note=None))
    audit.record(connection, access.username, "ledger_item_added", f"item {item_id}",
                 court=court, after={k: row[k] for k in ("requirement", "owner", "due_on",
                                                         "index_code", "case_number")})
    return int(item_id)


@_refusals_audited
def update_item(store: Engine, con: duckdb.DuckDBPyConnection, access: Access, *,
                item_id: int, read_version: int, status: str, note: str,
                index_value: float | None = None, index_as_of: dt.date | None = None) -> int:
    """A new status and progress note for an item of the writer's courts (its stored court),
    with the linked index's value now. Returns the new version; ConcurrentEdit when the
    item changed since `read_version`."""
    courts = _writable(con, access, "update_item")
    if status not in ITEM_STATUSES:
        raise LedgerError(f"unknown status {status}")
    note = _text(note, "the progress note")
    now = audit.now()
    with store.begin() as connection:
        before = connection.execute(select(ledger_items).where(ledger_items.c.id == item_id)
                                    ).mappings().first()
        if before is None or before["court_code"] not in courts:
            raise AccessDenied(f"{access.username} may not {_WRITE_NAMES['update_item']} for "
                               f"item {item_id}: it is not an item of their courts")
        changed = connection.execute(
            update(ledger_items)
            .where(and_(ledger_items.c.id == item_id, ledger_items.c.version == read_version,
                        ledger_items.c.court_code == before["court_code"]))
            .values(status=status, progress=note, version=read_version + 1,
                    updated_by=access.username, updated_at=now)).rowcount
        if changed != 1:
            raise ConcurrentEdit(
                f"item {item_id} was changed by {before['updated_by']} at "
                f"{before['updated_at']:%Y-%m-%d %H:%M} (UTC) after you opened it; "
                f"nothing was saved — reload it and save again")
        connection.execute(insert(ledger_updates).values(
            item_id=item_id, at=now, by=access.username, status=status, note=note,
            index_value=index_value, index_as_of=index_as_of))
        audit.record(connection, access.username, "ledger_item_updated", f"item {item_id}",
                     court=before["court_code"],
                     before={"status": before["status"], "progress": before["progress"]},
                     after={"status": status, "progress": note, "index_value": index_value})
    return read_version + 1


def items(store: Engine, courts: tuple[str, ...], *, open_only: bool = False,
          today: dt.date | None = None) -> pl.DataFrame:
    """The items of `courts` with their visit, by due date; `overdue` when not done and
    past due on `today`; the linked index's first and latest recorded values."""
    today = today or dt.date.today()
    query = (select(ledger_items, visits.c.visit_on, visits.c.members)
             .join(visits, visits.c.id == ledger_items.c.visit_id)
             .where(ledger_items.c.court_code.in_(list(courts)))
             .order_by(ledger_items.c.due_on, ledger_items.c.id))
    if open_only:
        query = query.where(ledger_items.c.status.not_in(ITEM_CLOSED))
    with store.connect() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings().all()]
    schema = {"id": pl.Int64, "visit_id": pl.Int64, "court_code": pl.String,
              "requirement": pl.String, "owner": pl.String, "due_on": pl.Date,
              "index_code": pl.String, "case_number": pl.String, "status": pl.String,
              "progress": pl.String, "version": pl.Int64, "updated_by": pl.String,
              "updated_at": pl.Datetime, "visit_on": pl.Date, "members": pl.String}
    frame = pl.DataFrame(rows, schema=schema)
    trail = index_trail(store, frame["id"].to_list())
    return (frame.join(trail, left_on="id", right_on="item_id", how="left",
                       maintain_order="left")
            .with_columns(overdue=~pl.col("status").is_in(ITEM_CLOSED)
                          & (pl.col("due_on") < today)))


def index_trail(store: Engine, item_ids: list[int]) -> pl.DataFrame:
    """For each item with recorded index values: the first and the latest value and their
    dates — whether the measures take effect."""
    schema = {"item_id": pl.Int64, "first_value": pl.Float64, "first_as_of": pl.Date,
              "latest_value": pl.Float64, "latest_as_of": pl.Date}
    if not item_ids:
        return pl.DataFrame(schema=schema)
    query = (select(ledger_updates.c.item_id, ledger_updates.c.index_value,
                    ledger_updates.c.index_as_of, ledger_updates.c.id)
             .where(ledger_updates.c.item_id.in_(item_ids),
                    ledger_updates.c.index_value.is_not(None))
             .order_by(ledger_updates.c.id))
    with store.connect() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings().all()]
    if not rows:
        return pl.DataFrame(schema=schema)
    frame = pl.DataFrame(rows).with_columns(pl.col("index_as_of").cast(pl.Date))
    return frame.group_by("item_id").agg(
        first_value=pl.col("index_value").first(), first_as_of=pl.col("index_as_of").first(),
        latest_value=pl.col("index_value").last(), latest_as_of=pl.col("index_as_of").last(),
    ).select(list(schema)).cast(schema)


def item_history(store: Engine, item_id: int) -> pl.DataFrame:
    """Every change of an item, oldest first, with the linked index's value at each."""
    query = (select(ledger_updates).where(ledger_updates.c.item_id == item_id)
             .order_by(ledger_updates.c.id))
    with store.connect() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings().all()]
    schema = {"id": pl.Int64, "item_id": pl.Int64, "at": pl.Datetime, "by": pl.String,
              "status": pl.String, "note": pl.String, "index_value": pl.Float64,
              "index_as_of": pl.Date}
    return pl.DataFrame(rows, schema=schema)


@_refusals_audited
def mark_typical(store: Engine, con: duckdb.DuckDBPyConnection, access: Access, *,
                 court: str, case_number: str, summary: str) -> None:
    """Mark a case of `court` (as the case database says) as typical, for publicity, with a
    short summary (again: a new summary)."""
    courts = _writable(con, access, "mark_typical")
    _case_of(con, courts, access, "mark_typical", case_number, court)
    summary = _text(summary, "the summary")
    now = audit.now()
    with store.begin() as connection:
        before = connection.execute(select(typical_cases).where(
            typical_cases.c.case_number == case_number)).mappings().first()
        _same_court(access, "mark_typical", case_number, court, before)
        if before is None:
            connection.execute(insert(typical_cases).values(
                case_number=case_number, court_code=court, summary=summary,
                marked_by=access.username, marked_at=now))
        else:
            connection.execute(update(typical_cases)
                               .where(typical_cases.c.case_number == case_number,
                                      typical_cases.c.court_code == court)
                               .values(summary=summary, marked_by=access.username,
                                       marked_at=now))
        audit.record(connection, access.username, "typical_case_marked", case_number,
                     court=court, before=before["summary"] if before else None, after=summary)


def typical(store: Engine, courts: tuple[str, ...]) -> pl.DataFrame:
    query = (select(typical_cases).where(typical_cases.c.court_code.in_(list(courts)))
             .order_by(typical_cases.c.marked_at.desc()))
    with store.connect() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings().all()]
    schema = {"case_number": pl.String, "court_code": pl.String, "summary": pl.String,
              "marked_by": pl.String, "marked_at": pl.Datetime}
    return pl.DataFrame(rows, schema=schema)


# ------------------------------------------------------------------ escalations

@_refusals_audited
def set_escalation(store: Engine, con: duckdb.DuckDBPyConnection, access: Access, *,
                   case_number: str, court: str, status: str, note: str,
                   reasons: list[str], read_version: int | None) -> int:
    """Propose, escalate or resolve a case of `court` (as the case database says).
    `read_version`: the version read (None: the case had no escalation). Returns the new
    version."""
    courts = _writable(con, access, "set_escalation")
    _case_of(con, courts, access, "set_escalation", case_number, court)
    if status not in ESCALATION_STATUSES:
        raise LedgerError(f"unknown status {status}")
    note = _text(note, "the note")
    now = audit.now()
    with store.begin() as connection:
        before = connection.execute(select(escalations).where(
            escalations.c.case_number == case_number)).mappings().first()
        _same_court(access, "set_escalation", case_number, court, before)
        if read_version is None:
            if before is not None:
                raise ConcurrentEdit(f"{case_number} was marked by {before['updated_by']} "
                                     f"after you opened it; nothing was saved — reload it")
            connection.execute(insert(escalations).values(
                case_number=case_number, court_code=court, status=status,
                reasons=json.dumps(reasons, ensure_ascii=False), note=note, version=1,
                updated_by=access.username, updated_at=now))
            version = 1
        else:
            changed = connection.execute(
                update(escalations)
                .where(and_(escalations.c.case_number == case_number,
                            escalations.c.court_code == court,
                            escalations.c.version == read_version))
                .values(status=status, note=note, version=read_version + 1,
                        updated_by=access.username, updated_at=now)).rowcount
            if changed != 1:
                raise ConcurrentEdit(f"{case_number} was changed after you opened it; "
                                     f"nothing was saved — reload it and save again")
            version = read_version + 1
        connection.execute(insert(escalation_events).values(
            case_number=case_number, at=now, by=access.username, status=status, note=note))
        audit.record(connection, access.username, "escalation_changed", case_number,
                     court=court, before=before["status"] if before else None, after=status,
                     note=note)
    return version


ESCALATION_SCHEMA = {"case_number": pl.String, "court_code": pl.String, "status": pl.String,
                     "reasons": pl.String, "note": pl.String, "version": pl.Int64,
                     "updated_by": pl.String, "updated_at": pl.Datetime}


def escalation_states(store: Engine, case_numbers: list[str]) -> pl.DataFrame:
    """The escalation status, note and version of each of `case_numbers` that has one."""
    if not case_numbers:
        return pl.DataFrame(schema=ESCALATION_SCHEMA)
    return _read_escalations(store, escalations.c.case_number.in_(case_numbers))


def escalations_of(store: Engine, courts: tuple[str, ...]) -> pl.DataFrame:
    """Every escalation of `courts` (marked cases, whatever the criteria say today)."""
    return _read_escalations(store, escalations.c.court_code.in_(list(courts)))


def _read_escalations(store: Engine, condition) -> pl.DataFrame:  # noqa: ANN001
    with store.connect() as connection:
        rows = [dict(r) for r in connection.execute(
            select(escalations).where(condition)).mappings().all()]
    return pl.DataFrame(rows, schema=ESCALATION_SCHEMA)


def escalation_history(store: Engine, case_number: str) -> pl.DataFrame:
    with store.connect() as connection:
        rows = [dict(r) for r in connection.execute(
            select(escalation_events).where(escalation_events.c.case_number == case_number)
            .order_by(escalation_events.c.id)).mappings().all()]
    return pl.DataFrame(rows, schema={"id": pl.Int64, "case_number": pl.String,
                                      "at": pl.Datetime, "by": pl.String,
                                      "status": pl.String, "note": pl.String})
