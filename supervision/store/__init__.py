"""The operational store: users, sessions, login attempts and the audit trail (later the
supervision ledger). Small, written concurrently, precious: it lives apart from the case
database, which an import replaces, in a transactional SQL database reached through
SQLAlchemy. SQLite is the embedded default; a PostgreSQL URL serves several app servers.
Its schema changes are Alembic migrations, applied when the store is opened.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = f"sqlite:///{ROOT / 'data' / 'operations.sqlite'}"
MIGRATIONS = Path(__file__).with_name("migrations")


def store_url() -> str:
    """SUPERVISION_STORE, else the SQLite file data/operations.sqlite."""
    return os.environ.get("SUPERVISION_STORE") or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; writers wait (not fail) for a lock
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def engine(url: str | None = None) -> Engine:
    """The store at `url` (default: store_url()), migrated to the newest schema; one engine
    per URL and process."""
    return _engine(url or store_url())


@cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        eng = create_engine(url, connect_args={"timeout": 30})
        event.listen(eng, "connect", _sqlite_pragmas)
    else:
        eng = create_engine(url, pool_pre_ping=True)
    migrate(eng)
    return eng


def migrate(eng: Engine) -> None:
    """Apply every Alembic migration the store lacks (safe to call on every start)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with eng.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(eng: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with eng.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
