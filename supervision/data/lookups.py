"""Lookups that are not metrics: the data's date span, the targets, the 3+1 thresholds and
which case types are ranked (all data in the case database).

Those a page asks for on every run take the runner of their query (`runner`): the
engine's `metrics.lookup` keeps each table once per served data version for every session;
`run` (no runner given) reads it each time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import polars as pl

from supervision.data.queries import run

Runner = Callable[..., pl.DataFrame]


def latest_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The latest filing or closing date in the data (the dashboard's default as-of)."""
    return run(con, "latest_data_date")["latest"][0]


def earliest_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The first filing date in the data (the earliest as-of a user may pick)."""
    return run(con, "latest_data_date")["earliest"][0]


def last_load(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """When the data was last generated or imported (None: no load recorded)."""
    return run(con, "last_data_load")["loaded_at"][0]


def specific_types(con: duckdb.DuckDBPyConnection, runner: Runner | None = None) -> list[str]:
    """Codes of the five nationally ranked case types (data: case_types.specific)."""
    return (runner or run)(con, "case_types_list").filter(pl.col("specific"))["code"].to_list()


def thresholds(con: duckdb.DuckDBPyConnection, runner: Runner | None = None) -> dict[str, float]:
    """The 3+1 thresholds and the share of courts meeting all four (editable data)."""
    return dict((runner or run)(con, "core_thresholds").iter_rows())


def targets(con: duckdb.DuckDBPyConnection, runner: Runner | None = None) -> pl.DataFrame:
    """The national-rank targets: metric, target rank and minimum concluded (data)."""
    return (runner or run)(con, "targets")
