"""The official position leads: the targets page and the court brief rank a court on all its
cases of the period whatever the sidebar holds; a sidebar filter adds an analysis of the
subset, never a target of its own. Every figure worked by hand on a five-court database."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from supervision import views
from supervision.domain.filters import Filters
from supervision.security.access import Access
from tests.conftest import D, add_cases, closed, make_db

AS_OF = D(2026, 6, 30)
SUPERVISOR = Access("s", "supervisor", "A", "琼")


def _concluded(court: str, n: int, fully: int, priority: str = "normal",
               case_type: str = "loan") -> list[dict]:
    """n cases filed 2 January and concluded 1 February 2026, `fully` of them by full
    performance, the rest by termination."""
    return [closed(f"{court}{priority}{case_type}{i}", court, D(2026, 1, 2), D(2026, 2, 1),
                   "fully_performed" if i < fully else "terminated_current",
                   priority=priority, case_type=case_type) for i in range(n)]


@pytest.fixture
def con(tmp_path):
    c = make_db(tmp_path / "official.duckdb",
                [("A", "琼"), ("B", "琼"), ("C", "琼"), ("D", "京"), ("E", "京")])
    # targets are data: the top 2, with at least 3 concluded cases
    c.execute("UPDATE targets SET target_rank = 2, min_concluded = 3")
    add_cases(c,
              *_concluded("A", 3, 3, "high"), *_concluded("A", 7, 0),       # 3/10, high 3/3
              *_concluded("B", 4, 4), *_concluded("B", 3, 2, "high"),       # 6/7, high 2/3
              *_concluded("C", 5, 4), *_concluded("C", 3, 1, "high"),       # 5/8, high 1/3
              *_concluded("D", 4, 3),                                       # 3/4
              *_concluded("E", 3, 0), *_concluded("E", 3, 3, case_type="wage"),  # 3/6
              # A's five pending cases (normal priority)
              *[closed(f"Ap{i}", "A", D(2026, 3, 1), None, None) for i in range(5)])
    yield c
    c.close()


def _row(frame, ranking: str) -> dict:
    return frame.filter(frame["ranking"] == ranking).row(0, named=True)


# Official overall rates: B 6/7 = 85.7 %, D 3/4 = 75 %, C 5/8 = 62.5 %, E 3/6 = 50 %,
# A 3/10 = 30 %: A is 5th of 5; the top-2 cutoff is D's 75 % (3 of 4); A's gap is
# ⌈(3·10 − 3·4) ÷ (4 − 3)⌉ = 18 (and indeed (3 + 18) ÷ (10 + 18) = 75 %).
# High priority only: A 3/3 = 100 %, B 2/3, C 1/3; D and E have none (unranked): A 1st of 3.


def test_a_priority_filter_keeps_the_official_rank_and_adds_the_subset(con):
    page = views.targets_view(con, SUPERVISOR, Filters(as_of=AS_OF, priorities=("high",)), "A")
    assert page["headline"] == "overall"
    official = _row(page["court_ranks"], "overall")
    assert (official["rank"], official["ranked_courts"]) == (5, 5)
    assert official["rate"] == pytest.approx(0.3)
    assert official["cutoff"] == pytest.approx(0.75)
    assert official["gap"] == 18 and official["pending"] == 5
    assert official["meets_target"] is False
    # the province's courts and the projection are official too
    assert {r["court_code"]: r["rank"] for r in page["ranks"].filter(
        page["ranks"]["ranking"] == "overall").iter_rows(named=True)} == {"A": 5, "B": 1, "C": 3}
    projection = page["projection"].row(0, named=True)
    # nothing concluded in the last 8 weeks: the year ends where it stands
    assert projection["projected_rank"] == 5 and projection["extra_needed"] == 18
    assert projection["reachable"] is False                 # 18 needed, 5 pending
    assert page["weekly"]["rank"].drop_nulls().to_list()[-1] == 5
    # the subset: an analysis beside it
    subset = page["subset"]
    assert (subset["rank"], subset["ranked_courts"]) == (1, 3)
    assert subset["rate"] == pytest.approx(1.0)


def test_without_a_filter_there_is_no_subset_and_the_same_official_rank(con):
    page = views.targets_view(con, SUPERVISOR, Filters(as_of=AS_OF), "A")
    assert page["subset"] is None
    assert _row(page["court_ranks"], "overall")["rank"] == 5


def test_a_filter_of_exactly_one_specific_type_leads_with_that_types_official_ranking(con):
    # loan rates: B 4/4 ... all of B's, C's, D's cases are loans; E's loans 0/3, A's 3/10:
    # B 6/7, D 3/4, C 5/8, A 3/10, E 0/3 -> A is 4th of 5 on loans (5th overall)
    loan = Filters(as_of=AS_OF, case_types=("loan",))
    page = views.targets_view(con, SUPERVISOR, loan, "A")
    assert page["headline"] == "loan"
    headline = _row(page["court_ranks"], "loan")
    unfiltered = _row(views.targets_view(con, SUPERVISOR, Filters(as_of=AS_OF), "A")[
        "court_ranks"], "loan")
    assert (headline["rank"], headline["ranked_courts"], headline["gap"]) == (4, 5, 18)
    assert headline == unfiltered
    assert page["subset"] is None              # that ranking is official: no subset
    assert page["projection"].row(0, named=True)["projected_rank"] == 4
    # the one type and a priority: the type's official ranking, and the subset beside it
    both = views.targets_view(con, SUPERVISOR, loan.with_(priorities=("high",)), "A")
    assert _row(both["court_ranks"], "loan")["rank"] == 4
    assert (both["subset"]["rank"], both["subset"]["ranked_courts"]) == (1, 3)


def test_the_brief_ranks_officially_and_adds_the_subset(con):
    high = Filters(as_of=AS_OF, priorities=("high",))
    brief = views.brief_view(con, SUPERVISOR, high, "A")
    overall = _row(brief["ranks"], "overall")
    assert (overall["rank"], overall["ranked_courts"], overall["gap"]) == (5, 5, 18)
    projection = brief["projection"].row(0, named=True)
    assert (projection["projected_rank"], projection["extra_needed"],
            projection["pending"]) == (5, 18, 5)
    # 3+1 on every case: A filed 15 cases since 2023, 10 concluded -> 2/3; of the high
    # priority ones 3 of 3
    core = {r["index"]: r["value"] for r in brief["backward"].iter_rows(named=True)}
    assert core["three_year_conclusion"] == pytest.approx(2 / 3)
    assert brief["subset"]["core"]["three_year_conclusion"] == pytest.approx(1.0)
    assert brief["subset"]["core"]["termination_qualified"] is None   # no high termination
    assert (brief["subset"]["rank"]["rank"], brief["subset"]["rank"]["ranked_courts"]) == (1, 3)
    assert views.brief_view(con, SUPERVISOR, Filters(as_of=AS_OF), "A")["subset"] is None


def test_which_filters_add_a_subset_analysis():
    f = Filters(as_of=dt.date(2026, 6, 30))
    assert not views.analyses_subset(f, "overall")
    assert views.analyses_subset(f.with_(priorities=("high",)), "overall")
    assert views.analyses_subset(f.with_(value_min=1e5), "overall")
    assert not views.analyses_subset(f.with_(case_types=("loan",)), "loan")
    assert views.analyses_subset(f.with_(case_types=("loan",), complexities=("complex",)),
                                 "loan")
    # two types, or a non-specific one: a subset of the overall ranking
    assert views.analyses_subset(f.with_(case_types=("loan", "wage")), "overall")
    # the explorer's own filters are not the sidebar's: no subset
    assert not views.analyses_subset(f.with_(closing_methods=("pending",)), "overall")


# ------------------------------------------------------------ the brief: on track? first


def _brief_sections(con, filters: Filters):
    return _brief_sections_of(views.brief_view(con, SUPERVISOR, filters, "A"), filters,
                              views.reference(con, SUPERVISOR))


def _brief_sections_of(brief: dict, filters: Filters, reference: dict):
    from supervision.ui import brief_sections
    from supervision.ui.state import Context

    ctx = Context(access=SUPERVISOR, filters=filters, court="A", reference=reference)
    return brief_sections.build(ctx, brief)


def test_the_brief_opens_with_the_official_position_and_a_true_verdict(con):
    sections = _brief_sections(con, Filters(as_of=AS_OF, priorities=("high",)))
    block = sections.on_track
    assert block.title == "是否达标：实际执行率全国前2名 · 官方口径（全部案件）"
    assert dict(block.cards) == {"全国排名": "5 / 5", "前2名线": "75.0%", "距名线差距（今日，件）": "18",
                                 "年底预测排名": "5", "年底前还需执行完毕（件）": "18",
                                 "现有未结（件）": "5"}
    # two rows of three: no label cut on screen, none wrapped in the PDF
    assert [len(row) for row in block.card_rows()] == [3, 3]
    # 18 extra beyond the pace against 5 pending: more than the pending caseload, no more said
    assert block.verdict == ("目前未进入前2名（第 5 名，差 18 件）；按近8周进度推算，在现有进度之外，"
                             "年底前还需多执行完毕 18 件（现有未结 5 件），多于现有未结案件数。")
    # the subset: its rank and 3+1 values, said as an analysis, no verdict
    assert sections.subset[0] == "筛选子集（优先级: 高）中：第 1 / 3 名，实际执行率 100.0%"
    assert "近三年执行案件整体执结率 100.0%" in sections.subset[1]
    assert not any("达到目标" in line or "达标" in line for line in sections.subset)
    # the first sheet after the notes is the block; the subset follows the 3+1 sheet
    sheets = list(sections.workbook_sheets())
    assert sheets[:3] == ["是否达标（官方口径）", "“3+1”核心指标", "筛选子集分析"]
    first = sections.workbook_sheets()["是否达标（官方口径）"]
    # numbers, not text: one row, a column per figure, the cutoff a fraction kept as percent
    assert first.row(0) == (block.title, 5, 5, 0.75, 18, 5, 18, 5, block.verdict)
    assert first.columns[:3] == ["官方口径（全部案件）", "全国排名", "已排名法院数"]
    assert first.schema["前2名线"] == pl.Float64 and first.schema["现有未结（件）"] == pl.Int64
    assert sections.workbook_kinds()["前2名线"] == "percent"
    # the 3+1 sheet holds its values as numbers too (shown as percentages): the cards' own
    core = sections.workbook_sheets()["“3+1”核心指标"]
    assert core.schema["本院"] == pl.Float64 and sections.workbook_kinds()["本院"] == "percent"
    assert [f"{v * 100:.1f}%" if v is not None else "—" for v in core["本院"]] == [
        c.value for c in sections.cards]
    # every sheet name fits Excel's 31 characters, in both languages
    from supervision.words.i18n import LABELS
    for key in ("ontrack_sheet", "subset_sheet", "core_title", "backward_title", "trend_title",
                "pending_type_age", "largest_pending", "open_items_title", "about_sheet"):
        assert all(len(words) <= 31 for words in LABELS[key]), key


def test_the_brief_pdf_holds_the_official_rank_and_gap_on_page_one(con, tmp_path):
    import subprocess

    sections = _brief_sections(con, Filters(as_of=AS_OF, priorities=("high",)))
    path = tmp_path / "brief.pdf"
    path.write_bytes(sections.pdf(title="法院督导简报 · A法院", notes=["筛选：优先级: 高"]).pdf())
    page_one = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
    squeezed = "".join(page_one.split())
    for text in ("是否达标：实际执行率全国前2名·官方口径（全部案件）", "5/5", "前2名线", "75.0%",
                 "距名线差距（今日，件）", "目前未进入前2名（第5名，差18件）",
                 "年底前还需执行完毕（件）", "现有未结（件）", "年底前还需多执行完毕18件（现有未结5件）"):
        assert text in squeezed, text
    # the block comes before the 3+1 cards
    assert squeezed.index("是否达标") < squeezed.index("“3+1”核心指标")


def test_a_court_in_the_top_k_is_told_so_and_where_the_year_ends(con):
    # B: 6/7 = 85.7 %, 1st of 5; no pace in the last 8 weeks: stays 1st, needs nothing
    from supervision.ui import brief_sections, charts

    brief = views.brief_view(con, SUPERVISOR, Filters(as_of=AS_OF), "B")
    row = brief["ranks"].filter(brief["ranks"]["ranking"] == "overall").row(0, named=True)
    block = brief_sections.on_track(row, brief["projection"].row(0, named=True), "实际执行率")
    assert dict(block.cards)["全国排名"] == "1 / 5" and dict(block.cards)["距名线差距（今日，件）"] == "0"
    assert block.verdict == "目前在前2名内（第 1 名）；按近8周进度预计年底在前2名内。"
    assert block.colour == charts.STATUS_COLOURS["green"]


def pace_lost_cases(first: str, second: str) -> list[dict]:
    """`first` 3 of 4 fully performed, concluded 1 February, and 5 pending; `second` 1 of
    4 by February and 4 of 4 on 1 June (the last 8 weeks of 30 June), and a case filed on
    30 June (the data's last day, so the app's as-of date can be 30 June)."""
    return [*_concluded(first, 4, 3), *_concluded(second, 4, 1),
            *[closed(f"{second}j{i}", second, D(2026, 1, 2), D(2026, 6, 1), "fully_performed")
              for i in range(4)],
            *[closed(f"{first}p{i}", first, D(2026, 3, 1), None, None) for i in range(5)],
            closed(f"{second}new", second, AS_OF, None, None)]


def test_a_court_in_the_top_k_now_that_its_pace_loses_is_not_told_it_meets_the_target(tmp_path):
    """Top 1, at least 3 concluded. As of 30 June 2026: A 3 of 4 fully performed (75 %),
    all concluded 1 February, no pace since; B 1 of 4 by February and 4 of 4 on 1 June,
    (1 + 4) ÷ 8 = 62.5 %: A is 1st now. Over the last 8 weeks B concluded 4, all fully:
    0.5 a week each. 184 days to 31 December = 26.29 weeks: B ends the year at
    8 + 13.14 → 21 concluded and 5 + 13.14 → 18 fully, 18 ÷ 21 = 85.7 %, first; A stays at
    75 %. A needs x more with (3 + x) ÷ (4 + x) ≥ 6/7: 7·(3 + x) ≥ 6·(4 + x), x ≥ 3; it
    has 5 pending. The sentence says both, and its colour is not the green of a kept target."""
    from supervision.ui import brief_sections, charts

    c = make_db(tmp_path / "pace.duckdb", [("A", "琼"), ("B", "琼")])
    c.execute("UPDATE targets SET target_rank = 1, min_concluded = 3")
    add_cases(c, *pace_lost_cases("A", "B"))
    brief = views.brief_view(c, SUPERVISOR, Filters(as_of=AS_OF), "A")
    c.close()
    row = _row(brief["ranks"], "overall")
    projection = brief["projection"].row(0, named=True)
    assert (row["rank"], row["meets_target"], row["gap"]) == (1, True, 0)
    assert (projection["projected_rank"], projection["extra_needed"]) == (2, 3)
    assert not brief_sections.keeps_target(row, projection)
    block = brief_sections.on_track(row, projection, "实际执行率")
    assert block.verdict.startswith("目前在前1名内（第 1 名）；按近8周进度推算，在现有进度之外，"
                                    "年底前还需多执行完毕 3 件（现有未结 5 件），不多于现有未结案件数")
    assert block.colour == charts.STATUS_COLOURS["amber"]
    # B, 2nd now, is red; a court first now and first at its pace would be green
    # (test_a_court_in_the_top_k_is_told_so_and_where_the_year_ends)
    b_row = dict(row, rank=2, meets_target=False, gap=1)
    assert brief_sections.on_track(b_row, projection, "实际执行率").colour == \
        charts.STATUS_COLOURS["red"]


def test_the_amount_metric_gives_its_gap_in_yuan_and_its_own_name(tmp_path):
    """The overall target on the amount recovery rate (DOMAIN.md: the targets table names
    the metric), top 1, at least 3 concluded. As of 30 June 2026, every case applied for
    1,000,000 yuan and concluded 1 February: A recovered 3 of 4 cases in full (3,000,000
    of 4,000,000: 75 %); B 3 in full and 900,000 of the fourth (3,900,000: 97.5 %, 1st).
    A is 2nd; to reach 97.5 % of 4,000,000 it must recover 3,900,000 − 3,000,000 =
    900,000 yuan more = 90.00 万元. No pace in the last 8 weeks: the year end needs the same.
    Its brief, its province row and the weekly report say so, under the metric's name."""
    from supervision.ui import brief_sections, charts
    from supervision.workflow import weekly

    c = make_db(tmp_path / "amount.duckdb", [("A", "琼"), ("B", "琼")])
    c.execute("UPDATE targets SET target_rank = 1, min_concluded = 3")
    c.execute("UPDATE targets SET metric = 'amount_recovery_rate' WHERE target = 'overall'")
    million = 1_000_000.0

    def case(number: str, court: str, recovered: float) -> dict:
        return closed(number, court, D(2026, 1, 2), D(2026, 2, 1),
                      "fully_performed" if recovered == million else "terminated_current",
                      amount_applied=million, amount_recovered=recovered)

    add_cases(c, *[case(f"A{i}", "A", million if i < 3 else 0.0) for i in range(4)],
              *[case(f"B{i}", "B", million if i < 3 else 900_000.0) for i in range(4)])
    brief = views.brief_view(c, SUPERVISOR, Filters(as_of=AS_OF), "A")
    province = views.province_view(c, SUPERVISOR, Filters(as_of=AS_OF))
    targets = views.targets_view(c, SUPERVISOR, Filters(as_of=AS_OF), "A")
    roadmap = views.roadmap_view(c, SUPERVISOR, Filters(as_of=AS_OF), "A")["overall"]
    reference = views.reference(c, SUPERVISOR)
    c.close()
    # the province beside the court, pooled on the same metric: 6,900,000 ÷ 8,000,000
    assert targets["province_overall_rate"] == pytest.approx(0.8625)
    # the roadmap plans cases: under the amount metric it has no case need, the yuan one
    assert (roadmap["need"], roadmap["amount_need"]) == (None, 900_000)
    row = _row(brief["ranks"], "overall")
    assert (row["metric"], row["rate"], row["rank"], row["cutoff"]) == (
        "amount_recovery_rate", 0.75, 2, 0.975)
    assert (row["gap"], row["amount_gap"]) == (None, 900_000)
    projection = brief["projection"].row(0, named=True)
    assert projection["extra_amount_needed"] == 900_000
    block = brief_sections.on_track(row, projection, "执行到位率")
    assert block.verdict == ("目前未进入前1名（第 2 名，差 90.00 万元）；按近8周进度推算，在现有进度之外，"
                             "年底前还需多执行到位 90.00 万元。")
    assert dict(block.cards)["距名线差距（今日，万元）"] == "90.00"
    assert dict(block.cards)["年底前还需执行到位（万元）"] == "90.00"
    assert block.figures["距名线差距（今日，万元）"] == 90.0
    # one yuan more: the card, the verdict and the workbook's figure all read 90.01
    # (rounded up to the hundred yuan), the workbook's column with two decimals
    off = brief_sections.on_track(dict(row, amount_gap=900_001.0),
                                  dict(projection, extra_amount_needed=900_001.0), "执行到位率")
    assert dict(off.cards)["距名线差距（今日，万元）"] == "90.01"
    assert off.figures["距名线差距（今日，万元）"] == off.figures["年底前还需执行到位（万元）"] == 90.01
    assert "差 90.01 万元" in off.verdict
    sections = _brief_sections_of(brief, Filters(as_of=AS_OF), reference)
    kinds = sections.workbook_kinds()
    assert kinds["距名线差距（今日，万元）"] == kinds["年底前还需执行到位（万元）"] == "wan_gap"
    from supervision.output.safe_output import safe_xlsx_bytes
    assert safe_xlsx_bytes(sections.workbook_sheets(), notes=[], notes_title="说明",
                           kinds=kinds)[:2] == b"PK"
    assert block.colour == charts.STATUS_COLOURS["red"]
    # the province row carries the metric and the yuan gaps; the weekly report names the
    # rate by the metric, in its column and in a backward reason
    a = province["courts"].filter(pl.col("court_code") == "A").row(0, named=True)
    assert (a["metric"], a["rate"], a["amount_gap"], a["extra_amount_needed"]) == (
        "amount_recovery_rate", 0.75, 900_000, 900_000)
    table, _marks, _kinds = weekly.report_tables(province, pl.DataFrame(), {}, "zh")
    assert "执行到位率" in table.columns and "实际执行率" not in table.columns
    assert weekly.index_label("rank_overall", {}, "zh", "amount_recovery_rate") == \
        "全国排名 · 执行到位率"


