"""Court brief for a site visit: 3+1 indices, backward indices, trend, pending caseload.
Prints whole on A4 from the browser; downloads as PDF (the same sections) and XLSX."""

from __future__ import annotations

import html

import streamlit as st

from supervision.output.safe_output import md, safe_xlsx_bytes
from supervision.ui import brief_sections, charts, data, exports, navigate, sidebar, state
from supervision.ui.tables import static_table
from supervision.views import AGE_BANDS
from supervision.words.i18n import enum, help_text, t
from supervision.workflow import ledger

ctx = state.context("brief")
brief = data.brief(ctx.access, ctx.filters, ctx.court)
sections = brief_sections.build(ctx, brief, ledger.items(data.store(), (ctx.court,),
                                                          open_only=True,
                                                          today=ctx.filters.as_of))

caption = sidebar.filters_caption(ctx)
official = f"{t('official_title')} · {t('as_of')} {ctx.filters.as_of.isoformat()}"
st.title(f"{t('page_brief')} · {md(ctx.court_name())}")
exports.freshness_caption(ctx)
st.caption(t("print_hint"))

# --- on track? The official position (every case of the period), first
position = sections.on_track
if position is not None:
    with st.container(key="brief_sec_ontrack"):
        # the amount metric's gaps are in 万元
        keys = brief_sections.gap_and_need_keys(bool(position.amounts))
        st.subheader(md(position.title), help=help_text(keys[0], k=sections.k))
        helps = {t(key): help_text(key, k=sections.k) for key in keys}
        for row in position.card_rows():      # rows of three: no label is cut
            for col, (name, value) in zip(st.columns(brief_sections.CARDS_PER_ROW), row,
                                          strict=False):
                col.metric(name, value, help=helps.get(name))
        st.markdown(f"<div class='brief-card' style='border-left:8px solid {position.colour};"
                    f"padding:4px 10px'>{html.escape(position.verdict)}</div>",
                    unsafe_allow_html=True)
        st.caption(official)

def nowrap_parts(sub: str) -> str:
    """A card's sub-line, escaped, each " · " part kept whole (no "达到 / 标准")."""
    return " · ".join(f"<span style='white-space:nowrap'>{html.escape(part)}</span>"
                      for part in sub.split(" · "))


# --- 3+1 core indices, red / amber / green, each with its definition on hover
with st.container(key="brief_sec_core"):
    st.subheader(t("core_title"), help=help_text("backward"))
    cols = st.columns(4)
    for col, card in zip(cols, sections.cards, strict=False):
        with col:
            st.markdown(
                f"<div class='brief-card' style='border-left:8px solid {card.colour};"
                f"padding:4px 10px'>"
                f"<div style='font-size:0.85rem'>{html.escape(card.name)}</div>"
                f"<div style='font-size:1.8rem;font-weight:600'>{html.escape(card.value)}</div>"
                f"<div style='font-size:0.8rem'>{nowrap_parts(card.sub)}</div></div>",
                unsafe_allow_html=True, help=card.help)
    st.caption(official)

# --- the sidebar's subset: an analysis beside the official position, no colours or verdicts
if sections.subset:
    with st.container(key="brief_sec_subset"):
        st.subheader(t("subset_title"))
        for line in sections.subset:
            st.markdown(md(line))
        st.caption(t("subset_note"))
        st.caption(caption)

# --- backward indices with reasons; a row opens the cases behind it in the explorer
with st.container(key="brief_sec_backward"):
    st.subheader(t("backward_title"), help=help_text("backward"))
    if sections.no_data:
        st.info(t("no_data_period"))
    elif sections.backward.height == 0:
        st.write(t("no_backward"))
    else:
        with st.container(key="screen_only_backward"):
            picked = st.dataframe(sections.backward_screen, hide_index=True, width="stretch",
                                  on_select="rerun", selection_mode="single-row",
                                  key="backward_table", placeholder="—")
            st.caption(t("backward_click"))
        with st.container(key="print_only_backward"):
            st.table(static_table(sections.backward_screen))   # paper cannot scroll a grid
        rows = (picked or {}).get("selection", {}).get("rows", []) if picked else []
        if rows:
            navigate.open_explorer(ctx.court, **sections.explorer_params(rows[0]))
    st.caption(official)

# --- weekly trend of rate and rank
weekly = brief["weekly"]
with st.container(key="brief_sec_trend"):
    if weekly.height:
        st.plotly_chart(charts.trend(weekly, title=t("trend_title"),
                                     rate_label=sections.rate_label,
                                     rank_label=t("national_rank"),
                                     cutoff_label=t("cutoff", k=sections.k)),
                        width="stretch", config=charts.config(), key="brief_trend")
    else:
        st.info(t("no_match"))
    st.caption(official)

# --- pending caseload by type and age
with st.container(key="brief_sec_age"):
    st.subheader(t("pending_type_age"))
    by_age = sections.by_age
    if by_age.height == 0:
        st.info(t("no_pending"))
    else:
        st.plotly_chart(charts.stacked_bars(
            by_age, x="type_name", y="cases", colour="age_band", title=t("pending_type_age"),
            x_title=t("case_type"), y_title=t("count"),
            colour_names={b: enum(b) for b in AGE_BANDS}, order=AGE_BANDS,
            legend_title=t("age")), width="stretch", config=charts.config(), key="brief_age")
    st.caption(caption)

# --- the largest-value pending cases
with st.container(key="brief_sec_largest"):
    st.subheader(t("largest_pending"))
    if sections.largest.height == 0:
        st.info(t("no_pending"))
    else:
        st.table(static_table(sections.largest))
    st.caption(caption)

# --- open rectification items of the ledger (until the measures take effect)
with st.container(key="brief_sec_items"):
    st.subheader(t("open_items_title"))
    if sections.open_items.height == 0:
        st.caption(t("no_items"))
    else:
        st.table(static_table(sections.open_items))

file_caption = brief_sections.file_caption(sidebar.filters_caption(ctx, markdown=False),
                                          ctx.filters.narrows())
notes = exports.notes(ctx, "brief", file_caption) + [official]
xlsx_name = exports.file_name(ctx, "brief", "xlsx")
pdf_name = exports.file_name(ctx, "brief", "pdf")


def brief_workbook() -> bytes:
    """The brief's tables, a sheet each, as on screen (no cell a live formula)."""
    return safe_xlsx_bytes(sections.workbook_sheets(), notes=notes,
                           notes_title=t("about_sheet"), kinds=sections.workbook_kinds())


def brief_pdf() -> bytes:
    return sections.pdf(title=f"{t('page_brief')} · {ctx.court_name()}", notes=notes).pdf()


c1, c2 = st.columns(2)
c1.download_button(t("download_pdf"),
                   data=exports.audited(ctx, pdf_name, "court brief", brief_pdf),
                   file_name=pdf_name, mime="application/pdf", key="brief_pdf",
                   on_click="ignore", type="primary")
c2.download_button(t("download_xlsx"),
                   data=exports.audited(ctx, xlsx_name, "court brief", brief_workbook),
                   file_name=xlsx_name, mime=exports.XLSX_MIME, key="brief_xlsx",
                   on_click="ignore")
