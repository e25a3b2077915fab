"""The supervision ledger: visits, opinion items and their updates, typical cases, and
escalations to the joint-action mechanism with their history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "the history is append-only"
HISTORIES = ("ledger_updates", "escalation_events")


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("court_code", sa.String(32), nullable=False),
        sa.Column("visit_on", sa.Date, nullable=False),
        sa.Column("members", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_visits_court_code", "visits", ["court_code"])
    op.create_table(
        "ledger_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=False),
        sa.Column("court_code", sa.String(32), nullable=False),
        sa.Column("requirement", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("index_code", sa.String(64)),
        sa.Column("case_number", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("status IN ('open', 'in_progress', 'done')", name="item_status"),
    )
    op.create_index("ix_ledger_items_visit_id", "ledger_items", ["visit_id"])
    op.create_index("ix_ledger_items_court_code", "ledger_items", ["court_code"])
    op.create_table(
        "ledger_updates",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("ledger_items.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("index_value", sa.Float),
        sa.Column("index_as_of", sa.Date),
    )
    op.create_index("ix_ledger_updates_item_id", "ledger_updates", ["item_id"])
    op.create_table(
        "typical_cases",
        sa.Column("case_number", sa.String(64), primary_key=True),
        sa.Column("court_code", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("marked_by", sa.String(64), nullable=False),
        sa.Column("marked_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_typical_cases_court_code", "typical_cases", ["court_code"])
    op.create_table(
        "escalations",
        sa.Column("case_number", sa.String(64), primary_key=True),
        sa.Column("court_code", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("status IN ('proposed', 'escalated', 'resolved')",
                           name="escalation_status"),
    )
    op.create_index("ix_escalations_court_code", "escalations", ["court_code"])
    op.create_table(
        "escalation_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_escalation_events_case_number", "escalation_events", ["case_number"])
    # the histories, like the audit trail, are never rewritten
    dialect = op.get_bind().dialect.name
    for table in HISTORIES:
        if dialect == "sqlite":
            for action in ("UPDATE", "DELETE"):
                op.execute(f"""CREATE TRIGGER {table}_no_{action.lower()}
                               BEFORE {action} ON {table}
                               BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""")
        elif dialect == "postgresql":
            op.execute(f"""CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
                           BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$
                           LANGUAGE plpgsql""")
            op.execute(f"""CREATE TRIGGER {table}_append_only
                           BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
                           FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()""")


def downgrade() -> None:
    raise NotImplementedError("the ledger is never dropped")