def test_a_court_its_pace_loses_below_a_100_percent_cutoff_is_amber_and_told(tmp_path):
    """Top 2, at least 3 concluded, as of 30 June 2026. B 3 of 3 (100 %); A 9 of 10
    (90 %, 2nd now, 5 pending); C 2 of 2 concluded on 1 June, unranked now (2 < 3). At the
    pace of the last 8 weeks (C: 2 ÷ 8 a week, all fully; 26.29 weeks left) C ends the year
    at 2 + 6.57 → 9 of 9, 100 %; B stays 3 of 3: the projected top-2 cutoff is 100 %, A
    (9 of 10, no pace) is 3rd, and no count of extra conclusions reaches 100 % (none is
    given). The verdict says where its pace puts it; not green."""
    from supervision.ui import brief_sections, charts

    c = make_db(tmp_path / "full.duckdb", [("A", "琼"), ("B", "琼"), ("C", "琼")])
    c.execute("UPDATE targets SET target_rank = 2, min_concluded = 3")
    add_cases(c, *_concluded("B", 3, 3), *_concluded("A", 10, 9),
              *[closed(f"C{i}", "C", D(2026, 1, 2), D(2026, 6, 1), "fully_performed")
                for i in range(2)],
              *[closed(f"Ap{i}", "A", D(2026, 3, 1), None, None) for i in range(5)],
              closed("Cnew", "C", AS_OF, None, None))
    brief = views.brief_view(c, SUPERVISOR, Filters(as_of=AS_OF), "A")
    c.close()
    row = _row(brief["ranks"], "overall")
    projection = brief["projection"].row(0, named=True)
    assert (row["rank"], row["meets_target"]) == (2, True)
    assert (projection["projected_rank"], projection["projected_cutoff"],
            projection["extra_needed"]) == (3, 1.0, None)
    assert not brief_sections.keeps_target(row, projection)
    block = brief_sections.on_track(row, projection, "实际执行率")
    assert block.verdict == "目前在前2名内（第 2 名）；按近8周进度预计年底第 3 名，不在前2名内。"
    assert block.colour == charts.STATUS_COLOURS["amber"]


