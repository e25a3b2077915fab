"""Display tables: query frames turned into what a person reads, on screen and in every
export alike (one path): headers and values in the UI's language, amounts in 万元, dates
as dates, codes as names. Rates stay fractions here; the screen and the workbook format
them as percentages."""

from __future__ import annotations

import polars as pl

from supervision.safe_output import md
from supervision.ui.fmt import WAN
from supervision.ui.i18n import coded, enum_names, headers
from supervision.ui.state import Context

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
    escaped (a name like ![x](http://…) stays text and fetches nothing); nulls as —."""
    return frame.with_columns(
        pl.Series(c, ["—" if v is None else md(v) for v in frame[c].to_list()], pl.String)
        for c, dtype in frame.schema.items() if dtype == pl.String)


def on_screen(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame for st.dataframe: dates as ISO text (the grid would add a midnight time);
    ISO text sorts as the dates do."""
    return frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
