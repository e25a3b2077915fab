"""PDF tables and cards keep their words: a header is never narrower than its widest run
("优先级", "承办人", "未完成整改" on one line, not one character a line), a long CJK header
breaks into runs of about four characters or before a bracket, and a card's " · " parts stay
whole ("达标" never over two lines). The long free-text columns take the width that is left.
Read back with pdftotext -layout."""

from __future__ import annotations

import datetime as dt

import polars as pl

from supervision.output import pdf
from supervision.workflow import weekly
from tests.test_pdf_layout import LONG_COURT, REASON, _text

D = dt.date
OWNER = "海南远航国际贸易有限责任公司"


def test_a_header_is_cut_into_runs_only_when_long():
    assert pdf.header_runs("优先级") == ["优先级"]
    assert pdf.header_runs("未完成整改") == ["未完成整改"]
    assert pdf.header_runs("距期限（天）") == ["距期限（天）"]            # six characters: whole
    assert pdf.header_runs("标的额（万元）") == ["标的额", "（万元）"]     # seven: at the bracket
    # fifteen characters: four runs of at most four, nearly even
    assert pdf.header_runs("有财产案件法定期限内实际执结率") == ["有财产案", "件法定期",
                                                                 "限内实际", "执结率"]
    assert pdf.header_runs("Backward indices vs last week") == ["Backward", "indices", "vs",
                                                                 "last", "week"]


def _largest(rows: int = 4) -> pl.DataFrame:
    """The brief's largest pending cases: ten columns, short headers beside long texts."""
    return pl.DataFrame({
        "案号": [f"（2026）琼0108执{1000 + i}号" for i in range(rows)],
        "案件类型": ["金融借款合同纠纷"] * rows, "标的额（万元）": [1333.8] * rows,
        "立案日期": [D(2026, 1, 5)] * rows, "法定期限": [D(2026, 7, 5)] * rows,
        "距期限（天）": [12] * rows, "优先级": ["高"] * rows, "复杂程度": ["复杂"] * rows,
        "被执行人": [OWNER] * rows, "承办人": ["欧阳明"] * rows})


def _header_lines(text: str, first: str) -> list[str]:
    """The lines of the table's header: from the one with its first column's name to the
    one before the first row."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if first in line)
    end = next(i for i in range(start + 1, len(lines)) if "（2026）" in lines[i]
               or LONG_COURT[:2] in lines[i])
    return lines[start:end]


def _brief_pdf() -> bytes:
    doc = pdf.Document(title="法院督导简报")
    doc.table(_largest(), heading="标的额最大的未结案件")
    return doc.pdf()


def test_the_briefs_short_headers_print_whole(tmp_path):
    head = _header_lines(_text(_brief_pdf(), tmp_path, "-layout"), "案号")
    first = head[0]
    for word in ("优先级", "承办人", "复杂程度", "案件类型", "距期限（天）", "标的额"):
        assert word in first, (word, head)
    assert "（万元）" in "".join(head)


def test_without_whole_headers_the_same_table_breaks_them(tmp_path, monkeypatch):
    """The test above can fail: a header of plain text breaks between any two characters."""
    monkeypatch.setattr(pdf, "_header_html", pdf._e)
    monkeypatch.setattr(pdf, "_header_width", lambda text: 0)
    head = _header_lines(_text(_brief_pdf(), tmp_path, "-layout"), "案号")
    assert "优先级" not in head[0]


def _weekly_pdf() -> bytes:
    courts = [LONG_COURT, "海口海事法院", "三亚市城郊人民法院"]
    columns: dict[str, list] = {"法院": courts}
    kinds = {}
    for name in ("有财产案件法定期限内实际执结率", "无财产案件终本合格率", "执行信访案件办结率",
                 "近三年执行案件整体执结率", "实际执行率"):
        columns[name] = [0.921, 0.5, None]
        kinds[name] = "percent"
    for i in range(5):
        columns[f"全国排名 · 类型{i}"] = [30 + i, None, 1_432]
    columns["较上周"] = ["上升2名", "持平", "下降14名"]
    columns["落后指标"] = [3, 0, 5]
    columns["落后指标较上周"] = ["增加1项", "持平", "减少2项"]
    columns["落后指标及原因"] = [REASON, None, REASON]
    columns["未完成整改"] = ["3（逾期 1）", None, "2"]
    columns["督导整改事项（未完成）"] = [REASON, None, None]
    table = pl.DataFrame(columns)
    marks = pl.DataFrame({c: [False] * 3 for c in table.columns})
    return weekly.report_pdf(table, marks, kinds, title_text="每周通报", notes=[],
                             language="zh")


def test_the_weekly_pdfs_narrow_columns_keep_their_headers_whole(tmp_path):
    text = _text(_weekly_pdf(), tmp_path, "-layout")
    head = _header_lines(text, "法院")
    assert "未完成整改" in head[0], head
    assert "实际执行率" in head[0], head
    # "落后指标" heads three columns (the count, its change, the reasons): each column is
    # at least four characters wide, so the count's header is not "落/后/指/标"
    assert head[0].count("落后指标") == 3, head
    # and the court's name still prints on one line
    assert any(LONG_COURT in line for line in text.splitlines())


def test_a_cards_parts_stay_whole(tmp_path):
    doc = pdf.Document(title="简报")
    sub = "标准 90.0% · 全省 84.2% · 较上周 +1.2% · 达标"
    doc.cards([("有财产案件法定期限内实际执结率", "81.8%", sub, "#009E73")] * 4)
    text = _text(doc.pdf(), tmp_path, "-layout")
    assert text.count("达标") == 4, text
    assert text.count("较上周") == 4, text
