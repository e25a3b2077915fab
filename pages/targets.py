"""Targets and rankings: is the court on track for its national targets (the overall
ranking and each specific type's)? The official position, on every case of the period,
whatever the sidebar holds; a sidebar filter adds an analysis of that subset, no verdict."""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision.engine.projection import PACE_WEEKS
from supervision.output.safe_output import md
from supervision.ui import brief_sections, charts, data, exports, navigate, sidebar, state
from supervision.views import NATIONAL_TABLE_TOP
from supervision.words.fmt import pct
from supervision.words.i18n import help_text, t

ctx = state.context("targets")
page = data.targets(ctx.access, ctx.filters, ctx.court)

# every figure of the page but the subset line is official: named as such, not by the filters
caption = f"{t('official_title')} · {t('as_of')} {ctx.filters.as_of.isoformat()}"
if page["headline"] != "overall":
    # a filter to exactly one specific type: that type's official ranking, named here
    caption += f" · {t('case_type')}: {md(ctx.type_name(page['headline']))}"
st.title(f"{t('page_targets')} · {md(ctx.court_name())}")
exports.freshness_caption(ctx)
st.subheader(t("official_title"))
# the headline: the overall ranking, or the one specific type the filter selects
headline = page["headline"]
overall = page["court_ranks"].filter(pl.col("ranking") == headline).row(0, named=True)
k = overall["target_rank"]
type_names = ctx.type_names()
rate_label = t(overall["metric"]) if headline == "overall" else (
    f"{type_names.get(headline, headline)} · {t(overall['metric'])}")
proj = page["projection"]
p = proj.row(0, named=True) if proj.height and proj["projected_rate"][0] is not None else None

c1, c2, c3, c4 = st.columns(4)
c1.metric(md(rate_label), pct(overall["rate"]), help=help_text(overall["metric"]))
c2.metric(t("national_rank"), "—" if overall["rank"] is None
          else f"{overall['rank']} / {overall['ranked_courts']:,}",
          help=help_text("national_rank"))
c3.metric(t("cutoff", k=k), pct(overall["cutoff"]), help=help_text("cutoff", k=k))
gap_name, gap_text, gap_help = brief_sections.gap_words(overall)   # cases, or 万元
c4.metric(gap_name, gap_text,
          help=help_text(gap_help, k=k) + f" {t('pending')}: {overall['pending']:,}")
# the brief's sentence (now, and by the year end at the current pace), in the brief's
# colour of what it says: green only for a court in the top k now that its pace keeps
# there, amber for one in it now only, red outside it. (Today's gap against today's
# pending cases says nothing of the year: cases filed later are closed in it too.)
verdict = md(brief_sections.verdict(overall, p))
if not overall["is_ranked"]:
    st.info(verdict)
elif brief_sections.keeps_target(overall, p):
    st.success(verdict)
elif overall["meets_target"]:
    st.warning(verdict)
else:
    st.error(verdict)
st.caption(caption)

# --- the sidebar's subset: its place on the same ranking, an analysis with no verdict
subset_line = brief_sections.subset_rank_line(
    page["subset"], sidebar.subset_caption(ctx, markdown=False), rate_label)
if subset_line is not None:
    with st.container(key="targets_subset"):
        st.subheader(t("subset_title"))
        st.markdown(md(subset_line))
        st.caption(t("subset_note"))
        st.caption(sidebar.filters_caption(ctx))

# --- the five specific types (official: each type's ranking on all its cases)
types = (page["court_ranks"].filter(pl.col("ranking") != "overall")
         .with_columns(type_name=pl.col("ranking").replace_strict(type_names,
                                                                  default=pl.col("ranking"))))
if types.height:
    type_k = types["target_rank"][0]
    st.plotly_chart(charts.type_bars(
        types, title=t("types_title", k=type_k, metric=t(types["metric"][0])),
        court_label=ctx.court_name(),
        cutoff_label=t("cutoff", k=type_k), unranked_label=t("unranked"),
        rate_label=t(types["metric"][0]),    # the type target's metric (data)
        rank_label=t("national_rank"),
        legend={"meets": t("legend_meets", k=type_k), "below": t("legend_below", k=type_k),
                "unranked": t("unranked")}), width="stretch", config=charts.config(), key="types_chart")
    # furthest behind in the type target's unit: cases, or yuan for the amount metric
    types_by_amount = brief_sections.by_amount(types.row(0, named=True))
    behind = types.filter(pl.col("is_ranked") & ~pl.col("meets_target")).sort(
        "amount_gap" if types_by_amount else "gap", descending=True, nulls_last=True)
    if behind.height:
        worst = behind.row(0, named=True)
        _, worst_gap, worst_help = brief_sections.gap_words(worst)
        furthest = t("furthest_amount" if types_by_amount else "furthest",
                     type=md(worst["type_name"]), rank=worst["rank"], gap=worst_gap)
        st.markdown("**" + furthest + "**", help=help_text(worst_help, k=worst["target_rank"]))
    elif types["is_ranked"].any():
        st.markdown(t("furthest_none", k=type_k))
    else:
        st.markdown(t("types_none_ranked"))
    unranked = types.filter(~pl.col("is_ranked"))
    for row in unranked.iter_rows(named=True):
        st.caption(f"{md(row['type_name'])}: " + brief_sections.unranked_words(row))
    st.caption(caption)

