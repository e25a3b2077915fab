"""已发布通报: the weekly reports the command center published (`python -m supervision weekly
--publish`, the Monday job) for the user's province — downloadable byte-identical as they were
sent, whatever was imported since — and what changed since publication: today's figures for
that week's date where they differ from the published ones, per court and index."""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision.domain.filters import Filters
from supervision.output.safe_output import md
from supervision.ui import data, exports, state
from supervision.words.fmt import local_time_column, time_header
from supervision.words.i18n import headers, lang, t
from supervision.workflow import publication, weekly

ctx = state.context("publications")
access = ctx.access
store = data.store()
st.title(t("page_publications"))
st.caption(t("publications_caption"))

listed = publication.publications(store, access.province)
if not listed.height:
    st.info(t("no_publications"))
    st.stop()

# dates as dates (not midnight times); the bytes' checksums and the data version in full
st.dataframe(headers(listed.select(
    pl.col("as_of").cast(pl.String), "language", "title",
    local_time_column("published_at", time_header()), "published_by",
    pl.col("data_latest").cast(pl.String), "data_version", "pdf_sha256", "xlsx_sha256")),
    hide_index=True, width="stretch")

labels = {row["id"]: f"{row['as_of']} · {row['language']} · #{row['id']}"
          for row in listed.iter_rows(named=True)}
chosen = st.selectbox(t("publication_pick"), list(labels), format_func=labels.get,
                      key="publication_id")
row = listed.filter(pl.col("id") == chosen).row(0, named=True)
base = f"weekly_{access.province}_{row['as_of']}_{row['language']}_{row['id']}"


def stored(kind: str):  # noqa: ANN202 - the file's bytes as stored, read when clicked
    return lambda: publication.document(store, chosen, kind, province=access.province)


c1, c2 = st.columns(2)
# the session and its scope re-checked when clicked; the bytes served as stored
c1.download_button(t("download_published_pdf"), type="primary",
                   data=exports.checked_file(access, f"{base}.pdf", "weekly publication",
                                             stored("pdf"), publication=chosen,
                                             sha256=row["pdf_sha256"]),
                   file_name=f"{base}.pdf", mime="application/pdf", key="published_pdf",
                   on_click="ignore")
c2.download_button(t("download_published_xlsx"),
                   data=exports.checked_file(access, f"{base}.xlsx", "weekly publication",
                                             stored("xlsx"), publication=chosen,
                                             sha256=row["xlsx_sha256"]),
                   file_name=f"{base}.xlsx", mime=exports.XLSX_MIME, key="published_xlsx",
                   on_click="ignore")

# ------------------------------------------------------------------ what changed since

st.subheader(t("changed_since_title"))
today = publication.figures(data.province(access, Filters(as_of=row["as_of"])))
changed = publication.changes(publication.published_figures(store, chosen), today)
if not changed.height:
    st.success(t("changed_since_none", as_of=row["as_of"].isoformat()))
else:
    st.markdown(t("changed_since_n", n=changed.height, as_of=row["as_of"].isoformat()))
    names = ctx.court_names()
    type_names = ctx.type_names()
    language = lang()
    metric = ctx.overall_metric()
    index_names = {i: (t(metric) if i == "rate" else t("backward_count")
                       if i == "backward" else weekly.index_label(i, type_names, language,
                                                                  metric))
                   for i in changed["index"].unique().to_list()}

    def shown(col: str) -> pl.Expr:
        # ranks and counts as whole numbers, rates and the 3+1 indices as percentages
        whole = pl.col("index").str.starts_with("rank_") | (pl.col("index") == "backward")
        return (pl.when(pl.col(col).is_null()).then(pl.lit("—"))
                .when(whole).then(pl.col(col).cast(pl.Int64).cast(pl.String))
                .otherwise((pl.col(col) * 100).round(1).cast(pl.String) + pl.lit("%")))

    st.dataframe(changed.select(
        pl.col("court_code").replace_strict(names, default=pl.col("court_code"))
        .alias(t("court")),
        pl.col("index").replace_strict(index_names, default=pl.col("index"))
        .alias(t("index_col")),
        shown("published").alias(t("published_value")),
        shown("today").alias(t("today_value"))), hide_index=True, width="stretch")
st.caption(md(row["title"]))
