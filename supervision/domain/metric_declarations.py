"""Every metric the product shows, declared once: its code, 中文 and English names and help,
its formula (numerator ÷ denominator over which count columns of which query), its unit
and the threshold or national target it is held to (docs/metrics.md restates them).

Everything else derives from here: the rates of `queries/court_counts.sql`'s counts and of
the cases in memory (`with_rates`, one polars function for both: `metrics.court_counts`,
`memory_core_counts.court_core_counts`), `memory_core_counts.CORE_RATES`/`POOLED_RATES`,
`metrics.CORE_INDICES`, and the UI's metric names and help (supervision/words/i18n.py ENUMS
and HELP). A new rate is one entry below (and its counts, if new, in court_counts.sql).

Help texts may hold placeholders the caller fills ({threshold}); target ranks and week
counts are never written into them (they are data or named constants).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import polars as pl

Unit = Literal["rate", "days", "count"]


@dataclass(frozen=True)
class HeldTo:
    """What a metric is measured against: a 3+1 threshold (`core_thresholds.index_code`)
    or the national targets that may rank on it (`targets.target`; which rate a target
    ranks is the targets table's `metric`)."""
    kind: Literal["threshold", "target"]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Metric:
    """One metric: `numerator` ÷ `denominator` (count columns), null when the denominator
    is 0 (SQL's x / nullif(y, 0)); × the period's days when `times_period_days`."""
    code: str
    zh: str
    en: str
    help_zh: str
    help_en: str
    numerator: str
    denominator: str
    unit: Unit
    # the query and its count columns the metric is computed from
    source: str
    held_to: HeldTo | None = None
    times_period_days: bool = False


COURT_COUNTS = "queries/court_counts.sql"
CORE_SCAN = "queries/memory_cases.sql (core flags at a date), counted by supervision/engine/memory_core_counts.py"
RANK_SCAN = "queries/memory_cases.sql, counted by supervision/engine/memory_counts.py"
NATIONAL_TARGETS = HeldTo("target", ("overall", "specific_type"))


def _threshold(index_code: str) -> HeldTo:
    return HeldTo("threshold", (index_code,))


# In court_counts.sql's output order: the volume, rate, speed and age indicators, then the
# 3+1 core indices (the order the pages list them in).
METRICS: tuple[Metric, ...] = (
    Metric(
        "overall_rate", "实际执行率", "Successful enforcement rate",
        "实际执行率 = 执行完毕结案数 ÷ 已结案件数（本期首次执行与恢复执行案件；移送、指定执行不计）。"
        "全国排名目标（名次、最低结案数）见“目标与排名”页；五类特定案件各自排名。",
        "Successful enforcement rate = cases concluded by full performance ÷ cases concluded "
        "this period (first and resumed enforcement; transfers excluded). The national "
        "target (its rank and minimum of concluded cases) is on the targets page; each of "
        "the five specific types is ranked on its own.",
        "fully_performed", "concluded", "rate",
        f"{COURT_COUNTS}; {RANK_SCAN}", NATIONAL_TARGETS),
    Metric(
        "amount_recovery_rate", "执行到位率", "Amount recovery rate",
        "执行到位率 = 已结案件执行到位金额合计 ÷ 申请执行标的额合计。",
        "Amount recovery rate = amount recovered ÷ amount applied, over concluded cases.",
        "amount_recovered", "amount_applied", "rate",
        f"{COURT_COUNTS}; {RANK_SCAN}", NATIONAL_TARGETS),
    Metric(
        "closure_rate", "结案率", "Closure rate",
        "结案率 = 本期已结案件数 ÷ 本期受理案件数（旧存 + 新收）。",
        "Closure rate = cases concluded this period ÷ cases handled (pending at the start "
        "plus filed this period).",
        "concluded", "handled", "rate", f"{COURT_COUNTS}; {RANK_SCAN}"),
    Metric(
        "actual_conclusion_rate", "实际执结率", "Actual conclusion rate",
        "实际执结率 = 本期实际执结（不含终本）案件数 ÷ 本期受理案件数。",
        "Actual conclusion rate = cases actually concluded this period (not by "
        "termination) ÷ cases handled.",
        "actually_concluded", "handled", "rate", f"{COURT_COUNTS}; {CORE_SCAN}"),
    Metric(
        "termination_rate", "终本率", "Termination rate",
        "终本率 = 本期终本结案数 ÷ 本期已结案件数。",
        "Termination rate = terminations (current procedure) this period ÷ cases concluded "
        "this period.",
        "terminated_current", "concluded", "rate", COURT_COUNTS),
    Metric(
        "mean_days_to_close", "平均结案天数", "Mean days to close",
        "平均结案天数 = 本期已结案件（结案日 − 立案日）天数合计 ÷ 本期已结案件数。",
        "Mean days to close = the days from filing to closing summed over cases concluded "
        "this period ÷ those cases.",
        "days_to_close", "concluded", "days", COURT_COUNTS),
    Metric(
        "clearance_rate", "结收比", "Clearance rate",
        "结收比 = 本期已结案件数 ÷ 本期新收案件数（CEPEJ）。",
        "Clearance rate = cases concluded this period ÷ cases filed this period (CEPEJ).",
        "concluded", "filed", "rate", COURT_COUNTS),
    Metric(
        "disposition_time_days", "预计消化天数", "Disposition time (days)",
        "预计消化天数 = 本期天数 × 统计日未结案件数 ÷ 本期已结案件数（CEPEJ）。",
        "Disposition time = days in the period × cases pending at the as-of date ÷ cases "
        "concluded this period (CEPEJ).",
        "pending", "concluded", "days", COURT_COUNTS, times_period_days=True),
    Metric(
        "share_pending_over_6_months", "超法定期限未结占比", "Share pending past the limit",
        "超法定期限未结占比 = 统计日已超过法定期限（立案后6个月）的未结案件数 ÷ 未结案件数。",
        "Share pending past the limit = cases pending at the as-of date past their statutory "
        "deadline (6 months after filing) ÷ cases pending.",
        "pending_over_6_months", "pending", "rate", COURT_COUNTS),
    Metric(
        "property_within_limit", "有财产案件法定期限内实际执结率",
        "Within limit, cases with property",
        "法定期限内实际执结率 = 有财产首次执行案件中，法定期限在本期内且在期限内实际执结（不含终本）的件数 ÷ "
        "法定期限在本期内的有财产首次执行案件数。标准 {threshold}。",
        "Within the limit = first-enforcement cases with property whose deadline falls this "
        "period and that were actually concluded (not by termination) by it ÷ all such "
        "cases. Threshold {threshold}.",
        "property_in_limit", "property_due", "rate", f"{COURT_COUNTS}; {CORE_SCAN}",
        _threshold("property_within_limit")),
    Metric(
        "termination_qualified", "无财产案件终本合格率", "Qualified terminations",
        "终本合格率 = 本期终本结案中六项条件齐备（告知、限消、失信、网络查控、现场调查、告知申请人）"
        "且立案满3个月后结案的件数 ÷ 本期终本结案数。标准 {threshold}。",
        "Qualified terminations = terminations this period meeting all six conditions "
        "(notice, consumption ban, dishonest list, network inquiry, site investigation, "
        "applicant informed) and closed at least 3 months after filing ÷ terminations this "
        "period. Threshold {threshold}.",
        "terminations_qualified", "terminations", "rate", f"{COURT_COUNTS}; {CORE_SCAN}",
        _threshold("termination_qualified")),
    Metric(
        "petitions_resolved", "执行信访案件办结率", "Petitions resolved",
        "信访办结率 = 本期收到且在统计日前办结的执行信访件数 ÷ 本期收到的执行信访件数。标准 {threshold}。",
        "Petitions resolved = petitions received this period resolved by the as-of date ÷ "
        "petitions received this period. Threshold {threshold}.",
        "petitions_resolved_count", "petitions", "rate",
        f"{COURT_COUNTS} (the count as petitions_resolved); {CORE_SCAN}",
        _threshold("petitions_resolved")),
    Metric(
        "three_year_conclusion", "近三年执行案件整体执结率", "Three-year conclusion rate",
        "近三年整体执结率 = 近三年（统计年前三年1月1日起）立案且已结（含终本）的件数 ÷ 这些案件数。"
        "标准 {threshold}。",
        "Three-year conclusion rate = cases filed since 1 January three years back and "
        "concluded by any method (termination included) ÷ those cases. Threshold {threshold}.",
        "three_year_concluded", "three_year_cases", "rate", f"{COURT_COUNTS}; {CORE_SCAN}",
        _threshold("three_year_conclusion")),
)
METRIC_BY_CODE: dict[str, Metric] = {m.code: m for m in METRICS}

# The 3+1 core indices: the metrics held to a threshold, in declared order.
CORE_METRICS: tuple[Metric, ...] = tuple(
    m for m in METRICS if m.held_to is not None and m.held_to.kind == "threshold")

# court_counts' output keeps its own names for the petitions index: the count is
# `petitions_resolved`, the rate `petitions_resolved_rate` (metrics.as_core_indices renames
# them to the declared names above).
COURT_COUNTS_NAMES: dict[str, str] = {"petitions_resolved_count": "petitions_resolved",
                                      "petitions_resolved": "petitions_resolved_rate"}


def period_days(start: dt.date, as_of: dt.date) -> int:
    """Days in the period [start, as_of], both inclusive (the disposition time's factor)."""
    return (as_of - start).days + 1


def rate_expr(metric: Metric, names: Mapping[str, str] | None = None,
              days: int | None = None) -> pl.Expr:
    """The metric from its count columns (their names mapped through `names`), null when the
    denominator is 0; `days`: the period's length, for a metric × the period's days."""
    names = names or {}
    numerator = pl.col(names.get(metric.numerator, metric.numerator))
    denominator = pl.col(names.get(metric.denominator, metric.denominator))
    if metric.times_period_days:
        if days is None:
            raise ValueError(f"{metric.code} needs the period's length in days")
        numerator = pl.lit(days, pl.Int64) * numerator
    return (pl.when(denominator != 0).then(numerator / denominator).otherwise(None)
            .alias(names.get(metric.code, metric.code)))


def with_rates(frame: pl.DataFrame, metrics: Iterable[Metric] = METRICS, *,
               names: Mapping[str, str] | None = None,
               days: int | None = None) -> pl.DataFrame:
    """`frame` (count columns) with each of `metrics` added, in order: numerator ÷
    denominator, null when the denominator is 0. `names`: a column's name in `frame` where
    it differs from the declared one (COURT_COUNTS_NAMES); `days`: period_days, needed by
    the disposition time."""
    return frame.with_columns(rate_expr(m, names, days) for m in metrics)


def labels() -> dict[str, tuple[str, str]]:
    """code -> (中文, English) name of every metric, for the UI's translations."""
    return {m.code: (m.zh, m.en) for m in METRICS}


def help_texts() -> dict[str, tuple[str, str]]:
    """code -> (中文, English) help of every metric, for the UI's hover help."""
    return {m.code: (m.help_zh, m.help_en) for m in METRICS}
