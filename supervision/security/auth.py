"""Logging in, sessions and lockout, against the operational store (no Streamlit here).

- An attempt passes three gates before its password is checked:
  1. the client's throttle (THROTTLE, in this process's memory): a burst of attempts per
     client address, then one every few seconds; unknown addresses share one bucket;
  2. the name's count in the store: one atomic upsert reserves a password check and
     returns how many its current run has reserved. The MAX_FAILURES-th locks the name for
     FAILURE_WINDOW; however many attempts arrive at once, the later ones are refused as
     locked without any bcrypt, the right password included — at most MAX_FAILURES checks
     per name in any FAILURE_WINDOW. Unknown names are counted and answered alike; a
     success clears the count;
  3. CHECK_SLOTS: at most that many bcrypt checks run at once in this process (an attempt
     waits up to CHECK_WAIT_S for a slot, then is refused as busy).
- A user with an enrolled second factor (users.totp_secret) also gives the one-time code
  of the current 30-second step (or the one before or after); a wrong, missing or already
  used code is a failed attempt like a wrong password. A role that requires a second
  factor (vocabulary.Role.second_factor) without one enrolled cannot log in in production;
  outside production (SUPERVISION_ENV unset or `development`) the demo logins may skip it.
- A successful login creates a server-side session. The browser's cookie carries its random
  token; the store keeps only the token's SHA-256. Every page run checks the session:
  logged out, disabled user, changed password, idle for IDLE_MINUTES or past its lifetime
  -> the session is over, whatever the cookie says.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pyotp
from sqlalchemy import Engine, case, delete, insert, select, update

from supervision import config
from supervision.domain import vocabulary
from supervision.security import audit, sealed
from supervision.security.users import (
    TOTP_PURPOSE,
    canonical,
    hash_password,
    password_matches,
)
from supervision.store.schema import login_attempts, sessions, users

MAX_FAILURES = 10             # password checks per name per window (the 11th is refused)
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_MINUTES = FAILURE_WINDOW // dt.timedelta(minutes=1)   # from the MAX_FAILURES-th check
IDLE_MINUTES = int(os.environ.get("SUPERVISION_IDLE_MINUTES", "30"))
SESSION_HOURS = 12            # also the login cookie's lifetime
TOUCH_EVERY = dt.timedelta(seconds=30)  # how often a page run refreshes last_seen_at


@functools.cache
def _dummy_hash() -> str:
    """A hash no password matches, at the cost new hashes get (config.bcrypt_rounds): an
    unknown name takes as long as a known one, whatever the cost is set to."""
    return hash_password("no-such-user", secrets.token_urlsafe(32))


# bcrypt checks running at once in this process, and how long an attempt waits for a slot
CHECK_SLOTS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))
CHECK_WAIT_S = 10.0

TOTP_STEP_S = 30              # RFC 6238 defaults, what every authenticator app uses
TOTP_DIGITS = 6
TOTP_DRIFT_STEPS = 1          # the step before and after are accepted too (clock drift)


@dataclass(frozen=True)
class LoginOutcome:
    ok: bool
    username: str
    token: str | None = None          # for the cookie; only on success
    locked_until: dt.datetime | None = None
    # bad_credentials (password, unknown name, disabled or one-time code), locked,
    # throttled (this client tries too often), busy (no check slot in time),
    # second_factor_not_enrolled (production: the role needs one, the user has none)
    reason: str = ""


# ------------------------------------------------------------------ per-client throttle


class Throttle:
    """Token buckets per client: `burst` attempts at once, then one more every `every`
    seconds. Clients without a known address share one bucket (`shared_burst`,
    `shared_every`); IPv6 addresses count per /64 (one subscriber's network). At most
    `max_clients` buckets are kept: idle (refilled) ones are dropped first, and while the
    table is full of active ones a new client draws from the shared bucket, so memory
    stays bounded whatever the number of addresses."""

    SHARED = "*shared*"

    def __init__(self, burst: int = 30, every: float = 2.0, *, shared_burst: int = 60,
                 shared_every: float = 1.0, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.every = burst, every
        self.shared_burst, self.shared_every = shared_burst, shared_every
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: dict[str, tuple[float, float, bool]] = {}  # tokens, at, refused
        self._lock = threading.Lock()

    @staticmethod
    def key(client: str | None) -> str:
        """The bucket of a client address (None or junk: the shared bucket)."""
        if not client:
            return Throttle.SHARED
        try:
            address = ipaddress.ip_address(client.strip().split("%")[0])
        except ValueError:
            return Throttle.SHARED
        mapped = getattr(address, "ipv4_mapped", None)
        if mapped is not None:
            return str(mapped)
        if address.version == 6:
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        return str(address)

    def take(self, client: str | None) -> tuple[bool, bool]:
        """(allowed, first refusal): spend one attempt of the client's bucket if it has one.
        The second is True only for the refusal that empties a bucket (so a flood is
        logged once, not once per attempt)."""
        key = self.key(client)
        now = self.clock()
        with self._lock:
            if key not in self._buckets and key != self.SHARED:
                if len(self._buckets) >= self.max_clients:
                    self._drop_idle(now)
                if len(self._buckets) >= self.max_clients:
                    key = self.SHARED
            burst, every = self._limits(key)
            tokens, at, refused = self._buckets.get(key, (burst, now, False))
            tokens = min(burst, tokens + (now - at) / every)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now, False)
                return True, False
            self._buckets[key] = (tokens, now, True)
            return False, not refused

    def _limits(self, key: str) -> tuple[int, float]:
        if key == self.SHARED:
            return self.shared_burst, self.shared_every
        return self.burst, self.every

    def _drop_idle(self, now: float) -> None:
        for key, (tokens, at, _refused) in list(self._buckets.items()):
            burst, every = self._limits(key)
            if tokens + (now - at) / every >= burst:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


THROTTLE = Throttle()


# ------------------------------------------------------------------ logging in


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def locked_until(eng: Engine, username: str, now: dt.datetime | None = None
                 ) -> dt.datetime | None:
    """When the name may be tried again, if its checks are used up."""
    now = now or audit.now()
    with eng.connect() as connection:
        until = connection.execute(select(login_attempts.c.locked_until).where(
            login_attempts.c.username == canonical(username))).scalar()
    return until if until is not None and until > now else None


def login(eng: Engine, username: str, password: str, now: dt.datetime | None = None, *,
          code: str = "", client: str | None = None, throttle: Throttle | None = None
          ) -> LoginOutcome:
    """Check a login attempt; on success, open a session and return its token.

    `client` is the client's address as the server saw it (None when unknown: the shared
    bucket); callers outside a request (the CLI, tests) pass no `throttle` and no `client`
    and are not throttled. `code` is the one-time code, if the form had one."""
    now = now or audit.now()
    name = canonical(username)
    if client is not None or throttle is not None:
        allowed, first_refusal = (THROTTLE if throttle is None else throttle).take(client)
        if not allowed:
            if first_refusal:
                audit.record(eng, name, "login_refused", name, reason="throttled",
                             client=Throttle.key(client))
            return LoginOutcome(False, name, reason="throttled")
    reserved, lock_end = _reserve_check(eng, name, now)
    if reserved > MAX_FAILURES:
        audit.record(eng, name, "login_locked", name, until=lock_end.isoformat())
        return LoginOutcome(False, name, locked_until=lock_end, reason="locked")
    with eng.connect() as connection:
        user = connection.execute(select(
            users.c.password_hash, users.c.disabled, users.c.role, users.c.totp_secret,
            users.c.totp_last_step).where(users.c.username == name)).first()
    if not CHECK_SLOTS.acquire(timeout=CHECK_WAIT_S):
        audit.record(eng, name, "login_refused", name, reason="busy")
        return LoginOutcome(False, name, reason="busy")
    try:
        matches = password_matches(password, user.password_hash if user else _dummy_hash())
    finally:
        CHECK_SLOTS.release()
    failure = None
    step = None
    if not matches or user is None or user.disabled:
        failure = "password" if user is None or not matches else "disabled"
    elif user.totp_secret:
        secret = sealed.unseal(user.totp_secret, TOTP_PURPOSE)
        # sealed under another server key: no code can match (the user enrolls again)
        step = totp_step(secret, code, now) if secret else None
        if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
            failure = "code" if step is None else "code_reused"
    elif needs_second_factor(user.role) and config.is_production():
        audit.record(eng, name, "login_refused", name, reason="second_factor_not_enrolled")
        return LoginOutcome(False, name, reason="second_factor_not_enrolled")
    if failure is None and step is not None and not _claim_step(eng, name, step):
        failure = "code_reused"       # another login used this code in the meantime
    if failure is not None:
        full = reserved >= MAX_FAILURES
        audit.record(eng, name, "login_failure", name, locked=full,
                     **({"second_factor": failure} if failure.startswith("code") else {}))
        if full:
            return LoginOutcome(False, name, locked_until=lock_end, reason="locked")
        return LoginOutcome(False, name, reason="bad_credentials")
    token = secrets.token_urlsafe(32)
    with eng.begin() as connection:
        connection.execute(delete(login_attempts).where(login_attempts.c.username == name))
        connection.execute(insert(sessions).values(
            token_hash=_hash(token), username=name, created_at=now, last_seen_at=now,
            expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
        audit.record(connection, name, "login_success", name,
                     **({"second_factor": True} if step is not None else {}))
    return LoginOutcome(True, name, token=token)


def _reserve_check(eng: Engine, name: str, now: dt.datetime
                   ) -> tuple[int, dt.datetime | None]:
    """Reserve one password check for the name in one atomic upsert (SQLite and
    PostgreSQL); returns how many checks the name's current run has reserved, this one
    included, and the end of its lock (set by the MAX_FAILURES-th reservation, FAILURE_WINDOW
    after it). A run ends when its lock has passed, or when its last attempt is more than
    FAILURE_WINDOW old; so no FAILURE_WINDOW ever holds more than MAX_FAILURES checks."""
    t = login_attempts.c
    lock_end = now + FAILURE_WINDOW
    stale = (t.locked_until.is_not(None) & (t.locked_until <= now)) | (
        t.locked_until.is_(None) & (t.last_failure_at <= now - FAILURE_WINDOW))
    if eng.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(login_attempts).values(
        username=name, failures=1, last_failure_at=now, window_started_at=now,
        locked_until=lock_end if MAX_FAILURES <= 1 else None)
    # every expression of SET reads the row as it was before this statement
    statement = statement.on_conflict_do_update(
        index_elements=[t.username],
        set_={"failures": case((stale, 1), else_=t.failures + 1),
              "window_started_at": case((stale, now), else_=t.window_started_at),
              "last_failure_at": now,
              "locked_until": case(
                  (stale, lock_end if MAX_FAILURES <= 1 else None),
                  (t.failures + 1 == MAX_FAILURES, lock_end),
                  else_=t.locked_until)},
    ).returning(t.failures, t.locked_until)
    with eng.begin() as connection:
        row = connection.execute(statement).one()
    return row.failures, row.locked_until


# ------------------------------------------------------------------ the second factor


def needs_second_factor(role: str | None) -> bool:
    declared = vocabulary.ROLE_BY_CODE.get(role or "")
    return declared is None or declared.second_factor   # an unknown role: the strict rule


def _counter(now: dt.datetime) -> int:
    """The TOTP time step of a store time (UTC without tzinfo)."""
    return int(now.replace(tzinfo=dt.UTC).timestamp()) // TOTP_STEP_S


def totp_code(secret: str, now: dt.datetime) -> str:
    """The one-time code of `now` (what the user's authenticator app shows)."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_S).generate_otp(
        _counter(now))


def totp_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step whose code `code` is (now, or one step either side), else None."""
    code = "".join((code or "").split())
    if len(code) != TOTP_DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_S)
    counter = _counter(now)
    matched = None
    for step in range(counter - TOTP_DRIFT_STEPS, counter + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            matched = step
    return matched


def _claim_step(eng: Engine, name: str, step: int) -> bool:
    """Record the step as used, if no later or equal one was: a code works once."""
    last = users.c.totp_last_step
    with eng.begin() as connection:
        return connection.execute(update(users).where(
            (users.c.username == name) & (last.is_(None) | (last < step))).values(
            totp_last_step=step)).rowcount == 1


# ------------------------------------------------------------------ sessions


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
