"""The command center's weekly backward-index report: every court of a province on one
row — the 3+1 indices, the overall rate and national rank with its change since last week,
the five type ranks, the backward indices with their reasons, and the open rectification
items of the ledger. Built from supervision.views.province_view (the figures the province
page shows) in a given language, and written as XLSX (backward cells filled) and A4 PDF
(backward cells marked). Used by the app's page and by `python -m supervision weekly`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from supervision import pdf
from supervision.metrics import CORE_INDICES
from supervision.safe_output import safe_xlsx_bytes
from supervision.ui.i18n import enum_names_in, text


def report_tables(view: dict[str, Any], items: pl.DataFrame, type_names: dict[str, str],
                  language: str) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str]]:
    """(the report, one row per court; a same-shaped frame of booleans marking the backward
    cells; each column's number kind for the workbook)."""
    names = enum_names_in(language)
    courts: pl.DataFrame = view["courts"].sort("rank", "court_code", nulls_last=True)
    specific: list[str] = view["specific_types"]
    names_for_items = enum_names_in(language)
    if items.height:
        # each open item: its requirement and status, and for an item linked to an index,
        # the index's value at the first and the latest update (are the measures working?)
        described = items.with_columns(
            line=pl.col("requirement")
            + pl.lit("（") + pl.col("status").replace_strict(names_for_items,
                                                             default=pl.col("status"))
            + pl.when(pl.col("overdue")).then(pl.lit("，" + text("overdue_item", language)))
            .otherwise(pl.lit(""))
            + pl.when(pl.col("first_value").is_not_null() & (pl.col("latest_as_of")
                                                              > pl.col("first_as_of")))
            .then(pl.lit("，") + (pl.col("first_value") * 100).round(1).cast(pl.String)
                  + pl.lit("% → ") + (pl.col("latest_value") * 100).round(1).cast(pl.String)
                  + pl.lit("%"))
            .otherwise(pl.lit("")) + pl.lit("）"))
        open_items = described.group_by("court_code").agg(
            open=pl.len(), overdue=pl.col("overdue").sum(), item_lines=pl.col("line"))
    else:
        open_items = pl.DataFrame(schema={"court_code": pl.String, "open": pl.UInt32,
                                          "overdue": pl.UInt32,
                                          "item_lines": pl.List(pl.String)})
    courts = courts.join(open_items, on="court_code", how="left")

    def label(index: str) -> str:
        if index.startswith("rank_"):
            ranking = index.removeprefix("rank_")
            return text("national_rank", language) + " · " + (
                text("overall_rate", language) if ranking == "overall"
                else type_names.get(ranking, ranking))
        return names.get(index, index)

    flagged = [{b["index"] for b in rows} for rows in courts["backward_indices"].to_list()]
    reasons = ["；".join(f"{label(b['index'])}：" + "、".join(names.get(r, r) for r in b["reasons"])
                        for b in rows) for rows in courts["backward_indices"].to_list()]
    name_col = "name_en" if language == "en" else "name"
    columns: dict[str, Any] = {text("court", language): courts[name_col]}
    marks: dict[str, list[bool]] = {text("court", language): [False] * courts.height}
    kinds: dict[str, str] = {}
    for index in CORE_INDICES:
        header = names[index]
        columns[header] = courts[index]
        marks[header] = [index in f for f in flagged]
        kinds[header] = "percent"
    rate_header = text("overall_rate", language)
    columns[rate_header] = courts["rate"]
    marks[rate_header] = [False] * courts.height
    kinds[rate_header] = "percent"
    rank_header = text("national_rank", language)
    columns[rank_header] = courts["rank"]
    marks[rank_header] = ["rank_overall" in f for f in flagged]
    change_header = text("rank_change", language)
    columns[change_header] = courts["rank_week_before"] - courts["rank"]
    marks[change_header] = [False] * courts.height
    for code in specific:
        header = text("national_rank", language) + " · " + type_names.get(code, code)
        columns[header] = courts[f"rank_{code}"] if f"rank_{code}" in courts.columns else None
        marks[header] = [f"rank_{code}" in f for f in flagged]
    backward_header = text("backward_count", language)
    columns[backward_header] = courts["backward"]
    marks[backward_header] = [b > 0 for b in courts["backward"]]
    columns[text("backward_change", language)] = courts["backward_change"]
    marks[text("backward_change", language)] = [False] * courts.height
    columns[text("backward_reasons", language)] = reasons
    marks[text("backward_reasons", language)] = [False] * courts.height
    items_header = text("open_items_n", language)
    columns[items_header] = [
        None if o is None else f"{o}" + (f"（{text('overdue_item', language)} {d}）" if d else "")
        for o, d in zip(courts["open"], courts["overdue"], strict=True)]
    marks[items_header] = [bool(d) for d in courts["overdue"].fill_null(0)]
    lines_header = text("open_items_title", language)
    columns[lines_header] = [None if ls is None else "；".join(ls)
                             for ls in courts["item_lines"].to_list()]
    marks[lines_header] = [False] * courts.height
    table = pl.DataFrame(columns, strict=False)
    return table, pl.DataFrame(marks), kinds


def title(view: dict[str, Any], as_of: dt.date, language: str) -> str:
    province = view.get("province") or {}
    name = province.get("name_en" if language == "en" else "name") or ""
    return text("weekly_title", language, province=name, as_of=as_of.isoformat())


def report_xlsx(table: pl.DataFrame, marks: pl.DataFrame, kinds: dict[str, str], *,
                notes: list[str], language: str) -> bytes:
    sheet = text("page_weekly", language)[:31]
    return safe_xlsx_bytes({sheet: table}, notes=notes, notes_title=text("about_sheet", language),
                           kinds=kinds, marked={sheet: marks})


def report_pdf(table: pl.DataFrame, marks: pl.DataFrame, kinds: dict[str, str], *,
               title_text: str, notes: list[str], language: str) -> bytes:
    """A4 landscape, one row per court, backward cells marked; text extractable."""
    shown = table.with_columns(
        pl.col(c).map_elements(lambda v: None if v is None else f"{v * 100:.1f}%",
                               return_dtype=pl.String)
        for c, k in kinds.items() if k == "percent")
    doc = pdf.Document(title=title_text, notes=notes, landscape=True)
    doc.note(text("weekly_hint", language))
    doc.table(shown, flagged=marks, compact=True)
    return doc.pdf()


def notes_for(view: dict[str, Any], as_of: dt.date, loaded_at: dt.datetime | None,
              latest: dt.date | None, language: str) -> list[str]:
    return [text("data_freshness", language,
                 latest=latest.isoformat() if latest else "—",
                 imported=loaded_at.strftime("%Y-%m-%d %H:%M") if loaded_at else "—"),
            ]


