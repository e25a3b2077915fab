"""Security hardening (GB/T 22239 level 3): a second factor for users, login checks counted
before the password is checked, a one-time ticket that turns a login into an httpOnly
cookie, append-only tables that also resist INSERT OR REPLACE, and the audit trail kept at
least 180 days (older rows may leave only through the archive command).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = {"audit_log": "the audit trail is append-only",
               "ledger_updates": "the history is append-only",
               "escalation_events": "the history is append-only"}
# Frozen here (a migration never changes): supervision.security.audit.RETENTION_DAYS says the same.
RETENTION_DAYS = 180


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        # the TOTP secret sealed (AES-GCM, supervision.security.sealed); NULL until enrolled
        batch.add_column(sa.Column("totp_secret", sa.String(200)))
        batch.add_column(sa.Column("totp_enrolled_at", sa.DateTime))
        # the time step of the last code accepted: a code is good once (no replay)
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger))
    with op.batch_alter_table("login_attempts") as batch:
        # the start of the current counting window; `failures` now counts password checks
        # reserved in it (an attempt is counted before its password is checked)
        batch.add_column(sa.Column("window_started_at", sa.DateTime))
    with op.batch_alter_table("sessions") as batch:
        # SHA-256 of a one-time ticket the browser trades for the httpOnly login cookie
        batch.add_column(sa.Column("cookie_ticket_hash", sa.String(64)))
        batch.add_column(sa.Column("cookie_ticket_expires_at", sa.DateTime))
    op.create_index("ix_sessions_cookie_ticket_hash", "sessions", ["cookie_ticket_hash"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table, message in APPEND_ONLY.items():
            # REPLACE deletes the conflicting row without firing DELETE triggers (unless
            # recursive_triggers is on): refuse any insert that names an existing id
            op.execute(f"""CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
                           WHEN NEW.id IS NOT NULL
                                AND EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)
                           BEGIN SELECT RAISE(ABORT, '{message}'); END""")
        # the audit trail: rows younger than the retention period are never deleted
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute(f"""CREATE TRIGGER audit_log_retained BEFORE DELETE ON audit_log
                       WHEN OLD.at > datetime('now', '-{RETENTION_DAYS} days')
                       BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY["audit_log"]}: entries are
                       kept {RETENTION_DAYS} days, then leave only through the archive');
                       END""")
    elif dialect == "postgresql":
        # INSERT … ON CONFLICT DO UPDATE fires the statement-level UPDATE triggers of 0001
        # and 0002 (tested); the audit trail's DELETE becomes row-level, for retention
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("""CREATE TRIGGER audit_log_append_only
                      BEFORE UPDATE OR TRUNCATE ON audit_log
                      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""")
        op.execute(f"""CREATE FUNCTION audit_log_retained() RETURNS trigger AS $$
                       BEGIN
                         IF OLD.at > (now() AT TIME ZONE 'UTC')
                                     - interval '{RETENTION_DAYS} days' THEN
                           RAISE EXCEPTION '{APPEND_ONLY["audit_log"]}: entries are kept
                           {RETENTION_DAYS} days, then leave only through the archive';
                         END IF;
                         RETURN OLD;
                       END $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER audit_log_retained BEFORE DELETE ON audit_log
                      FOR EACH ROW EXECUTE FUNCTION audit_log_retained()""")


def downgrade() -> None:
    raise NotImplementedError("the audit trail's protections are never dropped")
