"""Court brief for a site visit: 3+1 indices, backward indices, trend, pending caseload.
Printable on A4 from the browser and downloadable as XLSX."""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision.safe_output import md, safe_xlsx_bytes
from supervision.ui import charts, data, sidebar, state
from supervision.ui.fmt import pct, wan_column
from supervision.ui.i18n import enum, headers, t
from supervision.views import AGE_BANDS

ctx = state.context("brief")
brief = data.brief(ctx.access, ctx.filters, ctx.court)

caption = sidebar.filters_caption(ctx)
st.title(f"{t('page_brief')} · {md(ctx.court_name())}")
st.caption(t("print_hint"))

# --- 3+1 core indices, red / amber / green
backward: pl.DataFrame = brief["backward"]
core = backward.filter(~pl.col("index").str.starts_with("rank_"))
st.subheader(t("core_title"))
cols = st.columns(4)
for col, row in zip(cols, core.iter_rows(named=True), strict=False):
    colour = charts.STATUS_COLOURS[row["status"]]
    col.markdown(
        f"<div style='border-left:8px solid {colour};padding:4px 10px'>"
        f"<div style='font-size:0.85rem'>{enum(row['index'])}</div>"
        f"<div style='font-size:1.8rem;font-weight:600'>{pct(row['value'])}</div>"
        f"<div style='font-size:0.8rem'>{t('threshold')} {pct(row['threshold'], 0)} · "
        f"{t('province_value')} {pct(row['province_value'])} · {enum(row['status'])}</div></div>",
        unsafe_allow_html=True)
st.caption(caption)

# --- backward indices with reasons
st.subheader(t("backward_title"))
flagged = backward.filter(pl.col("reasons").list.len() > 0)


def index_label(code: str) -> str:
    if code.startswith("rank_"):
        ranking = code.removeprefix("rank_")
        name = t("overall_rate") if ranking == "overall" else ctx.type_name(ranking)
        return f"{t('national_rank')} · {name}"
    return enum(code)


if flagged.height == 0:
    st.write(t("no_backward"))
else:
    table = pl.DataFrame({
        t("backward_title"): [index_label(c) for c in flagged["index"]],
        t("value"): [pct(v) for v in flagged["value"]],
        t("threshold"): [pct(v) for v in flagged["threshold"]],
        t("province_value"): [pct(v) for v in flagged["province_value"]],
        t("rank"): [("—" if r is None else f"{r}" + ("" if p is None else f" (← {p})"))
                    for r, p in zip(flagged["rank"], flagged["rank_week_before"], strict=True)],
        t("reason"): ["；".join(enum(r) for r in rs) for rs in flagged["reasons"]],
    })
    st.dataframe(table, hide_index=True, width="stretch")
st.caption(caption)

# --- weekly trend of rate and rank
weekly = brief["weekly"]
if weekly.height:
    k = brief["ranks"].filter(pl.col("ranking") == brief["headline"])["target_rank"][0]
    st.plotly_chart(charts.trend(weekly, title=t("trend_title"), rate_label=t(weekly["metric"][0]),
                                 rank_label=t("national_rank"), cutoff_label=t("cutoff", k=k)),
                    width="stretch", key="brief_trend")
    st.caption(caption)

# --- pending caseload by type and age
st.subheader(t("pending_type_age"))
by_age = brief["pending_by_type_age"].with_columns(
    type_name=pl.col("case_type").map_elements(ctx.type_name, return_dtype=pl.String))
if by_age.height == 0:
    st.write(t("no_match"))
else:
    st.plotly_chart(charts.stacked_bars(
        by_age, x="type_name", y="cases", colour="age_band", title=t("pending_type_age"),
        x_title=t("case_type"), y_title=t("count"),
        colour_names={b: enum(b) for b in AGE_BANDS}, order=AGE_BANDS), width="stretch",
        key="brief_age")
st.caption(caption)

# --- the largest-value pending cases
st.subheader(t("largest_pending"))
largest = brief["largest_pending"]
if largest.height == 0:
    st.write(t("no_match"))
else:
    shown = largest.select(
        "case_number",
        pl.col("case_type").map_elements(ctx.type_name, return_dtype=pl.String),
        wan_column("amount_yuan"),
        pl.col("filed_on").cast(pl.String), pl.col("statutory_deadline").cast(pl.String),
        "days_to_deadline",
        pl.col("priority").map_elements(enum, return_dtype=pl.String),
        pl.col("complexity").map_elements(enum, return_dtype=pl.String),
        "respondent_name", "judge")
    st.dataframe(headers(shown), hide_index=True, width="stretch",
                 column_config={t("value_wan"): st.column_config.NumberColumn(format="%,.1f")})
st.caption(caption)


def brief_workbook() -> bytes:
    """The brief's tables as one XLSX workbook, a sheet each (no cell a live formula)."""
    return safe_xlsx_bytes({
        "core_indices": brief["core"],
        "backward": backward.with_columns(pl.col("reasons").list.join(", ")),
        "ranks": brief["ranks"],
        "weekly": weekly,
        "pending_by_type_age": brief["pending_by_type_age"],
        "largest_pending": largest,
    }, notes=[t("page_brief") + " · " + ctx.court_name(), caption])


file_name = f"brief_{ctx.court}_{ctx.filters.as_of.isoformat()}.xlsx"
st.download_button(t("download_xlsx"), data=brief_workbook,  # built only on click
                   file_name=file_name,
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   key="brief_xlsx", on_click=state.audit_export,
                   args=(ctx, file_name, "court brief"))
