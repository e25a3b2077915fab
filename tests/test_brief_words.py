"""The brief's words say what its colours and numbers mean: the 3+1 cards' status in the
backward vocabulary (never contradicting the backward table), reasons joined in the page's
language, ranks moved in the words of 全省一览, and a file line that never reads as if the
on-track figures were filtered. Hand-built frames, every expected value written by hand."""

from __future__ import annotations

import subprocess

import polars as pl
import pytest
import streamlit as st

from supervision.output import pdf
from supervision.ui import brief_sections
from supervision.views import backward_indices
from tests.test_backward_slipping import LIMITS, _core, _ranks

# property 85 %: below its 90 % threshold, above the province's 80 %         -> amber
# termination 85 %: below 90 % and below the province's 92 %                  -> red
# petitions 95 %: meets 90 % (below the province's 97 %: backward, but green) -> green
# three-year: nothing measured                                                 -> grey
COURT = {"property_within_limit": 0.85, "termination_qualified": 0.85,
         "petitions_resolved": 0.95, "three_year_conclusion": None}
PROVINCE = {"property_within_limit": 0.80, "termination_qualified": 0.92,
            "petitions_resolved": 0.97, "three_year_conclusion": 0.8}


@pytest.fixture
def english():
    st.session_state["lang"] = "en"
    yield
    st.session_state["lang"] = "zh"


def _backward() -> pl.DataFrame:
    # overall: 11th now, 10th a week before (fell by one); outside the top k
    return backward_indices(_core(COURT, PROVINCE), _ranks(("overall", 11, True, False)),
                            _ranks(("overall", 10, True, False)), LIMITS, "A")


def _core_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(~pl.col("index").str.starts_with("rank_"))


def test_a_cards_status_says_what_its_colour_means_in_the_backward_words():
    subs = [c.sub.split(" · ")[-1] for c in brief_sections.core_cards(_core_rows(_backward()))]
    assert subs == ["低于标准（不低于全省）", "低于标准且低于全省", "达到标准", "无数据"]
    # the backward table says the same of the same indices: never "达标" beside "低于标准"
    flagged, screen = brief_sections.backward_rows(_backward(), {})
    reasons = dict(zip(flagged["index"], screen["原因"], strict=True))
    assert reasons["property_within_limit"] == "低于标准"
    assert reasons["termination_qualified"] == "低于标准；低于全省"
    assert reasons["petitions_resolved"] == "低于全省"


def test_the_english_brief_says_words_and_joins_reasons_the_english_way(english):
    subs = [c.sub.split(" · ")[-1] for c in brief_sections.core_cards(_core_rows(_backward()))]
    assert subs == ["below its threshold (not below the province)",
                    "below its threshold and the province", "meets its threshold",
                    "nothing to measure"]
    flagged, screen = brief_sections.backward_rows(_backward(), {})
    reasons = dict(zip(flagged["index"], screen["Reason"], strict=True))
    assert reasons["termination_qualified"] == "below threshold; below the province"
    assert not any("；" in r for r in screen["Reason"])
    assert dict(zip(flagged["index"], screen["Rank"], strict=True))["rank_overall"] == (
        "11 (down 1)")


def test_a_backward_rank_reads_with_its_move_in_words():
    flagged, screen = brief_sections.backward_rows(_backward(), {})
    ranks = dict(zip(flagged["index"], screen["排名"], strict=True))
    assert ranks["rank_overall"] == "第11名（下降1名）"
    assert ranks["property_within_limit"] == "—"
    assert brief_sections.rank_cell(7, None) == "第7名"
    assert brief_sections.rank_cell(7, 9) == "第7名（上升2名）"


def test_the_files_filter_line_keeps_the_on_track_figures_official():
    line = "筛选：数据截至 2026-06-30 · A法院 · 优先级: 高"
    assert brief_sections.file_caption(line, narrows=False) == line
    assert brief_sections.file_caption(line, narrows=True) == (
        line + " · 达标判断为官方口径（全部案件）；筛选仅用于子集分析与未结案件部分")


def test_the_pdf_cards_keep_each_status_on_one_line(tmp_path):
    cards = brief_sections.core_cards(_core_rows(_backward()))
    doc = pdf.Document(title="brief", notes=[])
    for i in range(0, len(cards), brief_sections.CORE_CARDS_PER_PDF_ROW):
        doc.cards([(c.name, c.value, c.sub, c.colour)
                   for c in cards[i:i + brief_sections.CORE_CARDS_PER_PDF_ROW]])
    path = tmp_path / "cards.pdf"
    path.write_bytes(doc.pdf())
    lines = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    for word in ("低于标准（不低于全省）", "低于标准且低于全省", "达到标准"):
        assert any(word in line for line in lines), word
