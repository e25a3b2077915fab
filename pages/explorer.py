"""Explorer: free filtering of the case base; only the rows shown are fetched; the
filtered set downloads as CSV or XLSX; clicking the chart drills down. It starts from the
sidebar's court like every page; every choice here is in the URL too, but a search text
that may hold an ID number (supervision.security.personal.might_identify).

`index=<code>` (a backward index's drill-through from the brief) lists the cases holding
that index down, selected by the index's own definition (queries/macros.sql `index_cases`)
over the period to the as-of date; the index shows as a removable chip and is named, with
the court and the period, in the filter line and in every file. Any other filter
intersects it, and the page says so."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from supervision.domain import vocabulary
from supervision.output.safe_output import md
from supervision.security import personal
from supervision.ui import charts, data, exports, sidebar, state, urls
from supervision.ui.tables import case_rows, on_screen
from supervision.words.fmt import num, wan
from supervision.words.i18n import enum, enum_names, lang, t
from supervision.workflow import weekly

PAGE_SIZE = 50
EXPORT_CAP = 100_000
METHODS = [vocabulary.PENDING.code, *vocabulary.codes(vocabulary.CLOSING_METHODS)]
KINDS = vocabulary.codes(vocabulary.RESPONDENT_KINDS)

ctx = state.context("explorer")
st.title(t("page_explorer"))
exports.freshness_caption(ctx)

# The explorer's own view lives in the URL and, for the way back from another page (whose
# URL does not carry it, and whose runs forget this page's widgets), in x_saved.
saved: dict[str, str] = st.session_state.get("x_saved") or {}
landed_with_view = any(urls.url_param(k) for k in ("all", "method", "rkind", "q", "filed",
                                                   "closed", "dtype", "dstatus", "pg",
                                                   "index"))


def remembered(key: str) -> str | None:
    """The URL's value, or (arriving from another page without one) the saved one."""
    return urls.url_param(key) if landed_with_view else saved.get(key)


urls.seed("x_all", remembered("all") == "1")
urls.seed("x_method", urls.parse_list(remembered("method"), METHODS))
urls.seed("x_rkind", urls.parse_list(remembered("rkind"), KINDS))
urls.seed("x_q", remembered("q") or "")
urls.seed("x_filed_range", urls.parse_range(remembered("filed")))
urls.seed("x_closed_range", urls.parse_range(remembered("closed")))
urls.seed("x_index", remembered("index") if remembered("index") in data.index_codes() else None)
if "x_drill" not in st.session_state:
    drill_type, drill_status = remembered("dtype"), remembered("dstatus")
    st.session_state["x_drill"] = {
        k: v for k, v in (("case_type", drill_type if drill_type in ctx.type_names() else None),
                          ("status", drill_status if drill_status in METHODS else None)) if v}

index: str | None = st.session_state.get("x_index")
index_name = (weekly.index_label(index, ctx.type_names(), lang(), ctx.overall_metric())
              if index else "")
# the index is a filter like the others, on view: a chip that removes it
if index and st.button("× " + t("index_filter", index=md(index_name)), key="x_clear_index",
                       help=t("clear_index"), type="primary"):
    st.session_state["x_index"] = None
    st.rerun()

with st.expander(t("explorer_extra"), expanded=True):
    c1, c2, c3 = st.columns(3)
    all_courts = c1.checkbox(t("all_courts"), key="x_all", help=t("all_courts_help"))
    labels = enum_names()   # fixed in this run's language (see the sidebar)
    methods = c2.multiselect(t("closing_method"), METHODS, key="x_method",
                             format_func=lambda m: labels.get(m, m), placeholder=t("all"), select_all=False)
    kinds = c3.multiselect(t("respondent_kind"), KINDS, key="x_rkind",
                           format_func=lambda k: labels.get(k, k), placeholder=t("all"), select_all=False)
    d1, d2, d3 = st.columns(3)
    filed = d1.date_input(t("filed_range"), key="x_filed_range", format="YYYY-MM-DD")
    closed = d2.date_input(t("closed_range"), key="x_closed_range", format="YYYY-MM-DD")
    text = d3.text_input(t("search"), key="x_q")

filed_from, filed_to = urls.range_ends(filed)
closed_from, closed_to = urls.range_ends(closed)
drill: dict[str, str] = st.session_state.get("x_drill") or {}
court = None if all_courts else ctx.court   # None: every court the user may see
filters = ctx.filters.with_(
    closing_methods=tuple(methods) or (tuple([drill["status"]]) if drill.get("status") else None),
    respondent_kinds=tuple(kinds) or None,
    filed_from=filed_from, filed_to=filed_to, closed_from=closed_from, closed_to=closed_to,
    text=text.strip() or None, index=index)
if drill.get("case_type"):
    filters = filters.with_(case_types=(drill["case_type"],))
view_params = {"all": "1" if all_courts else None, "method": methods, "rkind": kinds,
               "q": text.strip() or None, "filed": urls.format_range(filed),
               "closed": urls.format_range(closed), "dtype": drill.get("case_type"),
               "dstatus": drill.get("status"), "index": index}
# a changed filter starts again at page 1
view_changed = "x_view" in st.session_state and st.session_state["x_view"] != view_params
st.session_state["x_view"] = view_params
# a search that may hold an ID number stays in the session (x_saved), never in the URL
urls.sync_params({**view_params, "q": None if personal.might_identify(text)
                  else view_params["q"]})
