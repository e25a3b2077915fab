"""Page data through the cache: the read-only case database (per data version), the
operational store, and each supervision.views function as a typed call.

`data.targets(access, filters, court)` is `views.targets_view` without the connection,
cached per (function, data version, arguments); a request outside the user's scope is
shown as a refusal and the page stops. Pages call these, never SQL.
"""

from __future__ import annotations

import functools
import os
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import duckdb
import streamlit as st
from sqlalchemy import Engine

from supervision import store as operational_store
from supervision import views
from supervision.data import lookups
from supervision.data.db import (
    connect_current_version,
    data_version,
    migrate_file,
    schema_is_current,
)
from supervision.domain.filters import Filters
from supervision.output.safe_output import md
from supervision.security import id_lookups
from supervision.security.access import Access, AccessDenied

ROOT = Path(__file__).resolve().parents[2]
CACHE_TTL_S = 900        # a cached page result lives 15 minutes (a new import: a new key)
CACHE_ENTRIES = 512
P = ParamSpec("P")
R = TypeVar("R")


def db_path() -> Path:
    return Path(os.environ.get("SUPERVISION_DB", ROOT / "data" / "demo.duckdb"))


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, version: str) -> duckdb.DuckDBPyConnection:
    """Read-only: imports write a new version of the file and swap it in, and the next run
    opens that version (a new `version` key) while open queries finish on the old one."""
    if not schema_is_current(path):
        migrate_file(path)  # a database from an older release: migrated as a new version
    connection, _opened = connect_current_version(path)
    return connection


def con() -> duckdb.DuckDBPyConnection:
    """A cursor on the current version's connection: each Streamlit thread queries its own."""
    path = str(db_path())
    return _connection(path, data_version(path)).cursor()


def store() -> Engine:
    """The operational store (users, sessions, audit), migrated on first use."""
    return operational_store.engine()


@st.cache_data(show_spinner=False, ttl=CACHE_TTL_S, max_entries=CACHE_ENTRIES,
               hash_funcs={types.FunctionType: lambda f: f"{f.__module__}.{f.__qualname__}"})
def _cached(view: Callable[..., Any], version: str, *args: Any, **kwargs: Any) -> Any:
    # keyed by the view's name, the data version and the arguments: the user's Access,
    # the filters, the court
    return view(con(), *args, **kwargs)


def _page_data(view: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R]) -> Callable[P, R]:
    """The view as a call without the connection, through the cache, refusing out of
    scope requests on the page."""
    @functools.wraps(view)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return _cached(view, data_version(db_path()), *args, **kwargs)
        except AccessDenied as exc:
            st.error(f"无权查看 / Not allowed: {md(exc)}")
            st.stop()
            raise  # st.stop() ends the run; this line is for the type checker
    return call


reference = _page_data(views.reference)
province = _page_data(views.province_view)
targets = _page_data(views.targets_view)
province_ranking = _page_data(views.province_ranking_view)
brief = _page_data(views.brief_view)
pending = _page_data(views.pending_view)
pending_cases = _page_data(views.pending_cases)
related_respondents = _page_data(views.related_respondents)
termination_audit = _page_data(views.termination_audit)
settlements = _page_data(views.settlements)
respondent_cases = _page_data(views.respondent_cases)
_respondent_search = _page_data(views.respondent_search)
escalation_candidates = _page_data(views.escalation_candidates)
roadmap = _page_data(views.roadmap_view)
_explorer_count = _page_data(views.explorer_count)
_explorer_page = _page_data(views.explorer_page)
_explorer_breakdown = _page_data(views.explorer_breakdown)
index_codes = _page_data(views.index_codes)
core_thresholds = _page_data(lookups.thresholds)


# ---------------------------------------------------------------- searches by text
# A search text that may hold an ID number, from a role that sees numbers masked, is a
# whole-number lookup bounded per day (supervision.security.id_lookups), checked in the
# store at every call, before the cache: a result cached for another session is not a way
# around it.


def _check_id_lookup(access: Access, text: str | None) -> None:
    if not id_lookups.allowed(store(), access, text):
        st.error(f"今天按完整证件号码查询的不同号码已达 {id_lookups.ID_LOOKUPS_PER_DAY} 个上限，"
                 "请明天再查，或请有权查看完整号码的人员查询。 / You have looked up "
                 f"{id_lookups.ID_LOOKUPS_PER_DAY} different whole ID numbers today, the most "
                 "allowed: try again tomorrow, or ask someone whose role sees full numbers.")
        st.stop()


def respondent_search(access: Access, filters: Filters, text: str) -> Any:
    _check_id_lookup(access, text)
    return _respondent_search(access, filters, text)


def explorer_count(access: Access, filters: Filters, court: str | None) -> Any:
    _check_id_lookup(access, filters.text)
    return _explorer_count(access, filters, court)


def explorer_page(access: Access, filters: Filters, court: str | None, offset: int,
                  limit: int) -> Any:
    _check_id_lookup(access, filters.text)
    return _explorer_page(access, filters, court, offset, limit)


def explorer_breakdown(access: Access, filters: Filters, court: str | None) -> Any:
    _check_id_lookup(access, filters.text)
    return _explorer_breakdown(access, filters, court)
