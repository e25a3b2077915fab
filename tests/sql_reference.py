"""The SQL only the tests use (tests/sql/): the references the in-memory counts are held to,
run through the project's query runner (supervision.data.queries.run) as any query is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from supervision.data.queries import run

SQL_DIR = Path(__file__).resolve().parent / "sql"


def run_reference(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """tests/sql/<name>.sql with the parameters it names, as a polars frame."""
    return run(con, name, sql_dir=SQL_DIR, **params)
