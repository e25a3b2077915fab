"""Plotly figures: clear titles and units, the Okabe-Ito colour-blind-safe palette.

Plotly renders a subset of HTML in labels, legends and hovers (`<a href>`, `<img>`-free but
links included), so every text that comes from the data goes through `plain` first;
clicks read the raw values from customdata."""

from __future__ import annotations

# pandas is imported whole before plotly needs it: plotly looks it up in sys.modules when a
# figure is built, and on a new server the sessions' first runs (threads) found it half
# imported by another session — AttributeError: partially initialized module 'pandas'
# (found by the concurrency bench: 15 of 20 sessions at once)
import datetime as dt
import math
import re

import pandas  # noqa: F401
import plotly.graph_objects as go
import polars as pl

from supervision.output.safe_output import plain
from supervision.words.i18n import lang


def _labels(values: list) -> list:
    return [None if v is None else plain(v) for v in values]

BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
SKY, YELLOW, PURPLE, GREY = "#56B4E9", "#F0E442", "#CC79A7", "#BBBBBB"
PALETTE = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY]
STATUS_COLOURS = {"green": GREEN, "amber": ORANGE, "red": VERMILLION, "grey": GREY}
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


# --- the page's language on charts: date axes written by the app, the toolbar's tips from a
# locale given in the chart's config (nothing fetched: Plotly takes the dictionary inline)

DAY_MS = 86_400_000
MONTH_MS = 28 * DAY_MS          # from about a month between ticks, ticks name months
YEAR_MS = 365 * DAY_MS
# (days, months, years) tick formats by language: dates only, never a time of day (a
# one-point axis read "23:59:59.999"), and no English month name on a Chinese page
TICK_FORMATS = {"zh": ("%-m月%-d日", "%Y年%-m月", "%Y年"), "en": ("%b %-d", "%b %Y", "%Y")}
HOVER_DATE = "%Y-%m-%d"          # hovers and tables: ISO dates, read alike in both languages
HOVER_MONTH = "%Y-%m"            # a series of months (every date the 1st)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHORT_SPAN_DAYS = 14             # a shorter span of dates is widened to this many days a side

# Keys are plotly.js's own English strings, letter for letter (its modebar titles and
# notifications, as bundled by Streamlit): a key that differs by one capital is never used.
ZH_CN = {
    "dictionary": {
        "Autoscale": "自动缩放", "Box Select": "框选", "Lasso Select": "套索选择",
        "Download plot as a PNG": "下载为 PNG 图片", "Download plot": "下载图表",
        "Download plot as JSON": "下载为 JSON 文件",
        "Pan": "平移", "Reset axes": "重置坐标轴", "Reset view": "重置视图",
        "Reset views": "重置视图", "Reset": "重置",
        "Reset camera to default": "重置视角", "Reset camera to last save": "恢复上次保存的视角",
        "Orbital rotation": "轨道旋转", "Turntable rotation": "转台旋转",
        "Zoom": "缩放", "Zoom in": "放大", "Zoom out": "缩小",
        "Draw line": "画直线", "Draw open freeform": "画开放曲线",
        "Draw closed freeform": "画封闭曲线", "Draw rectangle": "画矩形", "Draw circle": "画圆",
        "Erase active shape": "删除选中的图形",
        "Double-click to zoom back out": "双击恢复原始大小",
        "Double-click on legend to isolate one trace": "双击图例只显示该项",
        "Show closest data on hover": "悬停显示最近的数据",
        "Toggle show closest data on hover": "切换悬停显示最近的数据",
        "Compare data on hover": "悬停比较数据", "Toggle Spike Lines": "显示或隐藏辅助线",
        "Share chart...": "分享图表…", "Produced with Plotly.js": "由 Plotly.js 生成",
        "Preparing image - this may take a few seconds": "正在生成图片，请稍候",
        "Image download succeeded": "图片已下载", "JSON download succeeded": "JSON 文件已下载",
        "Sorry, there was a problem downloading your image!": "图片下载失败",
        "Sorry, there was a problem downloading your JSON file!": "JSON 文件下载失败",
        "trace": "数据系列", "new text": "新文本",
    },
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": [f"{m}月" for m in range(1, 13)],
        "shortMonths": [f"{m}月" for m in range(1, 13)],
        "date": "%Y-%m-%d", "decimal": ".", "thousands": ",", "grouping": [3],
        "currency": ["¥", ""],
    },
}


