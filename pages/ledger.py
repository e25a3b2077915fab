"""督导台账: a court's site visits and their opinions (requirement, owner, due date, linked
backward index or case), each item's status and progress with the linked index's value at
every update, and typical cases for publicity. Which forms a user sees follows their
role's declared writes (`Access.may`); supervision.workflow.ledger refuses, where it writes, anything
outside the writer's courts and a save made on a stale copy."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from supervision.output.safe_output import md
from supervision.security.access import AccessDenied
from supervision.ui import charts, data, exports, state
from supervision.ui.tables import display_names, on_screen, person
from supervision.words.fmt import local_time_column, pct, time_header
from supervision.words.i18n import column_header, enum_names, lang, t
from supervision.workflow import ledger, weekly

OPINION_SLOTS = 4     # opinions a visit form takes at once (another visit adds more)

ctx = state.context("ledger")
store = data.store()
st.title(f"{t('page_ledger')} · {md(ctx.court_name())}")
exports.freshness_caption(ctx)
if flash := st.session_state.pop("ledger_flash", None):
    st.success(flash)
names = enum_names()
type_names = ctx.type_names()
people = display_names(store)     # histories show who by name, not by login

# the linkable indices: the 3+1 and the national ranks, with their values now (the brief's)
brief = data.brief(ctx.access, ctx.filters, ctx.court)
index_values = dict(zip(brief["backward"]["index"].to_list(),
                        brief["backward"]["value"].to_list(), strict=True))


def refused(exc: AccessDenied) -> str:
    """A write the ledger refused, as an error line (its message is for the user)."""
    return f"无权操作 / Not allowed: {md(str(exc))}"


def index_label(code: str | None) -> str:
    return weekly.index_label(code, type_names, lang(), ctx.overall_metric()) if code else "—"


items = ledger.items(store, (ctx.court,), today=ctx.filters.as_of)
open_items = items.filter(pl.col("status") != "done")
c1, c2, c3 = st.columns(3)
c1.metric(t("items_open"), f"{open_items.height}")
c2.metric(t("items_overdue"), f"{int(items['overdue'].sum())}")
c3.metric(t("items_done"), f"{items.height - open_items.height}")

st.subheader(t("ledger_items"))
if items.height == 0:
    st.info(t("no_items"))
else:
    shown = items.select(
        pl.col("id").alias(t("item_no")),
        pl.col("visit_on").alias(t("visit_on")),
        pl.col("requirement").alias(t("requirement")),
        pl.col("owner").alias(t("owner")),
        pl.col("due_on").alias(t("due_on")),
        pl.when(pl.col("overdue")).then(pl.lit("⚠ " + t("overdue_item"))).otherwise(pl.lit(""))
        .alias(t("overdue_item")),
        pl.col("status").replace_strict(names, default=pl.col("status")).alias(t("status")),
        pl.col("index_code").replace_strict(
            {c: index_label(c) for c in items["index_code"].drop_nulls().unique().to_list()},
            default=pl.col("index_code")).alias(t("linked_index")),
        pl.col("case_number").alias(column_header("case_number")),
        pl.col("progress").alias(t("progress")))
    st.dataframe(on_screen(shown), hide_index=True, width="stretch", placeholder="—",
                 key="ledger_items")
    labels = {None: t("choose_item_none"),
              **{r["id"]: f"{t('item_no')} {r['id']} · {r['requirement'][:40]}"
                 for r in items.iter_rows(named=True)}}
    chosen = st.selectbox(t("choose_item"), list(labels), key="ledger_item",
                          format_func=lambda i: labels.get(i, str(i)))
    if chosen is not None:
        item = items.filter(pl.col("id") == chosen).row(0, named=True)
        st.markdown(f"**{t('item_no')} {item['id']}** · {md(item['requirement'])}")
        history = ledger.item_history(store, item["id"])
        # the index's value and date only when an index is linked: no column "— %"
        index_columns = [
            (pl.col("index_value") * 100).round(1).alias(index_label(item["index_code"]) + " %"),
            pl.col("index_as_of").alias(t("as_of"))] if item["index_code"] else []
        st.dataframe(on_screen(history.select(
            local_time_column("at", time_header()),
            person("by", people, t("audit_actor")),
            pl.col("status").replace_strict(names, default=pl.col("status")).alias(t("status")),
            pl.col("note").alias(t("progress")), *index_columns)), hide_index=True,
            width="stretch", placeholder="—", key="item_history")
        valued = history.filter(pl.col("index_value").is_not_null())
        if item["index_code"] and valued.height:
            st.plotly_chart(charts.index_over_updates(
                valued.select(as_of=pl.col("index_as_of"), value=pl.col("index_value")),
                title=t("index_over_updates"), label=index_label(item["index_code"])),
                width="stretch", key="item_index_chart", config=charts.config())
        if ctx.access.may("update_item"):
            with st.form(f"item_form_{item['id']}_{item['version']}", clear_on_submit=True):
                status = st.selectbox(t("status"), ledger.ITEM_STATUSES,
                                      index=ledger.ITEM_STATUSES.index(item["status"]),
                                      format_func=lambda s: names.get(s, s))
                note = st.text_area(t("progress"))
                value_now = index_values.get(item["index_code"]) if item["index_code"] else None
                if item["index_code"]:
                    st.caption(t("index_now", index=md(index_label(item["index_code"])),
                                 value=pct(value_now), as_of=ctx.filters.as_of.isoformat()))
                if st.form_submit_button(t("save")):
                    try:
                        ledger.update_item(store, data.con(), ctx.access, item_id=item["id"],
                                           read_version=item["version"], status=status,
                                           note=note, index_value=value_now,
                                           index_as_of=ctx.filters.as_of
                                           if item["index_code"] else None)
                        st.session_state["ledger_flash"] = t("saved")   # shown after the rerun
                        st.rerun()
                    except ledger.ConcurrentEdit as exc:
                        st.error(t("concurrent_edit", detail=md(str(exc))))
                    except AccessDenied as exc:
                        st.error(refused(exc))
                    except ledger.LedgerError as exc:
                        st.error(md(str(exc)))

# --- a new visit and its opinions (the roles that record visits)
if ctx.access.may("record_visit"):
    st.subheader(t("record_visit"))
    index_codes = [None, *brief["backward"]["index"].to_list()]
    index_labels = {c: index_label(c) for c in index_codes if c}
    with st.form("visit_form", clear_on_submit=True):
        c1, c2 = st.columns([1, 3])
        visit_on = c1.date_input(t("visit_on"), value=ctx.filters.as_of, format="YYYY-MM-DD",
                                 key="visit_on")
        members = c2.text_input(t("members"), key="visit_members")
        st.caption(t("opinions_hint"))
        slots = []
        for i in range(OPINION_SLOTS):
            c1, c2, c3, c4 = st.columns([4, 2, 2, 3])
            slots.append((
                c1.text_input(f"{t('requirement')} {i + 1}", key=f"op_req_{i}"),
                c2.text_input(f"{t('owner')} {i + 1}", key=f"op_owner_{i}"),
                c3.date_input(f"{t('due_on')} {i + 1}", key=f"op_due_{i}", format="YYYY-MM-DD",
                              value=ctx.filters.as_of + dt.timedelta(days=30)),
                c4.selectbox(f"{t('linked_index')} {i + 1}", index_codes, key=f"op_index_{i}",
                             format_func=lambda c: "—" if c is None else index_labels[c])))
        if st.form_submit_button(t("save_visit")):
            wanted = [ledger.Opinion(req, owner, due, code)
                      for req, owner, due, code in slots if req.strip()]
            try:
                ledger.record_visit(store, data.con(), ctx.access, court=ctx.court,
                                    visit_on=visit_on, members=members, opinions=wanted)
                st.session_state["ledger_flash"] = t("saved")   # shown after the rerun
                st.rerun()
            except AccessDenied as exc:
                st.error(refused(exc))
            except ledger.LedgerError as exc:
                st.error(md(str(exc)))

# --- typical cases for publicity
st.subheader(t("typical_cases"))
typical = ledger.typical(store, (ctx.court,))
if typical.height:
    st.dataframe(typical.select(
        pl.col("case_number").alias(column_header("case_number")), pl.col("summary").alias(t("summary")),
        person("marked_by", people, t("audit_actor")),
        local_time_column("marked_at", time_header())),
        hide_index=True, width="stretch")
else:
    st.caption(t("no_typical"))
if ctx.access.may("mark_typical"):
    with st.form("typical_form", clear_on_submit=True):
        c1, c2 = st.columns([1, 3])
        case_number = c1.text_input(column_header("case_number"))
        summary = c2.text_input(t("summary"))
        if st.form_submit_button(t("mark_typical")):
            try:
                ledger.mark_typical(store, data.con(), ctx.access, court=ctx.court,
                                    case_number=case_number.strip(), summary=summary)
                st.session_state["ledger_flash"] = t("saved")   # shown after the rerun
                st.rerun()
            except AccessDenied as exc:
                st.error(refused(exc))
            except ledger.LedgerError as exc:
                st.error(md(str(exc)))
