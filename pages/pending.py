"""Pending cases: complexity × priority triage, deadline countdown, roadmap, judges.
Clicking a bar lists its cases, largest value first."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from supervision.safe_output import md
from supervision.ui import charts, data, sidebar, state
from supervision.ui.fmt import num, wan, wan_column
from supervision.ui.i18n import enum, headers, t

ctx = state.context("pending")
pending = data.pending(ctx.access, ctx.filters, ctx.court)

caption = sidebar.filters_caption(ctx)
st.title(f"{t('page_pending')} · {md(ctx.court_name())}")
summary: pl.DataFrame = pending["summary"]
if summary.height == 0:
    st.info(t("no_match"))
    st.caption(caption)
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric(t("pending"), num(int(summary["cases"].sum())))
c2.metric(t("value_wan"), wan(summary["value_yuan"].sum()))
c3.metric(t("overdue"), num(int(summary["overdue"].sum())))
c4.metric(t("due_30"), num(int(summary["due_30_days"].sum())))
st.caption(caption)

st.caption(t("click_hint"))
left, right = st.columns(2)
with left:
    triage = summary.with_columns(cx_name=pl.col("complexity").map_elements(
        enum, return_dtype=pl.String))
    fig = charts.stacked_bars(triage, x="cx_name", y="cases", colour="priority",
                              title=t("triage_title"), x_title=t("complexity"),
                              y_title=t("count"), colour_names={p: enum(p) for p in sidebar.PRIORITIES},
                              order=sidebar.PRIORITIES, custom=["complexity", "priority"])
    triage_event = st.plotly_chart(fig, width="stretch", on_select="rerun",
                                   selection_mode="points", key="triage_chart")
    st.caption(caption)
with right:
    timetable = pending["timetable"].with_columns(pl.col("target_week").cast(pl.String))
    fig = charts.stacked_bars(timetable, x="target_week", y="cases", colour="priority",
                              title=t("timetable_title"), x_title=t("week"), y_title=t("count"),
                              colour_names={p: enum(p) for p in sidebar.PRIORITIES},
                              order=sidebar.PRIORITIES, custom=["target_week", "priority"])
    timetable_event = st.plotly_chart(fig, width="stretch", on_select="rerun",
                                      selection_mode="points", key="timetable_chart")
    st.caption(caption)

judges = pending["judges"]
fig = charts.stacked_bars(judges.with_columns(kind=pl.lit("cases")), x="judge", y="cases",
                          colour="kind", title=t("judges_title"), x_title=t("judge"),
                          y_title=t("count"), colour_names={"cases": t("pending")},
                          horizontal=True, custom=["judge"])
judge_event = st.plotly_chart(fig, width="stretch", on_select="rerun", selection_mode="points",
                              key="judge_chart")
st.caption(caption)


def _picked(event, fields: int) -> list | None:
    """The customdata of the first clicked point, if any."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        return None
    data = points[0].get("customdata")
    return list(data)[:fields] if data else None


selection: dict = {}
if pick := _picked(triage_event, 2):
    selection = {"complexity": pick[0], "priority": pick[1]}
elif pick := _picked(timetable_event, 2):
    selection = {"target_week": dt.date.fromisoformat(pick[0]), "priority": pick[1]}
elif pick := _picked(judge_event, 1):
    selection = {"judge": pick[0]}

st.subheader(t("cases_of") if selection else t("largest_pending"))
if selection:
    names = {"complexity": t("complexity"), "priority": t("priority"),
             "target_week": t("week"), "judge": t("judge")}
    st.caption(" · ".join(f"{names[k]}: {enum(v) if isinstance(v, str) else v}"
                          for k, v in selection.items()))
cases = data.pending_cases(ctx.access, ctx.filters, ctx.court, **selection)
if cases.height == 0:
    st.write(t("no_match"))
else:
    st.dataframe(headers(cases.select(
        "case_number",
        pl.col("case_type").map_elements(ctx.type_name, return_dtype=pl.String),
        wan_column("amount_yuan"),
        pl.col("priority").map_elements(enum, return_dtype=pl.String),
        pl.col("complexity").map_elements(enum, return_dtype=pl.String),
        pl.col("filed_on").cast(pl.String), pl.col("statutory_deadline").cast(pl.String),
        "days_to_deadline", pl.col("target_close_on").cast(pl.String),
        "respondent_name", "judge")),
        hide_index=True, width="stretch",
        column_config={t("value_wan"): st.column_config.NumberColumn(format="%,.1f")})
st.caption(caption)

# --- related cases against one respondent, across the user's courts
st.subheader(t("related_title"))
related = data.related_respondents(ctx.access, ctx.filters)
if related.height == 0:
    st.write(t("no_match"))
else:
    st.dataframe(headers(related.select(
        "respondent_name",
        pl.col("respondent_kind").map_elements(enum, return_dtype=pl.String),
        pl.col("cases").alias(t("count")),
        pl.col("courts").alias(t("court")),
        wan_column("value_yuan"),
        "court_codes")), hide_index=True, width="stretch")
st.caption(sidebar.filters_caption(ctx, scope=t("all")))
