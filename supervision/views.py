"""Data for each dashboard page, scoped by the logged-in user's Access.

No Streamlit here: pages call these (through a cache) and only draw. Every function
derives the courts it may query from `access`; nothing outside the scope leaves DuckDB,
except national facts that name no court (cutoffs) and, in the national ranking table,
other courts' rank and rate without their names for users who may not see them.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from supervision.data import lookups
from supervision.data.queries import run
from supervision.domain import vocabulary
from supervision.domain.filters import SIDEBAR_FILTERS, Filters
from supervision.engine import metrics, ranking, roadmap, single_flight
from supervision.security import personal
from supervision.security.access import Access, AccessDenied
from supervision.workflow import publication

log = logging.getLogger(__name__)
AGE_BANDS = vocabulary.codes(vocabulary.AGE_BANDS)
# a settlement due half a year or more after its agreement is long-term (长期履行)
LONG_TERM_SETTLEMENT_DAYS = 180
SETTLEMENT_ROWS = 5_000
RESPONDENT_SEARCH_ROWS = 20
ESCALATION_ROWS = 2_000
ROADMAP_HISTORY_DAYS = 3 * 365     # the court's closed cases the likelihood learns from
NATIONAL_TABLE_TOP = 50      # the national table: the top of the ranking (and own courts)
BRIEF_LARGEST_CASES = 20     # the brief's largest-value pending cases
PENDING_CASES_SHOWN = 200    # the pending page's case list
RELATED_RESPONDENTS = 20     # respondents with several pending cases, listed
BUSIEST_JUDGES = 40          # the pending page's workload chart


def _court_cases(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                 court: str | None) -> Filters:
    """The filters narrowed to `court`, checked against the user's scope (AccessDenied
    outside it), or to every court of the scope when `court` is None. The one way a court
    reaches a query: pages pass it as an argument, never inside Filters."""
    return filters.with_(courts=access.visible(con, None if court is None else (court,)))


def reference(con: duckdb.DuckDBPyConnection, access: Access) -> dict[str, Any]:
    """Courts in scope, case types, value bands and the span of data dates."""
    courts = metrics.lookup(con, "court_names", visible=list(access.allowed_courts(con)))
    overall = lookups.targets(con, metrics.lookup).filter(pl.col("target") == "overall")
    return {
        # the rate the overall ranking is on (the targets table's metric)
        "overall_metric": overall["metric"][0] if overall.height else "overall_rate",
        "courts": courts,
        "case_types": metrics.lookup(con, "case_types_list"),
        "value_bands": run(con, "value_bands_list"),
        "latest": lookups.latest_date(con),
        "earliest": lookups.earliest_date(con),
        "loaded_at": lookups.last_load(con),
        "province": run(con, "province_name", province=access.province),
    }


def headline_ranking(filters: Filters, specific: list[str]) -> str:
    """The ranking a page leads with: a filter of exactly one specific type leads with that
    type's ranking against its own target (top 15); anything else with the overall one."""
    if filters.case_types and len(filters.case_types) == 1 and filters.case_types[0] in specific:
        return filters.case_types[0]
    return "overall"


def targets_view(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                 court: str) -> dict[str, Any]:
    """The official position (Filters.official: every case of the period, whatever the
    sidebar holds): ranks of the province's visible courts, the selected court's type ranks,
    the projection and weekly trend of the headline ranking, the user's province's pooled
    rate and the national table (masked for the user). When the sidebar narrows the cases,
    "subset" adds the court's rate and rank on that subset (subset_position), else None.
    The province ranking is province_ranking_view."""
    scope = access.visible(con, None)
    if court not in scope:
        raise AccessDenied(f"no access to court {court}")
    specific = lookups.specific_types(con, metrics.lookup)
    headline = headline_ranking(filters, specific)
    official = filters.official()
    # one count from the cases in memory serves every ranking, week and pace of the page
    aggregate = metrics.rank_aggregate(con, official)
    # the weekly trend, and the province ranking the page shows below the court's figures
    # (its own call, province_ranking_view, then finds it computed), on another thread
    # while the ranks and the projection are computed here: numpy and polars leave
    # Python's lock, so a date no cache has seen is computed on both cores
    with ThreadPoolExecutor(max_workers=1) as pool:
        trend = pool.submit(_trend_and_province_ranking, con.cursor(), official, headline,
                            court, aggregate)
        all_ranks = metrics.national_ranks(con, official, aggregate)
        projection = metrics.year_end_projection(con, official, headline, aggregate)
        weekly = trend.result()
    ranks = all_ranks.filter(pl.col("court_code").is_in(list(scope)))
    # the user's province pooled: its courts' overall counts (as the province ranking pools),
    # on the overall target's metric
    overall_rows = all_ranks.filter(pl.col("ranking") == "overall")
    metric = overall_rows["metric"][0] if overall_rows.height else ranking.OVERALL_RATE
    pooled = (overall_rows.filter(pl.col("province") == access.province)
              .select(pl.col(*ranking.COUNTS).sum())
              .select(rate=ranking.rate(pl.lit(metric))))
    return {
        "headline": headline,
        "ranks": ranks,
        "court_ranks": ranks.filter(pl.col("court_code") == court),
        "projection": projection.filter(pl.col("court_code") == court),
        "weekly": weekly,
        "province_overall_rate": pooled["rate"][0],
        "national": _national_table(con, access, all_ranks, set(scope), headline),
        "subset": subset_position(con, filters, headline, court),
    }


