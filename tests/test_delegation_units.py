"""Units behind what a delegation sees: display tables in either language, workbook
formats, the PDF builder, URL ranges, the brief's drill-through and the data's freshness."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import fastexcel
import polars as pl
import pytest
import xlsxwriter  # noqa: F401 - the writer behind safe_xlsx_bytes

from supervision.output import pdf
from supervision.output.safe_output import safe_csv_bytes, safe_xlsx_bytes
from supervision.ui import urls


def test_a_date_range_round_trips_through_the_url():
    value = urls.parse_range("2026-01-01..2026-03-31")
    assert value == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert urls.format_range(value) == "2026-01-01..2026-03-31"
    assert urls.parse_range("2026-03-31..2026-01-01") == ()     # reversed: refused
    assert urls.parse_range("garbage") == ()
    assert urls.range_ends((dt.date(2026, 1, 1),)) == (dt.date(2026, 1, 1), None)
    assert urls.format_range((dt.date(2026, 1, 1),)) is None     # half picked: not a view


def test_a_workbook_has_its_notes_first_and_formats_its_numbers():
    frame = pl.DataFrame({"实际执行率": [0.887, None], "标的额（万元）": [1234.5, 2.0],
                          "立案日期": [dt.date(2026, 1, 2), None], "承办人": ["=cmd", "张三"]})
    shares: list[float] = []
    data = safe_xlsx_bytes({"案件": frame}, notes=["筛选：优先级: 高", "数据截至 2026-11-25"],
                           notes_title="说明", kinds={"实际执行率": "percent",
                                                     "标的额（万元）": "wan"},
                           progress=shares.append)
    book = fastexcel.read_excel(data)
    assert book.sheet_names == ["说明", "案件"]
    about = book.load_sheet(0, header_row=None).to_polars().to_series(0).to_list()
    assert about == ["筛选：优先级: 高", "数据截至 2026-11-25"]
    cases = book.load_sheet(1).to_polars()
    assert cases["实际执行率"].to_list() == [0.887, None]     # a number, shown as 88.7 %
    assert cases["承办人"].to_list() == ["'=cmd", "张三"]
    assert shares[-1] == 1.0
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("xl/styles.xml").decode()
    assert 'formatCode="0.0%"' in styles and 'formatCode="#,##0.0"' in styles


def test_a_csv_carries_its_notes_above_the_table():
    text = safe_csv_bytes(pl.DataFrame({"案号": ["A1"]}), notes=["案件查询 · 甲院", "+1"]
                          ).decode("utf-8-sig").splitlines()
    assert text == ["案件查询 · 甲院", "'+1", "", "案号", "A1"]


def test_the_pdf_builder_escapes_data_and_embeds_the_cjk_font(tmp_path):
    doc = pdf.Document(title="法院督导简报 · <b>甲院</b>", notes=["数据截至 2026-11-25"])
    doc.cards([("执行信访案件办结率", "77.8%", "标准 90%", "#D55E00")])
    doc.table(pl.DataFrame({"被执行人": ["<img src=x onerror=alert(1)>"], "件数": [3]}),
              heading="标的额最大的未结案件")
    doc.chart(pdf.stacked_bars_svg(["涉民生案件"], {"3个月内": [2], "1年以上": [1]},
                                   y_label="件数"))
    assert "<img src=x" not in doc.html() and "&lt;img src=x" in doc.html()
    assert "<b>甲院" not in doc.html()
    path = tmp_path / "brief.pdf"
    path.write_bytes(doc.pdf())
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Noto" in fonts and "CJK" in fonts
    assert "法院督导简报 · <b>甲院</b>" in text and "执行信访案件办结率" in text


def test_the_trend_chart_has_whole_rank_ticks():
    svg = pdf.trend_svg([dt.date(2026, 1, 4), dt.date(2026, 1, 11)], [0.5, 0.6], [0.7, 0.7],
                        [3, 2], rate_label="实际执行率", cutoff_label="前20名线", rank_label="排名")
    assert "实际执行率" in svg and ">2.5<" not in svg and ">0<" not in svg.split("排名")[-1]


@pytest.mark.parametrize("code", ["rank_overall", "rank_loan", "termination_qualified",
                                  "three_year_conclusion", "property_within_limit",
                                  "petitions_resolved"])
def test_a_backward_index_links_to_its_own_cases(code):
    # the explorer selects them by the index's definition (tests/test_index_drill.py)
    from supervision.ui.brief_sections import Sections

    sections = Sections(cards=[], backward=pl.DataFrame({"index": ["rank_wage", code]}),
                        backward_screen=pl.DataFrame(), no_data=False, rate_label="", k=20,
                        weekly=pl.DataFrame(), by_age=pl.DataFrame(), largest=pl.DataFrame(),
                        ranks=pl.DataFrame(), period_start=dt.date(2026, 1, 1))
    assert sections.explorer_params(1) == {"index": code}


def test_imports_and_generation_record_when_the_data_was_loaded(tmp_path):
    import duckdb

    from supervision.data.generator import generate
    from supervision.data.importer import import_files
    from supervision.data.lookups import last_load

    db = tmp_path / "cases.duckdb"
    generate(db, 5_000, seed=3, end=dt.date(2026, 11, 25), progress=lambda m: None)
    con = duckdb.connect(str(db), read_only=True)
    first = last_load(con)
    loads = con.sql("SELECT kind, rows_stored FROM data_loads").fetchall()
    con.close()
    assert loads == [("generate", 5_000)] and first is not None
    con = duckdb.connect(str(db), read_only=True)
    con.sql("COPY (SELECT * FROM cases LIMIT 10) TO '" + str(tmp_path / "c.csv") + "'")
    con.close()
    import_files(db, {"cases": tmp_path / "c.csv"})
    con = duckdb.connect(str(db), read_only=True)
    loads = con.sql("SELECT kind, source, rows_stored FROM data_loads ORDER BY loaded_at, kind"
                    ).fetchall()
    con.close()
    assert ("import", "c.csv", 10) in loads and len(loads) == 2


def test_a_download_built_later_speaks_the_language_it_was_made_in():
    """A deferred download runs on another thread, where the session is unknown: it keeps
    the language of the run that made it."""
    import threading

    import streamlit as st

    from supervision.words import i18n

    st.session_state["lang"] = "en"
    build = i18n.deferred(lambda: (i18n.t("page_brief"), i18n.enum_names()["high"]))
    st.session_state["lang"] = "zh"
    got: list = []
    worker = threading.Thread(target=lambda: got.append(build()))
    worker.start()
    worker.join()
    assert got == [("Court brief", "high")]
    assert i18n.t("page_brief") == "法院督导简报"        # this thread: the session's language
