"""Display formats, one per kind: amounts in 万元 with one decimal and thousands separators,
rates with one decimal and %, counts whole with thousands separators, ISO dates, times in
the court's time zone."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import polars as pl

from supervision.config import DEFAULT_TIMEZONE, timezone_name

# yuan in one 万元: data are in yuan, the UI shows and takes 万元; this is the one conversion
WAN = 10_000


def wan_column(yuan: str, alias: str = "amount_wan") -> pl.Expr:
    """A column of yuan shown in 万元 (one decimal)."""
    return (pl.col(yuan) / WAN).round(1).alias(alias)


def wan(yuan: float | None, digits: int = 1) -> str:
    """Yuan shown in 万元 (10,000 yuan) with thousands separators."""
    if yuan is None:
        return "—"
    return f"{yuan / WAN:,.{digits}f}"


# a yuan gap or need (what is still to recover) in 万元, rounded up to the hundred yuan:
# it is a least amount, and one above zero never reads 0.00
GAP_HUNDREDS = WAN // 100


def wan_gap(yuan: float | None) -> float | None:
    """A yuan gap in 万元, rounded up to the hundred yuan (the number its card shows)."""
    return None if yuan is None else math.ceil(yuan / 100) / GAP_HUNDREDS


def wan_gap_text(yuan: float | None) -> str:
    """A yuan gap in 万元 as read: two decimals, rounded up (`wan_gap`); "—" for none."""
    return "—" if yuan is None else f"{wan_gap(yuan):,.2f}"


def wan_gap_column(yuan: str) -> pl.Expr:
    """A column of yuan gaps in 万元, rounded up to the hundred yuan (`wan_gap`)."""
    return (pl.col(yuan) / 100).ceil() / GAP_HUNDREDS


def pct(rate: float | None, digits: int = 1) -> str:
    return "—" if rate is None else f"{rate * 100:.{digits}f}%"


def num(n: int | float | None) -> str:
    """A count: whole, with thousands separators."""
    return "—" if n is None else f"{round(n):,}"


# Times: the store keeps UTC without a zone; every time shown is in the court's zone
# (SUPERVISION_TIMEZONE, default Asia/Shanghai), and its header names the zone.
TIME = "%Y-%m-%d %H:%M"


def zone_name(language: str | None = None) -> str:
    """The court's time zone as a reader names it: 北京时间 for Asia/Shanghai in Chinese,
    else the IANA name."""
    zone = timezone_name()
    if zone == DEFAULT_TIMEZONE:
        return _words("zone_beijing", language)
    return zone


def time_header(language: str | None = None) -> str:
    """The header of a column of times: 时间（北京时间） / Time (Asia/Shanghai)."""
    return _words("time_local", language, zone=zone_name(language))


def local_time(utc: dt.datetime | None, pattern: str = TIME) -> str:
    """A stored time (UTC; naive means UTC) in the court's zone."""
    if utc is None:
        return "—"
    aware = utc if utc.tzinfo else utc.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(timezone_name())).strftime(pattern)


def now_local(pattern: str = TIME) -> str:
    """This moment in the court's zone."""
    return local_time(dt.datetime.now(dt.UTC), pattern)


def zoned_time(utc: dt.datetime | None, language: str | None = None) -> str:
    """A stored time in the court's zone, the zone named: 2026-03-05 02:35（北京时间） /
    2026-03-05 02:35 (Asia/Shanghai) — for a time in a sentence, which has no header."""
    if utc is None:
        return "—"
    return _words("time_in_zone", language, time=local_time(utc), zone=zone_name(language))


def local_time_column(column: str, alias: str | None = None, pattern: str = TIME) -> pl.Expr:
    """A column of stored times (UTC, naive) as text in the court's zone."""
    return (pl.col(column).dt.replace_time_zone("UTC")
            .dt.convert_time_zone(timezone_name()).dt.strftime(pattern)
            .alias(alias or column))


# Change since last week, in words: one rendering on every page and in every file (screen,
# XLSX, PDF), so that "较上周" reads the same everywhere (no signed number whose sign means
# better in one table and worse in another).

def _words(key: str, language: str | None, **values: object) -> str:
    """A label of supervision.words.i18n in `language`, or in the session's when None."""
    from supervision.words.i18n import lang, text  # i18n reads the session: imported late
    return text(key, language or lang(), **values)


def rank_movement(before: int | None, now: int | None, language: str | None = None) -> str:
    """A national rank's move from `before` to `now` in words: 上升3名 / up 3 (a smaller
    rank number is better), 下降2名 / down 2, 持平 / unchanged, — when either is unknown."""
    if before is None or now is None:
        return "—"
    moved = int(before) - int(now)
    if moved > 0:
        return _words("moved_up", language, n=moved)
    if moved < 0:
        return _words("moved_down", language, n=-moved)
    return _words("unchanged", language)


def count_change(delta: int | None, unit: str = "unit_items",
                 language: str | None = None) -> str:
    """A count's change in words: 增加1项 / 1 more, 减少2项 / 2 fewer, 持平 / unchanged,
    — when unknown. `unit`: the i18n key of the measure word (项 for indices)."""
    if delta is None:
        return "—"
    delta = int(delta)
    if delta == 0:
        return _words("unchanged", language)
    measure = _words(unit, language)
    key = "count_more" if delta > 0 else "count_fewer"
    return _words(key, language, n=abs(delta), unit=measure)
