"""The province page and the weekly report lead with the official position (every case of
the period), separate the standing state (in / outside the top k, unranked) from backward
indices (slipping this week), and render every change since last week in words. Every
figure worked out by hand on a five-court database."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from supervision import views
from supervision.domain.filters import Filters
from supervision.security.access import Access
from supervision.words.fmt import count_change, rank_movement
from supervision.workflow import weekly
from tests.conftest import D, add_cases, closed, make_db

AS_OF = D(2026, 6, 30)
SUPERVISOR = Access("s", "supervisor", None, "琼")
CONCLUDED_ON = D(2026, 4, 1)


def _concluded(court: str, n: int, fully: int, priority: str = "normal",
               on: dt.date = CONCLUDED_ON) -> list[dict]:
    """n cases of a type that is not ranked on its own (`other`), filed 1 December 2025 and
    concluded on `on`: `fully` of them by full performance (with property), the rest by a
    qualified termination (no property, all six conditions, four months after filing)."""
    return [closed(f"{court}{priority}{on}{i}", court, D(2025, 12, 1), on,
                   "fully_performed" if i < fully else "terminated_current",
                   priority=priority, case_type="other", has_property=i < fully)
            for i in range(n)]


@pytest.fixture
def con(tmp_path):
    c = make_db(tmp_path / "province.duckdb",
                [("A", "琼"), ("B", "琼"), ("C", "琼"), ("D", "京"), ("E", "京")])
    c.execute("UPDATE targets SET target_rank = 2, min_concluded = 3")
    add_cases(c,
              *_concluded("A", 3, 3, "high"), *_concluded("A", 7, 0),    # 3/10, high 3/3
              *_concluded("B", 4, 4), *_concluded("B", 3, 2, "high"),    # 6/7, high 2/3
              # B's three terminations the day before the as-of date: 6/10 now
              *_concluded("B", 3, 0, on=D(2026, 6, 29)),
              *_concluded("C", 5, 4), *_concluded("C", 3, 1, "high"),    # 5/8, high 1/3
              *_concluded("D", 4, 3),                                    # 3/4
              *_concluded("E", 6, 3))                                    # 3/6
    yield c
    c.close()


# Now (30 June): D 3/4 = 75 %, C 5/8 = 62.5 %, B 6/10 = 60 %, E 3/6 = 50 %, A 3/10 = 30 %;
# the top-2 cutoff is C's 62.5 %. A week before (23 June) B had 6/7 = 85.7 % and ranked 1st,
# D 2nd, C 3rd, A 5th; two weeks before the same. So B fell 1 → 3 (backward), C rose 3 → 2
# (into the target), A stayed 5th (outside the target, not slipping).
# Gaps today: A ⌈(0.625·10 − 3) ÷ 0.375⌉ = ⌈8.67⌉ = 9; B ⌈(0.625·10 − 6) ÷ 0.375⌉ = 1; C 0.
# Year end (pace of the last 8 weeks; 184 days = 26.29 weeks left): only B concluded cases
# in those weeks (3, none fully): 10 + 3/8 · 26.29 = 19.86 → 20 concluded, 6 fully = 30 %.
# Projected: D 75, C 62.5, E 50, A 30, B 30 → A and B share rank 4; cutoff 62.5 %;
# still needed: A 9, B ⌈(0.625·20 − 6) ÷ 0.375⌉ = ⌈17.33⌉ = 18, C 0.
# The 3+1 now: every index 100 % (or nothing to measure) in every court and the province: no
# 3+1 reason. A week before, B's three last cases were still pending: its three-year
# conclusion rate was 7/10 = 70 %, below the 80 % threshold and the province's 25/28: one
# backward index then (a different one), one now: the count is unchanged, the rank is new.


def _rows(view: dict) -> dict[str, dict]:
    return {r["court_code"]: r for r in view["courts"].iter_rows(named=True)}


def test_the_province_view_ranks_every_court_on_all_its_cases(con):
    rows = _rows(views.province_view(con, SUPERVISOR, Filters(as_of=AS_OF)))
    assert set(rows) == {"A", "B", "C"}
    assert [(rows[c]["rank"], rows[c]["rank_week_before"]) for c in "ABC"] == [
        (5, 5), (3, 1), (2, 3)]
    assert [rows[c]["standing"] for c in "ABC"] == ["outside_target", "outside_target",
                                                    "in_target"]
    assert [rows[c]["gap"] for c in "ABC"] == [9, 1, 0]
    assert [rows[c]["projected_rank"] for c in "ABC"] == [4, 4, 2]
    assert [rows[c]["extra_needed"] for c in "ABC"] == [9, 18, 0]
    assert rows["A"]["rate"] == pytest.approx(0.3)
    assert rows["C"]["cutoff"] == pytest.approx(0.625)


def test_the_3_plus_1_met_column_counts_the_indices_with_cases_to_measure(con):
    """No court here has a petition: that index has nothing to measure, cannot fail the
    standard and is left out of "met / measured" (3/3, not 3/4 for a court that meets it).
    The other three are 100 % for every court now (see above)."""
    rows = _rows(views.province_view(con, SUPERVISOR, Filters(as_of=AS_OF)))
    assert [(rows[c]["core_meeting"], rows[c]["core"]) for c in "ABC"] == [(3, 3)] * 3
    assert all(rows[c]["petitions_resolved"] is None for c in "ABC")
    # a week before, B's three-year rate was 70 %, below its 80 % threshold: 2 of 3
    week_before = _rows(views.province_view(con, SUPERVISOR,
                                            Filters(as_of=AS_OF - dt.timedelta(days=7))))
    assert (week_before["B"]["core_meeting"], week_before["B"]["core"]) == (2, 3)


def test_outside_the_top_k_is_a_standing_not_a_backward_index(con):
    rows = _rows(views.province_view(con, SUPERVISOR, Filters(as_of=AS_OF)))
    # A: 5th of 5, outside the top 2 for weeks, every 3+1 index at the province's value
    assert rows["A"]["backward"] == 0 and rows["A"]["backward_indices"] == []
    assert rows["A"]["backward_change"] == 0 and rows["A"]["newly_backward"] == []
    # B: its rank fell 1 → 3 this week, and not the week before: newly backward; its
    # three-year rate, backward last week, is not any more: as many backward indices
    assert rows["B"]["backward_indices"] == [{"index": "rank_overall",
                                              "reasons": ["rank_fell"]}]
    assert rows["B"]["backward"] == 1 and rows["B"]["backward_change"] == 0
    assert rows["B"]["newly_backward"] == ["rank_overall"]
    assert rows["C"]["backward"] == 0


def test_a_priority_filter_keeps_the_official_rank_and_adds_subset_columns(con):
    view = views.province_view(con, SUPERVISOR, Filters(as_of=AS_OF, priorities=("high",)))
    rows = _rows(view)
    assert view["subset"] is True
    # official: unchanged by the filter
    assert [rows[c]["rank"] for c in "ABC"] == [5, 3, 2]
    assert [rows[c]["standing"] for c in "ABC"] == ["outside_target", "outside_target",
                                                    "in_target"]
    assert [rows[c]["gap"] for c in "ABC"] == [9, 1, 0]
    # the subset (high priority only): A 3/3, B 2/3, C 1/3; D and E have none (unranked)
    assert [rows[c]["subset_rank"] for c in "ABC"] == [1, 2, 3]
    assert [rows[c]["subset_ranked_courts"] for c in "ABC"] == [3, 3, 3]
    assert rows["A"]["subset_rate"] == pytest.approx(1.0)
    assert rows["B"]["subset_rate"] == pytest.approx(2 / 3)
    # no verdict from the subset: A, first of the subset, is still outside the target
    assert rows["A"]["meets_target"] is False


def test_without_a_filter_there_are_no_subset_columns(con):
    view = views.province_view(con, SUPERVISOR, Filters(as_of=AS_OF))
    assert view["subset"] is False
    assert "subset_rank" not in view["courts"].columns


def test_the_weekly_report_marks_exactly_the_backward_cells(con):
    view = views.province_view(con, SUPERVISOR, Filters(as_of=AS_OF))
    table, marks, _kinds = weekly.report_tables(view, pl.DataFrame(), {}, "zh")
    # sorted by rank: C (2nd), B (3rd), A (5th)
    assert table["法院"].to_list() == ["C法院", "B法院", "A法院"]
    marked = {(row, column) for column in marks.columns
              for row, flag in enumerate(marks[column]) if flag}
    assert marked == {(1, "全国排名"), (1, "落后指标")}
    assert table["排名较上周"].to_list() == ["上升1名", "下降2名", "持平"]
    assert table["目标状态"].to_list() == ["前2名内", "未进入前2名", "未进入前2名"]
    assert table["落后指标较上周"].to_list() == ["持平", "持平", "持平"]
    assert table["本周新增落后指标"].to_list() == [None, "全国排名 · 实际执行率", None]
    assert table["落后指标"].to_list() == [0, 1, 0]


def test_the_weekly_report_lists_only_the_courts_that_slipped(con):
    view = views.province_view(con, SUPERVISOR, Filters(as_of=AS_OF))
    assert weekly.backward_courts(view, "zh") == ["B法院"]
    # those who slipped this week lead; then every court with a backward index
    assert weekly.summary_lines(view, "zh") == [
        "本周新增落后指标的法院（本周下滑）1 家：B法院。",
        "有落后指标（低于标准、低于全省或全国排名较上周下降，含此前已落后的）的法院 1 家（共 3 家）：B法院。",
        "未进入前2名的法院 2 家（持续状态，不计为落后）。"]
    assert weekly.summary_lines(view, "en")[0] == (
        "Courts that slipped this week (an index newly backward): 1 (Court B).")


def test_the_weekly_report_in_english_uses_the_same_words(con):
    view = views.province_view(con, SUPERVISOR, Filters(as_of=AS_OF))
    table, _marks, _kinds = weekly.report_tables(view, pl.DataFrame(), {}, "en")
    assert table["Rank vs last week"].to_list() == ["up 1", "down 2", "unchanged"]
    assert table["Target standing"].to_list() == ["Within the top 2", "Outside the top 2",
                                                  "Outside the top 2"]
    assert table["Backward indices vs last week"].to_list() == ["unchanged"] * 3
    assert table["Newly backward this week"].to_list() == [
        None, "National rank · Successful enforcement rate", None]


@pytest.mark.parametrize(("before", "now", "zh", "en"), [
    (5, 2, "上升3名", "up 3"), (1, 3, "下降2名", "down 2"), (4, 4, "持平", "unchanged"),
    (None, 4, "—", "—"), (4, None, "—", "—")])
def test_rank_movement_reads_as_words(before, now, zh, en):
    assert rank_movement(before, now, "zh") == zh
    assert rank_movement(before, now, "en") == en


@pytest.mark.parametrize(("delta", "zh", "en"), [
    (1, "增加1项", "1 more"), (-2, "减少2项", "2 fewer"), (0, "持平", "unchanged"),
    (None, "—", "—")])
def test_count_change_reads_as_words(delta, zh, en):
    assert count_change(delta, "unit_items", "zh") == zh
    assert count_change(delta, "unit_items", "en") == en


def test_the_province_page_and_the_weekly_report_say_the_same_change(demo_db, monkeypatch):
    """On the demo, each court's rank change and backward-index change read the same words
    on 全省一览 and in the weekly report (once "+1" meant worse on one and better on the
    other)."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from tests.test_app import login

    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"),
                            default_timeout=60)
    login(app, "supervisor")
    assert not app.exception
    province = app.dataframe[0].value.set_index("法院")
    app.switch_page("pages/weekly.py")
    app.run()
    assert not app.exception
    report = app.dataframe[0].value
    report = (report.data if hasattr(report, "data") else report).set_index("法院")
    assert sorted(province.index) == sorted(report.index)
    for column in ("排名较上周", "目标状态", "落后指标较上周", "落后指标"):
        assert province[column].to_dict() == report.loc[province.index, column].to_dict(), column
    # the list of backward courts is the list of those with a backward index
    slipped = sorted(report.index[report["落后指标"] > 0])
    line = next(m.value for m in app.markdown if m.value.startswith("有落后指标"))
    assert f"的法院 {len(slipped)} 家（共 {len(report)} 家）" in line


def test_the_english_report_has_no_chinese_punctuation(con):
    """Reasons, items and lists are joined with the language's own marks (B's row holds a
    reason: "National rank · …: rank fell")."""
    view = views.province_view(con, SUPERVISOR, Filters(as_of=AS_OF))
    table, _marks, _kinds = weekly.report_tables(view, pl.DataFrame(), {}, "en")
    cells = [v for column in table.columns for v in table[column].to_list()
             if isinstance(v, str)]
    assert any(": " in v for v in cells), cells
    assert not [v for v in cells if set(v) & set("：；、（），")], cells
    zh, _marks, _kinds = weekly.report_tables(view, pl.DataFrame(), {}, "zh")
    assert [v for v in zh["落后指标及原因"].to_list() if v] == ["全国排名 · 实际执行率：全国排名较上周下降"]
