"""The query runner: one `.sql` file per question in `queries/`, parameters bound by DuckDB.

SQL text is only ever read from the project's own files; every value a user chooses
reaches DuckDB as a bound parameter (`$name`), never formatted into the text. The tests
keep the SQL only they use (the references the in-memory counts are held to) in
`tests/sql/`, run through the same runner (`sql_dir`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

QUERY_DIR = Path(__file__).resolve().parents[2] / "queries"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@cache
def load_sql(name: str, sql_dir: Path = QUERY_DIR) -> tuple[str, frozenset[str]]:
    """The text of <sql_dir>/<name>.sql (queries/ unless told) and the parameter names it
    uses."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"not a query name: {name!r}")
    text = (sql_dir / f"{name}.sql").read_text(encoding="utf-8")
    return text, frozenset(_PARAM.findall(_COMMENT.sub("", text)))


def run(con: duckdb.DuckDBPyConnection, name: str, *, sql_dir: Path = QUERY_DIR,
        **params: Any) -> pl.DataFrame:
    """Run <sql_dir>/<name>.sql (queries/ unless told: tests/sql/ holds the tests' own) with
    the parameters it names; returns a polars frame."""
    sql, bound = _bound(name, params, sql_dir)
    return con.sql(sql, params=bound).pl()


def _bound(name: str, params: dict[str, Any],
           sql_dir: Path = QUERY_DIR) -> tuple[str, dict[str, Any]]:
    """The text of <sql_dir>/<name>.sql and the parameters it names, bindable."""
    sql, needed = load_sql(name, sql_dir)
    missing = needed - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameters: {', '.join(sorted(missing))}")
    return sql, {k: _bindable(v) for k, v in params.items() if k in needed}


def run_arrays(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> dict[str, np.ndarray]:
    """Run queries/<name>.sql as `run` does; its columns as numpy arrays, straight from
    DuckDB (for the cases kept in memory: a polars frame on the way kept ~300 MB more of
    the server's memory at 10 M cases). The query's columns may hold no NULL."""
    sql, bound = _bound(name, params)
    arrays = con.sql(sql, params=bound).fetchnumpy()
    for column, array in arrays.items():
        if np.ma.is_masked(array):
            raise ValueError(f"query {name}: column {column} holds NULL")
    return {column: np.ma.getdata(array) for column, array in arrays.items()}


def _bindable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {k: _bindable(v) for k, v in value.items()}
    return value
