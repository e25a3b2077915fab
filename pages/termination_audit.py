"""The 终本 audit: did the court's terminations of the current procedure meet their closing
conditions? Qualified rate by month and by court, the unqualified cases with the conditions
they miss (sortable, exportable), closings within 3 months and resumed cases after them."""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision.output.safe_output import md
from supervision.ui import charts, data, exports, sidebar, state, urls
from supervision.ui.tables import AMOUNT_FORMAT, case_rows, number_columns, on_screen
from supervision.words.fmt import num, pct
from supervision.words.i18n import enum_names, help_text, t

CONDITIONS = ("notice_served", "consumption_restricted", "dishonest_listed",
              "network_inquiry_done", "site_investigation_done", "applicant_informed")
AUDIT_COLUMNS = ["case_number", "case_type", "filed_on", "closed_on", "months_to_close",
                 "amount_yuan", "respondent_name", "judge"]

ctx = state.context("termination")
audit = data.termination_audit(ctx.access, ctx.filters, ctx.court)
caption = sidebar.filters_caption(ctx)
st.title(f"{t('page_termination')} · {md(ctx.court_name())}")
exports.freshness_caption(ctx)

monthly: pl.DataFrame = audit["monthly"]
own = monthly.filter(pl.col("court_code") == ctx.court)
cases: pl.DataFrame = audit["cases"]
terminations = int(own["terminations"].sum())
qualified = int(own["qualified"].sum())

c1, c2, c3, c4 = st.columns(4)
c1.metric(t("terminations"), num(terminations))
c2.metric(t("qualified_rate"), pct(qualified / terminations if terminations else None),
          help=help_text("termination_qualified",
                         threshold=pct(data.core_thresholds().get("termination_qualified"))))
c3.metric(t("closed_within_3_months_n"), num(int(own["closed_within_3_months"].sum())))
c4.metric(t("resumed_after"), num(int(own["resumed_after_termination"].sum())),
          help=t("resumed_help"))
st.caption(caption)

if terminations == 0:
    st.info(t("no_terminations"))
else:
    by_month = own.with_columns(month=pl.col("month").cast(pl.String),
                                unqualified=pl.col("terminations") - pl.col("qualified"))
    long = by_month.unpivot(index="month", on=["qualified", "unqualified"],
                            variable_name="kind", value_name="cases")
    names = {"qualified": t("qualified"), "unqualified": t("unqualified")}
    st.plotly_chart(charts.stacked_bars(long, x="month", y="cases", colour="kind",
                                        title=t("termination_monthly"), x_title=t("month"),
                                        y_title=t("count"), colour_names=names,
                                        order=["qualified", "unqualified"]),
                    width="stretch", key="termination_monthly", config=charts.config())
    st.caption(caption)

    st.subheader(t("unqualified_cases"))
    every_case = urls.url_toggle(t("all_terminations"), key="termination_all", param="every",
                                 help=t("all_terminations_help"))
    unqualified = cases if every_case else cases.filter(pl.col("missing").list.len() > 0)
    if unqualified.height == 0:
        st.success(t("all_qualified"))
    else:
        labels = enum_names()
        missing = unqualified["missing"].list.eval(
            pl.element().replace_strict(labels, default=pl.element())).list.join(t("enum_sep"))

        def unqualified_table() -> pl.DataFrame:
            # each of the six conditions, case by case: ✓ satisfied, ✗ not (empty = ✗)
            conditions = unqualified.select(
                pl.when(pl.col(c).fill_null(False)).then(pl.lit("✓")).otherwise(pl.lit("✗"))
                .alias(labels[c]) for c in CONDITIONS)
            return pl.concat([case_rows(unqualified.select(AUDIT_COLUMNS), ctx), conditions],
                             how="horizontal").with_columns(
                missing.alias(t("missing_conditions")))

        grid = on_screen(unqualified_table())
        st.dataframe(grid, hide_index=True, width="stretch", placeholder="—",
                     column_config={**number_columns(grid),
                                    t("months_to_close"): st.column_config.NumberColumn(
                                        format=AMOUNT_FORMAT,
                                        help=t("closed_within_3_months_n"))})
        exports.case_downloads(ctx, page="termination", frame=unqualified_table,
                               caption=sidebar.filters_caption(ctx, markdown=False),
                               rows=unqualified.height)
    st.caption(caption)

# --- every court the user may see, side by side
st.subheader(t("termination_by_court"))
by_court = (monthly.group_by("court_code")
            .agg(pl.col("terminations", "qualified", "closed_within_3_months",
                        "resumed_after_termination").sum())
            .with_columns(rate=pl.col("qualified") / pl.col("terminations"))
            .sort("rate", nulls_last=True))
court_names = ctx.court_names()
st.dataframe(by_court.select(
    pl.col("court_code").replace_strict(court_names, default=pl.col("court_code"))
    .alias(t("court")),
    pl.col("terminations").alias(t("terminations")),
    (pl.col("rate") * 100).round(1).alias(t("qualified_rate") + " %"),
    pl.col("closed_within_3_months").alias(t("closed_within_3_months_n")),
    pl.col("resumed_after_termination").alias(t("resumed_after"))),
    hide_index=True, width="stretch", placeholder="—")
st.caption(sidebar.filters_caption(ctx, scope=t("related_scope_short")))
