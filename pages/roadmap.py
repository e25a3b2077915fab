"""达标路线图: how the court reaches its cutoff by 31 December — the pending cases to push in
order of their likelihood of ending in full performance (estimated from the court's own
closed cases), a week-by-week schedule that reaches the need if kept, and, where even the
whole pending caseload cannot, the shortfall stated plainly. For the headline ranking and
each specific type projected below its top-15 cutoff."""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision.engine.projection import PACE_WEEKS
from supervision.engine.roadmap import PRIOR_CASES
from supervision.output.safe_output import md
from supervision.ui import charts, data, exports, sidebar, state
from supervision.ui.tables import case_rows, on_screen
from supervision.words.fmt import num, wan_gap_text
from supervision.words.i18n import help_text, t
from supervision.words.roadmap_words import plan_words

ctx = state.context("roadmap")
st.title(f"{t('page_roadmap')} · {md(ctx.court_name())}")
exports.freshness_caption(ctx)
st.caption(t("roadmap_method", prior=PRIOR_CASES))
plans = data.roadmap(ctx.access, ctx.filters, ctx.court)
type_names = ctx.type_names()

caption = sidebar.filters_caption(ctx)


def ranking_label(code: str, k: int | None) -> str:
    if code == "overall":
        return t("roadmap_overall", k=k)
    return t("roadmap_type", type=type_names.get(code, code), k=k)


subset_name = sidebar.subset_caption(ctx, markdown=False)
for code, plan in plans.items():
    k = plan["target_rank"]
    label = ranking_label(code, k)
    words = plan_words(plan, subset_name)
    st.subheader(md(label), help=help_text("needed_per_week"))
    need = plan["need"]
    if need is None and plan["amount_need"] is not None:
        # ranked on the amount recovery rate: a yuan need, which a plan of cases cannot meet
        st.info(t("roadmap_amount_metric", extra=wan_gap_text(plan["amount_need"]),
                  k=k, weeks=PACE_WEEKS) if plan["amount_need"] else t("roadmap_on_track"))
        continue
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(words.need, num(need), help=words.need_help)
    c2.metric(words.cases, num(plan["cases"].height))
    c3.metric(words.expected, f"{plan['expected_all']:,.1f}")
    c4.metric(words.shortfall, f"{plan['shortfall']:,.1f}", help=words.shortfall_help)
    if words.note:
        st.caption(md(words.note))
    if need is None:
        st.info(t("roadmap_unranked"))
        continue
    if need == 0:
        st.success(t("roadmap_on_track"))
        continue
    projected = plan["projection"].row(0, named=True)
    if projected["extra_per_week"] is not None:
        # the need spread over the weeks left, on top of the court's current pace: the
        # projection's figure, the one the targets page and the brief show
        st.caption(t("roadmap_per_week", per=projected["extra_per_week"], need=num(need),
                     weeks=projected["weeks_left"]))
    if plan["cases"].height and plan["cases"]["likelihood"].is_null().all():
        st.warning(t("roadmap_no_history"))
    if words.short:
        st.warning(md(words.short))
    weeks = plan["weeks"].with_columns(
        cumulative_quota=pl.col("quota").cum_sum(),
        cumulative_expected=pl.col("expected").cum_sum())
    st.plotly_chart(charts.roadmap(weeks, title=t("roadmap_chart"), cases_label=t("count"),
                                   expected_label=t("roadmap_cum_expected"),
                                   quota_label=t("roadmap_cum_quota")),
                    width="stretch", config=charts.config(), key=f"roadmap_chart_{code}")
    cases = plan["cases"]

    def roadmap_table(cases: pl.DataFrame = cases) -> pl.DataFrame:
        shown = case_rows(cases.select("case_number", "case_type", "has_property", "complexity",
                                       "priority", "amount_yuan", "days_pending",
                                       "target_close_on", "respondent_name", "judge"), ctx)
        return shown.with_columns(
            cases["order"].alias(t("roadmap_order")),
            (cases["likelihood"] * 100).round(1).alias(t("roadmap_likelihood") + " %"),
            cases["week"].alias(t("roadmap_week"))).select(
            t("roadmap_order"), t("roadmap_week"), t("roadmap_likelihood") + " %",
            *shown.columns)

    st.dataframe(on_screen(roadmap_table()), hide_index=True, width="stretch", placeholder="—")
    exports.case_downloads(ctx, page="roadmap", frame=roadmap_table,
                           caption=label + " · "
                           + sidebar.filters_caption(ctx, markdown=False),
                           rows=cases.height, view=code)
    st.caption(caption)
if not plans:
    st.info(t("no_match"))
