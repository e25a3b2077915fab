"""One format per kind, one language per page, the court's time zone: rates with one decimal
and %, amounts in 万元 with one decimal, counts whole (screen, print, PDF alike); charts on a
Chinese page with Chinese dates and toolbar; every stored time (UTC) shown in
SUPERVISION_TIMEZONE, default Asia/Shanghai, and people by display name. Expected values
are worked out by hand on small data."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from supervision import config, views
from supervision.domain.filters import Filters
from supervision.security import audit, production, users
from supervision.security.access import Access
from supervision.ui import brief_sections, charts
from supervision.ui.state import Context
from supervision.ui.tables import display_names, number_columns, static_table
from supervision.words import fmt
from tests.conftest import add_cases, closed
from tests.test_store import store_of_kind

D = dt.date
# 18:35 UTC on 4 March is 02:35 on 5 March in Beijing (UTC+8, no summer time)
UTC_INSTANT = dt.datetime(2026, 3, 4, 18, 35)
ENGLISH_MONTHS = re.compile(r"%[bB]|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")


@pytest.fixture
def store(tmp_path):
    yield from store_of_kind("sqlite", tmp_path)


@pytest.fixture
def shanghai(monkeypatch):
    monkeypatch.delenv("SUPERVISION_TIMEZONE", raising=False)


# ------------------------------------------------------------------ numbers


def test_each_kind_has_one_format():
    assert fmt.pct(0.852) == "85.2%"
    assert fmt.pct(0.5) == "50.0%"            # a threshold too: one decimal, never "50"
    assert fmt.pct(None) == "—"
    assert fmt.wan(13_338_000) == "1,333.8"   # yuan -> 万元, one decimal
    assert fmt.wan(10_000) == "1.0"
    assert fmt.num(1_234_567) == "1,234,567"
    assert fmt.num(37.0) == "37"              # a count is whole, even when summed as float


def test_a_printed_table_shows_amounts_with_one_decimal_and_counts_whole():
    frame = pl.DataFrame({"案号": ["（2026）琼A执1号", None], "标的额（万元）": [1333.8, 2.0],
                          "距期限（天）": [1234, -5]})
    shown = static_table(frame)
    assert shown["标的额（万元）"].to_list() == ["1,333.8", "2.0"]   # not "1,333.8000"
    assert shown["距期限（天）"].to_list() == ["1,234", "-5"]
    assert shown["案号"].to_list() == ["（2026）琼A执1号", "—"]
    grid = number_columns(frame)
    assert set(grid) == {"标的额（万元）", "距期限（天）"}
    assert grid["标的额（万元）"]["type_config"]["format"] == "%,.1f"
    assert grid["距期限（天）"]["type_config"]["format"] == "%,d"


def test_the_briefs_largest_cases_show_amounts_with_one_decimal(db):
    # two pending cases of court A: 13,338,000 yuan = 1,333.8 万元; 20,000 yuan = 2.0 万元
    add_cases(db, *[closed(f"（2026）琼A执结{i}号", "A", D(2026, 1, 5), D(2026, 3, 1),
                           "fully_performed") for i in range(3)],
              dict(case_number="（2026）琼A执待1号", court_code="A", filed_on=D(2026, 2, 1),
                   amount_applied=13_338_000.0),
              dict(case_number="（2026）琼A执待2号", court_code="A", filed_on=D(2026, 2, 2),
                   amount_applied=20_000.0))
    access = Access("format-test", "supervisor", None, "琼")
    filters = Filters(as_of=D(2026, 6, 30))
    ctx = Context(access=access, filters=filters, court="A",
                  reference=views.reference(db, access))
    sections = brief_sections.build(ctx, views.brief_view(db, access, filters, "A"))
    printed = static_table(sections.largest)
    amounts = printed["标的额（万元）"].to_list()
    assert amounts == ["1,333.8", "2.0"]
    html = sections.pdf(title="brief", notes=[]).html()
    assert ">1,333.8<" in html and ">2.0<" in html


# ------------------------------------------------------------------ charts


def _weekly() -> pl.DataFrame:
    return pl.DataFrame({"week_end": [D(2026, 1, 4), D(2026, 1, 11), D(2026, 1, 18)],
                         "rate": [0.5, 0.55, 0.6], "cutoff": [0.7, 0.7, 0.7],
                         "rank": [30, 28, 25]})


def test_a_chinese_chart_writes_no_english_month_names():
    fig = charts.trend(_weekly(), title="趋势", rate_label="实际执行率", rank_label="全国排名",
                       cutoff_label="前20名门槛", language="zh")
    axis = fig.layout.xaxis
    assert axis.type == "date"
    formats = [stop.value for stop in axis.tickformatstops] + [axis.hoverformat]
    assert formats == ["%-m月%-d日", "%Y年%-m月", "%Y年", "%Y-%m-%d"]
    assert not any(ENGLISH_MONTHS.search(f) for f in formats)
    # hovers print ISO dates, not Plotly's "Jan 4, 2026"
    assert all("%{x|%Y-%m-%d}" in trace.hovertemplate for trace in fig.data)
    # the toolbar's tips and any month name Plotly writes come from the inline zh-CN locale
    settings = charts.config("zh")
    assert settings["locale"] == "zh-CN"
    locale = settings["locales"]["zh-CN"]
    assert locale["dictionary"]["Download plot as a PNG"] == "下载为 PNG 图片"
    assert locale["format"]["shortMonths"][0] == "1月"
    assert "locale" not in charts.config("en")


def test_bars_by_month_get_a_date_axis_in_the_pages_language():
    frame = pl.DataFrame({"month": ["2026-01-01", "2026-02-01"], "cases": [3, 4],
                          "kind": ["qualified", "qualified"]})
    fig = charts.stacked_bars(frame, x="month", y="cases", colour="kind", title="终本",
                              x_title="月份", y_title="件数", colour_names={})
    assert fig.layout.xaxis.type == "date"
    assert fig.layout.xaxis.hoverformat == "%Y-%m"       # a series of months
    assert fig.data[0].hovertemplate.startswith("%{x|%Y-%m}")
    # words are not dates: a bar chart by name keeps its categories
    names = charts.stacked_bars(frame.with_columns(month=pl.lit("甲")), x="month", y="cases",
                                colour="kind", title="", x_title="", y_title="",
                                colour_names={})
    assert names.layout.xaxis.type is None


def test_a_one_point_ledger_chart_has_a_date_axis_of_days():
    points = pl.DataFrame({"as_of": [D(2026, 5, 1)], "value": [0.5]})
    fig = charts.index_over_updates(points, title="指标", label="实际执行率", language="zh")
    axis = fig.layout.xaxis
    assert axis.type == "date"
    # two weeks either side: ticks fall on days, never on "23:59:59.999"
    assert tuple(axis.range) == ("2026-04-17", "2026-05-15")
    formats = [stop.value for stop in axis.tickformatstops]
    assert formats[0] == "%-m月%-d日"
    assert not any(re.search(r"%[HIMSLfp]", f) for f in formats)


# ------------------------------------------------------------------ times and people


def test_a_stored_utc_time_shows_in_beijing_time(shanghai):
    assert config.timezone_name() == "Asia/Shanghai"
    assert fmt.local_time(UTC_INSTANT) == "2026-03-05 02:35"
    assert fmt.local_time(UTC_INSTANT.replace(tzinfo=dt.UTC)) == "2026-03-05 02:35"
    assert fmt.zoned_time(UTC_INSTANT, "zh") == "2026-03-05 02:35（北京时间）"
    assert fmt.zoned_time(UTC_INSTANT, "en") == "2026-03-05 02:35 (Asia/Shanghai)"
    assert fmt.time_header("zh") == "时间（北京时间）"
    assert fmt.time_header("en") == "Time (Asia/Shanghai)"
    column = pl.DataFrame({"at": [UTC_INSTANT, None]}).select(fmt.local_time_column("at"))
    assert column["at"].to_list() == ["2026-03-05 02:35", None]


def test_the_time_zone_is_a_setting(monkeypatch, store):
    monkeypatch.setenv("SUPERVISION_TIMEZONE", "Asia/Urumqi")     # UTC+6
    assert fmt.local_time(UTC_INSTANT) == "2026-03-05 00:35"
    assert fmt.time_header("zh") == "时间（Asia/Urumqi）"
    monkeypatch.setenv("SUPERVISION_TIMEZONE", "Mars/Olympus")
    assert config.timezone_name() == "Asia/Shanghai"                # meanwhile the default
    assert "Mars/Olympus" in config.timezone_problem("Mars/Olympus")
    monkeypatch.setenv("SUPERVISION_ENV", "production")
    assert any("SUPERVISION_TIMEZONE=Mars/Olympus" in p for p in production.production_problems(store))


def test_the_audit_trail_shows_beijing_time_and_display_names(store, shanghai, monkeypatch):
    users.add_user(store, "zhangsan", "张三", "", "supervisor", "HI000", "correct horse 1",
                   actor="admin")
    monkeypatch.setattr(audit, "now", lambda: UTC_INSTANT)
    audit.record(store, "zhangsan", "export", "brief.pdf")
    trail = audit.entries(store, limit=10, actor="zhangsan")
    shown = trail.select(fmt.local_time_column("at", fmt.time_header("zh")),
                         pl.col("actor").replace_strict(display_names(store),
                                                        default=pl.col("actor")))
    assert shown.row(0) == ("2026-03-05 02:35", "张三")
    assert shown.columns[0] == "时间（北京时间）"
