"""Logging in, sessions and lockout, against the operational store (no Streamlit here).

- A login checks the lock first, then the bcrypt hash. Ten failures in a row (within the
  failure window) lock the name for LOCK_MINUTES; the counter lives in the store and is
  changed by single atomic statements, so concurrent logins and app restarts keep it.
- A successful login creates a server-side session. The browser's cookie carries its random
  token; the store keeps only the token's SHA-256. Every page run checks the session:
  logged out, disabled user, changed password, idle for IDLE_MINUTES or past its lifetime
  -> the session is over, whatever the cookie says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, case, delete, insert, select, update

from supervision import audit
from supervision.store.schema import login_attempts, sessions, users
from supervision.users import canonical, password_matches

MAX_FAILURES = 10
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_MINUTES = 15
IDLE_MINUTES = int(os.environ.get("SUPERVISION_IDLE_MINUTES", "30"))
SESSION_HOURS = 12            # also the login cookie's lifetime
TOUCH_EVERY = dt.timedelta(seconds=30)  # how often a page run refreshes last_seen_at
# A hash no password matches: unknown names take as long as known ones.
_DUMMY_HASH = "$2b$12$pW9yF05/.5Z6buUsBODkMusr3psuAB/NRY4P4YAWC2sWGKQgq7yie"


@dataclass(frozen=True)
class LoginOutcome:
    ok: bool
    username: str
    token: str | None = None          # for the cookie; only on success
    locked_until: dt.datetime | None = None
    reason: str = ""                  # bad_credentials, locked


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def locked_until(eng: Engine, username: str, now: dt.datetime | None = None
                 ) -> dt.datetime | None:
    now = now or audit.now()
    with eng.connect() as connection:
        until = connection.execute(select(login_attempts.c.locked_until).where(
            login_attempts.c.username == canonical(username))).scalar()
    return until if until is not None and until > now else None


def login(eng: Engine, username: str, password: str, now: dt.datetime | None = None
          ) -> LoginOutcome:
    """Check a login attempt; on success, open a session and return its token."""
    now = now or audit.now()
    name = canonical(username)
    until = locked_until(eng, name, now)
    if until is not None:
        audit.record(eng, name, "login_locked", name, until=until.isoformat())
        return LoginOutcome(False, name, locked_until=until, reason="locked")
    with eng.connect() as connection:
        user = connection.execute(select(users.c.password_hash, users.c.disabled).where(
            users.c.username == name)).first()
    matches = password_matches(password, user.password_hash if user else _DUMMY_HASH)
    if not matches or user is None or user.disabled:
        until = _record_failure(eng, name, now)
        audit.record(eng, name, "login_failure", name, locked=until is not None)
        if until is not None:
            return LoginOutcome(False, name, locked_until=until, reason="locked")
        return LoginOutcome(False, name, reason="bad_credentials")
    token = secrets.token_urlsafe(32)
    with eng.begin() as connection:
        connection.execute(delete(login_attempts).where(login_attempts.c.username == name))
        connection.execute(insert(sessions).values(
            token_hash=_hash(token), username=name, created_at=now, last_seen_at=now,
            expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
        audit.record(connection, name, "login_success", name)
    return LoginOutcome(True, name, token=token)


def _record_failure(eng: Engine, name: str, now: dt.datetime) -> dt.datetime | None:
    """Count one failure in one atomic upsert; returns the lock's end if this locks."""
    t = login_attempts.c
    stale = (t.last_failure_at < now - FAILURE_WINDOW) | (
        t.locked_until.is_not(None) & (t.locked_until <= now))
    failures = case((stale, 1), else_=t.failures + 1)
    lock_end = now + dt.timedelta(minutes=LOCK_MINUTES)
    if eng.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(login_attempts).values(
        username=name, failures=1, last_failure_at=now,
        locked_until=lock_end if MAX_FAILURES <= 1 else None)
    statement = statement.on_conflict_do_update(
        index_elements=[t.username],
        set_={"failures": failures, "last_failure_at": now,
              "locked_until": case((failures >= MAX_FAILURES, lock_end), else_=None)},
    ).returning(t.locked_until)
    with eng.begin() as connection:
        return connection.execute(statement).scalar()


def resume(eng: Engine, token: str | None, now: dt.datetime | None = None) -> str | None:
    """The username of a live session, or None (and the session is ended if it lapsed).
    Refreshes the session's idle clock at most every TOUCH_EVERY."""
    if not token:
        return None
    now = now or audit.now()
    key = _hash(token)
    with eng.connect() as connection:
        row = connection.execute(
            select(sessions.c.username, sessions.c.last_seen_at, sessions.c.expires_at,
                   sessions.c.ended_at, users.c.disabled)
            .join(users, users.c.username == sessions.c.username, isouter=True)
            .where(sessions.c.token_hash == key)).first()
    if row is None or row.ended_at is not None:
        return None
    reason = None
    if row.disabled is None or row.disabled:
        reason = "user_disabled"
    elif row.expires_at <= now:
        reason = "expired"
    elif row.last_seen_at + dt.timedelta(minutes=IDLE_MINUTES) <= now:
        reason = "idle"
    if reason:
        end_session(eng, token, reason, now)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        with eng.begin() as connection:
            connection.execute(update(sessions).where(
                (sessions.c.token_hash == key) & sessions.c.ended_at.is_(None)).values(
                last_seen_at=now))
    return row.username


def end_session(eng: Engine, token: str | None, reason: str = "logout",
                now: dt.datetime | None = None) -> None:
    """End the session server-side: its cookie no longer logs anyone in."""
    if not token:
        return
    now = now or audit.now()
    with eng.begin() as connection:
        username = connection.execute(select(sessions.c.username).where(
            (sessions.c.token_hash == _hash(token)) & sessions.c.ended_at.is_(None))).scalar()
        if username is None:
            return
        connection.execute(update(sessions).where(sessions.c.token_hash == _hash(token)).values(
            ended_at=now, end_reason=reason))
        audit.record(connection, username, "logout" if reason == "logout" else "session_ended",
                     username, reason=reason)