def _language(language: str | None) -> str:
    if language is not None:
        return language
    return lang()


def config(language: str | None = None) -> dict:
    """st.plotly_chart's `config` in the page's language: on a Chinese page the toolbar's
    tips and any month or day name Plotly writes come from the zh-CN locale given inline."""
    base = {"displaylogo": False}
    if _language(language) == "en":
        return base
    return {**base, "locale": "zh-CN", "locales": {"zh-CN": ZH_CN}}


def _date_axis(fig: go.Figure, dates: list[str], language: str | None = None,
               axis: str = "xaxis") -> None:
    """A date axis written by the app: tick formats by zoom in the page's language, ISO
    dates in hovers, and a short span (one point) widened so that ticks fall on days."""
    day, month, year = TICK_FORMATS.get(_language(language), TICK_FORMATS["zh"])
    stops = [dict(dtickrange=[None, MONTH_MS], value=day),
             dict(dtickrange=[MONTH_MS, YEAR_MS], value=month),
             dict(dtickrange=[YEAR_MS, None], value=year)]
    known = sorted(d for d in dates if d)
    settings: dict = dict(type="date", tickformatstops=stops, hoverformat=_hover_format(known))
    if known:
        first, last = dt.date.fromisoformat(known[0]), dt.date.fromisoformat(known[-1])
        if (last - first).days < SHORT_SPAN_DAYS:
            pad = dt.timedelta(days=SHORT_SPAN_DAYS)
            settings["range"] = [(first - pad).isoformat(), (last + pad).isoformat()]
    fig.update_layout({axis: settings})


def _iso_dates(column: pl.Series) -> list[str] | None:
    """The column as ISO dates when it holds dates (or ISO date text), else None."""
    if column.dtype == pl.Date:
        return [d.isoformat() for d in column.drop_nulls()]
    if column.dtype == pl.String:
        values = column.drop_nulls().to_list()
        if values and all(ISO_DATE.match(v) for v in values):
            return values
    return None


def _hover_format(dates: list[str]) -> str:
    return HOVER_MONTH if len(set(dates)) > 1 and all(d.endswith("-01") for d in dates) \
        else HOVER_DATE


COUNT_TICKS = 5                  # about this many steps up a count axis


def whole_step(top: float | None) -> int:
    """The step between a count axis's ticks: 1, 2 or 5 times a power of ten, at least 1, so
    that no tick falls between two whole numbers ("0, 0.2 … 1" under 件数 for one case)."""
    if not top or top <= 0:
        return 1
    rough = top / COUNT_TICKS
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return max(1, int(step))


def count_axis(top: float | None) -> dict:
    """Axis settings for a count (cases, weeks' quotas): whole ticks from 0, thousands
    separators, never a fraction."""
    return dict(tickformat=",d", tick0=0, dtick=whole_step(top), rangemode="tozero")


def _layout(fig: go.Figure, title: str, height: int = 380, **kw) -> go.Figure:
    # the legend sits between the title and the plot, so it never covers tick labels
    fig.update_layout(title=dict(text=plain(title), x=0, y=0.98, yanchor="top",
                                 font=dict(size=16)),
                      height=height, margin=dict(l=10, r=10, t=80, b=10),
                      font=dict(family=FONT), plot_bgcolor="white",
                      legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom",
                                  xanchor="left", title_text=""),
                      hoverlabel=dict(font=dict(family=FONT)), **kw)
    fig.update_yaxes(gridcolor="#EEEEEE", automargin=True)
    fig.update_xaxes(automargin=True)
    return fig


def _legend_only(fig: go.Figure, name: str, colour: str) -> None:
    """A legend entry for a bar colour (the bars themselves carry per-bar colours)."""
    fig.add_bar(x=[None], y=[None], name=name, marker_color=colour, showlegend=True,
                hoverinfo="skip")


