"""每周落后指标通报: the command center's weekly report for the week ending on the sidebar's
as-of date — every court of the user's province on one row, backward cells shaded, the
ledger's open items — on screen and as XLSX and A4 PDF (the same tables as the CLI's
`python -m supervision weekly`)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from supervision.output.safe_output import md
from supervision.ui import data, exports, state
from supervision.words.fmt import zoned_time
from supervision.words.i18n import lang, t
from supervision.workflow import ledger, weekly

ctx = state.context("weekly")
view = data.province(ctx.access, ctx.filters)
language = lang()
title = weekly.title(view, ctx.filters.as_of, language)
st.title(md(title))
exports.freshness_caption(ctx)
st.caption(t("weekly_hint"))

courts = tuple(view["courts"]["court_code"].to_list())
items = ledger.items(data.store(), courts, open_only=True, today=ctx.filters.as_of)
table, marks, kinds = weekly.report_tables(view, items, ctx.type_names(), language)
# who slipped this week (a backward reason), apart from the standing outside the top k
for line in weekly.summary_lines(view, language):
    st.markdown(md(line))

shade = marks.to_pandas()


def _shade(frame):  # noqa: ANN001, ANN202 - a pandas frame in, CSS for each cell out
    return shade.replace({True: "background-color: #FDE2D4; font-weight: 600",
                          False: ""}).set_axis(frame.columns, axis=1)


# counts and ranks with thousands separators, as the PDF and the headline figures write them
whole = [c for c, dtype in table.schema.items() if dtype.is_integer()]
styled = table.to_pandas().style.apply(_shade, axis=None).format(na_rep="—").format(
    {c: (lambda v: "—" if v != v or v is None else f"{v * 100:.1f}%")
     for c, k in kinds.items() if k == "percent"}, na_rep="—").format(
    {c: (lambda v: "—" if v != v or v is None else f"{int(v):,}") for c in whole},
    na_rep="—")  # NA never reaches a formatter
st.dataframe(styled, hide_index=True, width="stretch", placeholder="—",
             height=min(36 * (table.height + 1) + 3, 1100),
             column_config={t("court"): st.column_config.TextColumn(pinned=True)})

notes = [title, *weekly.notes_for(view, ctx.filters.as_of, ctx.reference.get("loaded_at"),
                                   ctx.reference.get("latest"), language),
         t("exported_by", user=ctx.access.display_name or ctx.access.username,
           at=zoned_time(dt.datetime.now(dt.UTC)))]
xlsx_name = exports.file_name(ctx, "weekly", "xlsx", court_label=ctx.province_name())
pdf_name = exports.file_name(ctx, "weekly", "pdf", court_label=ctx.province_name())
c1, c2 = st.columns(2)
c1.download_button(t("download_weekly_pdf"), type="primary",
                   data=exports.audited(ctx, pdf_name, "weekly report",
                                        lambda: weekly.report_pdf(table, marks, kinds,
                                                                  title_text=title,
                                                                  notes=notes[1:],
                                                                  language=language),
                                        court=None),
                   file_name=pdf_name, mime="application/pdf", key="weekly_pdf",
                   on_click="ignore")
c2.download_button(t("download_weekly_xlsx"),
                   data=exports.audited(ctx, xlsx_name, "weekly report",
                                        lambda: weekly.report_xlsx(table, marks, kinds,
                                                                   notes=notes,
                                                                   language=language),
                                        court=None),
                   file_name=xlsx_name, mime=exports.XLSX_MIME, key="weekly_xlsx",
                   on_click="ignore")
