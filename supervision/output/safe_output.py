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
from collections.abc import Callable
from pathlib import Path

import polars as pl

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# Streamlit's markdown also turns bare addresses into links (GFM autolinks); an invisible
# word joiner inside "://", "www." and "@" keeps them text.
_AUTOLINK = re.compile(r"(?i)(:)(//)|(www)(\.)|(@)")
_JOINER = "\u2060"
_SHORTCODE_START = re.compile(r"\\:(?=[A-Za-z0-9_+\-])")


def neutralize_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell that a spreadsheet would read as a formula, prefixed with '."""
    text_columns = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.starts_with(_FORMULA_START[0])
                | pl.any_horizontal(pl.col(c).str.starts_with(s) for s in _FORMULA_START[1:]))
        .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text_columns)


def safe_csv_bytes(frame: pl.DataFrame, *, notes: list[str] | None = None) -> bytes:
    """CSV for Excel: UTF-8 with BOM, formulas neutralized. `notes` (what the file holds,
    its filters, the data date) come first, one per line, then a blank line and the table."""
    head = ""
    if notes:
        note_frame = neutralize_formulas(pl.DataFrame({"n": notes}))
        head = note_frame.write_csv(include_header=False) + "\n"
    return (head + neutralize_formulas(frame).write_csv()).encode("utf-8-sig")


def write_safe_csv(frame: pl.DataFrame, path: Path) -> None:
    path.write_bytes(safe_csv_bytes(frame))


# Excel number formats by kind of column; a caller names its columns' kinds
XLSX_FORMATS = {"percent": "0.0%", "wan": "#,##0.0", "wan_gap": "#,##0.00", "integer": "#,##0",
                "date": "yyyy-mm-dd"}


def _display_width(text: str) -> int:
    # CJK characters take two columns in Excel's default font
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def safe_xlsx_bytes(sheets: dict[str, pl.DataFrame], *, notes: list[str] | None = None,
                    notes_title: str = "about", kinds: dict[str, str] | None = None,
                    progress: Callable[[float], None] | None = None,
                    marked: dict[str, pl.DataFrame] | None = None) -> bytes:
    """An XLSX workbook: a notes sheet first (what it holds, filters, data date), then one
    sheet per frame with a bold header, sensible widths and number formats (`kinds` maps a
    column name to a key of XLSX_FORMATS). No cell is ever a formula or a link: text that
    looks like one is neutralized and xlsxwriter is told not to convert strings. Written
    row by row; `progress` gets the share done. `marked`: per sheet, a frame of booleans of
    the same shape; a true cell is filled (a backward index in the weekly report)."""
    import xlsxwriter

    kinds = kinds or {}
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}
    total = sum(f.height for f in sheets.values()) or 1
    done = 0
    with xlsxwriter.Workbook(buffer, options) as workbook:
        bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        formats = {k: workbook.add_format({"num_format": v}) for k, v in XLSX_FORMATS.items()}
        mark_formats = {k: workbook.add_format({"num_format": v, "bg_color": "#FDE2D4",
                                                "bold": True})
                        for k, v in XLSX_FORMATS.items()}
        mark_plain = workbook.add_format({"bg_color": "#FDE2D4", "bold": True})
        if notes:
            sheet = workbook.add_worksheet(notes_title[:31])
            sheet.set_column(0, 0, 120)
            for i, line in enumerate(neutralize_formulas(pl.DataFrame({"n": notes}))["n"]):
                sheet.write_string(i, 0, line)
        for name, frame in sheets.items():
            sheet = workbook.add_worksheet(name[:31])
            frame = neutralize_formulas(frame)
            for c, column in enumerate(frame.columns):
                dtype = frame.schema[column]
                kind = kinds.get(column) or ("date" if dtype == pl.Date else None)
                sample = frame[column].head(200).cast(pl.String).fill_null("")
                width = max([_display_width(column), *(_display_width(v) for v in sample)])
                sheet.set_column(c, c, min(max(width + 2, 8), 60),
                                 formats.get(kind) if kind else None)
                sheet.write_string(0, c, column, bold)
            sheet.freeze_panes(1, 0)
            column_kinds = [kinds.get(c) or ("date" if frame.schema[c] == pl.Date else None)
                            for c in frame.columns]
            marks = (marked or {}).get(name)
            mark_rows = marks.rows() if marks is not None else None
            for chunk in frame.iter_slices(5_000):
                for r, row in enumerate(chunk.iter_rows(), start=done_rows(sheet)):
                    sheet.write_row(r, 0, row)
                    if mark_rows is None:
                        continue
                    for c, flag in enumerate(mark_rows[r - 1]):
                        if flag:
                            kind = column_kinds[c]
                            sheet.write(r, c, row[c], mark_formats[kind] if kind else mark_plain)
                done += chunk.height
                if progress:
                    progress(done / total)
    return buffer.getvalue()


def done_rows(sheet) -> int:  # noqa: ANN001 - an xlsxwriter worksheet
    """The next free row of a worksheet being written (after the header)."""
    return sheet.dim_rowmax + 1 if sheet.dim_rowmax is not None else 0


def _break_autolink(match: re.Match) -> str:
    if match.group(5):
        return "@" + _JOINER
    return _JOINER.join(g for g in match.groups() if g)


def md(text: object) -> str:
    """Text shown verbatim inside Streamlit markdown (titles, captions, st.markdown)."""
    unlinked = _AUTOLINK.sub(_break_autolink, str(text))
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(unlinked, quote=False))
    # Streamlit reads :material/name:, :streamlit: and emoji shortcodes whatever the
    # backslash: a word joiner after a colon that a name follows keeps them text (not
    # after "优先级: 高": a joiner is still a character when the text is copied)
    return _SHORTCODE_START.sub("\\:" + _JOINER, escaped)


def plain(text: object) -> str:
    """Text shown verbatim in plotly labels and hovers (which render a subset of HTML)."""
    return html.escape(str(text), quote=False)
