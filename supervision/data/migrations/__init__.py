"""Versioned migrations of the case database, applied in order on every read-write open.

`schema_migrations` records the versions applied. A database built before migrations
existed has its tables but no record: it is version 1. A new database runs every step from
the start, so the schema has one definition: these steps. Each step runs in a transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb

from supervision.domain import vocabulary

HERE = Path(__file__).resolve().parent


def _initial(con: duckdb.DuckDBPyConnection) -> None:
    con.execute((HERE / "0001_initial.sql").read_text(encoding="utf-8"))


# The cases table as of migration 2: CHECK lists replaced by references to the lookup
# tables that supervision.domain.vocabulary fills.
CASES_V2 = """
CREATE TABLE cases_v2 (
    case_number      VARCHAR PRIMARY KEY,
    court_code       VARCHAR NOT NULL,
    case_kind        VARCHAR NOT NULL REFERENCES case_kinds (code),
    case_type        VARCHAR NOT NULL,
    filed_on         DATE NOT NULL,
    closed_on        DATE CHECK (closed_on IS NULL OR closed_on >= filed_on),
    closing_method   VARCHAR REFERENCES closing_methods (code),
    amount_applied   DECIMAL(18, 2) NOT NULL CHECK (amount_applied >= 0),
    amount_recovered DECIMAL(18, 2) NOT NULL DEFAULT 0 CHECK (amount_recovered >= 0),
    has_property     BOOLEAN NOT NULL,
    priority         VARCHAR NOT NULL DEFAULT 'normal' REFERENCES priorities (code),
    complexity       VARCHAR NOT NULL DEFAULT 'ordinary' REFERENCES complexities (code),
    respondent_id    VARCHAR NOT NULL,
    respondent_name  VARCHAR NOT NULL,
    respondent_kind  VARCHAR NOT NULL REFERENCES respondent_kinds (code),
    judge            VARCHAR,
    settlement_on    DATE,
    settlement_due_on DATE,
    -- 终本 closing conditions: true = satisfied (done, or not required); NULL = not satisfied
    notice_served           BOOLEAN,
    consumption_restricted  BOOLEAN,
    dishonest_listed        BOOLEAN,
    network_inquiry_done    BOOLEAN,
    site_investigation_done BOOLEAN,
    applicant_informed      BOOLEAN,
    CHECK ((closed_on IS NULL) = (closing_method IS NULL))
)"""
COURTS_V2 = """
CREATE TABLE courts_v2 (
    court_code VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    name_en    VARCHAR,
    province   VARCHAR NOT NULL,
    level      VARCHAR NOT NULL REFERENCES court_levels (code),
    kind       VARCHAR NOT NULL DEFAULT 'general'
)"""


def _vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    vocabulary.install_vocabulary(con)
    for table, ddl in (("cases", CASES_V2), ("courts", COURTS_V2)):
        con.execute(ddl)
        con.execute(f"INSERT INTO {table}_v2 SELECT * FROM {table}")
        con.execute(f"DROP TABLE {table}")
        con.execute(f"ALTER TABLE {table}_v2 RENAME TO {table}")


def _data_loads(con: duckdb.DuckDBPyConnection) -> None:
    # when the data was last loaded (generated or imported): shown as the data's freshness
    con.execute("""CREATE TABLE data_loads (
                       loaded_at   TIMESTAMP NOT NULL,
                       kind        VARCHAR NOT NULL CHECK (kind IN ('generate', 'import')),
                       source      VARCHAR NOT NULL,
                       rows_stored BIGINT NOT NULL)""")


def _settlement_ruling(con: duckdb.DuckDBPyConnection) -> None:
    # the ruling that closed a case with a settlement (执行和解结案裁定), optional in imports
    con.execute("ALTER TABLE cases ADD COLUMN settlement_ruling_on DATE")


def _macro_source(con: duckdb.DuckDBPyConnection) -> None:
    # which queries/macros.sql the file's macros were made from (supervision.data.db): a read-only
    # connection's cursors use the file's macros, so a file made by an older release is
    # migrated as a new version when macros.sql has changed
    con.execute("CREATE TABLE macro_source (sha256 VARCHAR NOT NULL)")


MIGRATIONS: list[tuple[int, str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (1, "initial schema", _initial),
    (2, "vocabulary lookup tables referenced by cases and courts", _vocabulary),
    (3, "data_loads: when the data was generated or imported", _data_loads),
    (4, "cases.settlement_ruling_on: the ruling closing a settled case", _settlement_ruling),
    (5, "macro_source: the macros.sql the file's macros were made from", _macro_source),
]
LATEST = MIGRATIONS[-1][0]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                            "current_database() AND schema_name = 'main' AND table_name = ?",
                            [name]).fetchall()[0][0])


def version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database (0: empty; 1: built before migrations)."""
    if _has_table(con, "schema_migrations"):
        return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations"
                           ).fetchall()[0][0]
    return 1 if _has_table(con, "cases") else 0


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration the database lacks; returns the versions applied."""
    current = version(con)
    con.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
                       version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
                       applied_at TIMESTAMP NOT NULL)""")
    if current == 1 and not con.execute("SELECT count(*) FROM schema_migrations"
                                        ).fetchall()[0][0]:
        con.execute("INSERT INTO schema_migrations VALUES (1, 'initial schema (found)', ?)",
                    [dt.datetime.now()])
    applied = []
    for number, name, step in MIGRATIONS:
        if number <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            step(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [number, name, dt.datetime.now()])
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        applied.append(number)
    return applied
