"""Imported text stays data: no live formula in any CSV/XLSX, no markup in markdown or plotly."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import polars as pl

from supervision.output.safe_output import (
    md,
    neutralize_formulas,
    plain,
    safe_csv_bytes,
    safe_xlsx_bytes,
)
from supervision.ui import charts

HOSTILE = ['=HYPERLINK("http://evil.invalid/","j")', "+1+2", "-3+4", "@SUM(A1)", "\t=1",
           "\r=1", "王法官", "", None]


def test_cells_that_would_run_as_formulas_are_neutralized():
    frame = pl.DataFrame({"judge": HOSTILE, "amount": list(range(len(HOSTILE)))})
    out = neutralize_formulas(frame)
    assert out["judge"].to_list()[:6] == ["'" + v for v in HOSTILE[:6]]
    assert out["judge"].to_list()[6:] == ["王法官", "", None]
    assert out["amount"].to_list() == frame["amount"].to_list()  # numbers untouched


def test_csv_has_no_cell_starting_with_a_formula_character():
    text = safe_csv_bytes(pl.DataFrame({"judge": HOSTILE})).decode("utf-8-sig")
    cells = [row[0] if row else "" for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert len(cells) == len(HOSTILE)
    for cell in cells:
        assert not cell or cell[0] not in "=+-@\t\r", cell


def test_xlsx_has_no_formula_and_no_hyperlink():
    data = safe_xlsx_bytes({"cases": pl.DataFrame({"judge": HOSTILE})}, notes=["=1+1"])
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        sheets = [xlsx.read(n).decode() for n in xlsx.namelist()
                  if n.startswith("xl/worksheets/sheet")]
        shared = xlsx.read("xl/sharedStrings.xml").decode()
        names = xlsx.namelist()
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    assert not any("hyperlink" in n.lower() for n in names)
    assert "'=HYPERLINK" in shared.replace("&quot;", '"')


def test_markdown_text_is_shown_as_typed():
    hostile = "![c](http://evil.invalid/x.png) **b** <img src=x> [l](http://evil.invalid)"
    escaped = md(hostile)
    # no markdown image/link syntax and no tag survives unescaped
    assert not re.search(r"(?<!\\)!\\?\[", escaped.replace("\\!\\[", ""))
    assert "](http" not in escaped and "<img" not in escaped
    assert md("海口海事法院") == "海口海事法院"
    # shortcodes Streamlit draws as icons, a logo or emoji, whatever a backslash says
    for code in (":material/warning:", ":streamlit:", ":smile:"):
        assert code not in md(code).replace("\\", "")
        assert md(code).replace("\\", "").replace("\u2060", "") == code


def test_plotly_labels_carry_no_markup():
    frame = pl.DataFrame({"court_code": ["A"], "name": ['<a href="http://evil.invalid">x</a>'],
                          "rate": [0.5], "is_ranked": [True], "rank": [1]})
    fig = charts.rank_bars(frame, label="name", highlight="A", cutoff=0.4, cutoff_label="c",
                           title="t", unranked_label="u")
    assert fig.data[0].x[0] == plain('<a href="http://evil.invalid">x</a>')
    assert "<a " not in fig.to_json()


def test_chart_axis_titles_legends_and_bar_texts_carry_no_markup():
    """Every text a chart shows is escaped; a click still reads the raw name."""
    judge = '<a href="http://evil.invalid">王</a>![j](http://evil.invalid/j.png)'
    frame = pl.DataFrame({"judge": [judge], "cases": [3], "kind": ["cases"]})
    fig = charts.stacked_bars(frame, x="judge", y="cases", colour="kind", title=judge,
                              x_title=f"<b>{judge}</b>", y_title="<i>件数</i>",
                              colour_names={"cases": "<img src=x>"}, horizontal=True,
                              custom=["judge"], legend_title="<u>类</u>")
    shown = [fig.layout.title.text, fig.layout.xaxis.title.text, fig.layout.yaxis.title.text,
             fig.layout.legend.title.text, fig.data[0].name, *fig.data[0].y]
    for text in shown:
        assert "<" not in text, text
    assert fig.layout.yaxis.title.text == plain(f"<b>{judge}</b>")
    assert fig.data[0].customdata[0][0] == judge          # the click's value, raw
    ranks = pl.DataFrame({"court_code": ["A"], "name": ["甲"], "rate": [None],
                          "is_ranked": [False], "rank": [None]}, schema_overrides={
                              "rate": pl.Float64, "rank": pl.Int64})
    fig = charts.rank_bars(ranks, label="name", highlight="A", cutoff=None, cutoff_label="c",
                           title="t", unranked_label="<b>未排名</b>")
    assert fig.data[0].text[0] == plain("<b>未排名</b>")
