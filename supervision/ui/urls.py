"""The URL as the view's memory: filters are read from st.query_params once per session
and written back after each run, so a copied URL reproduces the view."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st


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
