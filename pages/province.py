"""A province at a glance: every court the user may see on one screen, sortable; a row opens
that court's brief. Where supervisors and analysts land."""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision.safe_output import md
from supervision.ui import data, exports, navigate, sidebar, state
from supervision.ui.fmt import num, pct
from supervision.ui.i18n import help_text, t

ctx = state.context("province")
glance = data.province(ctx.access, ctx.filters)
province = glance["province"]
lang_en = st.session_state.get("lang") == "en"
title = (province["name_en"] if lang_en else province["name"]) if province else ctx.access.province
st.title(f"{t('page_province')} · {md(title)}")
exports.freshness_caption(ctx)
st.caption(t("province_hint"))

courts: pl.DataFrame = glance["courts"].sort("rank", "court_code", nulls_last=True)
k = courts["target_rank"][0] if courts.height else 20
table = courts.select(
    pl.col("name_en" if lang_en else "name").alias(t("court")),
    pl.col("rank").alias(t("national_rank")),
    (pl.col("rate") * 100).round(1).alias(t("overall_rate") + " %"),
    pl.col("gap").alias(t("gap_cases")),
    pl.col("pending").alias(t("pending")),
    pl.format("{}/{}", "types_meeting", "types").alias(t("types_meeting")),
    pl.format("{}/{}", "core_meeting", "core").alias(t("core_meeting")),
    pl.col("backward").alias(t("backward_count")),
    pl.col("backward_change").alias(t("backward_change")),
)
event = st.dataframe(
    table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
    key="province_table", height=min(36 * (table.height + 1) + 3, 1200), placeholder="—",
    column_config={
        t("national_rank"): st.column_config.NumberColumn(help=help_text("national_rank")),
        t("overall_rate") + " %": st.column_config.NumberColumn(help=help_text("overall_rate")),
        t("gap_cases"): st.column_config.NumberColumn(help=t("gap_help", k=k)),
        t("types_meeting"): st.column_config.TextColumn(help=t("types_meeting_help")),
        t("core_meeting"): st.column_config.TextColumn(help=t("core_meeting_help")),
        t("backward_count"): st.column_config.NumberColumn(help=t("backward_help")),
        t("backward_change"): st.column_config.NumberColumn(format="%+d"),
    })
st.caption(sidebar.filters_caption(ctx, court=False) + f" · {num(courts.height)} "
           + t("courts_count"))

picked = (event or {}).get("selection", {}).get("rows", []) if event else []
if picked:
    navigate.open_brief(courts["court_code"][picked[0]])
if courts.height and courts["rate"].is_null().all():
    st.info(t("no_match"))
st.caption(t("cutoff", k=k) + " " + pct(courts["cutoff"].drop_nulls().first())
           if courts.height and courts["cutoff"].drop_nulls().len() else "")
