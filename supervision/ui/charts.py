"""Plotly figures: clear titles and units, the Okabe-Ito colour-blind-safe palette.

Plotly renders a subset of HTML in labels, legends and hovers (`<a href>`, `<img>`-free but
links included), so every text that comes from the data goes through `plain` first;
clicks read the raw values from customdata."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from supervision.safe_output import plain


def _labels(values: list) -> list:
    return [None if v is None else plain(v) for v in values]

BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
SKY, YELLOW, PURPLE, GREY = "#56B4E9", "#F0E442", "#CC79A7", "#BBBBBB"
PALETTE = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY]
STATUS_COLOURS = {"green": GREEN, "amber": ORANGE, "red": VERMILLION, "grey": GREY}
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _layout(fig: go.Figure, title: str, height: int = 380, **kw) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=16)), height=height,
                      margin=dict(l=10, r=10, t=50, b=10), font=dict(family=FONT),
                      plot_bgcolor="white", legend=dict(orientation="h", y=-0.15), **kw)
    fig.update_yaxes(gridcolor="#EEEEEE")
    return fig


def rank_bars(frame: pl.DataFrame, *, label: str, highlight: str, cutoff: float | None,
              cutoff_label: str, title: str, unranked_label: str) -> go.Figure:
    """One bar per court (rate in %), the selected court highlighted, the rank printed on
    each bar and the cutoff drawn across: readable in five seconds."""
    f = frame.sort("rate", descending=True, nulls_last=True)
    colours = [BLUE if c == highlight else (SKY if r else GREY)
               for c, r in zip(f["court_code"], f["is_ranked"], strict=True)]
    text = [f"#{k}" if k is not None else unranked_label for k in f["rank"]]
    fig = go.Figure(go.Bar(
        x=_labels(f[label].to_list()), y=[None if r is None else r * 100 for r in f["rate"]],
        marker_color=colours, text=text, textposition="outside", cliponaxis=False,
        customdata=f["court_code"].to_list(),
        hovertemplate="%{x}<br>%{y:.1f}%<br>%{text}<extra></extra>"))
    if cutoff is not None:
        fig.add_hline(y=cutoff * 100, line=dict(color=VERMILLION, dash="dash", width=2),
                      annotation_text=f"{cutoff_label} {cutoff * 100:.1f}%",
                      annotation_position="top right", annotation_font_color=VERMILLION)
    fig.update_yaxes(title="%", rangemode="tozero")
    fig.update_xaxes(tickangle=-45)
    return _layout(fig, title, height=420)


def type_bars(frame: pl.DataFrame, *, title: str, court_label: str, cutoff_label: str,
              unranked_label: str, filtered_label: str) -> go.Figure:
    """The court's rate on each specific type beside that type's top-15 cutoff; a type the
    case-type filter leaves out is labelled so, not drawn as empty."""
    names = _labels(frame["type_name"].to_list())
    text = [filtered_label if f else (f"#{r}" if r is not None else unranked_label)
            for r, f in zip(frame["rank"], frame["filtered"], strict=True)]
    fig = go.Figure()
    # a filtered-out type gets a zero-height bar, so that its label shows
    rates = [0.0 if f else (None if v is None else v * 100)
             for v, f in zip(frame["rate"], frame["filtered"], strict=True)]
    fig.add_bar(x=names, y=rates,
                name=plain(court_label),
                marker_color=[BLUE if m else (ORANGE if r else GREY)
                              for m, r in zip(frame["meets_target"], frame["is_ranked"],
                                              strict=True)],
                text=text, textposition="outside", cliponaxis=False)
    fig.add_scatter(x=names, y=[None if v is None else v * 100 for v in frame["cutoff"]],
                    name=cutoff_label, mode="markers",
                    marker=dict(symbol="line-ew-open", size=46, color=VERMILLION,
                                line=dict(width=3)))
    fig.update_yaxes(title="%", rangemode="tozero")
    return _layout(fig, title)


def trend(weekly: pl.DataFrame, *, title: str, rate_label: str, rank_label: str,
          cutoff_label: str) -> go.Figure:
    """Weekly cumulative rate (left axis) with the cutoff, and national rank (right axis,
    reversed so that up is better)."""
    x = [d.isoformat() for d in weekly["week_end"]]
    fig = go.Figure()
    fig.add_scatter(x=x, y=[None if v is None else v * 100 for v in weekly["rate"]],
                    name=rate_label, mode="lines+markers", line=dict(color=BLUE, width=3))
    fig.add_scatter(x=x, y=[None if v is None else v * 100 for v in weekly["cutoff"]],
                    name=cutoff_label, mode="lines", line=dict(color=VERMILLION, dash="dash"))
    fig.add_scatter(x=x, y=weekly["rank"].to_list(), name=rank_label, yaxis="y2",
                    mode="lines", line=dict(color=ORANGE, width=2, dash="dot"))
    fig.update_layout(yaxis=dict(title="%"),
                      yaxis2=dict(title=rank_label, overlaying="y", side="right",
                                  autorange="reversed", showgrid=False, tickformat=",d"))
    return _layout(fig, title)


def stacked_bars(frame: pl.DataFrame, *, x: str, y: str, colour: str, title: str,
                 x_title: str, y_title: str, colour_names: dict[str, str],
                 order: list[str] | None = None, horizontal: bool = False,
                 custom: list[str] | None = None) -> go.Figure:
    """Bars of `y` by `x`, one trace per value of `colour` (stacked)."""
    fig = go.Figure()
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
                    marker_color=PALETTE[i % len(PALETTE)], customdata=data)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=y_title if horizontal else x_title)
    fig.update_yaxes(title=x_title if horizontal else y_title)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=420)
