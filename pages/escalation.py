"""联动处置: pending cases that meet the joint-action criteria (configurable, in the URL),
each with why it qualifies and its status (proposed, escalated, resolved) with history.
The roles that declare escalations (`Access.may`) mark a case with a note; the ledger
refuses, where it writes, a case outside the writer's courts and a stale save."""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from supervision.output.safe_output import md
from supervision.security.access import AccessDenied
from supervision.ui import data, exports, sidebar, state, urls
from supervision.ui.tables import case_rows, display_names, number_columns, on_screen, person
from supervision.views import EscalationCriteria
from supervision.words.fmt import WAN, local_time_column, num, time_header, wan
from supervision.words.i18n import column_header, enum, enum_names, t
from supervision.workflow import ledger

ctx = state.context("escalation")
st.title(f"{t('page_escalation')} · {md(ctx.court_name())}")
exports.freshness_caption(ctx)
if flash := st.session_state.pop("escalation_flash", None):
    st.success(flash)
store = data.store()
people = display_names(store)     # histories show who by name, not by login
defaults = EscalationCriteria()

urls.seed("e_months", int(urls.parse_float(urls.url_param("esc_m")) or 12))
urls.seed("e_value", urls.parse_float(urls.url_param("esc_v")) or defaults.min_value / WAN)
urls.seed("e_petitions", int(urls.parse_float(urls.url_param("esc_p"))
                             or defaults.min_petitions))
with st.expander(t("escalation_criteria"), expanded=False):
    c1, c2, c3 = st.columns(3)
    months = c1.number_input(t("esc_months"), min_value=1, max_value=120, step=1,
                             key="e_months")
    value_wan = c2.number_input(t("esc_value"), min_value=0.0, step=100.0, key="e_value")
    petitions = c3.number_input(t("esc_petitions"), min_value=1, max_value=50, step=1,
                                key="e_petitions")
urls.sync_params({"esc_m": months, "esc_v": value_wan, "esc_p": petitions})
criteria = EscalationCriteria(min_days=int(round(months * 30.4)), min_value=value_wan * WAN,
                              min_petitions=int(petitions))
st.caption(t("esc_criteria_line", months=months, value=wan(value_wan * WAN),
             petitions=petitions))

candidates = data.escalation_candidates(ctx.access, ctx.filters, ctx.court, criteria)
states = ledger.escalation_states(store, candidates["case_number"].to_list())
names = enum_names()
table = candidates.join(states.select("case_number", "status", "version"), on="case_number",
                        how="left")
c1, c2, c3 = st.columns(3)
c1.metric(t("esc_candidates"), num(candidates.height))
c2.metric(t("escalated"), num(states.filter(pl.col("status") == "escalated").height))
c3.metric(t("resolved"), num(states.filter(pl.col("status") == "resolved").height))
st.caption(sidebar.filters_caption(ctx))

if table.height == 0:
    st.info(t("esc_none"))
else:
    def candidate_table() -> pl.DataFrame:
        shown = table.with_columns(
            pl.col("reasons").list.eval(pl.element().replace_strict(names, default=pl.element()))
            .list.join(t("enum_sep")).alias("reasons"),
            pl.col("status").replace_strict(names, default=pl.col("status")).fill_null("—")
            .alias("esc_status"))
        out = case_rows(shown.select("case_number", "case_type", "amount_yuan", "filed_on",
                                     "days_pending", "petitions", "respondent_name", "judge"),
                        ctx)
        return out.with_columns(shown["reasons"].alias(t("esc_reasons")),
                                shown["esc_status"].alias(t("status")))

    grid = on_screen(candidate_table())
    picked = st.dataframe(grid, hide_index=True, width="stretch",
                          column_config=number_columns(grid),
                          placeholder="—", on_select="rerun", selection_mode="single-row",
                          key="esc_table")
    exports.case_downloads(ctx, page="escalation", frame=candidate_table,
                           caption=sidebar.filters_caption(ctx, markdown=False),
                           rows=table.height)
    rows = (picked or {}).get("selection", {}).get("rows", []) if picked else []
    # the case shown is in the URL (`esc_case`): a copied link opens the same case
    chosen = urls.url_pick(table["case_number"][rows[0]] if rows else None, param="esc_case",
                           key="esc_case", allowed=set(table["case_number"].to_list()))
    if chosen is not None:
        case = table.filter(pl.col("case_number") == chosen).row(0, named=True)
        st.subheader(f"{md(case['case_number'])} · {enum(case['status']) if case['status'] else t('esc_unmarked')}")
        st.write(t("esc_reasons") + t("label_sep") + t("enum_sep").join(md(names.get(r, r)) for r in case["reasons"]))
        history = ledger.escalation_history(store, case["case_number"])
        if history.height:
            st.dataframe(history.select(
                local_time_column("at", time_header()),
                person("by", people, t("audit_actor")),
                pl.col("status").replace_strict(names, default=pl.col("status")).alias(t("status")),
                pl.col("note").alias(t("note"))), hide_index=True, width="stretch")
        if ctx.access.may("set_escalation"):
            # a new form for each stored version: after a save the box shows the saved
            # status, not the first of the list
            stored = case["status"] if case["status"] in ledger.ESCALATION_STATUSES else None
            with st.form(f"esc_form_{case['case_number']}_{case['version']}",
                         clear_on_submit=True):
                status = st.selectbox(t("status"), ledger.ESCALATION_STATUSES,
                                      index=ledger.ESCALATION_STATUSES.index(stored)
                                      if stored else 0,
                                      format_func=lambda s: names.get(s, s))
                note = st.text_area(t("note"))
                if st.form_submit_button(t("save")):
                    try:
                        ledger.set_escalation(
                            store, data.con(), ctx.access, case_number=case["case_number"],
                            court=case["court_code"], status=status, note=note,
                            reasons=list(case["reasons"]),
                            read_version=None if case["version"] is None
                            else int(case["version"]))
                        st.session_state["escalation_flash"] = t("saved")   # shown after the rerun
                        urls.keep_pick("esc_case")
                        st.rerun()
                    except ledger.ConcurrentEdit as exc:
                        st.error(t("concurrent_edit", detail=md(str(exc))))
                    except AccessDenied as exc:
                        st.error(f"无权操作 / Not allowed: {md(str(exc))}")
                    except ledger.LedgerError as exc:
                        st.error(md(str(exc)))
marked = ledger.escalations_of(store, (ctx.court,))
if marked.height:
    st.subheader(t("esc_marked"), help=t("esc_marked_help"))
    st.dataframe(marked.select(
        pl.col("case_number").alias(column_header("case_number")),
        pl.col("status").replace_strict(names, default=pl.col("status")).alias(t("status")),
        pl.col("reasons").map_elements(lambda r: t("enum_sep").join(names.get(x, x) for x in json.loads(r)),
                                       return_dtype=pl.String).alias(t("esc_reasons")),
        pl.col("note").alias(t("note")), person("updated_by", people, t("audit_actor")),
        local_time_column("updated_at", time_header())),
        hide_index=True, width="stretch")
