"""Users, sessions, login attempts and the append-only audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "the audit trail is append-only"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("court_code", sa.String(32)),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("username = lower(username)", name="username_canonical"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("end_reason", sa.String(32)),
    )
    op.create_index("ix_sessions_username", "sessions", ["username"])
    op.create_table(
        "login_attempts",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", sa.DateTime, nullable=False),
        sa.Column("locked_until", sa.DateTime),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(64)),
        sa.Column("event", sa.String(48), nullable=False),
        sa.Column("target", sa.String(200)),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_event", "audit_log", ["event"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_log_no_{action.lower()}
                           BEFORE {action} ON audit_log
                           BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""")
    elif dialect == "postgresql":
        op.execute(f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
                       BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$
                       LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER audit_log_append_only
                      BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
                      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""")


def downgrade() -> None:
    raise NotImplementedError("the audit trail is never dropped")
