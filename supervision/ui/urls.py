"""The URL as the view's memory: filters are read from st.query_params once per session
and written back after each run, so a copied URL reproduces the view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import Any

import streamlit as st

ROOT = Path(__file__).resolve().parents[2]


def url_param(key: str) -> str | None:
    value = st.query_params.get(key)
    return value if value not in (None, "") else None


def seed(key: str, value: Any) -> None:
    """Give a widget its first value (from the URL), once per session."""
    if key not in st.session_state:
        st.session_state[key] = value


def parse_date(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except (ValueError, TypeError):
        return dt.date.min  # out of every range: refused with a message


def parse_range(text: str | None) -> tuple[dt.date, ...]:
    """`2026-01-01..2026-03-31` -> the two dates (a date-range widget's value); else ()."""
    try:
        first, last = (dt.date.fromisoformat(p) for p in (text or "").split(".."))
    except ValueError:
        return ()
    return (first, last) if first <= last else ()


def range_ends(value: Any) -> tuple[dt.date | None, dt.date | None]:
    """A date-range widget's value as (from, to); a half-picked range has no end yet."""
    value = tuple(value) if isinstance(value, list | tuple) else ()
    return (value + (None, None))[:2]


def format_range(value: Any) -> str | None:
    first, last = range_ends(value)
    return f"{first.isoformat()}..{last.isoformat()}" if first and last else None


def parse_list(text: str | None, allowed: list[str]) -> list[str]:
    if not text:
        return []
    return [v for v in text.split(",") if v in allowed]


def parse_float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def sync_params(values: dict[str, Any]) -> None:
    """Write the given filters to the URL (empty ones removed), leaving other keys alone."""
    for key, value in values.items():
        if value in (None, "", [], ()):
            if key in st.query_params:
                del st.query_params[key]
            continue
        text = ",".join(value) if isinstance(value, list | tuple) else str(value)
        if st.query_params.get(key) != text:
            st.query_params[key] = text


def url_toggle(label: str, *, key: str, param: str, on: str = "1",
               help: str | None = None) -> bool:
    """A page's switch whose state is in the URL (`param=on` when on, absent when off): a
    copied link opens the same side of it."""
    seed(key, url_param(param) == on)
    value = st.toggle(label, key=key, help=help)
    sync_params({param: on if value else None})
    return value


def url_pick(picked: str | None, *, param: str, key: str,
             allowed: Collection[str]) -> str | None:
    """The row a page shows, kept in the URL as `param`: the one just picked in its table
    (None when the pick was cleared), else the URL's (a copied link; a rerun after a save,
    whose new data reset the table's selection). A value not in `allowed` shows nothing."""
    seen = f"{key}_seen"
    if picked != st.session_state.get(seen):
        st.session_state[seen] = picked
        chosen = picked
    else:
        chosen = picked or url_param(param)
    chosen = chosen if chosen in allowed else None
    sync_params({param: chosen})
    return chosen


def keep_pick(key: str) -> None:
    """Before a rerun that may reset the table's selection (a save): the URL's pick stays."""
    st.session_state[f"{key}_seen"] = None