def rank_bars(frame: pl.DataFrame, *, label: str, highlight: str, cutoff: float | None,
              cutoff_label: str, title: str, unranked_label: str,
              legend: dict[str, str] | None = None, rate_label: str = "",
              rank_label: str = "#") -> go.Figure:
    """One bar per court (rate in %), the selected court highlighted, the rank printed on
    each bar and the cutoff drawn across: readable in five seconds."""
    f = frame.sort("rate", descending=True, nulls_last=True)
    colours = [BLUE if c == highlight else (SKY if r else GREY)
               for c, r in zip(f["court_code"], f["is_ranked"], strict=True)]
    text = [f"#{k}" if k is not None else plain(unranked_label) for k in f["rank"]]
    hover = [plain(f"{rank_label} {k}") if k is not None else plain(unranked_label)
             for k in f["rank"]]
    fig = go.Figure(go.Bar(
        x=_labels(f[label].to_list()), y=[None if r is None else r * 100 for r in f["rate"]],
        marker_color=colours, text=text, textposition="outside", cliponaxis=False,
        customdata=list(zip(f["court_code"].to_list(), hover, strict=True)), showlegend=False,
        hovertemplate="<b>%{x}</b><br>" + plain(rate_label) + " %{y:.1f}%<br>%{customdata[1]}"
                      "<extra></extra>"))
    for key, colour in (("selected", BLUE), ("ranked", SKY), ("unranked", GREY)):
        if legend and key in legend:
            _legend_only(fig, plain(legend[key]), colour)
    if cutoff is not None:
        fig.add_hline(y=cutoff * 100, line=dict(color=VERMILLION, dash="dash", width=2),
                      annotation_text=plain(f"{cutoff_label} {cutoff * 100:.1f}%"),
                      annotation_position="top right", annotation_font_color=VERMILLION)
    fig.update_yaxes(title="%", rangemode="tozero")
    fig.update_xaxes(tickangle=-45)
    return _layout(fig, title, height=420)


def type_bars(frame: pl.DataFrame, *, title: str, court_label: str, cutoff_label: str,
              unranked_label: str, legend: dict[str, str] | None = None,
              rate_label: str = "", rank_label: str = "#") -> go.Figure:
    """The court's rate on each specific type beside that type's top-15 cutoff (each type's
    official ranking, on all its cases)."""
    names = _labels(frame["type_name"].to_list())
    text = [f"#{r}" if r is not None else plain(unranked_label) for r in frame["rank"]]
    fig = go.Figure()
    rates = [None if v is None else v * 100 for v in frame["rate"]]
    hover = [plain(f"{rank_label} {r}") if r is not None else plain(unranked_label)
             for r in frame["rank"]]
    fig.add_bar(x=names, y=rates,
                name=plain(court_label), showlegend=False,
                marker_color=[BLUE if m else (ORANGE if r else GREY)
                              for m, r in zip(frame["meets_target"], frame["is_ranked"],
                                              strict=True)],
                text=text, textposition="outside", cliponaxis=False, customdata=hover,
                hovertemplate="<b>%{x}</b><br>" + plain(rate_label) + " %{y:.1f}%<br>"
                              "%{customdata}<extra></extra>")
    for key, colour in (("meets", BLUE), ("below", ORANGE), ("unranked", GREY)):
        if legend and key in legend:
            _legend_only(fig, plain(legend[key]), colour)
    fig.add_scatter(x=names, y=[None if v is None else v * 100 for v in frame["cutoff"]],
                    name=plain(cutoff_label), mode="markers",
                    hovertemplate="<b>%{x}</b><br>" + plain(cutoff_label) + " %{y:.1f}%"
                                  "<extra></extra>",
                    marker=dict(symbol="line-ew-open", size=46, color=VERMILLION,
                                line=dict(width=3)))
    fig.update_yaxes(title="%", rangemode="tozero")
    return _layout(fig, title)


