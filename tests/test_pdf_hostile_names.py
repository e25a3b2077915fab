"""The court brief's PDF with hostile names: a court, a case type, a judge and a respondent
named with TeX (`$\\undefinedmacro$`), HTML (`<script>`) and a markdown image that points at
a web address. The document builds, every name is printed as typed, and nothing is
fetched."""

from __future__ import annotations

import datetime as dt
import subprocess

import polars as pl
import pytest

from supervision import views
from supervision.domain.filters import Filters
from supervision.output import pdf
from supervision.security.access import Access
from supervision.ui import brief_sections
from supervision.ui.state import Context
from tests.conftest import add_cases, closed

D = dt.date
HOSTILE = ["$\\undefinedmacro$", "<script>alert(1)</script>", "![x](http://127.0.0.1:9/x.png)"]
COURT = f"{HOSTILE[0]}{HOSTILE[1]}法院{HOSTILE[2]}"
TYPE = f"{HOSTILE[0]}类型{HOSTILE[1]}{HOSTILE[2]}"
JUDGE = f"{HOSTILE[2]}法官{HOSTILE[0]}"
RESPONDENT = f"{HOSTILE[1]}某公司{HOSTILE[0]}"


def _squeezed(text: str) -> str:
    """Text without white space: a long name may wrap inside a table cell."""
    return "".join(text.split())


def _pdf_text(path) -> str:
    # -raw keeps the chart's rotated tick labels in reading order
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture
def hostile_brief(db):
    """The brief of court A, whose name, case type, judges and respondents are hostile."""
    db.execute("UPDATE courts SET name = ?, name_en = ? WHERE court_code = 'A'", [COURT, COURT])
    db.execute("UPDATE case_types SET name = ?, name_en = ? WHERE code = 'loan'", [TYPE, TYPE])
    add_cases(db, *[
        closed(f"（2026）琼A执{i}号", "A", D(2026, 1, 5) + dt.timedelta(days=i),
               D(2026, 3, 1) + dt.timedelta(days=i), "fully_performed")
        for i in range(30)], *[
        dict(case_number=f"（2026）琼A执待{i}号", court_code="A", filed_on=D(2026, 2, 1),
             judge=JUDGE, respondent_name=RESPONDENT, amount_applied=100_000.0 + i)
        for i in range(6)], *[
        closed(f"（2026）琼B执{i}号", "B", D(2026, 1, 5), D(2026, 4, 1), "fully_performed")
        for i in range(30)])
    access = Access("hostile-test", "supervisor", None, "琼")
    filters = Filters(as_of=D(2026, 6, 30))
    brief = views.brief_view(db, access, filters, "A")
    ctx = Context(access=access, filters=filters, court="A",
                  reference=views.reference(db, access))
    assert ctx.court_name() == COURT
    return ctx, brief_sections.build(ctx, brief)


def test_the_brief_pdf_prints_hostile_names_as_typed(hostile_brief, tmp_path):
    ctx, sections = hostile_brief
    # the names reach the document: the chart's types and the largest pending cases
    assert TYPE in sections.by_age["type_name"].to_list()
    assert JUDGE in sections.largest.row(0)
    doc = sections.pdf(title=f"法院督导简报 · {ctx.court_name()}", notes=[f"筛选：{TYPE}"])
    assert "<script>" not in doc.html() and "&lt;script&gt;" in doc.html()
    path = tmp_path / "brief.pdf"
    path.write_bytes(doc.pdf())                # $\undefinedmacro$ failed the whole document
    text = _pdf_text(path)
    squeezed = _squeezed(text)
    for name in (COURT, TYPE, JUDGE, RESPONDENT):
        assert _squeezed(name) in squeezed, name
    # the document's title (its metadata) is the text as typed too
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert f"Title:           法院督导简报 · {COURT}\n" in info
    # the chart's tick label too: the type name once more than the notes and tables hold
    in_html = doc.html().count("类型&lt;script&gt;")
    assert squeezed.count(_squeezed(TYPE)) == in_html + 1


def test_chart_labels_are_never_tex():
    svg = pdf.stacked_bars_svg([TYPE, "涉民生"], {f"3个月内{HOSTILE[0]}": [1, 2]},
                               y_label=f"件数{HOSTILE[0]}")
    assert "$\\undefinedmacro$" in svg and "&lt;script&gt;" in svg and "<script>" not in svg
    trend = pdf.trend_svg([D(2026, 1, 4), D(2026, 1, 11)], [0.5, 0.6], [0.7, 0.7], [3, 2],
                          rate_label=HOSTILE[0], cutoff_label="$x^2$", rank_label="$$")
    assert "$x^2$" in trend and "$\\undefinedmacro$" in trend


def test_the_pdf_loads_no_resource_named_in_its_text(tmp_path):
    """Even markup that reached the HTML would load nothing: only data: URIs are read."""
    import http.server
    import threading

    hits: list[str] = []

    class Trap(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the handler's name)
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Trap)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        doc = pdf.Document(title="t")
        trap = f"http://127.0.0.1:{server.server_address[1]}"
        # raw markup, as if a part escaped nothing
        doc.parts.append(f"<img src='{trap}/img.png'><link rel=stylesheet href='{trap}/s.css'>"
                         f"<div style=\"background:url('{trap}/bg.png')\">x</div>")
        (tmp_path / "raw.pdf").write_bytes(doc.pdf())
    finally:
        server.shutdown()
    assert hits == []


def test_a_table_cell_is_escaped():
    doc = pdf.Document(title=COURT)
    doc.table(pl.DataFrame({"承办人": [JUDGE], "被执行人": [RESPONDENT]}), heading=TYPE)
    html = doc.html()
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 4   # title (head and page), heading, respondent
