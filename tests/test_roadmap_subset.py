"""The roadmap under a sidebar filter: the need stays official (all cases), the cases
planned, their expected yield and the shortfall are the subset's and are labelled so; the
warning never says the target cannot be reached from the whole pending caseload."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from supervision import views
from supervision.domain.filters import Filters
from supervision.security.access import Access
from supervision.words.roadmap_words import plan_words
from tests.conftest import add_cases, closed

D = dt.date
AS_OF = D(2026, 11, 25)
SUPERVISOR = Access("s", "supervisor", "A", "琼")


@pytest.fixture
def con(db):
    # A concluded 10 this year: 2 in full performance (property, ordinary), 8 terminated
    # without property; B 9 of 10 and C 8 of 10 in full. A holds 3 high-priority and 4
    # normal pending cases, all with property and ordinary. Top 2 to reach.
    rows = []
    for court, full, other in (("A", 2, 8), ("B", 9, 1), ("C", 8, 2)):
        rows += [closed(f"{court}f{i}", court, D(2026, 2, 1), D(2026, 6, 1), "fully_performed")
                 for i in range(full)]
        rows += [closed(f"{court}o{i}", court, D(2026, 2, 1), D(2026, 6, 1),
                        "terminated_current", has_property=False) for i in range(other)]
    rows += [dict(case_number=f"Ah{i}", court_code="A", filed_on=D(2026, 9, 1), priority="high")
             for i in range(3)]
    rows += [dict(case_number=f"An{i}", court_code="A", filed_on=D(2026, 9, 1))
             for i in range(4)]
    add_cases(db, *rows)
    db.execute("UPDATE targets SET target_rank = 2, min_concluded = 3")
    return db


def test_a_priority_filter_plans_the_subset_and_keeps_the_need_official(con):
    every = views.roadmap_view(con, SUPERVISOR, Filters(as_of=AS_OF), "A")["overall"]
    high = views.roadmap_view(con, SUPERVISOR, Filters(as_of=AS_OF, priorities=("high",)),
                              "A")["overall"]
    # official: the same need, target rank and projection whatever the sidebar holds
    assert every["need"] is not None and every["need"] > 0
    assert (high["need"], high["target_rank"]) == (every["need"], every["target_rank"])
    assert high["projection"].equals(every["projection"])
    # the subset: only the three high-priority pending cases are planned ...
    assert every["subset"] is False and high["subset"] is True
    assert (every["pending"], high["pending"]) == (7, 3)
    assert sorted(high["cases"]["case_number"]) == ["Ah0", "Ah1", "Ah2"]
    # ... each with the likelihood learnt from all A's closed cases (none is high priority):
    # property & ordinary 2 of 2, overall 2 / 10, shrunk with 20: (2 + 20 × 0.2) / 22 = 6/22
    assert high["cases"]["likelihood"].to_list() == pytest.approx([6 / 22] * 3)
    assert high["expected_all"] == pytest.approx(3 * 6 / 22)
    assert every["expected_all"] == pytest.approx(7 * 6 / 22)
    assert high["shortfall"] == pytest.approx(high["need"] - 3 * 6 / 22)


def test_a_type_ranking_is_a_subset_only_under_a_filter_other_than_its_type():
    f = Filters(as_of=AS_OF)
    assert not views._narrows_ranking(f.with_(case_types=("loan",)), "loan")
    assert views._narrows_ranking(f.with_(case_types=("loan",)), "overall")
    assert views._narrows_ranking(f.with_(case_types=("loan",), priorities=("high",)), "loan")
    assert not views._narrows_ranking(f, "overall")


def _plan(subset: bool) -> dict:
    return dict(need=30, target_rank=2, subset=subset, pending=3, expected_all=0.8181,
                shortfall=29.1818, cases=pl.DataFrame())


def test_the_subsets_words_name_the_subset_and_claim_nothing_of_the_whole_caseload():
    words = plan_words(_plan(True), "优先级: 高")
    assert words.need == "年底前还需执行完毕（件，全部案件口径）"
    assert (words.cases, words.expected, words.shortfall) == (
        "筛选子集的路线图案件", "筛选子集未结案件的期望执行完毕数", "筛选子集的计划缺口（件）")
    assert "筛选子集（优先级: 高）" in words.note and "全部案件计算（官方口径）" in words.note
    assert words.short == ("筛选子集（优先级: 高）的 3 件未结案件即使都推进，期望只能执行完毕 0.8 件，"
                           "少于全部案件口径所需的 30 件，差 29.2 件：仅靠该子集的未结案件预计补不上所需件数"
                           "（子集之外的未结案件未计入）。")
    assert "无法达到目标" not in words.short and "全部未结案件" not in words.expected


def test_without_a_subset_the_words_speak_of_all_pending_cases():
    words = plan_words(_plan(False), "")
    assert (words.need, words.cases, words.expected, words.note) == (
        "年底前还需执行完毕（件）", "路线图案件", "全部未结案件的期望执行完毕数", None)
    assert words.short.startswith("即使全部 3 件未结案件都推进，期望只能执行完毕 0.8 件，少于所需的 30 件")
    assert plan_words({**_plan(False), "shortfall": 0.0}, "").short is None


def test_the_roadmap_and_the_targets_page_say_the_same_per_week_need(con, monkeypatch):
    """One figure, two pages: the need per week and the weeks left (from the data's latest
    day, 1 September, the last filing: 121 days, 17.3 weeks, to 31 December) come from the
    projection on both (the roadmap once divided by its 6
    calendar weeks, partial ones included, and said less a week than the targets page)."""
    import re
    import uuid
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from supervision.security import users
    from supervision.store import engine
    from tests.test_app import login

    latest = D(2026, 9, 1)
    projected = views.roadmap_view(con, SUPERVISOR, Filters(as_of=latest), "A")["overall"][
        "projection"].row(0, named=True)
    need = projected["extra_needed"]
    assert need > 0 and projected["weeks_left"] == pytest.approx(121 / 7)
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = "
                       "current_database()").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    name = f"rs{uuid.uuid4().hex[:8]}"     # a supervisor of court A's province (琼)
    users.add_user(engine(), name, "督导", "", "supervisor", "A", "roadmap-words-1")
    monkeypatch.setenv("SUPERVISION_DB", path)
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"),
                            default_timeout=60)
    app.query_params["court"] = "A"
    login(app, name, "roadmap-words-1")
    said = {}
    for page_file in ("pages/targets.py", "pages/roadmap.py"):
        app.switch_page(page_file)
        app.run()
        assert not app.exception, app.exception
        text = "\n".join(str(e.value) for e in [*app.markdown, *app.caption])
        said[page_file] = text
    per_week = f"{need / (121 / 7):.1f}"
    assert "统计截至 2026-09-01" in said["pages/targets.py"]
    assert f"平均到剩余 17.3 周，即在本院现有进度之外每周再多执行完毕 {per_week} 件" in said[
        "pages/targets.py"]
    assert re.search(rf"每周再多执行完毕 {per_week} 件（{need} 件分到剩余 17.3 周）",
                     said["pages/roadmap.py"]), said["pages/roadmap.py"]
