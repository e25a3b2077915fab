"""Imported text is data, never markup or a formula.

- CSV and XLSX: a cell that starts with = + - @ (or a tab or carriage return) would run as
  a formula in Excel or WPS; it is written with a leading apostrophe, shown as text.
- Markdown: Streamlit renders titles, captions and st.markdown as markdown; court names,
  case-type names and display names pass through `md` first, so `![x](http://…)` is shown
  as those characters and the browser fetches nothing.
- Plotly hover and axis text is HTML-ish: `plain` escapes it.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import polars as pl

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# Streamlit's markdown also turns bare addresses into links (GFM autolinks); an invisible
# word joiner inside "://", "www." and "@" keeps them text.
_AUTOLINK = re.compile(r"(?i)(:)(//)|(www)(\.)|(@)")
_JOINER = "\u2060"


def neutralize_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell that a spreadsheet would read as a formula, prefixed with '."""
    text_columns = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.starts_with(_FORMULA_START[0])
                | pl.any_horizontal(pl.col(c).str.starts_with(s) for s in _FORMULA_START[1:]))
        .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text_columns)


def safe_csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV for Excel: UTF-8 with BOM, formulas neutralized."""
    return neutralize_formulas(frame).write_csv().encode("utf-8-sig")


def write_safe_csv(frame: pl.DataFrame, path: Path) -> None:
    path.write_bytes(safe_csv_bytes(frame))


def safe_xlsx_bytes(sheets: dict[str, pl.DataFrame], *, notes: list[str] | None = None) -> bytes:
    """An XLSX workbook, one sheet per frame; no cell is ever written as a formula (text
    that looks like one is neutralized and xlsxwriter is told not to convert strings)."""
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as workbook:
        if notes:
            sheet = workbook.add_worksheet("about")
            for i, line in enumerate(notes):
                sheet.write_string(i, 0, line)
        for name, frame in sheets.items():
            neutralize_formulas(frame).write_excel(workbook=workbook, worksheet=name[:31],
                                                   autofit=True)
    return buffer.getvalue()


def _break_autolink(match: re.Match) -> str:
    if match.group(5):
        return "@" + _JOINER
    return _JOINER.join(g for g in match.groups() if g)


def md(text: object) -> str:
    """Text shown verbatim inside Streamlit markdown (titles, captions, st.markdown)."""
    unlinked = _AUTOLINK.sub(_break_autolink, str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(unlinked, quote=False))


def plain(text: object) -> str:
    """Text shown verbatim in plotly labels and hovers (which render a subset of HTML)."""
    return html.escape(str(text), quote=False)
