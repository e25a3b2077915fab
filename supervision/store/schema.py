"""Tables of the operational store (SQLAlchemy Core). Changed only by a new migration in
migrations/versions, which creates what is written here."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
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
    # the TOTP secret, sealed (supervision.security.sealed); NULL until the user enrolls one
    Column("totp_secret", String(200)),
    Column("totp_enrolled_at", DateTime),
    # the 30-second step of the last one-time code accepted; an older or equal step's code
    # is refused (no replay within its window)
    Column("totp_last_step", BigInteger),
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
    # a one-time ticket the browser trades for the httpOnly login cookie (migration 0003)
    Column("cookie_ticket_hash", String(64), index=True),
    Column("cookie_ticket_expires_at", DateTime),
)

# Failed logins per (canonical) username, also for names that do not exist, so that the
# answer does not tell which accounts exist.
login_attempts = Table(
    "login_attempts", metadata,
    Column("username", String(64), primary_key=True),
    # password checks reserved in the current window (counted before each check is made)
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime, nullable=False),
    Column("locked_until", DateTime),
    Column("window_started_at", DateTime),
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

# --- the supervision ledger (migration 0002). Rows carry a `version`: a save names the
# version it read and is refused when someone saved in between (no lost update).

# A site visit of a delegation to a court.
visits = Table(
    "visits", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("court_code", String(32), nullable=False, index=True),
    Column("visit_on", Date, nullable=False),
    Column("members", Text, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# An opinion of a visit: a requirement with an owner and a due date, optionally linked to
# a backward index (index_code) or a case; its status moves open → in_progress → done.
ledger_items = Table(
    "ledger_items", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("visit_id", Integer, ForeignKey("visits.id"), nullable=False, index=True),
    Column("court_code", String(32), nullable=False, index=True),
    Column("requirement", Text, nullable=False),
    Column("owner", String(200), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("index_code", String(64)),
    Column("case_number", String(64)),
    Column("status", String(16), nullable=False),
    Column("progress", Text),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Every change of an item, with the linked index's value at that moment: "until the
# measures take effect" is the series of these values.
ledger_updates = Table(
    "ledger_updates", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("ledger_items.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("by", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("note", Text),
    Column("index_value", Float),
    Column("index_as_of", Date),
)

# Typical cases marked for publicity, with a short summary.
typical_cases = Table(
    "typical_cases", metadata,
    Column("case_number", String(64), primary_key=True),
    Column("court_code", String(32), nullable=False, index=True),
    Column("summary", Text, nullable=False),
    Column("marked_by", String(64), nullable=False),
    Column("marked_at", DateTime, nullable=False),
)

# Cases taken to the province's joint-action mechanism: proposed → escalated → resolved.
escalations = Table(
    "escalations", metadata,
    Column("case_number", String(64), primary_key=True),
    Column("court_code", String(32), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("reasons", Text, nullable=False),
    Column("note", Text),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

escalation_events = Table(
    "escalation_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_number", String(64), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("by", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("note", Text),
)

# The weekly report as published (migration 0004): the PDF and XLSX bytes as they were
# sent, their SHA-256, the case-data version they were built from and the figures they
# show (JSON: court, index, value), so that a later download is byte-identical whatever
# was imported since, and today's figures can be compared with the published ones.
# Append-only: the migration's triggers refuse UPDATE, DELETE and REPLACE.
weekly_publications = Table(
    "weekly_publications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("province", String(16), nullable=False, index=True),
    Column("as_of", Date, nullable=False, index=True),
    Column("language", String(8), nullable=False),
    Column("title", Text, nullable=False),
    Column("data_version", String(64), nullable=False),
    Column("data_sha256", String(64), nullable=False),
    Column("data_loaded_at", DateTime),
    Column("data_latest", Date),
    Column("pdf", LargeBinary, nullable=False),
    Column("pdf_sha256", String(64), nullable=False),
    Column("xlsx", LargeBinary, nullable=False),
    Column("xlsx_sha256", String(64), nullable=False),
    Column("figures", Text, nullable=False),
    Column("published_by", String(64), nullable=False),
    Column("published_at", DateTime, nullable=False),
    UniqueConstraint("province", "as_of", "language", name="uq_weekly_publications_week"),
)
