"""Files people hand over: named after the page, the court and the date; the filters, the
data date and the last import inside; headers and values as on screen; every download in
the audit trail. Also the freshness line every page shows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import polars as pl
import streamlit as st

from supervision.domain.filters import Filters
from supervision.output.safe_output import safe_csv_bytes, safe_xlsx_bytes
from supervision.security import audit, request_check
from supervision.security.access import Access
from supervision.ui import data, state
from supervision.words.fmt import zoned_time
from supervision.words.i18n import column_header as headers_of
from supervision.words.i18n import deferred, t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# below this many rows the XLSX is built when clicked; above it, with a progress bar first
XLSX_DIRECT_ROWS = 20_000
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\s]+')


def audited(ctx: state.Context, name: str, what: str, build: Callable[..., bytes], *,
            filters: Filters | None = None, court: str | None | object = state.SIDEBAR_COURT,
            detail: dict[str, object] | None = None) -> Callable[..., bytes]:
    """`build`, run only if the session still holds when it is clicked, and recorded in the
    audit trail with the scope it really covers: `filters` (default: the sidebar's) and
    `court` (default: the sidebar's court; None: every court the user may see), and `detail`
    (what else selects the rows, e.g. a respondent's reference). The buttons
    use on_click="ignore", so a click never reruns the page (a rerun replaced the other
    download buttons under the pointer) — hence the check here, when the file is made."""
    token = st.session_state.get("session_token")
    used = filters or ctx.filters
    scope_court = ctx.court if court is state.SIDEBAR_COURT else court

    def make(*args: object, **kwargs: object) -> bytes:
        access = checked_access(ctx.access, token, name, what)
        state.audit_export(ctx, name, what, filters=used, court=scope_court, access=access,
                           **(detail or {}))
        return build(*args, **kwargs)
    return deferred(make)


def checked_access(drawn_with: Access, token: str | None, name: str, what: str) -> Access:
    """The user's access at the moment a file is asked for; a lapsed session or changed
    access is refused (RequestRefused: nothing is delivered) and recorded."""
    try:
        return request_check.live_access(data.store(), data.con(), token, drawn_with)
    except request_check.RequestRefused as refused:
        audit.record(data.store(), drawn_with.username, "export_refused", name, what=what,
                     reason=refused.reason)
        raise


def checked_file(access: Access, name: str, what: str, build: Callable[[], bytes],
                 **detail: object) -> Callable[[], bytes]:
    """A download outside a case page (the admin's): the session re-checked when it is
    clicked, then audited with `detail`, then built."""
    token = st.session_state.get("session_token")

    def make() -> bytes:
        checked_access(access, token, name, what)
        audit.record(data.store(), access.username, "export", name, what=what, **detail)
        return build()
    return deferred(make)


def freshness_text(ctx: state.Context) -> str:
    """"Data up to <last date>; last imported <time>." in the UI's language."""
    latest = ctx.reference.get("latest")
    loaded: dt.datetime | None = ctx.reference.get("loaded_at")
    return t("data_freshness", latest=latest.isoformat() if latest else "—",
             imported=zoned_time(loaded))


def freshness_caption(ctx: state.Context) -> None:
    st.caption(freshness_text(ctx))


def file_name(ctx: state.Context, page: str, suffix: str, court_label: str | None = None
              ) -> str:
    """<page>_<court>_<as-of date>.<suffix>, in the UI's language, safe on every system."""
    parts = [t(f"page_{page}"), court_label or ctx.court_name(), ctx.filters.as_of.isoformat()]
    return "_".join(_UNSAFE_IN_NAME.sub("-", p).strip("-") for p in parts) + "." + suffix


def notes(ctx: state.Context, page: str, caption: str, court_label: str | None = None
          ) -> list[str]:
    """What a file holds, for whoever opens it: page and court, filters, data date,
    export time and user. `caption` is the plain-text filter line."""
    return [f"{t('page_' + page)} · {court_label or ctx.court_name()}", caption,
            freshness_text(ctx),
            t("exported_by", user=ctx.access.display_name or ctx.access.username,
              at=zoned_time(dt.datetime.now(dt.UTC)))]


def case_downloads(ctx: state.Context, *, page: str, frame: Callable[[], pl.DataFrame],
                   caption: str, court_label: str | None = None,
                   kinds: dict[str, str] | None = None, rows: int = 0,
                   view: object = None, filters: Filters | None = None,
                   court: str | None | object = state.SIDEBAR_COURT,
                   detail: dict[str, object] | None = None,
                   audit_label: str | None = None) -> None:
    """CSV and XLSX of a case table (`frame` is called only when a file is built);
    `filters` and `court` are the scope the table really covers (see `audited`);
    `audit_label` stands for `court_label` in the file name the audit trail records (a
    person's name is not written there: the administrator reads it)."""
    scope = {"filters": filters, "court": court, "detail": detail}
    info = notes(ctx, page, caption, court_label)
    csv_name = file_name(ctx, page, "csv", court_label)
    xlsx_name = file_name(ctx, page, "xlsx", court_label)
    audit_names = ((file_name(ctx, page, "csv", audit_label),
                    file_name(ctx, page, "xlsx", audit_label)) if audit_label
                   else (csv_name, xlsx_name))
    kinds = kinds or {headers_of("amount_wan"): "wan", headers_of("recovered_wan"): "wan"}
    # a page with several tables of one kind (the roadmap: one per ranking) keys each by its view
    key = page if view is None else f"{page}_{view}"
    c1, c2 = st.columns(2)
    c1.download_button(t("download_csv"),
                       data=audited(ctx, audit_names[0], page,
                                    lambda: safe_csv_bytes(frame(), notes=info), **scope),
                       file_name=csv_name, mime="text/csv", key=f"{key}_csv",
                       on_click="ignore")
    with c2:
        xlsx_download(ctx, page=page, name=xlsx_name, rows=rows, key=f"{key}_xlsx", view=view,
                      scope=scope, audit_name=audit_names[1], build=deferred(lambda progress=None: safe_xlsx_bytes(
                          {t("page_" + page)[:31]: frame()}, notes=info,
                          notes_title=t("about_sheet"), kinds=kinds, progress=progress)))


def xlsx_download(ctx: state.Context, *, page: str, name: str, rows: int, key: str,
                  build: Callable[..., bytes], view: object = None,
                  scope: dict[str, object] | None = None,
                  audit_name: str | None = None) -> None:
    """A small workbook is built when its button is clicked. A large one takes seconds:
    a first button builds it with a progress bar, then the download button appears."""
    if rows <= XLSX_DIRECT_ROWS:
        st.download_button(t("download_xlsx_cases"),
                           data=audited(ctx, audit_name or name, page, build, **(scope or {})),
                           file_name=name, mime=XLSX_MIME, key=key, on_click="ignore")
        return
    ready = st.session_state.get(f"{key}_ready")
    view = (name, ctx.filters, view)
    if ready and ready[0] == view:
        content = ready[1]
        st.download_button(t("download_xlsx_cases"),
                           data=audited(ctx, audit_name or name, page, lambda: content,
                                        **(scope or {})),
                           file_name=name,
                           mime=XLSX_MIME, key=key, on_click="ignore", type="primary")
        return
    if st.button(t("prepare_xlsx", n=f"{rows:,}"), key=f"{key}_prepare"):
        bar = st.progress(0.0, text=t("preparing"))
        content = build(progress=lambda share: bar.progress(min(share, 1.0),
                                                            text=t("preparing")))
        bar.empty()
        st.session_state[f"{key}_ready"] = (view, content)
        st.rerun()
