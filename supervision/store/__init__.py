"""The operational store: users, sessions, login attempts and the audit trail (later the
supervision ledger). Small, written concurrently, precious: it lives apart from the case
database, which an import replaces, in a transactional SQL database reached through
SQLAlchemy. SQLite is the embedded default; a PostgreSQL URL serves several app servers.
Its schema changes are Alembic migrations, applied when the store is opened.
"""

from __future__ import annotations

import os
import threading
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
    url = url or store_url()
    eng = _ENGINES.get(url)
    return eng if eng is not None else _new_engine(url)


# A new server's first sessions arrive together: the engine is made (and migrated) once,
# by the first of them, while the others wait (Alembic keeps its context in module globals
# and fails when two threads migrate at once).
_ENGINES: dict[str, Engine] = {}
_LOCK = threading.RLock()


def _new_engine(url: str) -> Engine:
    with _LOCK:
        if url in _ENGINES:
            return _ENGINES[url]
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            eng = create_engine(url, connect_args={"timeout": 30})
            event.listen(eng, "connect", _sqlite_pragmas)
        else:
            eng = create_engine(url, pool_pre_ping=True)
        migrate(eng)
        _ENGINES[url] = eng
        return eng


def migrate(eng: Engine) -> None:
    """Apply every Alembic migration the store lacks (safe to call on every start; one
    thread at a time)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _LOCK, eng.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(eng: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with eng.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
