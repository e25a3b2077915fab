"""A province at a glance: every court the user may see on one screen, sortable; a row opens
that court's brief. Where supervisors and analysts land.

The official position (all of a court's cases of the period, whatever the sidebar holds):
national rank and its move since last week, the standing (within the top k, outside it,
unranked — a lasting state, never backward), today's gap to the cutoff, the year-end
projection, and the backward indices (slipping this week). A sidebar filter adds two
columns analysing the subset, labelled as such, never a verdict."""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision.engine.projection import PACE_WEEKS
from supervision.engine.ranking import AMOUNT_RECOVERY_RATE
from supervision.output.safe_output import md
from supervision.ui import brief_sections, data, exports, navigate, sidebar, state
from supervision.words.fmt import count_change, num, pct, rank_movement, wan_gap_column
from supervision.words.i18n import help_text, lang, t
from supervision.workflow.weekly import index_label, standing_label

ctx = state.context("province")
glance = data.province(ctx.access, ctx.filters)
province = glance["province"]
language = lang()
lang_en = language == "en"
title = (province["name_en"] if lang_en else province["name"]) if province else ctx.access.province
st.title(f"{t('page_province')} · {md(title)}")
exports.freshness_caption(ctx)
st.caption(t("province_hint"))

courts: pl.DataFrame = glance["courts"].sort("rank", "court_code", nulls_last=True)
k = courts["target_rank"].drop_nulls().first() if courts.height else None
type_k = glance["type_target_rank"]
type_names = ctx.type_names()
# the ranking's metric names the rate; the amount metric's gaps are yuan, shown in 万元
metric = ctx.overall_metric()
by_amount = metric == AMOUNT_RECOVERY_RATE
rate_header = t(metric) + " %"
gap_key, need_key = brief_sections.gap_and_need_keys(by_amount)
gap_header, need_header = t(gap_key), t(need_key)
words = pl.DataFrame({
    t("rank_change"): [rank_movement(b, n) for b, n in
                       zip(courts["rank_week_before"], courts["rank"], strict=True)],
    t("target_standing"): [standing_label(s, k, language) for s in courts["standing"]],
    t("backward_change"): [count_change(d) for d in courts["backward_change"]],
    t("newly_backward"): [t("list_sep").join(index_label(i, type_names, language, metric)
                                             for i in rows)
                          or "—" for rows in courts["newly_backward"].to_list()],
}, schema=dict.fromkeys((t("rank_change"), t("target_standing"), t("backward_change"),
                         t("newly_backward")), pl.String))
subset = glance["subset"]
subset_rate_header = t("subset_rate") + " %"
# the key columns first, within 1,400 px (court pinned): standing, rank and its move, the
# backward indices and those new this week, the gap; then the subset's analysis, named in
# the caption below; then the secondary columns
key = pl.concat([courts.select(pl.col("name_en" if lang_en else "name").alias(t("court"))),
                 words.select(t("target_standing")),
                 courts.select(pl.col("rank").alias(t("national_rank"))),
                 words.select(t("rank_change")),
                 courts.select(pl.col("backward").alias(t("backward_count"))),
                 words.select(t("newly_backward")),
                 courts.select((wan_gap_column("amount_gap") if by_amount else pl.col("gap"))
                               .alias(gap_header))], how="horizontal")
analysis = courts.select((pl.col("subset_rate") * 100).round(1).alias(subset_rate_header),
                         pl.col("subset_rank").alias(t("subset_rank"))) if subset else None
secondary = pl.concat([courts.select((pl.col("rate") * 100).round(1).alias(rate_header)),
                       words.select(t("backward_change")), courts.select(
    pl.col("projected_rank").alias(t("projected_rank")),
    (wan_gap_column("extra_amount_needed") if by_amount else pl.col("extra_needed"))
    .alias(need_header),
    pl.format("{}/{}", "core_meeting", "core").alias(t("core_meeting")),
    pl.format("{}/{}", "types_meeting", "types").alias(t("types_meeting")),
    pl.col("pending").alias(t("pending")))], how="horizontal")
table = pl.concat([f for f in (key, analysis, secondary) if f is not None], how="horizontal")
subset_note = t("subset_columns_note", rate=subset_rate_header, rank=t("subset_rank"),
                subset=sidebar.subset_caption(ctx, markdown=False))
# narrow columns for the short Chinese headers; English ones ("National rank") need more
narrow = "small" if lang() == "zh" else None
event = st.dataframe(
    table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
    key="province_table", height=min(36 * (table.height + 1) + 3, 1200), placeholder="—",
    column_config={
        t("court"): st.column_config.TextColumn(pinned=True),
        t("national_rank"): st.column_config.NumberColumn(help=help_text("national_rank"),
                                                          width=narrow, format="localized"),
        t("rank_change"): st.column_config.TextColumn(help=t("rank_change_help")),
        t("target_standing"): st.column_config.TextColumn(help=t("standing_help", k=k)),
        rate_header: st.column_config.NumberColumn(help=help_text(metric), format="%.1f"),
        gap_header: st.column_config.NumberColumn(
            help=help_text(gap_key, k=k),
            format="%.2f" if by_amount else "localized"),
        t("projected_rank"): st.column_config.NumberColumn(
            help=t("projected_rank_help", weeks=PACE_WEEKS), format="localized"),
        need_header: st.column_config.NumberColumn(
            help=help_text(need_key, k=k),
            format="%.2f" if by_amount else "localized"),
        t("types_meeting"): st.column_config.TextColumn(help=t("types_meeting_help", k=type_k)),
        t("core_meeting"): st.column_config.TextColumn(help=t("core_meeting_help")),
        t("backward_count"): st.column_config.NumberColumn(help=help_text("backward"),
                                                           width=narrow),
        t("backward_change"): st.column_config.TextColumn(help=t("backward_change_help")),
        t("newly_backward"): st.column_config.TextColumn(help=t("newly_backward_help")),
        subset_rate_header: st.column_config.NumberColumn(help=subset_note, format="%.1f"),
        t("subset_rank"): st.column_config.NumberColumn(help=subset_note, format="localized"),
    })
if subset:
    st.caption(md(subset_note))
st.caption(sidebar.filters_caption(ctx, court=False) + f" · {num(courts.height)} "
           + t("courts_count"))

picked = (event or {}).get("selection", {}).get("rows", []) if event else []
if picked:
    navigate.open_brief(courts["court_code"][picked[0]])
if courts.height and courts["rate"].is_null().all():
    st.info(t("no_match"))
st.caption(t("cutoff", k=k) + " " + pct(courts["cutoff"].drop_nulls().first())
           if courts.height and courts["cutoff"].drop_nulls().len() else "")
