"""Chinese pages get Chinese toolbar tips: every modebar title that the plotly.js bundled by
Streamlit asks its locale for has an entry in charts.ZH_CN, spelled as plotly.js spells it
(a key "Download plot as a png" never matched "Download plot as a PNG"), and every chart
builder with a count axis ticks whole numbers only."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import streamlit

from supervision.ui import charts

STATIC = Path(streamlit.__file__).parent / "static"
# a modebar button: title:function(e){return l(e,`Zoom in`)} — and the camera button's two
# titles, chosen by the image format: l(e,`Download plot as a PNG`) / l(e,`Download plot`)
TITLE = re.compile(r"title:function\(\w+\)\{return [\w$]+\(\w+,`([^`]+)`\)")
DOWNLOAD = re.compile(r"[\w$]+\(\w+,`(Download plot[^`]*)`\)")


def _bundled_titles() -> set[str]:
    bundles = [p for p in STATIC.rglob("*.js") if "Toggle Spike Lines" in p.read_text(
        encoding="utf-8", errors="ignore")]
    assert bundles, f"no plotly.js bundle under {STATIC}"
    text = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in bundles)
    return set(TITLE.findall(text)) | set(DOWNLOAD.findall(text))


def test_every_modebar_title_of_the_bundled_plotly_has_a_chinese_tip():
    titles = _bundled_titles()
    # the buttons a 2-D chart shows are among them, spelled as plotly.js spells them
    assert {"Download plot as a PNG", "Zoom", "Pan", "Box Select", "Lasso Select", "Zoom in",
            "Zoom out", "Autoscale", "Reset axes", "Toggle Spike Lines"} <= titles
    dictionary = charts.ZH_CN["dictionary"]
    assert sorted(titles - set(dictionary)) == []
    assert "Download plot as a png" not in dictionary
    assert charts.config("zh")["locales"]["zh-CN"]["dictionary"]["Download plot as a PNG"] \
        == "下载为 PNG 图片"


def test_the_pending_page_gives_every_chart_the_pages_config():
    source = (Path(__file__).parents[1] / "pages" / "pending.py").read_text(encoding="utf-8")
    calls = re.findall(r"st\.plotly_chart\((.*?)key=", source, flags=re.S)
    assert len(calls) == 3
    assert all("config=charts.config()" in call for call in calls)


# ------------------------------------------------------------------ whole counts


def _ticks(axis) -> tuple:  # noqa: ANN001 - a plotly axis
    return axis.tickformat, axis.tick0, axis.dtick


def test_a_count_steps_by_one_two_or_five_times_ten_and_never_less_than_one():
    # about five steps up to the top: 1 / 5 = 0.2 -> at least 1; 23.1 / 5 = 4.62 -> 5;
    # 37 / 5 = 7.4 -> 10; 1,000 / 5 = 200 -> 200; nothing to show -> 1
    assert [charts.whole_step(v) for v in (1, 4, 23.1, 37, 1_000, 0, None)] \
        == [1, 1, 5, 10, 200, 1, 1]


def test_one_case_in_the_explorers_chart_ticks_zero_and_one_not_fifths():
    frame = pl.DataFrame({"type_name": ["首次执行"], "cases": [1], "status": ["pending"]})
    fig = charts.stacked_bars(frame, x="type_name", y="cases", colour="status", title="",
                              x_title="案件类型", y_title="件数", colour_names={})
    assert _ticks(fig.layout.yaxis) == (",d", 0, 1)
    assert fig.layout.yaxis.rangemode == "tozero"
    assert fig.layout.xaxis.dtick is None           # the categories' axis is left alone


def test_a_stacked_count_axis_steps_by_the_tallest_stack():
    # 甲: 30 + 7 = 37 cases stacked, 乙: 3 -> top 37 -> step 10
    frame = pl.DataFrame({"type_name": ["甲", "甲", "乙"], "cases": [30, 7, 3],
                          "status": ["pending", "closed", "pending"]})
    fig = charts.stacked_bars(frame, x="type_name", y="cases", colour="status", title="",
                              x_title="", y_title="", colour_names={})
    assert _ticks(fig.layout.yaxis) == (",d", 0, 10)
    # horizontal bars (judges): the count is the x axis
    judges = pl.DataFrame({"judge": ["张三", "李四"], "cases": [2, 1], "kind": ["c", "c"]})
    fig = charts.stacked_bars(judges, x="judge", y="cases", colour="kind", title="",
                              x_title="", y_title="", colour_names={}, horizontal=True)
    assert _ticks(fig.layout.xaxis) == (",d", 0, 1)
    assert fig.layout.yaxis.dtick is None


def test_the_roadmaps_both_axes_tick_whole_cases():
    weeks = pl.DataFrame({"week": [dt.date(2026, 6, 1), dt.date(2026, 6, 8),
                                   dt.date(2026, 6, 15)],
                          "cases": [3, 4, 2], "cumulative_expected": [7.7, 15.4, 23.1],
                          "cumulative_quota": [5.0, 10.0, 20.0]})
    fig = charts.roadmap(weeks, title="", cases_label="件数", expected_label="预计",
                         quota_label="需要", language="zh")
    assert _ticks(fig.layout.yaxis) == (",d", 0, 1)      # 4 / 5 = 0.8 -> 1
    assert _ticks(fig.layout.yaxis2) == (",d", 0, 5)     # 23.1 / 5 = 4.62 -> 5, not 7.7


def test_the_trends_rank_axis_ticks_whole_ranks():
    weekly = pl.DataFrame({"week_end": [dt.date(2026, 1, 4), dt.date(2026, 1, 11)],
                           "rate": [0.5, 0.6], "cutoff": [0.7, 0.7], "rank": [30, 25]})
    fig = charts.trend(weekly, title="", rate_label="", rank_label="排名", cutoff_label="",
                       language="zh")
    assert _ticks(fig.layout.yaxis2) == (",d", 0, 10)    # worst 30 / 5 = 6 -> 10
    few = weekly.with_columns(rank=pl.Series([3, 2]))
    fig = charts.trend(few, title="", rate_label="", rank_label="排名", cutoff_label="",
                       language="zh")
    assert _ticks(fig.layout.yaxis2) == (",d", 1, 1)     # up to 8th: every rank from 1


def test_a_stack_of_one_colour_still_names_it_in_the_legend():
    """An index's drill-down lists cases of one status: its bars keep a legend entry
    saying what their colour is (plotly hides the legend of a single trace by default)."""
    frame = pl.DataFrame({"type_name": ["涉民生案件", "金融借款"], "cases": [3, 2],
                          "status": ["pending", "pending"]})
    fig = charts.stacked_bars(frame, x="type_name", y="cases", colour="status", title="",
                              x_title="案件类型", y_title="件数", colour_names={"pending": "未结"})
    assert fig.layout.showlegend is True
    assert [(trace.name, trace.showlegend) for trace in fig.data] == [("未结", None)]
