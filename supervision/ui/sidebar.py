"""The one sidebar filter set shared by every page, and the caption that names it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from supervision.domain import vocabulary
from supervision.domain.filters import Filters
from supervision.output.safe_output import md
from supervision.security.access import Access
from supervision.ui.state import Context
from supervision.ui.urls import parse_date, parse_float, parse_list, seed, url_param
from supervision.words.fmt import WAN
from supervision.words.i18n import enum, enum_names, t

PRIORITIES = vocabulary.codes(vocabulary.PRIORITIES)
COMPLEXITIES = vocabulary.codes(vocabulary.COMPLEXITIES)

# selectboxes whose option labels depend on the language: their state is keyed per
# language (the browser keeps a selectbox's shown label), and re-seeded from the URL
LABELLED = ("f_court", "f_type", "f_band", "f_pri", "f_cx")
# the sidebar's keys in the URL (carried over when a click opens another page)
URL_KEYS = ("as_of", "court", "type", "band", "vmin", "vmax", "pri", "cx", "lang")


def wkey(name: str) -> str:
    """The widget key of a language-labelled selectbox in the current language."""
    return name if st.session_state.get("lang", "zh") == "zh" else f"{name}_en"


def forget_labelled_widgets() -> None:
    """On a language switch: the new language's widgets start from the URL's values."""
    for name in LABELLED:
        for key in (name, f"{name}_en"):
            st.session_state.pop(key, None)


def sidebar_filters(access: Access, ref: dict[str, Any]
                    ) -> tuple[Filters, str, dict[str, Any]]:
    """The shared filter set. The court list holds only the user's courts; a court in the
    URL outside it is refused with a message and replaced by the user's own court.
    Returns the filters, the court and the values to mirror in the URL."""
    courts: pl.DataFrame = ref["courts"]
    codes = courts["court_code"].to_list()
    if not codes:
        # the user's court (and so its province) is not in the data: nothing to show
        st.error(t("no_courts_in_scope"))
        st.stop()
    latest: dt.date = ref["latest"] or dt.date.today()
    earliest: dt.date = min(ref.get("earliest") or latest, latest)
    default_court = access.court_code if access.court_code in codes else codes[0]
    url_court = url_param("court")
    if wkey("f_court") not in st.session_state and url_court and url_court not in codes:
        st.session_state["court_refused"] = url_court
    if "f_as_of" not in st.session_state:
        asked = parse_date(url_param("as_of"), latest)
        if not earliest <= asked <= latest:
            # a hand-edited or stale link: say so and show the latest data instead
            st.session_state["as_of_refused"] = url_param("as_of")
            asked = latest
        st.session_state["f_as_of"] = asked
    seed(wkey("f_court"), url_court if url_court in codes else default_court)
    types = ref["case_types"]
    specific = types.filter(pl.col("specific"))["code"].to_list()
    type_options = ["all", *specific, "others"]
    seed(wkey("f_type"), url_param("type") if url_param("type") in type_options else "all")
    bands = ref["value_bands"]
    band_options = ["all", *bands["band"].to_list(), "custom"]
    seed(wkey("f_band"), url_param("band") if url_param("band") in band_options else "all")
    seed("f_vmin", parse_float(url_param("vmin")))
    seed("f_vmax", parse_float(url_param("vmax")))
    seed(wkey("f_pri"), parse_list(url_param("pri"), PRIORITIES))
    seed(wkey("f_cx"), parse_list(url_param("cx"), COMPLEXITIES))

    lang_en = st.session_state.get("lang") == "en"
    names = dict(zip(codes, courts["name_en" if lang_en else "name"].to_list(), strict=True))
    type_names = dict(zip(types["code"].to_list(),
                          types["name_en" if lang_en else "name"].to_list(), strict=True))
    band_names = dict(zip(bands["band"].to_list(),
                          bands["name_en" if lang_en else "name"].to_list(), strict=True))

    sb = st.sidebar
    sb.subheader(t("filters"))
    if st.session_state.get("court_refused"):
        # kept for the session: the refused URL is what the user asked for
        sb.warning(t("access_denied"))
    if st.session_state.get("as_of_refused"):
        sb.warning(t("as_of_refused", asked=md(st.session_state["as_of_refused"]),
                     first=earliest.isoformat(), last=latest.isoformat()))
    as_of = sb.date_input(t("as_of"), key="f_as_of", min_value=earliest, max_value=latest,
                          format="YYYY-MM-DD")
    court = sb.selectbox(t("court"), codes, key=wkey("f_court"),
                         format_func=lambda c: names.get(c, c), disabled=len(codes) == 1)
    # option labels fixed now, in this run's language: Streamlit may format options later,
    # off this script's thread, where the session (and so the language) is not known
    type_labels = {"all": t("all"), "others": t("others"), **type_names}
    band_labels = {"all": t("all"), "custom": t("custom"), **band_names}
    case_type = sb.selectbox(t("case_type"), type_options, key=wkey("f_type"),
                             format_func=lambda c: type_labels.get(c, c))
    band = sb.selectbox(t("value_band"), band_options, key=wkey("f_band"),
                        format_func=lambda b: band_labels.get(b, b))
    vmin = vmax = None
    if band == "custom":
        c1, c2 = sb.columns(2)
        vmin = c1.number_input(t("value_min"), min_value=0.0, key="f_vmin", value=None)
        vmax = c2.number_input(t("value_max"), min_value=0.0, key="f_vmax", value=None)
    labels = enum_names()
    priorities = sb.multiselect(t("priority"), PRIORITIES, key=wkey("f_pri"),
                                format_func=lambda p: labels.get(p, p), placeholder=t("all"))
    complexities = sb.multiselect(t("complexity"), COMPLEXITIES, key=wkey("f_cx"),
                                  format_func=lambda c: labels.get(c, c), placeholder=t("all"))

    url_filters = {"as_of": as_of.isoformat(), "court": court,
                   "type": None if case_type == "all" else case_type,
                   "band": None if band == "all" else band,
                   "vmin": vmin, "vmax": vmax, "pri": priorities, "cx": complexities}

    value_min = value_max = None
    if band == "custom":
        value_min = None if vmin is None else vmin * WAN
        value_max = None if vmax is None else vmax * WAN
    elif band != "all":
        row = bands.filter(pl.col("band") == band).row(0, named=True)
        value_min, value_max = row["min_yuan"], row["max_yuan"]
    if case_type == "all":
        case_types = None
    elif case_type == "others":
        case_types = tuple(types.filter(~pl.col("specific"))["code"].to_list())
    else:
        case_types = (case_type,)
    filters = Filters(as_of=as_of, case_types=case_types, value_min=value_min,
                      value_max=value_max, priorities=tuple(priorities) or None,
                      complexities=tuple(complexities) or None)
    return filters, court, url_filters


def filters_caption(ctx: Context, *, court: bool = True, scope: str | None = None,
                    markdown: bool = True) -> str:
    """One line naming every filter that produced a chart or table (`markdown=False`: plain
    text, for files)."""
    esc = md if markdown else str
    parts = [f"{t('as_of')} {ctx.filters.as_of.isoformat()}"]
    if scope:
        parts.append(scope)
    elif court:
        parts.append(esc(ctx.court_name()))
    parts.extend(_case_filter_parts(ctx, esc, every=True))
    return t("filters_caption") + " · ".join(parts)


def subset_caption(ctx: Context, *, markdown: bool = True) -> str:
    """The sidebar filters that narrow the cases (type, value, priority, complexity) and
    nothing else: the name of the subset a page analyses beside the official position
    ("" when none narrows)."""
    return " · ".join(_case_filter_parts(ctx, md if markdown else str, every=False))


def _case_filter_parts(ctx: Context, esc: Callable[[str], str], *, every: bool) -> list[str]:
    """"name: value" of the case filters; `every`: those at "all" too."""
    f = ctx.filters
    lang_en = st.session_state.get("lang") == "en"
    parts = []
    type_value = st.session_state.get(wkey("f_type"), "all")
    if every or type_value != "all":
        parts.append(f"{t('case_type')}: " + (t("all") if type_value == "all" else t("others")
                                              if type_value == "others"
                                              else esc(ctx.type_name(type_value))))
    if f.value_min is None and f.value_max is None:
        if every:
            parts.append(f"{t('value_band')}: {t('all')}")
    else:
        lo = "0" if f.value_min is None else f"{f.value_min / WAN:,.0f}"
        hi = "∞" if f.value_max is None else f"{f.value_max / WAN:,.0f}"
        parts.append(f"{t('value_band')}: [{lo}, {hi}) {'10k yuan' if lang_en else '万元'}")
    if every or f.priorities:
        parts.append(f"{t('priority')}: " + ("/".join(enum(p) for p in f.priorities)
                                             if f.priorities else t("all")))
    if every or f.complexities:
        parts.append(f"{t('complexity')}: " + ("/".join(enum(c) for c in f.complexities)
                                               if f.complexities else t("all")))
    return parts
