"""The weekly report says what its shading marks (every backward index, mostly standing
states) and leads with the courts that slipped this week, the same words on the page, in
the XLSX and the PDF."""

from __future__ import annotations

import datetime as dt
import subprocess

import fastexcel
import polars as pl

from supervision.words.i18n import text
from supervision.workflow import weekly

HINT_SHADE = "底色：落后指标——低于标准、低于全省或全国排名较上周下降"


def _view() -> dict:
    # A: below the threshold for weeks (backward, not newly); B: its rank fell this week
    # (newly backward); C: nothing backward, outside the top 2
    courts = pl.DataFrame({
        "court_code": ["A", "B", "C"], "name": ["A法院", "B法院", "C法院"],
        "name_en": ["Court A", "Court B", "Court C"], "rank": [1, 2, 3],
        "backward": [1, 1, 0],
        "newly_backward": [[], ["rank_overall"], []],
        "standing": ["in_target", "in_target", "outside_target"], "target_rank": [2, 2, 2]},
        schema_overrides={"newly_backward": pl.List(pl.String)})
    return {"courts": courts, "province": {"name": "海南省", "name_en": "Hainan"}}


def test_the_summary_leads_with_who_slipped_then_every_backward_court():
    assert weekly.summary_lines(_view(), "zh") == [
        "本周新增落后指标的法院（本周下滑）1 家：B法院。",
        "有落后指标（低于标准、低于全省或全国排名较上周下降，含此前已落后的）的法院 2 家（共 3 家）：A法院；B法院。",
        "未进入前2名的法院 1 家（持续状态，不计为落后）。"]


def test_no_slip_this_week_is_said_as_such():
    view = _view()
    view["courts"] = view["courts"].with_columns(
        newly_backward=pl.lit([], dtype=pl.List(pl.String)))
    assert weekly.summary_lines(view, "zh")[0] == "本周没有法院新增落后指标（本周无下滑）。"
    assert weekly.summary_lines(view, "en")[0] == (
        "No court has an index newly backward this week (none slipped).")


def test_the_hint_says_what_is_shaded_and_never_calls_it_this_weeks_slip():
    hint = text("weekly_hint", "zh")
    assert HINT_SHADE in hint and "本周下滑" not in hint
    assert "本周新增落后指标" in hint


def _notes() -> list[str]:
    return weekly.notes_for(_view(), dt.date(2026, 6, 30), None, None, "zh")


def test_the_xlsx_and_the_pdf_carry_the_same_words(tmp_path):
    notes = _notes()
    assert notes[0].startswith("本周新增落后指标的法院") and notes[1].startswith("有落后指标")
    assert notes[3] == text("weekly_hint", "zh")
    table = pl.DataFrame({"法院": ["A法院"], "落后指标": [1]})
    marks = pl.DataFrame({"法院": [False], "落后指标": [True]})
    book = fastexcel.read_excel(weekly.report_xlsx(table, marks, {}, notes=notes,
                                                   language="zh"))
    about = book.load_sheet(0, header_row=None).to_polars().to_series(0).to_list()
    assert about == notes
    path = tmp_path / "weekly.pdf"
    path.write_bytes(weekly.report_pdf(table, marks, {}, title_text="每周通报", notes=notes,
                                       language="zh"))
    squeezed = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                      text=True, check=True).stdout.split())
    for note in notes[:4]:
        assert "".join(note.split()) in squeezed, note
    assert squeezed.count(HINT_SHADE) == 1
    assert squeezed.index("本周新增落后指标的法院") < squeezed.index("有落后指标（")


def test_the_weekly_reports_key_columns_come_first(tmp_path):
    from supervision import views
    from supervision.domain.filters import Filters
    from supervision.security.access import Access
    from tests.conftest import add_cases, closed, make_db

    con = make_db(tmp_path / "cases.duckdb")
    add_cases(con, closed("a1", "A", dt.date(2026, 2, 1), dt.date(2026, 5, 1),
                          "fully_performed"))
    view = views.province_view(con, Access("s", "supervisor", None, "琼"),
                               Filters(as_of=dt.date(2026, 6, 30)))
    table, marks, _kinds = weekly.report_tables(view, pl.DataFrame(), {}, "zh")
    assert table.columns[:7] == ["法院", "目标状态", "全国排名", "排名较上周", "落后指标",
                                 "本周新增落后指标", "落后指标及原因"]
    assert marks.columns == table.columns
    con.close()
