"""Weekly reports as published: the PDF and XLSX bytes, their SHA-256, the case-data version
they were built from and the figures they show, kept unchanged (append-only).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MESSAGE = "a published report is never changed"


def upgrade() -> None:
    op.create_table(
        "weekly_publications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("province", sa.String(16), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("data_version", sa.String(64), nullable=False),
        sa.Column("data_sha256", sa.String(64), nullable=False),
        sa.Column("data_loaded_at", sa.DateTime),
        sa.Column("data_latest", sa.Date),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("xlsx", sa.LargeBinary, nullable=False),
        sa.Column("xlsx_sha256", sa.String(64), nullable=False),
        sa.Column("figures", sa.Text, nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("province", "as_of", "language",
                            name="uq_weekly_publications_week"),
    )
    op.create_index("ix_weekly_publications_province", "weekly_publications", ["province"])
    op.create_index("ix_weekly_publications_as_of", "weekly_publications", ["as_of"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER weekly_publications_no_{action.lower()}
                           BEFORE {action} ON weekly_publications
                           BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
        # REPLACE deletes the conflicting row without firing the DELETE trigger
        op.execute(f"""CREATE TRIGGER weekly_publications_no_replace
                       BEFORE INSERT ON weekly_publications
                       WHEN EXISTS (SELECT 1 FROM weekly_publications
                                    WHERE id = NEW.id
                                       OR (province = NEW.province AND as_of = NEW.as_of
                                           AND language = NEW.language))
                       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
    elif dialect == "postgresql":
        op.execute(f"""CREATE FUNCTION weekly_publications_unchanged() RETURNS trigger AS $$
                       BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER weekly_publications_unchanged
                      BEFORE UPDATE OR DELETE OR TRUNCATE ON weekly_publications
                      FOR EACH STATEMENT EXECUTE FUNCTION weekly_publications_unchanged()""")


def downgrade() -> None:
    raise NotImplementedError("published reports are never dropped")
