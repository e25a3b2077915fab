"""Settlements (执行和解): cases with a settlement agreement, long-term ones marked; agreed and
due dates, days overdue, whether and how each case closed, and closings by settlement that
lack a recorded ruling (said plainly when the data carry no rulings at all)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision.output.safe_output import md
from supervision.ui import data, exports, sidebar, state, urls
from supervision.ui.tables import case_rows, number_columns, on_screen
from supervision.views import LONG_TERM_SETTLEMENT_DAYS
from supervision.words.fmt import num
from supervision.words.i18n import enum_names, t

COLUMNS = ["case_number", "case_type", "amount_yuan", "settlement_on", "settlement_due_on",
           "long_term", "days_overdue", "status", "closed_on", "settlement_ruling_on",
           "closed_without_ruling", "respondent_name", "judge"]

ctx = state.context("settlements")
result = data.settlements(ctx.access, ctx.filters, ctx.court)
caption = sidebar.filters_caption(ctx)
st.title(f"{t('page_settlements')} · {md(ctx.court_name())}")
exports.freshness_caption(ctx)
cases: pl.DataFrame = result["cases"]
ruling_recorded: bool = result["ruling_recorded"]

pending = cases.filter(pl.col("status") == "pending")
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("settlements_n"), num(cases.height))
c2.metric(t("long_term_n"), num(int(cases["long_term"].sum())),
          help=t("long_term_help", days=LONG_TERM_SETTLEMENT_DAYS))
c3.metric(t("overdue_pending_n"), num(pending.filter(pl.col("days_overdue") > 0).height))
c4.metric(t("closed_without_ruling_n"),
          num(int(cases["closed_without_ruling"].sum())) if ruling_recorded else "—",
          help=t("closed_without_ruling_help"))
if not ruling_recorded:
    # no guessing: data without the field cannot tell a missing ruling from an unrecorded one
    st.warning(t("ruling_not_in_data"))
st.caption(caption)

if cases.height == 0:
    st.info(t("no_settlements"))
else:
    only_long = urls.url_toggle(t("long_term_only"), key="settlements_long_only", param="long")
    shown = cases.filter(pl.col("long_term")) if only_long else cases
    names = enum_names()

    def settlement_table() -> pl.DataFrame:
        frame = shown.select(COLUMNS).with_columns(
            pl.when(pl.col(c)).then(pl.lit(names["yes"])).otherwise(pl.lit(names["no"]))
            .alias(c) for c in ("long_term", "closed_without_ruling"))
        if not ruling_recorded:
            frame = frame.drop("settlement_ruling_on", "closed_without_ruling")
        return case_rows(frame, ctx)

    grid = on_screen(settlement_table())
    st.dataframe(grid, hide_index=True, width="stretch", placeholder="—",
                 column_config=number_columns(grid))
    exports.case_downloads(ctx, page="settlements", frame=settlement_table,
                           caption=sidebar.filters_caption(ctx, markdown=False),
                           rows=shown.height)
st.caption(caption)
