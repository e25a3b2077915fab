"""This run's page context: who is logged in (re-read every run), the filters and court
the sidebar chose, and the page guard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import streamlit as st

from supervision.domain.filters import Filters
from supervision.security import personal
from supervision.security.access import Access, access_for
from supervision.ui import data
from supervision.words.i18n import lang


def current_access() -> Access | None:
    """Re-read on every run, so a user disabled meanwhile loses access at once."""
    username = st.session_state.get("username")
    if not username or not st.session_state.get("session_token"):
        return None
    return access_for(data.store(), data.con(), username)


@dataclass(frozen=True)
class Context:
    access: Access
    filters: Filters
    court: str
    reference: dict[str, Any]

    def court_name(self, code: str | None = None) -> str:
        code = code or self.court
        row = self.reference["courts"].filter(pl.col("court_code") == code)
        if row.height == 0:
            return code
        return row["name_en" if lang() == "en" else "name"][0]

    def _names(self, table: str, key: str) -> dict[str, str]:
        frame = self.reference[table]
        col = "name_en" if lang() == "en" else "name"
        return dict(zip(frame[key].to_list(), frame[col].fill_null(frame["name"]).to_list(),
                        strict=True))

    def province_name(self) -> str:
        """The user's province in the current language (its short name if unknown)."""
        frame = self.reference.get("province")
        if frame is None or frame.height == 0:
            return self.access.province or ""
        col = "name_en" if lang() == "en" else "name"
        return frame[col][0] or frame["name"][0]

    def type_names(self) -> dict[str, str]:
        """Case-type code -> name in the current language."""
        return self._names("case_types", "code")

    def court_names(self) -> dict[str, str]:
        """Court code -> name in the current language (the user's courts)."""
        return self._names("courts", "court_code")

    def overall_metric(self) -> str:
        """The rate the overall ranking is on: the targets table's metric."""
        return self.reference.get("overall_metric") or "overall_rate"

    def type_name(self, code: str) -> str:
        row = self.reference["case_types"].filter(pl.col("code") == code)
        if row.height == 0:
            return code
        return row["name_en" if lang() == "en" else "name"][0]


# "the sidebar's court", for the exports' scope (None there means every court in scope)
SIDEBAR_COURT = object()


def audit_export(ctx: Context, file_name: str, what: str, *, filters: Filters | None = None,
                 court: str | None = None, access: Access | None = None,
                 **detail: object) -> None:
    """A download, in the audit trail: who, which file, from which page, and the scope the
    file really covers — its courts (every court in scope when `court` is None) and the
    filters its rows were selected with."""
    from supervision.security import audit

    used = filters or ctx.filters
    access = access or ctx.access
    courts = (court,) if court else access.allowed_courts(data.con())
    scope = used.scope()
    if scope.get("text"):
        # a search text may name a person: the trail (which the administrator reads, who
        # sees no case data) keeps its keyed reference, enough to match a known search
        scope["text"] = "keyed:" + personal.reference(scope["text"])
    audit.record(data.store(), access.username, "export", file_name, what=what,
                 court=court or "all", courts=list(courts), filters=scope,
                 as_of=used.as_of, period_start=used.start, **detail)


def run_access() -> Access | None:
    """The Access app.py read for this run (once per run; None before it did)."""
    return st.session_state.get("_run_access")


def guard(page: str) -> Access:
    """The user of this run, if `page` is one of their role's pages; otherwise the page
    stops here (st.navigation does not list it either; this is the second lock)."""
    access = run_access()
    if access is None:
        # the page file ran without app.py: a new server's first run takes a /<page> link
        # to pages/<page>.py (Streamlit's pages-folder mode, until app.py first calls
        # st.navigation). app.py's login gate keeps the page and opens it afterwards.
        st.session_state["_requested_page"] = page
        st.switch_page("app.py", query_params=st.query_params.to_dict())
    if access is None or page not in access.pages:
        st.error("无权访问此页面。 / You may not open this page.")
        st.stop()
    return access


def context(page: str) -> Context:
    """The page context app.py put in place for this run, after the page guard."""
    access = guard(page)
    ctx: Context | None = st.session_state.get("_ctx")
    if ctx is None or ctx.access != access:
        st.error("无权访问此页面。 / You may not open this page.")
        st.stop()
    return ctx