def trend(weekly: pl.DataFrame, *, title: str, rate_label: str, rank_label: str,
          cutoff_label: str, language: str | None = None) -> go.Figure:
    """Weekly cumulative rate (left axis) with the cutoff, and national rank (right axis,
    reversed so that up is better)."""
    x = [d.isoformat() for d in weekly["week_end"]]
    fig = go.Figure()
    fig.add_scatter(x=x, y=[None if v is None else v * 100 for v in weekly["rate"]],
                    name=plain(rate_label), mode="lines+markers", line=dict(color=BLUE, width=3),
                    hovertemplate="%{x|" + HOVER_DATE + "}<br>" + plain(rate_label) + " %{y:.1f}%<extra></extra>")
    fig.add_scatter(x=x, y=[None if v is None else v * 100 for v in weekly["cutoff"]],
                    name=plain(cutoff_label), mode="lines",
                    line=dict(color=VERMILLION, dash="dash"),
                    hovertemplate="%{x|" + HOVER_DATE + "}<br>" + plain(cutoff_label) + " %{y:.1f}%<extra></extra>")
    ranks = [r for r in weekly["rank"].to_list() if r is not None]
    fig.add_scatter(x=x, y=weekly["rank"].to_list(), name=plain(rank_label), yaxis="y2",
                    mode="lines", line=dict(color=ORANGE, width=2, dash="dot"),
                    hovertemplate="%{x|" + HOVER_DATE + "}<br>" + plain(rank_label) + " %{y:,d}<extra></extra>")
    worst = max(ranks, default=1)
    # ranks are whole numbers from 1 down: first at the top, no fractional or zero ticks
    step = 1 if worst <= 8 else whole_step(worst)
    rank_axis = dict(title=plain(rank_label), overlaying="y", side="right", showgrid=False,
                     tickformat=",d", range=[worst + 0.5, 0.5], tick0=1 if step == 1 else 0,
                     dtick=step, rangemode="normal")
    fig.update_layout(yaxis=dict(title="%", rangemode="tozero"), yaxis2=rank_axis)
    _date_axis(fig, x, language)
    return _layout(fig, title)


def stacked_bars(frame: pl.DataFrame, *, x: str, y: str, colour: str, title: str,
                 x_title: str, y_title: str, colour_names: dict[str, str],
                 order: list[str] | None = None, horizontal: bool = False,
                 custom: list[str] | None = None, legend_title: str | None = None
                 ) -> go.Figure:
    """Bars of `y` by `x`, one trace per value of `colour` (stacked)."""
    fig = go.Figure()
    dated = _iso_dates(frame[x])
    values = order or sorted(frame[colour].unique().to_list())
    for i, value in enumerate(values):
        part = frame.filter(pl.col(colour) == value)
        if part.height == 0:
            continue
        xs, ys = _labels(part[x].to_list()), part[y].to_list()
        data = part.select(custom).rows() if custom else None
        fig.add_bar(x=ys if horizontal else xs, y=xs if horizontal else ys,
                    orientation="h" if horizontal else "v",
                    name=plain(colour_names.get(value, value)),
                    marker_color=PALETTE[i % len(PALETTE)], customdata=data,
                    hovertemplate=("%{y}" if horizontal else "%{x}" if dated is None
                                   else "%{x|" + _hover_format(dated) + "}")
                                  + "<br>%{fullData.name}: "
                                  + ("%{x:,}" if horizontal else "%{y:,}") + "<extra></extra>")
    fig.update_layout(barmode="stack", legend_title_text=plain(legend_title or ""))
    fig.update_xaxes(title=plain(y_title if horizontal else x_title))
    fig.update_yaxes(title=plain(x_title if horizontal else y_title))
    counts = count_axis(_stack_top(frame, x, y))
    (fig.update_xaxes if horizontal else fig.update_yaxes)(**counts)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    if dated is not None:       # bars by week or month: a date axis in the page's language
        _date_axis(fig, dated, axis="yaxis" if horizontal else "xaxis")
    fig = _layout(fig, title, height=420)
    # the colours are named even when one value is left (plotly hides a one-trace legend:
    # an index's drill-down of one status had bars and no word for their colour)
    fig.update_layout(showlegend=True)
    if legend_title:
        fig.update_layout(legend_title_text=plain(legend_title))
    return fig


