"""The query runner: one `.sql` file per question in `queries/`, parameters bound by DuckDB.

SQL text is only ever read from the project's own files; every value a user chooses
reaches DuckDB as a bound parameter (`$name`), never formatted into the text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@cache
def load_sql(name: str) -> tuple[str, frozenset[str]]:
    """The text of queries/<name>.sql and the parameter names it uses."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"not a query name: {name!r}")
    text = (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return text, frozenset(_PARAM.findall(_COMMENT.sub("", text)))


def run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """Run queries/<name>.sql with the parameters it names; returns a polars frame."""
    sql, bound = _bound(name, params)
    return con.sql(sql, params=bound).pl()


def _bound(name: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The text of queries/<name>.sql and the parameters it names, bindable."""
    sql, needed = load_sql(name)
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


# the filters the sidebar sets (the explorer adds its own); None = no restriction
SIDEBAR_FILTERS = ("case_types", "value_min", "value_max", "priorities", "complexities")


@dataclass(frozen=True)
class Filters:
    """The case subset a metric is computed over (hashable, so it keys caches).

    None means "no restriction"; a tuple means "one of". Value bounds are yuan, [min, max).
    `courts` restricts the *cases* (set by supervision.views from the user's scope, never by
    a page); queries that rank nationally leave it out and restrict their output rows
    instead (see `scope`).
    """

    as_of: dt.date
    period_start: dt.date | None = None
    courts: tuple[str, ...] | None = None
    case_types: tuple[str, ...] | None = None
    value_min: float | None = None
    value_max: float | None = None
    priorities: tuple[str, ...] | None = None
    complexities: tuple[str, ...] | None = None
    closing_methods: tuple[str, ...] | None = None
    respondent_kinds: tuple[str, ...] | None = None
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    closed_from: dt.date | None = None
    closed_to: dt.date | None = None
    text: str | None = None
    # an index's drill-through (the explorer): only the cases holding that index down
    # (queries/macros.sql `index_cases`); not a case filter of `scope`
    index: str | None = None

    @property
    def start(self) -> dt.date:
        """Period start: 1 January of the as-of year unless given."""
        return self.period_start or dt.date(self.as_of.year, 1, 1)

    def scope(self, *, national: bool = False) -> dict[str, Any]:
        """The STRUCT the `cases_in_scope` macro takes. national=True drops the court
        restriction so that ranks and provincial values see every court."""
        s: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("as_of", "period_start", "index"):
                continue
            value = getattr(self, f.name)
            if national and f.name == "courts":
                value = None
            if f.name in ("value_min", "value_max") and value is not None:
                value = float(value)
            if f.name == "text" and value is not None:
                value = value.strip() or None
            s[f.name] = list(value) if isinstance(value, tuple) else value
        return s

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)

    def official(self) -> Filters:
        """The filters of the official position: every case of the period up to the as-of
        date. A national target (top 20 overall, top 15 per type) is defined on all of a
        court's cases; a sidebar filter never changes it (it adds an analysis of a subset)."""
        return Filters(as_of=self.as_of, period_start=self.period_start)

    def narrows(self) -> bool:
        """Whether the sidebar's filters (value, priority, complexity, case type) select a
        subset of the cases: the view then adds an analysis of that subset, labelled as
        such, and never a target verdict of its own."""
        return any(getattr(self, name) is not None for name in SIDEBAR_FILTERS)

    def params(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "period_start": self.start}