def test_the_report_under_one_type_keeps_that_types_official_gap(con):
    """A filter of exactly one specific type is that type's official ranking (all its
    cases): `report` keeps its gaps; the overall ranking is then the subset's, with none.
    Loan cases (top 2): B 4 + 2 of 7 = 6/7, D 3/4, C 5/8, A 3/10, E 0/3: the cutoff is D's
    3/4; C needs ⌈(3·8 − 5·4) ÷ (4 − 3)⌉ = 4, A ⌈(3·10 − 3·4) ÷ 1⌉ = 18, E ⌈(9 − 0) ÷ 1⌉ = 9."""
    from supervision.engine.metrics import report

    loan = report(con, Filters(as_of=AS_OF, case_types=("loan",)))
    plain = report(con, Filters(as_of=AS_OF))
    gaps = {c["court_code"]: c["types"]["loan"]["gap"] for c in loan["courts"]}
    assert gaps == {"A": 18, "B": 0, "C": 4, "D": 0, "E": 9}
    assert gaps == {c["court_code"]: c["types"]["loan"]["gap"] for c in plain["courts"]}
    assert loan["subset"] == {"case_types": ["loan"]}
    assert all(c["overall_gap"] is None for c in loan["courts"])
    # with another filter beside the type, the type's ranking is a subset too
    high = report(con, Filters(as_of=AS_OF, case_types=("loan",), priorities=("high",)))
    assert all(c["types"]["loan"]["gap"] is None for c in high["courts"])


def test_an_unranked_court_is_told_why():
    """At least 3 concluded: 3 conclusions that applied for nothing under the amount metric
    (no rate: unranked with enough conclusions), or 2 (too few)."""
    from supervision.ui import brief_sections

    row = {"concluded": 3, "min_concluded": 3, "rate": None, "is_ranked": False}
    assert brief_sections.unranked_words(row) == (
        "未排名：本期已结 3 件，但申请金额合计为 0，执行到位率无法计算。")
    assert brief_sections.verdict(dict(row, target_rank=1, rank=None, meets_target=False,
                                       gap=None), None) == brief_sections.unranked_words(row)
    few = dict(row, concluded=2, rate=0.5)
    assert brief_sections.unranked_words(few) == "未排名：本期已结 2 件，少于排名所需的 3 件。"
