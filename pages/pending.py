"""Pending cases: complexity × priority triage, deadline countdown, roadmap, judges.
Clicking a bar lists its cases, largest value first. Related cases against one respondent
are listed across every court the user may see, and say so."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from supervision.engine.roadmap import PRIOR_CASES
from supervision.output.safe_output import md
from supervision.ui import charts, data, exports, navigate, sidebar, state, urls
from supervision.ui.tables import case_rows, on_screen
from supervision.words.fmt import num, wan
from supervision.words.i18n import enum, enum_column, headers, t

CASE_COLUMNS = ["case_number", "case_type", "amount_yuan", "priority", "complexity", "filed_on",
                "statutory_deadline", "days_to_deadline", "target_close_on", "respondent_name",
                "judge"]


def _picked(event, fields: int) -> list | None:  # noqa: ANN001 - a plotly selection event
    """The customdata of the first clicked point, if any."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        return None
    custom = points[0].get("customdata")
    return list(custom)[:fields] if custom else None


def caseload(ctx: state.Context, pending: dict, summary: pl.DataFrame, caption: str) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("pending"), num(int(summary["cases"].sum())))
    c2.metric(t("value_wan"), wan(summary["value_yuan"].sum()))
    c3.metric(t("overdue"), num(int(summary["overdue"].sum())))
    c4.metric(t("due_30"), num(int(summary["due_30_days"].sum())))
    st.caption(caption)

    st.caption(t("click_hint"))
    priorities = {p: enum(p) for p in sidebar.PRIORITIES}
    left, right = st.columns(2)
    with left:
        triage = summary.with_columns(cx_name=enum_column("complexity"))
        fig = charts.stacked_bars(triage, x="cx_name", y="cases", colour="priority",
                                  title=t("triage_title"), x_title=t("complexity"),
                                  y_title=t("count"), colour_names=priorities,
                                  order=sidebar.PRIORITIES, custom=["complexity", "priority"],
                                  legend_title=t("priority"))
        triage_event = st.plotly_chart(fig, width="stretch", on_select="rerun",
                                       selection_mode="points", config=charts.config(), key="triage_chart")
        st.caption(caption)
    with right:
        timetable = pending["timetable"].with_columns(pl.col("target_week").cast(pl.String))
        # the switch is in the URL (`timetable=roadmap`): a copied link shows the same weeks
        by_roadmap = "roadmap" in ctx.access.pages and urls.url_toggle(
            t("roadmap_timetable"), key="pending_by_roadmap", param="timetable", on="roadmap",
            help=t("roadmap_method", prior=PRIOR_CASES))
        if by_roadmap:
            # the roadmap's weeks for the cases it plans (the headline ranking's roadmap)
            plans = data.roadmap(ctx.access, ctx.filters, ctx.court)
            planned = next(iter(plans.values()))["cases"] if plans else pl.DataFrame()
            timetable = (planned.group_by("week", "priority").agg(cases=pl.len())
                         .select(pl.col("week").cast(pl.String).alias("target_week"),
                                 "priority", "cases").sort("target_week")
                         if planned.height else timetable.head(0))
        fig = charts.stacked_bars(timetable, x="target_week", y="cases", colour="priority",
                                  title=t("timetable_title"), x_title=t("week"),
                                  y_title=t("count"), colour_names=priorities,
                                  order=sidebar.PRIORITIES, custom=["target_week", "priority"],
                                  legend_title=t("priority"))
        timetable_event = st.plotly_chart(fig, width="stretch", on_select="rerun",
                                          selection_mode="points", config=charts.config(), key="timetable_chart")
        st.caption(caption)

    judges = pending["judges"]
    fig = charts.stacked_bars(judges.with_columns(kind=pl.lit("cases")), x="judge", y="cases",
                              colour="kind", title=t("judges_title"), x_title=t("judge"),
                              y_title=t("count"), colour_names={"cases": t("pending")},
                              horizontal=True, custom=["judge"])
    judge_event = st.plotly_chart(fig, width="stretch", on_select="rerun",
                                  selection_mode="points", config=charts.config(), key="judge_chart")
    st.caption(caption)

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
        # a judge's name is imported text (and a click's customdata is the browser's):
        # shown as typed, never as markdown
        st.caption(" · ".join(
            f"{names[k]}: {md(enum(v) if k in ('complexity', 'priority') else v)}"
            for k, v in selection.items()))
    cases = data.pending_cases(ctx.access, ctx.filters, ctx.court, **selection)
    if cases.height == 0:
        st.info(t("no_pending"))
    else:
        st.dataframe(on_screen(case_rows(cases.select(CASE_COLUMNS), ctx)), hide_index=True,
                     width="stretch", placeholder="—",
                     column_config={t("value_wan"): st.column_config.NumberColumn(
                         format="%,.1f")})
    st.caption(caption)


def related_cases(ctx: state.Context) -> None:
    st.subheader(t("related_title"))
    st.caption(t("related_scope", scope=md(ctx.province_name())))
    related = data.related_respondents(ctx.access, ctx.filters)
    if related.height == 0:
        st.info(t("no_pending"))
    else:
        court_names = ctx.court_names()
        picked = st.dataframe(headers(related.select(
            "respondent_name",
            "respondent_id",     # masked by the view unless the role sees full numbers
            enum_column("respondent_kind"),
            pl.col("cases").alias(t("count")),
            pl.col("courts").alias(t("courts_n")),
            (pl.col("value_yuan") / 10_000).round(1).alias("amount_wan"),
            pl.col("court_codes").str.split(", ").list.eval(
                pl.element().replace_strict(court_names, default=pl.element()))
            .list.join(t("enum_sep")).alias(t("court")))), hide_index=True, width="stretch",
            placeholder="—", on_select="rerun", selection_mode="single-row",
            key="related_table")
        st.caption(t("related_click"))
        rows = (picked or {}).get("selection", {}).get("rows", []) if picked else []
        if rows and "respondent" in ctx.access.pages:
            navigate.open_respondent(related["respondent_key"][rows[0]])
    st.caption(sidebar.filters_caption(ctx, scope=t("related_scope_short")))


ctx = state.context("pending")
pending = data.pending(ctx.access, ctx.filters, ctx.court)
caption = sidebar.filters_caption(ctx)
st.title(f"{t('page_pending')} · {md(ctx.court_name())}")
exports.freshness_caption(ctx)
summary: pl.DataFrame = pending["summary"]
if summary.height == 0:
    # no early stop: the run ends normally and the URL keeps the view's filters
    st.info(t("no_pending"))
    st.caption(caption)
else:
    caseload(ctx, pending, summary, caption)
related_cases(ctx)
