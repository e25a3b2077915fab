"""Explorer: free filtering of the case base; only the rows shown are fetched; the
filtered set downloads as CSV or XLSX; clicking the chart drills down."""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision import domain
from supervision.safe_output import md, safe_csv_bytes, safe_xlsx_bytes
from supervision.ui import charts, data, sidebar, state, urls
from supervision.ui.fmt import num, wan, wan_column
from supervision.ui.i18n import enum, headers, t

PAGE_SIZE = 50
EXPORT_CAP = 100_000
METHODS = [domain.PENDING.code, *domain.codes(domain.CLOSING_METHODS)]
KINDS = domain.codes(domain.RESPONDENT_KINDS)

ctx = state.context("explorer")
st.title(t("page_explorer"))

urls.seed("x_all", st.query_params.get("all", "1") == "1")
urls.seed("x_method", urls.parse_list(urls.url_param("method"), METHODS))
urls.seed("x_rkind", urls.parse_list(urls.url_param("rkind"), KINDS))
urls.seed("x_q", urls.url_param("q") or "")

with st.expander(t("explorer_extra"), expanded=True):
    c1, c2, c3 = st.columns(3)
    all_courts = c1.checkbox(f"{t('court')}: {t('all')}", key="x_all")
    methods = c2.multiselect(t("closing_method"), METHODS, key="x_method", format_func=enum,
                             placeholder=t("all"))
    kinds = c3.multiselect(t("respondent_kind"), KINDS, key="x_rkind", format_func=enum,
                           placeholder=t("all"))
    d1, d2, d3 = st.columns(3)
    filed = d1.date_input(t("filed_range"), value=[], key="x_filed_range", format="YYYY-MM-DD")
    closed = d2.date_input(t("closed_range"), value=[], key="x_closed_range", format="YYYY-MM-DD")
    text = d3.text_input(t("search"), key="x_q")


def _range(value) -> tuple:
    value = tuple(value) if isinstance(value, list | tuple) else ()
    return (value + (None, None))[:2]


filed_from, filed_to = _range(filed)
closed_from, closed_to = _range(closed)
drill = st.session_state.get("x_drill") or {}
court = None if all_courts else ctx.court   # None: every court the user may see
filters = ctx.filters.with_(
    closing_methods=tuple(methods) or (tuple([drill["status"]]) if drill.get("status") else None),
    respondent_kinds=tuple(kinds) or None,
    filed_from=filed_from, filed_to=filed_to, closed_from=closed_from, closed_to=closed_to,
    text=text.strip() or None)
if drill.get("case_type"):
    filters = filters.with_(case_types=(drill["case_type"],))
urls.sync_params({"all": None if all_courts else "0", "method": methods, "rkind": kinds,
                   "q": text.strip() or None})

caption = sidebar.filters_caption(ctx, scope=t("all") if all_courts else None)
if drill:
    caption += " · " + " · ".join(enum(v) if k == "status" else md(ctx.type_name(v))
                                  for k, v in drill.items())
total = data.explorer_count(ctx.access, filters, court)

st.write(t("rows_found", n=num(total["cases"]), v=wan(total["value_yuan"])))
if total["transferred"]:
    st.caption(t("transferred_note", n=num(total["transferred"])))
if total["cases"] == 0:
    st.info(t("no_match"))
    st.caption(caption)
    if drill and st.button("×", key="x_clear_drill_empty"):
        st.session_state["x_drill"] = {}
        st.rerun()
    st.stop()

breakdown = data.explorer_breakdown(ctx.access, filters, court).with_columns(
    type_name=pl.col("case_type").map_elements(ctx.type_name, return_dtype=pl.String))
fig = charts.stacked_bars(breakdown, x="type_name", y="cases", colour="status",
                          title=t("breakdown_title"), x_title=t("case_type"), y_title=t("count"),
                          colour_names={m: enum(m) for m in METHODS}, order=METHODS,
                          custom=["case_type", "status"])
event = st.plotly_chart(fig, width="stretch", on_select="rerun", selection_mode="points",
                        key="explorer_chart")
points = event.get("selection", {}).get("points", []) if event else []
if points and points[0].get("customdata"):
    case_type, status = list(points[0]["customdata"])[:2]
    if drill != {"case_type": case_type, "status": status}:
        st.session_state["x_drill"] = {"case_type": case_type, "status": status}
        st.rerun()
if drill and st.button("× " + t("filters"), key="x_clear_drill"):
    st.session_state["x_drill"] = {}
    st.rerun()
st.caption(caption)

pages = max(1, -(-total["cases"] // PAGE_SIZE))
page = st.number_input(t("page_no"), min_value=1, max_value=pages, value=1, step=1,
                       key="x_page", help=f"1–{pages:,}")
rows = data.explorer_page(ctx.access, filters, court, (page - 1) * PAGE_SIZE, PAGE_SIZE)
st.dataframe(headers(rows.with_columns(
    wan_column("amount_yuan"),
    pl.col("status").map_elements(enum, return_dtype=pl.String),
    pl.col("case_type").map_elements(ctx.type_name, return_dtype=pl.String),
    pl.col("priority").map_elements(enum, return_dtype=pl.String),
    pl.col("complexity").map_elements(enum, return_dtype=pl.String),
    pl.col("respondent_kind").map_elements(enum, return_dtype=pl.String),
    pl.col("filed_on").cast(pl.String), pl.col("closed_on").cast(pl.String),
).drop("amount_yuan")), hide_index=True, width="stretch",
    column_config={t("value_wan"): st.column_config.NumberColumn(format="%,.1f")})
st.caption(caption)

if total["cases"] > EXPORT_CAP:
    st.caption(t("export_capped", n=f"{EXPORT_CAP:,}"))


def export_frame():
    return data.explorer_page(ctx.access, filters, court, 0, EXPORT_CAP)


def export_xlsx() -> bytes:
    return safe_xlsx_bytes({"cases": export_frame()}, notes=[caption])


# both files are built only when clicked (deferred data); neither holds a live formula
c1, c2 = st.columns(2)
c1.download_button(t("download_csv"), data=lambda: safe_csv_bytes(export_frame()),
                   file_name="cases.csv", mime="text/csv", key="x_csv",
                   on_click=state.audit_export, args=(ctx, "cases.csv", "explorer"))
c2.download_button(t("download_xlsx_cases"), data=export_xlsx, file_name="cases.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   key="x_xlsx", on_click=state.audit_export, args=(ctx, "cases.xlsx", "explorer"))
