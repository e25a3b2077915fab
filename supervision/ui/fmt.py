"""Display formats: amounts in 万元 with thousands separators, rates as %, ISO dates."""

from __future__ import annotations

import polars as pl

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


def pct(rate: float | None, digits: int = 1) -> str:
    return "—" if rate is None else f"{rate * 100:.{digits}f}%"


def num(n: int | float | None) -> str:
    return "—" if n is None else f"{n:,}"