st.session_state["x_saved"] = {**{k: (",".join(v) if isinstance(v, list) else v)
                                  for k, v in view_params.items() if v},
                               "pg": saved.get("pg")}

scope = t("all_courts") if all_courts else None


def own_filter_parts(esc: Callable[[str], str]) -> list[str]:
    """"name: value" of this page's own filters that are set (the chart's drill-down last);
    a search that may hold an ID number is named, never shown."""
    parts = []
    if methods:
        parts.append(f"{t('closing_method')}: " + "/".join(enum(m) for m in methods))
    if kinds:
        parts.append(f"{t('respondent_kind')}: " + "/".join(enum(k) for k in kinds))
    for label, value in ((t("filed_range"), filed), (t("closed_range"), closed)):
        if urls.format_range(value):
            parts.append(f"{label}: " + urls.format_range(value).replace("..", " – "))
    if text.strip():
        parts.append(f"{t('search')}: " + ("…" if personal.might_identify(text)
                                            else esc(text.strip())))
    parts.extend(enum(v) if k == "status" else esc(ctx.type_name(v)) for k, v in drill.items())
    return parts


def filter_line(esc: Callable[[str], str]) -> str:
    """The filter line, on screen (esc = md) and in files (esc = str): the index with its
    court and period first, then the sidebar's filters and this page's own."""
    if not index:
        line = sidebar.filters_caption(ctx, scope=scope, markdown=esc is md)
    else:   # the court once, in the index's words
        line = t("index_scope", index=esc(index_name), court=esc(scope or ctx.court_name()),
                 start=filters.start.isoformat(), end=filters.as_of.isoformat()) + " · " + \
            sidebar.filters_caption(ctx, court=False, markdown=esc is md)
    return " · ".join([line, *own_filter_parts(esc)])


caption = filter_line(md)
total = data.explorer_count(ctx.access, filters, court)

st.write(t("rows_found", n=num(total["cases"]), v=wan(total["value_yuan"])))
if total["transferred"]:
    st.caption(t("transferred_note", n=num(total["transferred"])))
intersected = " · ".join(p for p in [sidebar.subset_caption(ctx), *own_filter_parts(md)] if p)
if index and intersected:
    # a subset of the index's list: no claim about the index's own gap
    st.warning(t("index_intersect", filters=intersected))
elif index:
    gap = total["index_shortfall"] or 0
    st.caption(t("index_petitions_note", gap=num(gap), end=filters.as_of.isoformat())
               if index == "petitions_resolved" else
               t("index_amount_note", gap=wan(gap))
               if total["index_metric"] == "amount_recovery_rate" else
               t("index_rate_note", gap=num(gap)))
if drill and st.button("× " + t("clear_drill"), key="x_clear_drill"):
    st.session_state["x_drill"] = {}
    st.rerun()


def results() -> None:
    """The chart, one page of rows and the downloads (only when something matched)."""
    breakdown = data.explorer_breakdown(ctx.access, filters, court).with_columns(
        type_name=pl.col("case_type").replace_strict(ctx.type_names(),
                                                     default=pl.col("case_type")))
    fig = charts.stacked_bars(breakdown, x="type_name", y="cases", colour="status",
                              title=t("breakdown_title"), x_title=t("case_type"),
                              y_title=t("count"),
                              colour_names={m: enum(m) for m in METHODS}, order=METHODS,
                              custom=["case_type", "status"], legend_title=t("status"))
    event = st.plotly_chart(fig, width="stretch", config=charts.config(), on_select="rerun", selection_mode="points",
                            key="explorer_chart")
    points = event.get("selection", {}).get("points", []) if event else []
    if points and points[0].get("customdata"):
        case_type, status = list(points[0]["customdata"])[:2]
        if drill != {"case_type": case_type, "status": status}:
            st.session_state["x_drill"] = {"case_type": case_type, "status": status}
            st.rerun()
    st.caption(caption)

    pages = max(1, -(-total["cases"] // PAGE_SIZE))
    # the page number is the URL's (a changed filter starts again at 1): the widget takes
    # it as its value, so the URL and the widget cannot disagree after any rerun
    asked = 1 if view_changed else int(urls.parse_float(remembered("pg")) or 1)
    page = st.number_input(t("page_no"), min_value=1, max_value=pages, step=1,
                           value=min(max(1, asked), pages),
                           help=f"1–{pages:,}")
    urls.sync_params({"pg": page if page > 1 else None})
    st.session_state["x_saved"]["pg"] = str(page) if page > 1 else None
    rows = data.explorer_page(ctx.access, filters, court, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    st.dataframe(on_screen(case_rows(rows, ctx)), hide_index=True, width="stretch", placeholder="—",
                 column_config={t("value_wan"): st.column_config.NumberColumn(format="%,.1f")})
    st.caption(caption)

    if total["cases"] > EXPORT_CAP:
        st.caption(t("export_capped", n=f"{EXPORT_CAP:,}"))

    def export_frame() -> pl.DataFrame:
        return case_rows(data.explorer_page(ctx.access, filters, court, 0, EXPORT_CAP), ctx)

    exports.case_downloads(ctx, page="explorer", frame=export_frame, caption=filter_line(str),
                           court_label=t("all_courts") if all_courts else None,
                           rows=min(total["cases"], EXPORT_CAP), view=(filters, court),
                           filters=filters, court=court,
                           detail={"index": index} if index else None)


if total["cases"] == 0:
    # no early stop: the run ends normally and the URL keeps the view
    st.info(t("no_match"))
    st.caption(caption)
    urls.sync_params({"pg": None})
else:
    results()