def _stack_top(frame: pl.DataFrame, x: str, y: str) -> float:
    """The tallest stack: the sum of `y` over each value of `x`, at most."""
    if frame.height == 0:
        return 0.0
    return float(frame.group_by(x).agg(pl.col(y).sum())[y].max() or 0)


def court_against_province(*, court_label: str, court_rate: float | None,
                           province_label: str, province_rate: float | None,
                           cutoff_label: str, cutoff: float | None, title: str,
                           rate_label: str) -> go.Figure:
    """A president's view of the province: their court's rate beside the province's pooled
    rate, with the target cutoff drawn across."""
    names = [plain(court_label), plain(province_label)]
    rates = [None if r is None else r * 100 for r in (court_rate, province_rate)]
    fig = go.Figure(go.Bar(
        x=rates, y=names, orientation="h", marker_color=[BLUE, SKY], showlegend=False,
        text=["—" if r is None else f"{r:.1f}%" for r in rates], textposition="outside",
        cliponaxis=False,
        hovertemplate="<b>%{y}</b><br>" + plain(rate_label) + " %{x:.1f}%<extra></extra>"))
    if cutoff is not None:
        fig.add_vline(x=cutoff * 100, line=dict(color=VERMILLION, dash="dash", width=2),
                      annotation_text=plain(f"{cutoff_label} {cutoff * 100:.1f}%"),
                      annotation_position="top", annotation_font_color=VERMILLION)
    fig.update_xaxes(title="%", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=240)


def roadmap(weeks: pl.DataFrame, *, title: str, cases_label: str, expected_label: str,
            quota_label: str, language: str | None = None) -> go.Figure:
    """The roadmap's weeks: cases planned each week (bars, left axis), and the cumulative
    expected full performances against the cumulative quota (lines, right axis)."""
    x = [d.isoformat() for d in weeks["week"]]
    fig = go.Figure()
    fig.add_bar(x=x, y=weeks["cases"].to_list(), name=plain(cases_label), marker_color=SKY,
                hovertemplate="%{x|" + HOVER_DATE + "}<br>" + plain(cases_label) + " %{y:,}<extra></extra>")
    fig.add_scatter(x=x, y=weeks["cumulative_expected"].to_list(), name=plain(expected_label),
                    yaxis="y2", mode="lines+markers", line=dict(color=BLUE, width=3),
                    hovertemplate="%{x|" + HOVER_DATE + "}<br>" + plain(expected_label) + " %{y:,.1f}"
                                  "<extra></extra>")
    fig.add_scatter(x=x, y=weeks["cumulative_quota"].to_list(), name=plain(quota_label),
                    yaxis="y2", mode="lines", line=dict(color=VERMILLION, dash="dash"),
                    hovertemplate="%{x|" + HOVER_DATE + "}<br>" + plain(quota_label) + " %{y:,.1f}"
                                  "<extra></extra>")
    # both axes count cases (the right one cumulatively): whole ticks only, never "7.7"
    cumulative = [v for c in ("cumulative_expected", "cumulative_quota")
                  for v in weeks[c].to_list() if v is not None]
    fig.update_layout(yaxis=dict(title=plain(cases_label),
                                 **count_axis(weeks["cases"].max())),
                      yaxis2=dict(overlaying="y", side="right", showgrid=False,
                                  **count_axis(max(cumulative, default=0))))
    _date_axis(fig, x, language)
    return _layout(fig, title)


def index_over_updates(points: pl.DataFrame, *, title: str, label: str,
                       language: str | None = None) -> go.Figure:
    """A linked index's value (%) at each update of a ledger item (`as_of`, `value`)."""
    x = [d.isoformat() for d in points["as_of"]]
    fig = go.Figure(go.Scatter(
        x=x, y=[None if v is None else v * 100 for v in points["value"]], name=plain(label),
        mode="lines+markers", line=dict(color=BLUE, width=3),
        hovertemplate="%{x|" + HOVER_DATE + "}<br>" + plain(label) + " %{y:.1f}%<extra></extra>"))
    fig.update_yaxes(title="%", rangemode="tozero")
    _date_axis(fig, x, language)
    return _layout(fig, title, height=300)
