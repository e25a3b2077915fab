"""PDF layout: column widths by content (a court name is never wrapped four characters wide
in the weekly landscape table; an English header is never broken mid-word, "Threshol / d"),
and no near-empty page in a brief (sections flow; a table does not jump whole to the next
page, leaving most of a page blank). Read back with pdftotext."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import polars as pl
import pytest

from supervision.output import pdf
from supervision.workflow import weekly

# ten Chinese characters, as long as many a court's name
LONG_COURT = "琼中黎族苗族自治县法院"
REASON = ("全国排名 · 实际执行率：全国排名较上周下降；有财产案件法定期限内实际执结率："
          "低于标准、低于全省；近三年执行案件整体执结率：低于标准")


def _text(data: bytes, tmp_path, *options: str) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _weekly_table() -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str]]:
    """A weekly report's shape: a court column, many narrow figures, long reasons."""
    courts = [LONG_COURT, "海口海事法院", "三亚市城郊人民法院"]
    columns: dict[str, list] = {"法院": courts}
    kinds = {}
    for name in ("有财产案件法定期限内实际执结率", "无财产案件终本合格率", "执行信访案件办结率",
                 "近三年执行案件整体执结率", "实际执行率"):
        columns[name] = [0.921, 0.5, None]
        kinds[name] = "percent"
    for i in range(7):
        columns[f"全国排名 · 类型{i}"] = [30 + i, None, 1_432]
    columns["较上周"] = ["上升2名", "持平", "下降14名"]
    columns["落后指标及原因"] = [REASON, "—", REASON]
    columns["督导整改事项（未完成）"] = [REASON, "—", "—"]
    table = pl.DataFrame(columns)
    marks = pl.DataFrame({c: [False] * 3 for c in table.columns})
    return table, marks, kinds


def test_the_weekly_pdf_prints_a_long_court_name_on_one_line(tmp_path):
    table, marks, kinds = _weekly_table()
    data = weekly.report_pdf(table, marks, kinds, title_text="每周通报", notes=[],
                             language="zh")
    lines = _text(data, tmp_path, "-layout").splitlines()
    assert any(LONG_COURT in line for line in lines)
    assert any("三亚市城郊人民法院" in line for line in lines)


def test_without_kept_lines_the_same_table_would_break_the_name(tmp_path, monkeypatch):
    """The test above can fail: with no column kept on one line, the name wraps."""
    monkeypatch.setattr(pdf, "NOWRAP_WIDTH", 0)
    table, marks, kinds = _weekly_table()
    data = weekly.report_pdf(table, marks, kinds, title_text="每周通报", notes=[],
                             language="zh")
    assert not any(LONG_COURT in line for line in _text(data, tmp_path, "-layout").splitlines())


def test_an_english_header_is_never_broken_mid_word(tmp_path):
    doc = pdf.Document(title="Court brief")
    frame = pl.DataFrame({
        "Backward indices": ["Within limit, cases with property", "Three-year conclusion rate"],
        "Court": ["81.8%", "60.0%"], "Threshold": ["90.0%", "80.0%"],
        "Province": ["84.2%", "70.0%"], "Rank": ["—", "—"],
        "Reason": ["below threshold；below the province " * 3] * 2})
    doc.table(frame, heading="Backward indices")
    text = _text(doc.pdf(), tmp_path, "-layout")
    assert "Threshold" in text
    assert not re.search(r"Threshol(?!d)", text)


def _page_fill(data: bytes, tmp_path) -> list[float]:
    """For each page, how far down its content reaches (0 top .. 1 bottom), the footer in
    the bottom margin left out."""
    html = _text(data, tmp_path, "-bbox")
    fills = []
    for page in re.findall(r"<page width=\"([\d.]+)\" height=\"([\d.]+)\">(.*?)</page>", html,
                           flags=re.S):
        height = float(page[1])
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page[2])]
        body = [y for y in bottoms if y < height - 14 / 25.4 * 72]    # above the footer
        fills.append(max(body, default=0.0) / height)
    return fills


def _brief_like(rows: int) -> bytes:
    """A brief's sections: cards, two charts, a table of `rows` cases, one more chart."""
    doc = pdf.Document(title="法院督导简报", notes=["筛选：全部"])
    doc.heading("3+1 核心指标")
    doc.cards([("实际执行率", "81.8%", "标准 90.0%", "#D55E00")] * 4)
    weeks = [dt.date(2026, 1, 4) + dt.timedelta(weeks=i) for i in range(40)]
    trend = pdf.trend_svg(weeks, [0.5] * 40, [0.6] * 40, [30] * 40, rate_label="实际执行率",
                          cutoff_label="门槛", rank_label="全国排名")
    doc.chart(trend, heading="趋势")
    doc.chart(trend, heading="趋势（二）")
    cases = pl.DataFrame({"案号": [f"（2026）琼0108执{i}号" for i in range(rows)],
                          "标的额（万元）": [1333.8] * rows,
                          "被执行人": ["远航贸易有限公司"] * rows})
    doc.table(cases, heading="标的额最大的未结案件")
    doc.chart(trend, heading="趋势（三）")
    return doc.pdf()


# The body ends 14 mm above the bottom (the footer's margin): about 95 % down an A4 page.
# After the second chart comes a table, which may split between rows, so the first page is
# filled to within a row or two of its end: at least 85 % down.
FULL = 0.85


@pytest.mark.parametrize("rows", [12, 20])
def test_no_page_of_a_brief_is_left_near_empty(tmp_path, rows):
    fills = _page_fill(_brief_like(rows), tmp_path)
    assert len(fills) >= 2
    assert all(f >= FULL for f in fills[:-1]), fills


def test_a_table_kept_whole_would_leave_the_page_near_empty(tmp_path, monkeypatch):
    """The test above can fail: a 12-row table kept whole (as every table up to 25 rows was)
    jumps to the next page and leaves the first a quarter empty."""
    monkeypatch.setattr(pdf, "WHOLE_TABLE_ROWS", 25)
    fills = _page_fill(_brief_like(12), tmp_path)
    assert fills[0] < FULL
