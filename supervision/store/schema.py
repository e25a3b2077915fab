"""Tables of the operational store (SQLAlchemy Core). Changed only by a new migration in
migrations/versions, which creates what is written here."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# Usernames are stored in their canonical form (NFKC, case-folded): `Supervisor` and
# `supervisor` are one name, so one account.
users = Table(
    "users", metadata,
    Column("username", String(64), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("email", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("court_code", String(32)),
    Column("password_hash", String(200), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# A login session. The browser's cookie carries a random token; only its SHA-256 is kept,
# so reading this table gives no one a live session.
sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("end_reason", String(32)),
)

# Failed logins per (canonical) username, also for names that do not exist, so that the
# answer does not tell which accounts exist.
login_attempts = Table(
    "login_attempts", metadata,
    Column("username", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime, nullable=False),
    Column("locked_until", DateTime),
)

# Append-only: the migration adds triggers that refuse UPDATE and DELETE for every role.
audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String(64)),
    Column("event", String(48), nullable=False, index=True),
    Column("target", String(200)),
    Column("detail", Text),
)