# --- projection to 31 December
st.subheader(t("projection"), help=help_text("needed_per_week"))
if p is not None:
    st.write(t("projection_text", weeks=PACE_WEEKS, wc=p["weekly_concluded"],
               wf=p["weekly_fully_performed"],
               rate=pct(p["projected_rate"]), rank=p["projected_rank"] or "—", k=k,
               cut=pct(p["projected_cutoff"]), metric=t(overall["metric"])))
    need = brief_sections.year_end_need(overall, p)     # cases, or yuan
    if need:
        st.write(brief_sections.year_end_need_words(overall, p, k))
        if not brief_sections.by_amount(overall):   # cases: beside today's gap and pending
            if overall["gap"] is not None:
                st.caption(t("gap_explained"))
            if not p["reachable"]:
                st.warning(t("unreachable_by_year_end", extra=need, pending=p["pending"]))
    elif need == 0:
        st.write(t("needed_none", k=k))
else:
    st.info(t("no_match"))
if page["weekly"].height:
    st.plotly_chart(charts.trend(page["weekly"], title=t("trend_title"), rate_label=rate_label,
                                 rank_label=t("national_rank"), cutoff_label=t("cutoff", k=k)),
                    width="stretch", config=charts.config(), key="trend_chart")
st.caption(caption)

# --- the province's courts side by side (a president sees their court and the province)
court_names = ctx.court_names()
province = (page["ranks"].filter(pl.col("ranking") == headline)
            .with_columns(court_name=pl.col("court_code").replace_strict(
                court_names, default=pl.col("court_code"))))
lang_col = "name_en" if st.session_state["lang"] == "en" else "name"
if province.height > 1:
    province_title = t("province_courts", metric=rate_label, k=k)
    st.subheader(md(province_title))
    st.caption(t("open_brief_hint"))
    event = st.plotly_chart(
        charts.rank_bars(province, label="court_name", highlight=ctx.court,
                         cutoff=overall["cutoff"], cutoff_label=t("cutoff", k=k),
                         title=province_title, unranked_label=t("unranked"),
                         rate_label=rate_label, rank_label=t("national_rank"),
                         legend={"selected": ctx.court_name(), "ranked": t("legend_ranked"),
                                 "unranked": t("unranked")}),
        width="stretch", config=charts.config(), key="province_chart", on_select="rerun", selection_mode="points")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if points and points[0].get("customdata"):
        navigate.open_brief(list(points[0]["customdata"])[0])
else:
    province_rate = page["province_overall_rate"] if headline == "overall" else None
    title = t("court_vs_province", metric=rate_label, k=k)
    st.subheader(md(title))
    st.plotly_chart(charts.court_against_province(
        court_label=ctx.court_name(), court_rate=overall["rate"],
        province_label=ctx.province_name() + " · " + t("province_pooled"),
        province_rate=province_rate, cutoff_label=t("cutoff", k=k), cutoff=overall["cutoff"],
        title=title, rate_label=rate_label), width="stretch", config=charts.config(), key="province_chart")
st.caption(caption)

# --- province ranking and the national table
left, right = st.columns(2)
with left:
    st.subheader(t("province_ranking", metric=t(ctx.overall_metric())))
    # national and the same for every court: its own (cached) call, after the court's figures
    provinces: pl.DataFrame = data.province_ranking(ctx.access, ctx.filters.official())
    # ranked on the overall target's metric: that rate beside the rank
    province_metric = ctx.overall_metric()
    province_rate_header = t(province_metric) + " %"
    prov = provinces.select(
        pl.col("rank").alias(t("rank")),
        pl.col(lang_col).alias(t("province")),
        (pl.col("rate") * 100).round(1).alias(province_rate_header),
        pl.col("concluded").alias(t("count")),
        (pl.col("share_meeting_standard") * 100).round(1).alias(t("meets") + " %"),
    )
    st.dataframe(prov, hide_index=True, width="stretch", height=420, placeholder="—",
                 column_config={province_rate_header: st.column_config.NumberColumn(
                     help=help_text(province_metric))})
    st.caption(caption)
with right:
    st.subheader(t("national_table", top=NATIONAL_TABLE_TOP))
    national: pl.DataFrame = page["national"]
    nat = national.select(
        pl.col("rank").alias(t("rank")),
        pl.col(lang_col).alias(t("court")),
        (pl.col("rate") * 100).round(1).alias(rate_label + " %"),
        pl.col("concluded").alias(t("count")),
    )
    picked = st.dataframe(nat, hide_index=True, width="stretch", height=420, placeholder="—",
                          on_select="rerun", selection_mode="single-row", key="national_table",
                          column_config={t("rank"): st.column_config.NumberColumn(
                              help=help_text("national_rank"))})
    rows = (picked or {}).get("selection", {}).get("rows", []) if picked else []
    if rows:
        code = national["court_code"][rows[0]]
        if code is not None and code in court_names:   # only courts the user may open
            navigate.open_brief(code)
    st.caption(caption)
