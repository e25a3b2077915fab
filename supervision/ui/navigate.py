"""Drill-through: from a court in a chart or table to its brief, from a backward index to
the cases behind it in the explorer. The target page reads its view from the URL, so the
sidebar's language-labelled widgets are forgotten first and re-seeded from it."""

from __future__ import annotations

import streamlit as st

from supervision.ui import sidebar


def _go(page_file: str, page: str, **params: str | None) -> None:
    query = {k: v for k, v in st.query_params.to_dict().items() if k in sidebar.URL_KEYS}
    query.update({k: v for k, v in params.items() if v is not None})
    for k, v in params.items():
        if v is None:
            query.pop(k, None)
    query["page"] = page
    sidebar.forget_labelled_widgets()
    st.switch_page(page_file, query_params=query)


def open_brief(court: str) -> None:
    """The court's brief, with the filters of this view."""
    _go("pages/court_brief.py", "brief", court=court)


# the sidebar's case filters in the URL: an index's list is the official one (all the
# court's cases of the period), so an index drill-through leaves them out
NARROWING_KEYS = ("type", "band", "vmin", "vmax", "pri", "cx")


def open_explorer(court: str, **params: str | None) -> None:
    """The explorer on `court` with `params` (explorer keys) and the sidebar's filters —
    except with `index` (the cases holding an index down), which drops the sidebar's value,
    priority, complexity and type filters: they would intersect the official list."""
    for key in ("x_all", "x_method", "x_rkind", "x_q", "x_filed_range", "x_closed_range",
                "x_drill", "x_view", "x_saved", "x_index"):
        st.session_state.pop(key, None)
    if params.get("index"):
        params = {**dict.fromkeys(NARROWING_KEYS), **params}
    _go("pages/explorer.py", "explorer", court=court, **params)


def open_respondent(respondent_key: str) -> None:
    """The respondent page for one respondent, by its keyed reference (HMAC of the ID
    number under the server's key: supervision.security.personal.reference), never the number."""
    st.session_state.pop("r_query", None)
    _go("pages/respondent.py", "respondent", respondent=respondent_key, rq=None)
