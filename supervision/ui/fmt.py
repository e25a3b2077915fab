"""Display formats: amounts in 万元 with thousands separators, rates as %, ISO dates."""

from __future__ import annotations


def wan(yuan: float | None, digits: int = 1) -> str:
    """Yuan shown in 万元 (10,000 yuan) with thousands separators."""
    if yuan is None:
        return "—"
    return f"{yuan / 10_000:,.{digits}f}"


def pct(rate: float | None, digits: int = 1) -> str:
    return "—" if rate is None else f"{rate * 100:.{digits}f}%"


def num(n: int | float | None) -> str:
    return "—" if n is None else f"{n:,}"
