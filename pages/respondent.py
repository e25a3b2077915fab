"""One respondent across every court the user may see: total value, courts and judges
involved, petitions, how long the pending cases have waited, and every case. Opened from
the related-cases table (pending page) or by searching a name or ID number. The search text
stays in the session, never in the URL; the URL holds only the chosen respondent's keyed
reference (supervision.security.personal.reference). ID numbers come from the views masked unless
the role sees full numbers."""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision.output.safe_output import md
from supervision.security import personal
from supervision.ui import data, exports, state, urls
from supervision.ui.tables import case_rows, number_columns, on_screen
from supervision.views import respondent_summary
from supervision.words.fmt import num, wan
from supervision.words.i18n import enum, t

ctx = state.context("respondent")
st.title(t("page_respondent"))
exports.freshness_caption(ctx)

# the search text lives in the session only (an older release's `rq=` is dropped unread)
urls.sync_params({"rq": None})
query = st.text_input(t("respondent_search"), key="r_query",
                      help=None if personal.sees_full_ids(ctx.access)
                      else t("respondent_search_whole_id")).strip()
key = urls.url_param("respondent")
key = key if personal.is_reference(key) else None

if query:
    found = data.respondent_search(ctx.access, ctx.filters, query)
    if found.height == 0:
        st.info(t("no_match"))
    else:
        picked = st.dataframe(found.select(
            pl.col("respondent_name").alias(t("respondent")),
            pl.col("respondent_id").alias(t("id_number")),
            pl.col("respondent_kind").replace_strict(
                {k: enum(k) for k in found["respondent_kind"].unique().to_list()},
                default=pl.col("respondent_kind")).alias(t("respondent_kind")),
            pl.col("cases").alias(t("count")), pl.col("pending").alias(t("pending")),
            pl.col("courts").alias(t("courts_n")),
            (pl.col("value_yuan") / 10_000).round(1).alias(t("value_wan"))),
            hide_index=True, width="stretch", on_select="rerun",
            selection_mode="single-row", key="respondent_found")
        rows = (picked or {}).get("selection", {}).get("rows", []) if picked else []
        if rows and found["respondent_key"][rows[0]] != key:
            key = found["respondent_key"][rows[0]]
            urls.sync_params({"respondent": key})
            st.rerun()

if key is None:
    st.caption(t("respondent_hint"))
else:
    urls.sync_params({"respondent": key})
    cases = data.respondent_cases(ctx.access, ctx.filters, key)
    if cases.height == 0:
        st.info(t("respondent_none"))
    else:
        summary = respondent_summary(cases)
        # the ID number as the view returned it: masked unless the role sees full numbers
        id_number = cases["respondent_id"][0]
        st.subheader(f"{md(cases['respondent_name'][0])} · {enum(cases['respondent_kind'][0])}"
                     f" · {md(id_number)}")
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(t("count"), f"{num(summary['cases'])} / {t('pending')} {num(summary['pending'])}")
        c2.metric(t("value_wan"), wan(summary["value_yuan"]),
                  help=f"{t('pending')}: {wan(summary['pending_value_yuan'])}")
        c3.metric(t("petitions_n"), num(summary["petitions"]))
        c4.metric(t("oldest_pending"), "—" if summary["oldest_pending_days"] is None
                  else t("days_n", n=f"{summary['oldest_pending_days']:,}"),
                  help=t("median_pending", n="—" if summary["median_pending_days"] is None
                         else f"{summary['median_pending_days']:,.0f}"))
        names = ctx.court_names()
        st.markdown(f"**{t('court')}**{t('label_sep')}" + t("enum_sep").join(md(names.get(c, c))
                                                     for c in summary["courts"]))
        st.markdown(f"**{t('judge')}**{t('label_sep')}" + (t("enum_sep").join(md(j) for j in summary["judges"]) or "—"))

        def respondent_table() -> pl.DataFrame:
            return case_rows(cases.drop("respondent_name", "respondent_kind", "respondent_id"),
                             ctx)

        grid = on_screen(respondent_table())
        st.dataframe(grid, hide_index=True, width="stretch", placeholder="—",
                     column_config=number_columns(grid))
        exports.case_downloads(ctx, page="respondent", frame=respondent_table,
                               caption=f"{t('as_of')} {ctx.filters.as_of.isoformat()} · "
                                       f"{cases['respondent_name'][0]} · "
                                       f"{t('id_number')} {id_number}",
                               court_label=cases["respondent_name"][0], rows=cases.height,
                               # the file holds the respondent's cases in every court of
                               # the user's scope, whatever the sidebar's court
                               court=None, detail={"respondent": key},
                               # the trail names the respondent by its keyed reference
                               audit_label=t("respondent") + "-" + key[:12])
    st.caption(t("respondent_scope", as_of=ctx.filters.as_of.isoformat(),
                 scope=md(ctx.province_name())))