def _trend_and_province_ranking(cursor: duckdb.DuckDBPyConnection, official: Filters,
                                headline: str, court: str,
                                aggregate: metrics.RankAggregate) -> pl.DataFrame:
    """The court's weekly trend of the headline ranking (on `cursor`, closed after), the
    province ranking computed into the results every session shares on the way (where
    they are shared: a served version; a failure there is the province section's own
    call's to report)."""
    with cursor:
        weekly = metrics.weekly_ranks(cursor, official, headline, [court], aggregate)
        if single_flight.served_version(cursor) is not None:
            try:
                metrics.province_ranking(cursor, official)
            except Exception:  # noqa: BLE001 - province_ranking_view meets it again
                log.warning("the province ranking, computed ahead, failed", exc_info=True)
    return weekly


def analyses_subset(filters: Filters, headline: str) -> bool:
    """Whether a page adds an analysis of the sidebar's subset beside the official
    position: the sidebar narrows the cases, other than to exactly the one specific type
    that is the headline (that type's official ranking already counts all its cases)."""
    if not filters.narrows():
        return False
    others = [name for name in SIDEBAR_FILTERS if name != "case_types"]
    return not (headline != "overall" and filters.case_types == (headline,)
                and all(getattr(filters, name) is None for name in others))


def subset_position(con: duckdb.DuckDBPyConnection, filters: Filters, headline: str,
                    court: str) -> dict[str, Any] | None:
    """The court's row of the `headline` ranking on the sidebar's subset (every court ranked
    on its own cases of that subset: rate, rank, ranked_courts, is_ranked, concluded …), or
    None when the sidebar does not narrow (analyses_subset). An analysis, not a target."""
    if not analyses_subset(filters, headline):
        return None
    rows = metrics.national_ranks(con, filters.with_(courts=None)).filter(
        (pl.col("ranking") == headline) & (pl.col("court_code") == court))
    return rows.row(0, named=True) if rows.height else None


