"""Display tables: query frames turned into what a person reads, on screen and in every
export alike (one path): headers and values in the UI's language, amounts in 万元, dates
as dates, codes as names. Rates stay fractions here; the screen and the workbook format
them as percentages."""

from __future__ import annotations

import polars as pl
import streamlit as st
from sqlalchemy import Engine

from supervision.output.safe_output import md
from supervision.security.users import list_users
from supervision.ui.state import Context
from supervision.words.fmt import WAN
from supervision.words.i18n import coded, enum_names, headers

# case columns that hold vocabulary codes
ENUM_COLUMNS = ("status", "case_kind", "priority", "complexity", "respondent_kind")


def case_rows(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Case-level rows (explorer, pending, largest-value) ready to read or hand over."""
    names = enum_names()
    out = frame.with_columns(
        *(coded(c, names) for c in ENUM_COLUMNS if c in frame.columns),
        *([coded("case_type", ctx.type_names())] if "case_type" in frame.columns else []),
        *([coded("court_code", ctx.court_names())] if "court_code" in frame.columns else []),
        *([(pl.col("amount_yuan") / WAN).round(1).alias("amount_wan")]
          if "amount_yuan" in frame.columns else []),
        *([pl.when(pl.col("has_property")).then(pl.lit(names["yes"]))
           .otherwise(pl.lit(names["no"])).alias("has_property")]
          if "has_property" in frame.columns else []),
        *([(pl.col("recovered_yuan") / WAN).round(1).alias("recovered_wan")]
          if "recovered_yuan" in frame.columns else []),
    )
    order = [("amount_wan" if c == "amount_yuan" else "recovered_wan" if c == "recovered_yuan"
              else c) for c in frame.columns]
    return headers(out.select(order))


def static_table(frame: pl.DataFrame) -> pl.DataFrame:
    """A small frame for st.table, which renders its cells as markdown: every text cell
    escaped (a name like ![x](http://…) stays text and fetches nothing); nulls as —;
    numbers as text in their one format (st.table would print 1,333.8 as "1,333.8000"):
    amounts (the only fractional numbers of a display table: rates are text already) with
    one decimal, counts whole, both with thousands separators."""
    return frame.with_columns(
        pl.Series(c, [_cell(v, dtype) for v in frame[c].to_list()], pl.String)
        for c, dtype in frame.schema.items()
        if dtype == pl.String or (dtype.is_numeric() and dtype != pl.Boolean))


def _cell(value: object, dtype: pl.DataType) -> str:
    if value is None:
        return "—"
    if dtype.is_float():
        return f"{value:,.1f}"
    if dtype.is_integer():
        return f"{value:,}"
    return md(value)


def display_names(store: Engine) -> dict[str, str]:
    """Login name -> the person's display name (histories show people, not accounts)."""
    people = list_users(store)
    return dict(zip(people["username"], people["display_name"].fill_null(people["username"]),
                    strict=True))


def person(column: str, names: dict[str, str], alias: str | None = None) -> pl.Expr:
    """A column of login names shown as display names (an unknown login as itself)."""
    return coded(column, names, alias)


# st.dataframe's number formats (sprintf, with the thousands separator): the grid would
# otherwise print 1,333.8 as "1333.8" and 1,333.0 as "1333", unlike every other view
AMOUNT_FORMAT, COUNT_FORMAT = "%,.1f", "%,d"


def number_columns(frame: pl.DataFrame) -> dict[str, st.column_config.NumberColumn]:
    """st.dataframe's column_config for the frame's numbers: fractional ones (amounts in
    万元, months) with one decimal, whole ones (counts, days) whole, both with thousands
    separators."""
    return {c: st.column_config.NumberColumn(format=AMOUNT_FORMAT if dtype.is_float()
                                             else COUNT_FORMAT)
            for c, dtype in frame.schema.items() if dtype.is_numeric()}


def on_screen(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame for st.dataframe: dates as ISO text (the grid would add a midnight time);
    ISO text sorts as the dates do."""
    return frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
