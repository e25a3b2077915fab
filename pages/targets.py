"""Targets and rankings: is the court on track for top 20 overall and top 15 per type?"""

from __future__ import annotations

import polars as pl
import streamlit as st

from supervision.safe_output import md
from supervision.ui import charts, data, sidebar, state
from supervision.ui.fmt import num, pct
from supervision.ui.i18n import t

ctx = state.context("targets")
page = data.targets(ctx.access, ctx.filters, ctx.court)

caption = sidebar.filters_caption(ctx)
st.title(f"{t('page_targets')} · {md(ctx.court_name())}")
# the headline: the overall ranking, or the one specific type the filter selects
headline = page["headline"]
overall = page["court_ranks"].filter(pl.col("ranking") == headline).row(0, named=True)
k = overall["target_rank"]
rate_label = t(overall["metric"]) if headline == "overall" else (
    f"{ctx.type_name(headline)} · {t(overall['metric'])}")

c1, c2, c3, c4 = st.columns(4)
c1.metric(rate_label, pct(overall["rate"]))
c2.metric(t("national_rank"), "—" if overall["rank"] is None
          else f"{overall['rank']} / {overall['ranked_courts']:,}")
c3.metric(t("cutoff", k=k), pct(overall["cutoff"]))
c4.metric(t("gap_cases"), num(overall["gap"]), help=f"{t('pending')}: {overall['pending']:,}")
if not overall["is_ranked"]:
    st.info(t("not_ranked", n=overall["concluded"], m=overall["min_concluded"]))
elif overall["meets_target"]:
    st.success(t("on_track"))
elif overall["gap"] is not None and overall["gap"] > overall["pending"]:
    st.warning(t("unreachable"))
st.caption(caption)

# --- the five specific types
filtered = page["filtered_types"]
types = (page["court_ranks"].filter(pl.col("ranking") != "overall")
         .with_columns(type_name=pl.col("ranking").map_elements(ctx.type_name,
                                                                return_dtype=pl.String),
                       filtered=pl.col("ranking").is_in(filtered)))
if types.height:
    st.plotly_chart(charts.type_bars(types, title=t("types_title"), court_label=ctx.court_name(),
                                     cutoff_label=t("cutoff", k=types["target_rank"][0]),
                                     unranked_label=t("unranked"),
                                     filtered_label=t("filtered_out")),
                    width="stretch", key="types_chart")
    behind = types.filter(pl.col("is_ranked") & ~pl.col("meets_target")).sort("gap",
                                                                             descending=True)
    if behind.height:
        worst = behind.row(0, named=True)
        st.markdown("**" + t("furthest", type=md(worst["type_name"]), rank=worst["rank"],
                                 gap=worst["gap"]) + "**")
    elif types["is_ranked"].any():
        st.markdown(t("furthest_none"))
    else:
        st.markdown(t("types_none_ranked"))
    unranked = types.filter(~pl.col("is_ranked") & ~pl.col("filtered"))
    for row in unranked.iter_rows(named=True):
        st.caption(f"{md(row['type_name'])}: " + t("not_ranked", n=row["concluded"],
                                                  m=row["min_concluded"]))
    if filtered:
        st.caption(t("types_filtered", types="、".join(md(ctx.type_name(c)) for c in filtered)))
    st.caption(caption)

# --- projection to 31 December
st.subheader(t("projection"))
proj = page["projection"]
if proj.height and proj["projected_rate"][0] is not None:
    p = proj.row(0, named=True)
    st.write(t("projection_text", wc=p["weekly_concluded"], wf=p["weekly_fully_performed"],
               rate=pct(p["projected_rate"]), rank=p["projected_rank"] or "—", k=k,
               cut=pct(p["projected_cutoff"])))
    if p["extra_needed"]:
        st.write(t("needed_text", k=k, extra=p["extra_needed"], per=p["extra_per_week"] or 0,
                   weeks=p["weeks_left"]))
        if not p["reachable"]:
            st.warning(t("unreachable_by_year_end", extra=p["extra_needed"],
                         pending=p["pending"]))
    elif p["extra_needed"] == 0:
        st.write(t("needed_none", k=k))
if page["weekly"].height:
    st.plotly_chart(charts.trend(page["weekly"], title=t("trend_title"), rate_label=rate_label,
                                 rank_label=t("national_rank"), cutoff_label=t("cutoff", k=k)),
                    width="stretch", key="trend_chart")
st.caption(caption)

# --- the province's courts side by side
province_title = t("province_courts", metric=rate_label, k=k)
st.subheader(province_title)
lang_col = "name_en" if st.session_state["lang"] == "en" else "name"
province = (page["ranks"].filter(pl.col("ranking") == headline)
            .join(ctx.reference["courts"].select("court_code", "name", "name_en"),
                  on="court_code"))
st.plotly_chart(charts.rank_bars(province, label=lang_col, highlight=ctx.court,
                                 cutoff=overall["cutoff"], cutoff_label=t("cutoff", k=k),
                                 title=province_title,
                                 unranked_label=t("unranked")),
                width="stretch", key="province_chart")
st.caption(sidebar.filters_caption(ctx, scope=md(ctx.access.province)))

# --- province ranking and the national table
left, right = st.columns(2)
with left:
    st.subheader(t("province_ranking"))
    prov = page["provinces"].select(
        pl.col("rank").alias(t("rank")),
        pl.col("name_en" if st.session_state["lang"] == "en" else "name").alias(t("court")),
        (pl.col("overall_rate") * 100).round(1).alias(t("overall_rate") + " %"),
        pl.col("concluded").alias(t("count")),
        (pl.col("share_meeting_standard") * 100).round(1).alias(t("meets") + " %"),
    )
    st.dataframe(prov, hide_index=True, width="stretch", height=420)
    st.caption(sidebar.filters_caption(ctx, court=False))
with right:
    st.subheader(t("national_table"))
    nat = page["national"].select(
        pl.col("rank").alias(t("rank")),
        pl.col(lang_col).alias(t("court")),
        (pl.col("rate") * 100).round(1).alias(rate_label + " %"),
        pl.col("concluded").alias(t("count")),
    )
    st.dataframe(nat, hide_index=True, width="stretch", height=420)
    st.caption(sidebar.filters_caption(ctx, court=False))