def warm_national(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    """Compute the national results the pages' first views need under `filters` — every
    case in memory (mapped from disk when an earlier start kept them), the rank counts,
    every court's ranks now and one and two weeks back, the weekly ranks and projection of
    the overall ranking, the province ranking, the date's cases (what a sidebar filter
    counts from) and the day tables of other dates — into the results every session
    shares (supervision.engine.single_flight). Names no user and returns nothing:
    supervision.serve runs it when the server starts."""
    aggregate = metrics.rank_aggregate(con, filters)
    metrics.warm_date(con, filters)
    for weeks_back in (0, 1, 2):
        metrics.national_ranks(con, filters, aggregate, weeks_back=weeks_back)
    metrics.year_end_projection(con, filters, "overall", aggregate)
    metrics.weekly_ranks(con, filters, "overall", [], aggregate)
    metrics.province_ranking(con, filters)
    # last: the day tables that serve every other date (supervision.engine.day_counts)
    metrics.warm_day_tables(con, filters)


def province_ranking_view(con: duckdb.DuckDBPyConnection, access: Access,
                          filters: Filters) -> pl.DataFrame:
    """Provinces pooled and ranked, with the share of their courts meeting the 3+1
    standard: national facts that name no court, the same for every user (a separate call
    from targets_view, so that changing the court does not recompute them)."""
    access.visible(con, None)   # a user with a case scope (not the administrator)
    return metrics.province_ranking(con, filters)


def _national_table(con: duckdb.DuckDBPyConnection, access: Access, all_ranks: pl.DataFrame,
                    scope: set[str], ranking: str = "overall",
                    top: int = NATIONAL_TABLE_TOP) -> pl.DataFrame:
    """Courts the user may not see are shown only by rank and rate (no code, name or
    counts)."""
    rows = all_ranks.filter(pl.col("ranking") == ranking)
    names = metrics.lookup(con, "court_names", visible=None).select("court_code", "name", "name_en")
    table = rows.join(names, on="court_code", how="left").with_columns(
        own=pl.col("court_code").is_in(list(scope)))
    # the top of the ranking, and the user's own courts even when they are unranked
    table = table.filter((pl.col("is_ranked") & (pl.col("rank") <= top)) | pl.col("own")).sort(
        "rank", "court_code", nulls_last=True)
    if access.sees_national_names:
        return table.select("rank", "court_code", "name", "name_en", "province", "rate",
                            "concluded", "fully_performed", "own")
    masked = ~pl.col("own")
    return table.select(
        "rank",
        pl.when(masked).then(None).otherwise(pl.col("court_code")).alias("court_code"),
        pl.when(masked).then(pl.lit("—")).otherwise(pl.col("name")).alias("name"),
        pl.when(masked).then(pl.lit("—")).otherwise(pl.col("name_en")).alias("name_en"),
        pl.when(masked).then(None).otherwise(pl.col("province")).alias("province"),
        "rate",
        pl.when(masked).then(None).otherwise(pl.col("concluded")).alias("concluded"),
        pl.when(masked).then(None).otherwise(pl.col("fully_performed")).alias("fully_performed"),
        "own",
    )


def brief_view(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
               court: str) -> dict[str, Any]:
    """Everything the court brief shows for one court. The official position — the 3+1
    indices, the ranks, the backward indices, the weekly trend and the year-end projection
    of the headline ranking — counts every case of the period (Filters.official), whatever
    the sidebar holds; the pending caseload follows the sidebar. When the sidebar narrows
    the cases, "subset" adds that subset's 3+1 values and headline rank (brief_subset),
    else None."""
    scoped = _court_cases(con, access, filters, court)   # the one scope check
    [court] = scoped.courts
    official = filters.official()
    # the court's pending cases on a cursor of their own while the national counts are
    # ranked: DuckDB, numpy and polars leave Python's lock, so the two run side by side
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = pool.submit(_court_pending, con.cursor(), scoped)
        limits = lookups.thresholds(con, metrics.lookup)
        headline = headline_ranking(filters, lookups.specific_types(con, metrics.lookup))
        # one count at the date: the ranks now, a week before and the weekly trend (first:
        # the 3+1 counts below take its handled, concluded and fully performed cases)
        aggregate = metrics.rank_aggregate(con, official)
        # the trend and last week's ranks on the other thread (as the targets page's)
        trend = pool.submit(_trend_and_ranks_before, con.cursor(), official, headline, court,
                            aggregate)
        # its 3+1 indices and its province's, from the cases in memory (no scan)
        core = metrics.core_indices_from_memory(con, official, [court])
        ranks_now = metrics.court_ranks(con, official, [court], aggregate)
        projection = metrics.year_end_projection(con, official, headline, aggregate).filter(
            pl.col("court_code") == court)
        subset = brief_subset(con, filters, headline, court)
        weekly, ranks_before = trend.result()
        ranks_before = publication.with_published_ranks(   # last week's: as published
            ranks_before, official.as_of - dt.timedelta(days=7))
        by_type_age, largest = pending.result()
    return {
        "headline": headline,
        "core": core,
        "ranks": ranks_now,
        "backward": backward_indices(core, ranks_now, ranks_before, limits, court),
        "weekly": weekly,
        "projection": projection,
        "subset": subset,
        "pending_by_type_age": by_type_age,
        "largest_pending": largest,
    }


def _trend_and_ranks_before(cursor: duckdb.DuckDBPyConnection, official: Filters,
                            headline: str, court: str, aggregate: metrics.RankAggregate
                            ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The court's weekly trend of the headline ranking and its ranks a week before (on
    `cursor`, closed after)."""
    with cursor:
        return (metrics.weekly_ranks(cursor, official, headline, [court], aggregate),
                metrics.court_ranks(cursor, official, [court], aggregate, weeks_back=1))


def brief_subset(con: duckdb.DuckDBPyConnection, filters: Filters, headline: str,
                 court: str) -> dict[str, Any] | None:
    """The sidebar's subset of the court's cases, as an analysis beside the official
    position: its 3+1 values ("core": index -> value, None where nothing is measured) and
    its row of the headline ranking on that subset ("rank", subset_position); None when the
    sidebar does not narrow (analyses_subset)."""
    if not analyses_subset(filters, headline):
        return None
    rows = metrics.core_indices_from_memory(con, filters.with_(courts=None), [court]).filter(
        pl.col("level") == "court")
    values = rows.row(0, named=True) if rows.height else {}
    return {"core": {index: values.get(index) for index in metrics.CORE_INDICES},
            "rank": subset_position(con, filters, headline, court)}


def _court_pending(cursor: duckdb.DuckDBPyConnection,
                   scoped: Filters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The court's pending caseload by type and age band, and its largest pending cases
    (on `cursor`, closed after)."""
    with cursor:
        return (run(cursor, "pending_by_type_age", scope=scoped.scope(), as_of=scoped.as_of),
                _pending_cases(cursor, scoped, limit=BRIEF_LARGEST_CASES))


def province_view(con: duckdb.DuckDBPyConnection, access: Access,
                  filters: Filters) -> dict[str, Any]:
    """Every court of the user's scope on one screen, on the official position
    (Filters.official: every case of the period, whatever the sidebar holds): overall rank
    and its move since the week before, the standing state (in or outside the top k, or
    unranked), today's gap to the cutoff, the year-end projection (projected rank and the
    full performances still needed by 31 December), how many of the five types meet their
    target, the 3+1 status, the backward indices (slipping: backward_indices) with their
    change since the week before and those newly backward this week. When the sidebar
    narrows the cases, "subset" is True and each row adds the subset's overall rate and
    rank (every court ranked on its own cases of the subset): an analysis, never a verdict."""
    scope = list(access.visible(con, None))
    limits = lookups.thresholds(con, metrics.lookup)
    official = filters.official()
    now, week, fortnight = (official.with_(as_of=official.as_of - dt.timedelta(days=d))
                            for d in (0, 7, 14))
    # one count for the ranks now and one and two weeks before, and the projection
    aggregate = metrics.rank_aggregate(con, official)
    ranks = {f: metrics.court_ranks(con, official, scope, aggregate, weeks_back=k)
             for k, f in enumerate((now, week, fortnight))}
    for f in (week, fortnight):   # earlier weeks' ranks: as published, where published
        ranks[f] = publication.with_published_ranks(ranks[f], f.as_of)
    # the 3+1 indices now and a week before, from the cases in memory (as the brief's)
    core = {f: metrics.core_indices_from_memory(con, f, scope) for f in (now, week)}
    projection = metrics.year_end_projection(con, official, "overall", aggregate).filter(
        pl.col("court_code").is_in(scope))
    rows = [_province_row(court, core, ranks, (now, week, fortnight), limits, projection)
            for court in scope]
    courts = pl.DataFrame(rows, infer_schema_length=None, schema_overrides={
        "newly_backward": pl.List(pl.String), "projected_rank": pl.Int64,
        "extra_needed": pl.Int64, "rank_week_before": pl.Int64, "amount_gap": pl.Float64,
        "extra_amount_needed": pl.Float64})
    subset = analyses_subset(filters, "overall")
    if subset:
        courts = courts.join(_subset_overall(con, filters, scope), on="court_code", how="left")
    names = metrics.lookup(con, "court_names", visible=scope).select(
        "court_code", "name", "name_en", "level", "kind")
    province = run(con, "province_name", province=access.province)
    return {
        "province": province.row(0, named=True) if province.height else None,
        "courts": courts.join(names, on="court_code", how="left"),
        "specific_types": lookups.specific_types(con, metrics.lookup),
        "thresholds": limits,
        "type_target_rank": _type_target_rank(lookups.targets(con, metrics.lookup)),
        "subset": subset,
    }


def _province_row(court: str, core: dict[Filters, pl.DataFrame],
                  ranks: dict[Filters, pl.DataFrame], weeks: tuple[Filters, Filters, Filters],
                  limits: dict[str, float], projection: pl.DataFrame) -> dict[str, Any]:
    """One court's row of province_view, from the 3+1 indices now and a week before and the
    ranks now, one and two weeks before (`weeks`)."""
    now, week, fortnight = weeks

    def of(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("court_code") == court)

    flagged_now = backward_indices(core[now], of(ranks[now]), of(ranks[week]), limits, court)
    flagged_before = backward_indices(core[week], of(ranks[week]), of(ranks[fortnight]),
                                      limits, court)
    overall_rows = flagged_now.filter(pl.col("index") == "rank_overall")
    overall = of(ranks[now]).filter(pl.col("ranking") == "overall").row(0, named=True)
    types = of(ranks[now]).filter(pl.col("ranking") != "overall")
    core_rows = flagged_now.filter(~pl.col("index").str.starts_with("rank_"))
    backward_now = flagged_now.filter(pl.col("reasons").list.len() > 0)
    before = set(flagged_before.filter(pl.col("reasons").list.len() > 0)["index"])
    before_rank = of(ranks[week]).filter(pl.col("ranking") == "overall")
    projected = of(projection)
    return dict(
        court_code=court, rank=overall["rank"], ranked_courts=overall["ranked_courts"],
        rank_week_before=before_rank["rank"][0] if before_rank.height else None,
        standing=overall_rows["standing"][0] if overall_rows.height else "unranked",
        **{r["index"]: r["value"] for r in core_rows.iter_rows(named=True)},
        **{f"{r['index']}_status": r["status"] for r in core_rows.iter_rows(named=True)},
        **{f"rank_{r['ranking']}": r["rank"] for r in types.iter_rows(named=True)},
        backward_indices=[dict(index=i, reasons=rs) for i, rs in
                          zip(backward_now["index"], backward_now["reasons"], strict=True)],
        newly_backward=[i for i in backward_now["index"] if i not in before],
        metric=overall["metric"], rate=overall["rate"], cutoff=overall["cutoff"],
        gap=overall["gap"], amount_gap=overall["amount_gap"],
        pending=overall["pending"], is_ranked=overall["is_ranked"],
        meets_target=overall["meets_target"], target_rank=overall["target_rank"],
        projected_rank=projected["projected_rank"][0] if projected.height else None,
        extra_needed=projected["extra_needed"][0] if projected.height else None,
        extra_amount_needed=(projected["extra_amount_needed"][0] if projected.height
                             else None),
        types_meeting=int(types["meets_target"].sum()), types=types.height,
        # of the indices with cases to measure: an index with none cannot fail the
        # standard (metrics.meets_standard), so "3/3" and "4/4" both meet it
        core_meeting=int((core_rows["status"] == "green").sum()),
        core=int((core_rows["status"] != "grey").sum()),
        backward=backward_now.height,
        backward_change=backward_now.height - len(before),
    )


def _subset_overall(con: duckdb.DuckDBPyConnection, filters: Filters,
                    scope: list[str]) -> pl.DataFrame:
    """The scope's courts' overall rate and rank on the sidebar's subset (every court
    ranked nationally on its own cases of the subset): subset_rate, subset_rank,
    subset_ranked_courts. An analysis of the subset, never a target."""
    ranks = metrics.national_ranks(con, filters.with_(courts=None)).filter(
        (pl.col("ranking") == "overall") & pl.col("court_code").is_in(scope))
    return ranks.select("court_code", subset_rate="rate", subset_rank="rank",
                        subset_ranked_courts="ranked_courts")


def _type_target_rank(targets: pl.DataFrame) -> int | None:
    """The target rank of the specific types (top 15), from the targets table."""
    rows = targets.filter(pl.col("target") == "specific_type")
    return int(rows["target_rank"][0]) if rows.height else None


STANDINGS = ("in_target", "outside_target", "unranked")


def backward_indices(core: pl.DataFrame, ranks_now: pl.DataFrame, ranks_before: pl.DataFrame,
                     limits: dict[str, float], court: str) -> pl.DataFrame:
    """Backward (落后) indices of one court: an index is backward when it slips, and
    `reasons` says how — below_threshold or below_province (the 3+1 indices), rank_fell
    (a national ranking whose rank is worse than the previous week's). Nothing else is a
    reason.

    Each ranking row also carries its `standing`, a lasting state and never a reason:
    "in_target" (within its target rank), "outside_target" (ranked, not yet within it) or
    "unranked" (too few cases concluded); the 3+1 rows have none. A ranking row's `status`
    colour: red only when it has a reason; green in the target; amber outside the target
    but not slipping (not yet in the top k, its rank not worse than last week); grey
    unranked. The 3+1 rows keep _status's colours."""
    empty = dict.fromkeys(metrics.CORE_INDICES)
    rows = core.filter((pl.col("level") == "court") & (pl.col("court_code") == court))
    # a filter can leave a court (or its whole province) without a case: nothing measured
    row = rows.row(0, named=True) if rows.height else {**empty, "province": None}
    provinces = core.filter((pl.col("level") == "province")
                            & (pl.col("province") == row["province"]))
    province = provinces.row(0, named=True) if provinces.height else empty
    out: list[dict[str, Any]] = []
    for index in metrics.CORE_INDICES:
        value, threshold, prov = row[index], limits[index], province[index]
        reasons = []
        if value is not None and value < threshold:
            reasons.append("below_threshold")
        if value is not None and prov is not None and value < prov:
            reasons.append("below_province")
        out.append(dict(index=index, value=value, threshold=threshold, province_value=prov,
                        status=_status(value, threshold, prov), reasons=reasons,
                        standing=None))
    before = {r["ranking"]: r["rank"] for r in ranks_before.iter_rows(named=True)}
    for r in ranks_now.iter_rows(named=True):
        prev = before.get(r["ranking"])
        fell = r["rank"] is not None and prev is not None and r["rank"] > prev
        standing = _standing(r["is_ranked"], r["meets_target"])
        out.append(dict(index=f"rank_{r['ranking']}", value=r["rate"], threshold=r["cutoff"],
                        province_value=None, rank=r["rank"], rank_week_before=prev,
                        status=_rank_status(fell, standing),
                        reasons=["rank_fell"] if fell else [], standing=standing))
    return pl.DataFrame(out, infer_schema_length=None,
                        schema_overrides={"reasons": pl.List(pl.String), "rank": pl.Int64,
                                          "rank_week_before": pl.Int64,
                                          "value": pl.Float64, "threshold": pl.Float64,
                                          "province_value": pl.Float64,
                                          "standing": pl.String})


def _standing(is_ranked: bool | None, meets_target: bool | None) -> str:
    """A ranking's standing state (one of STANDINGS)."""
    if not is_ranked:
        return "unranked"
    return "in_target" if meets_target else "outside_target"


def _rank_status(fell: bool, standing: str) -> str:
    """A ranking row's colour: red when its rank fell (the one backward reason of a
    ranking); otherwise green in the target, amber outside it (not slipping), grey
    unranked."""
    if fell:
        return "red"
    return {"in_target": "green", "outside_target": "amber"}.get(standing, "grey")


def _status(value: float | None, threshold: float, province: float | None) -> str:
    """A 3+1 index's colour: green at or above the threshold; amber below it but not below
    the province; red below both (backward on both reasons); grey when there is nothing to
    measure."""
    if value is None:
        return "grey"
    if value >= threshold:
        return "green"
    if province is not None and value >= province:
        return "amber"
    return "red"


def pending_view(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                 court: str) -> dict[str, pl.DataFrame]:
    """The pending caseload of one court: triage, timetable, judges."""
    scoped = _court_cases(con, access, filters, court)
    args = dict(scope=scoped.scope(), as_of=filters.as_of)
    return {
        "summary": run(con, "pending_summary", **args),
        "timetable": run(con, "pending_timetable", **args),
        "judges": run(con, "pending_by_judge", limit=BUSIEST_JUDGES, **args),
    }


def termination_audit(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                      court: str) -> dict[str, pl.DataFrame]:
    """The 终本 audit: the court's 终本 closings of the period case by case with the
    conditions each misses, and by court and month (every court the user may see) the
    qualified rate, closings within 3 months and resumed cases after a 终本."""
    scoped = _court_cases(con, access, filters, court)   # the one scope check
    visible = _court_cases(con, access, filters, None)
    return {
        "cases": run(con, "termination_audit_cases", scope=scoped.scope(),
                     as_of=filters.as_of, period_start=filters.start),
        "monthly": run(con, "termination_audit_monthly", scope=visible.scope(),
                       as_of=filters.as_of, period_start=filters.start),
    }


def settlements(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                court: str) -> dict[str, Any]:
    """The court's cases with an enforcement settlement (long-term ones flagged), and
    whether the data record settlement rulings at all."""
    scoped = _court_cases(con, access, filters, court)   # the one scope check
    return {
        "cases": run(con, "settlement_cases", scope=scoped.scope(), as_of=filters.as_of,
                     long_term_days=LONG_TERM_SETTLEMENT_DAYS, limit=SETTLEMENT_ROWS),
        "ruling_recorded": bool(run(con, "settlement_ruling_recorded")["recorded"][0]),
    }


def respondent_cases(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                     respondent_key: str) -> pl.DataFrame:
    """Every case of one respondent, named by its keyed reference (personal.reference), in
    the courts the user may see; its ID number masked unless the role sees full numbers.
    Anything but a reference (an old md5 link) finds nothing."""
    visible = _court_cases(con, access, filters.with_(case_types=None, value_min=None,
                                                      value_max=None, priorities=None,
                                                      complexities=None), None)
    key = respondent_key if personal.is_reference(respondent_key) else ""
    return personal.mask_frame(
        run(con, "respondent_cases", scope=visible.scope(), as_of=filters.as_of,
            respondent_key=key, respondent_id=personal.known_number(key),
            **personal.reference_params()), access)


def respondent_search(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                      text: str) -> pl.DataFrame:
    """Respondents in the user's courts whose name contains `text` or whose ID number is it
    (contains it, for a role that sees full numbers: others would read masked numbers back
    by narrowing searches), each with its keyed reference and its ID number, masked unless
    the role sees full numbers."""
    visible = _court_cases(con, access, Filters(as_of=filters.as_of), None)
    found = run(con, "respondent_search", scope=visible.scope(), as_of=filters.as_of,
                text=text.strip(), id_partial=personal.sees_full_ids(access),
                limit=RESPONDENT_SEARCH_ROWS, **personal.reference_params())
    personal.remember(found)
    return personal.mask_frame(found, access)


def respondent_summary(cases: pl.DataFrame) -> dict[str, Any]:
    """One respondent at a glance, from its case rows: totals, courts, judges, petitions,
    how long its pending cases have waited."""
    pending = cases.filter(pl.col("status") == "pending")
    return {
        "cases": cases.height,
        "pending": pending.height,
        "value_yuan": float(cases["amount_yuan"].sum()),
        "pending_value_yuan": float(pending["amount_yuan"].sum()),
        "courts": cases["court_code"].unique(maintain_order=True).to_list(),
        "judges": cases["judge"].drop_nulls().unique(maintain_order=True).to_list(),
        "petitions": int(cases["petitions"].sum()),
        "oldest_pending_days": pending["days_pending"].max(),
        "median_pending_days": pending["days_pending"].median(),
    }


def roadmap_view(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                 court: str) -> dict[str, dict[str, Any]]:
    """The roadmap to the target for the headline ranking (overall, or the one type the
    filter selects) and for each specific type whose projection falls short of its top-15
    cutoff: per ranking, the need (from the year-end projection), the cases to push in
    order with their week, the weekly plan and the shortfall (supervision.engine.roadmap). The need
    is official (all cases); "subset" is True when the cases planned (and so the expected
    yield and the shortfall) are only the sidebar's subset of the ranking's pending cases."""
    scoped = _court_cases(con, access, filters, court)   # the one scope check
    specific = lookups.specific_types(con, metrics.lookup)
    headline = headline_ranking(filters, specific)
    rankings = [headline] + [t for t in specific if t != headline and not
                             (filters.case_types and t not in filters.case_types)]
    out: dict[str, dict[str, Any]] = {}
    # the need is official (every case of the period, Filters.official), whatever the
    # sidebar holds; one count projects every ranking
    official = filters.official()
    aggregate = metrics.rank_aggregate(con, official)
    # each ranking's target rank (top 20 overall, top 15 a type: data), for its title
    target_ranks = dict(ranking.with_target(pl.DataFrame({"ranking": rankings}),
                                            aggregate.targets, aggregate.specific)
                        .select("ranking", "target_rank").iter_rows())
    for ranking_code in rankings:
        projection = metrics.year_end_projection(con, official, ranking_code, aggregate).filter(
            pl.col("court_code") == court)
        need = projection["extra_needed"][0] if projection.height else None
        # a ranking on the amount recovery rate needs yuan, not full performances: the
        # roadmap (which plans cases) does not apply; its yuan need is said instead
        amount_need = projection["extra_amount_needed"][0] if projection.height else None
        if ranking_code != headline and not need and not amount_need:
            continue    # a type on track (or unranked) needs no roadmap
        subset = _ranking_cases(scoped, ranking_code)
        # likelihoods learn from all the court's closed cases of the ranking (as the method
        # says), the cases planned are the sidebar's subset of its pending ones
        learned = _ranking_cases(_court_cases(con, access, official, court), ranking_code)
        history = run(con, "roadmap_history", scope=learned.scope(), as_of=filters.as_of,
                      history_days=ROADMAP_HISTORY_DAYS)
        pending = run(con, "roadmap_pending", scope=subset.scope(), as_of=filters.as_of)
        cases, weeks, shortfall = roadmap.plan(roadmap.likelihoods(history, pending), need,
                                               filters.as_of)
        out[ranking_code] = dict(need=need, amount_need=amount_need,
                                 cases=cases, weeks=weeks, shortfall=shortfall,
                                 pending=pending.height,
                                 expected_all=float(cases["likelihood"].sum())
                                 if cases.height else 0.0,
                                 projection=projection,
                                 target_rank=target_ranks.get(ranking_code),
                                 subset=_narrows_ranking(filters, ranking_code))
    return out


def _ranking_cases(scoped: Filters, ranking_code: str) -> Filters:
    """The cases a ranking is counted on: every case, or the one type's."""
    return scoped if ranking_code == "overall" else scoped.with_(case_types=(ranking_code,))


def _narrows_ranking(filters: Filters, ranking_code: str) -> bool:
    """Whether the sidebar plans only a subset of the ranking's pending cases: any sidebar
    filter for the overall ranking; for a type's, any but the case type (its own type's
    cases are planned whatever the type filter)."""
    if ranking_code == "overall":
        return filters.narrows()
    return filters.with_(case_types=None).narrows()


@dataclass(frozen=True)
class EscalationCriteria:
    """When a pending case qualifies for the joint-action mechanism (any one suffices)."""

    min_days: int = 365              # pending over 12 months
    min_value: float = 10_000_000.0  # 1,000 万元 or more
    min_petitions: int = 2           # two or more petitions


def escalation_candidates(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                          court: str | None, criteria: EscalationCriteria) -> pl.DataFrame:
    """Pending cases meeting the criteria (the court's, or every court of the user's when
    `court` is None), each with the criteria it meets."""
    scoped = _court_cases(con, access, filters, court)
    return run(con, "escalation_candidates", scope=scoped.scope(), as_of=filters.as_of,
               min_days=criteria.min_days, min_value=criteria.min_value,
               min_petitions=criteria.min_petitions, limit=ESCALATION_ROWS)


def related_respondents(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                        limit: int = RELATED_RESPONDENTS) -> pl.DataFrame:
    """Respondents with several pending cases in any court of the user's scope, each with
    its keyed reference and its ID number, masked unless the role sees full numbers."""
    scoped = _court_cases(con, access, filters, None)
    related = run(con, "related_respondents", scope=scoped.scope(), as_of=filters.as_of,
                  limit=limit, **personal.reference_params())
    personal.remember(related)
    return personal.mask_frame(related, access)


def pending_cases(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters, court: str,
                  *, complexity: str | None = None, priority: str | None = None,
                  target_week: dt.date | None = None, judge: str | None = None,
                  limit: int = PENDING_CASES_SHOWN) -> pl.DataFrame:
    """Pending cases of one court, largest value first, narrowed to a clicked bar."""
    return _pending_cases(con, _court_cases(con, access, filters, court), complexity=complexity,
                          priority=priority, target_week=target_week, judge=judge, limit=limit)


def _pending_cases(con: duckdb.DuckDBPyConnection, scoped: Filters, *,
                   complexity: str | None = None, priority: str | None = None,
                   target_week: dt.date | None = None, judge: str | None = None,
                   limit: int = PENDING_CASES_SHOWN) -> pl.DataFrame:
    return run(con, "pending_cases", scope=scoped.scope(), as_of=scoped.as_of,
               complexity=complexity, priority=priority, target_week=target_week, judge=judge,
               limit=limit)


def index_codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The indices an explorer drill-through may name: the four 3+1 indices, the overall
    national ranking and each specific type's (queries/macros.sql `index_cases`)."""
    return [*metrics.CORE_INDICES, "rank_overall",
            *(f"rank_{code}" for code in lookups.specific_types(con, metrics.lookup))]


def rank_metric(con: duckdb.DuckDBPyConnection, index: str | None) -> str | None:
    """The rate a national-rank index ranks on (the targets table's metric), else None."""
    if not index or not index.startswith("rank_"):
        return None
    target = "overall" if index == "rank_overall" else "specific_type"
    metric = lookups.targets(con, metrics.lookup).filter(pl.col("target") == target)["metric"]
    return metric[0] if len(metric) else None


def _explorer_params(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                     court: str | None) -> dict[str, Any]:
    """The bound parameters of the explorer's queries: the scoped cases, as of the date,
    and (an index's drill-through) the index, its period and the rate it ranks on."""
    if filters.index is not None and filters.index not in index_codes(con):
        raise ValueError(f"not an index: {filters.index!r}")
    scoped = _court_cases(con, access, filters, court)
    return {"scope": scoped.scope(), "as_of": filters.as_of, "period_start": filters.start,
            "index": filters.index, "rank_metric": rank_metric(con, filters.index)}


def explorer_count(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                   court: str | None) -> dict:
    """How many cases match (court None: every court of the scope), their value, and how
    many of them were transferred (left out of rates). With `filters.index`: only the cases
    holding that index down, what they leave short of the index's numerator
    (`index_shortfall`: Σ counted − met, i.e. its denominator − numerator; yuan when
    `index_metric` is amount_recovery_rate) and the rate a national-rank index ranks on."""
    params = _explorer_params(con, access, filters, court)
    return {**run(con, "explorer_count", **params).row(0, named=True),
            "index_metric": params["rank_metric"]}


def explorer_page(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                  court: str | None, offset: int, limit: int) -> pl.DataFrame:
    return run(con, "explorer_page", **_explorer_params(con, access, filters, court),
               offset=int(offset), limit=int(limit))


def explorer_breakdown(con: duckdb.DuckDBPyConnection, access: Access, filters: Filters,
                       court: str | None) -> pl.DataFrame:
    return run(con, "explorer_breakdown", **_explorer_params(con, access, filters, court))
