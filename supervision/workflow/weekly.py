"""The command center's weekly backward-index report: every court of a province on one
row — the 3+1 indices, the overall rate and national rank with its move since last week,
its standing (within the top k, outside it, unranked: a lasting state, not backward), the
five type ranks, the backward indices (slipping: below the threshold, below the province,
or a rank that fell since last week) with their reasons and those newly backward this week,
and the open rectification items of the ledger. Built from supervision.views.province_view
(the figures the province page shows) in a given language, and written as XLSX (backward
cells filled) and A4 PDF (backward cells marked). Changes since last week are words
(supervision.words.fmt.rank_movement, count_change), the same on screen and in both files.
Used by the app's page and by `python -m supervision weekly`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from supervision.engine.metrics import CORE_INDICES
from supervision.output import pdf
from supervision.output.safe_output import safe_xlsx_bytes
from supervision.words.fmt import count_change, rank_movement, zoned_time
from supervision.words.i18n import enum_names_in, text


def index_label(index: str, type_names: dict[str, str], language: str,
                metric: str = "overall_rate") -> str:
    """An index code's name: a 3+1 index by its name, rank_<ranking> as 全国排名 · <ranking>
    (the overall ranking by its target's `metric`)."""
    if index.startswith("rank_"):
        ranking = index.removeprefix("rank_")
        return text("national_rank", language) + " · " + (
            text(metric, language) if ranking == "overall"
            else type_names.get(ranking, ranking))
    return enum_names_in(language).get(index, index)


def standing_label(standing: str | None, k: int | None, language: str) -> str:
    """A standing state in words: 前20名内 / 未进入前20名 / 未排名 (k from the data)."""
    if standing in ("in_target", "outside_target"):
        return text(standing, language, k=k if k is not None else "—")
    return text("unranked", language)


def backward_courts(view: dict[str, Any], language: str) -> list[str]:
    """The names of the courts with a backward index (those that slipped), by rank."""
    courts = view["courts"].sort("rank", "court_code", nulls_last=True)
    name_col = "name_en" if language == "en" else "name"
    return courts.filter(pl.col("backward") > 0)[name_col].to_list()


def newly_backward_courts(view: dict[str, Any], language: str) -> list[str]:
    """The names of the courts with an index backward this week that was not last week."""
    courts = view["courts"].sort("rank", "court_code", nulls_last=True)
    name_col = "name_en" if language == "en" else "name"
    return courts.filter(pl.col("newly_backward").list.len() > 0)[name_col].to_list()


def summary_lines(view: dict[str, Any], language: str) -> list[str]:
    """The courts that slipped this week (an index newly backward) first, then every court
    with a backward index (most of them backward before too), and apart from them how many
    courts stand outside the top k (a standing state, not backward)."""
    courts: pl.DataFrame = view["courts"]
    sep = text("list_sep", language)
    newly = newly_backward_courts(view, language)
    first = (text("newly_backward_courts", language, n=len(newly), names=sep.join(newly))
             if newly else text("newly_backward_courts_none", language))
    names = backward_courts(view, language)
    total = courts.height
    second = (text("backward_courts", language, n=len(names), total=total,
                   names=sep.join(names)) if names
              else text("backward_courts_none", language, total=total))
    outside = int((courts["standing"] == "outside_target").sum()) if total else 0
    k = courts["target_rank"].drop_nulls().first() if total else None
    return [first, second, text("outside_target_courts", language, n=outside,
                                k=k if k is not None else "—")]


def report_tables(view: dict[str, Any], items: pl.DataFrame, type_names: dict[str, str],
                  language: str) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str]]:
    """(the report, one row per court; a same-shaped frame of booleans marking the backward
    cells — an index with a backward reason, and the count of backward indices when above 0;
    each column's number kind for the workbook)."""
    names = enum_names_in(language)
    courts: pl.DataFrame = view["courts"].sort("rank", "court_code", nulls_last=True)
    specific: list[str] = view["specific_types"]
    names_for_items = enum_names_in(language)
    if items.height:
        # each open item: its requirement and status, and for an item linked to an index,
        # the index's value at the first and the latest update (are the measures working?)
        comma, opened, closed = (text(k, language)
                                 for k in ("comma", "paren_open", "paren_close"))
        described = items.with_columns(
            line=pl.col("requirement")
            + pl.lit(opened) + pl.col("status").replace_strict(names_for_items,
                                                               default=pl.col("status"))
            + pl.when(pl.col("overdue")).then(pl.lit(comma + text("overdue_item", language)))
            .otherwise(pl.lit(""))
            + pl.when(pl.col("first_value").is_not_null() & (pl.col("latest_as_of")
                                                              > pl.col("first_as_of")))
            .then(pl.lit(comma) + (pl.col("first_value") * 100).round(1).cast(pl.String)
                  + pl.lit("% → ") + (pl.col("latest_value") * 100).round(1).cast(pl.String)
                  + pl.lit("%"))
            .otherwise(pl.lit("")) + pl.lit(closed))
        open_items = described.group_by("court_code").agg(
            open=pl.len(), overdue=pl.col("overdue").sum(), item_lines=pl.col("line"))
    else:
        open_items = pl.DataFrame(schema={"court_code": pl.String, "open": pl.UInt32,
                                          "overdue": pl.UInt32,
                                          "item_lines": pl.List(pl.String)})
    courts = courts.join(open_items, on="court_code", how="left")

    flagged = [{b["index"] for b in rows} for rows in courts["backward_indices"].to_list()]
    clause, label, items = (text(k, language) for k in ("clause_sep", "label_sep", "enum_sep"))
    # the overall ranking's rate is its target's metric (data: the targets table)
    metric = (courts["metric"].drop_nulls().first() if "metric" in courts.columns
              and courts.height else None) or "overall_rate"
    reasons = [clause.join(index_label(b["index"], type_names, language, metric) + label
                           + items.join(names.get(r, r) for r in b["reasons"])
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
    rate_header = text(metric, language)
    columns[rate_header] = courts["rate"]
    marks[rate_header] = [False] * courts.height
    kinds[rate_header] = "percent"
    rank_header = text("national_rank", language)
    columns[rank_header] = courts["rank"]
    marks[rank_header] = ["rank_overall" in f for f in flagged]
    change_header = text("rank_change", language)
    columns[change_header] = [rank_movement(b, n, language) for b, n in
                              zip(courts["rank_week_before"], courts["rank"], strict=True)]
    marks[change_header] = [False] * courts.height
    standing_header = text("target_standing", language)
    columns[standing_header] = [standing_label(s, k, language) for s, k in
                                zip(courts["standing"], courts["target_rank"], strict=True)]
    marks[standing_header] = [False] * courts.height
    for code in specific:
        header = text("national_rank", language) + " · " + type_names.get(code, code)
        columns[header] = courts[f"rank_{code}"] if f"rank_{code}" in courts.columns else None
        marks[header] = [f"rank_{code}" in f for f in flagged]
    backward_header = text("backward_count", language)
    columns[backward_header] = courts["backward"]
    marks[backward_header] = [b > 0 for b in courts["backward"]]
    columns[text("backward_change", language)] = [
        count_change(d, "unit_items", language) for d in courts["backward_change"]]
    marks[text("backward_change", language)] = [False] * courts.height
    newly_header = text("newly_backward", language)
    columns[newly_header] = [text("list_sep", language).join(
        index_label(i, type_names, language, metric) for i in rows) or None
        for rows in courts["newly_backward"].to_list()]
    marks[newly_header] = [False] * courts.height
    columns[text("backward_reasons", language)] = reasons
    marks[text("backward_reasons", language)] = [False] * courts.height
    items_header = text("open_items_n", language)
    columns[items_header] = [
        None if o is None else f"{o}" + (text("paren_open", language)
                                         + f"{text('overdue_item', language)} {d}"
                                         + text("paren_close", language) if d else "")
        for o, d in zip(courts["open"], courts["overdue"], strict=True)]
    marks[items_header] = [bool(d) for d in courts["overdue"].fill_null(0)]
    lines_header = text("open_items_title", language)
    columns[lines_header] = [None if ls is None else clause.join(ls)
                             for ls in courts["item_lines"].to_list()]
    marks[lines_header] = [False] * courts.height
    # the key columns first (as on 全省一览): court, standing, rank and its move, the
    # backward indices, those new this week and why; then the 3+1, the rate, the type ranks
    lead = [text("court", language), standing_header, rank_header, change_header,
            backward_header, newly_header, text("backward_reasons", language)]
    order = lead + [c for c in columns if c not in lead]
    table = pl.DataFrame({c: columns[c] for c in order}, strict=False)
    return table, pl.DataFrame({c: marks[c] for c in order}), kinds


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
    doc.table(shown, flagged=marks, compact=True)
    return doc.pdf()


def notes_for(view: dict[str, Any], as_of: dt.date, loaded_at: dt.datetime | None,
              latest: dt.date | None, language: str) -> list[str]:
    """Who slipped, who is backward, the shading's meaning (the same on the page, in the
    XLSX and the PDF) and the data's freshness."""
    return [*summary_lines(view, language), text("weekly_hint", language),
            text("data_freshness", language,
                 latest=latest.isoformat() if latest else "—",
                 imported=zoned_time(loaded_at, language))]


