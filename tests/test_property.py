"""The SQL and an independent pure-Python computation agree on random data."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervision.domain.filters import Filters
from supervision.engine import metrics
from tests.conftest import add_cases, make_db

COURTS = ["A", "B", "C", "D"]
METHODS = ["fully_performed", "terminated", "not_enforced", "rejected", "withdrawn",
           "terminated_current", "transferred"]
ACTUAL = {"fully_performed", "terminated", "not_enforced", "rejected", "withdrawn"}
START = dt.date(2024, 11, 1)


def add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@st.composite
def a_case(draw, number: int) -> dict:
    filed = START + dt.timedelta(days=draw(st.integers(0, 800)))
    is_closed = draw(st.booleans())
    closed_on = filed + dt.timedelta(days=draw(st.integers(0, 300))) if is_closed else None
    return dict(
        case_number=f"n{number}", court_code=draw(st.sampled_from(COURTS)), filed_on=filed,
        closed_on=closed_on, closing_method=draw(st.sampled_from(METHODS)) if is_closed else None,
        case_kind=draw(st.sampled_from(["first", "resumed"])),
        has_property=draw(st.booleans()),
        dishonest_listed=draw(st.sampled_from([True, False, None])),
        amount_applied=float(draw(st.integers(0, 10_000))),
    )


cases_strategy = st.integers(0, 60).flatmap(
    lambda n: st.tuples(*[a_case(i) for i in range(n)]))


def expected(cases: list[dict], as_of: dt.date, target_rank: int, min_concluded: int) -> dict:
    start = dt.date(as_of.year, 1, 1)
    out: dict[str, dict] = {}
    for court in COURTS:
        live = [c for c in cases if c["court_code"] == court and c["filed_on"] <= as_of
                and not (c["closing_method"] == "transferred" and c["closed_on"] <= as_of)]
        done = [c for c in live if c["closed_on"] is not None and start <= c["closed_on"] <= as_of]
        handled = [c for c in live if c["closed_on"] is None or c["closed_on"] >= start]
        fully = [c for c in done if c["closing_method"] == "fully_performed"]
        terminations = [c for c in done if c["closing_method"] == "terminated_current"]
        qualified = [c for c in terminations if c["dishonest_listed"] is True
                     and c["closed_on"] >= add_months(c["filed_on"], 3)]
        window = [c for c in live if c["filed_on"] >= dt.date(as_of.year - 3, 1, 1)]
        window_done = [c for c in window if c["closed_on"] is not None and c["closed_on"] <= as_of]
        due = [c for c in live if c["case_kind"] == "first" and c["has_property"]
               and start <= add_months(c["filed_on"], 6) <= as_of]
        in_limit = [c for c in due if c["closed_on"] is not None and c["closed_on"] <= as_of
                    and c["closing_method"] in ACTUAL
                    and c["closed_on"] <= add_months(c["filed_on"], 6)]
        out[court] = dict(
            handled=len(handled), concluded=len(done), fully_performed=len(fully),
            rate=Fraction(len(fully), len(done)) if done else None,
            termination_qualified=(Fraction(len(qualified), len(terminations))
                                   if terminations else None),
            three_year_conclusion=(Fraction(len(window_done), len(window)) if window else None),
            property_within_limit=Fraction(len(in_limit), len(due)) if due else None,
        )
    ranked = {c: v["rate"] for c, v in out.items()
              if v["concluded"] >= min_concluded and v["rate"] is not None}
    ordered = sorted(ranked.values(), reverse=True)
    cutoff = ordered[min(target_rank, len(ordered)) - 1] if ordered else None
    for court, v in out.items():
        if court in ranked:
            v["rank"] = 1 + sum(1 for r in ranked.values() if r > ranked[court])
            if cutoff == 1 and v["rate"] < 1:
                v["gap"] = None
            elif cutoff == 1:
                v["gap"] = 0
            else:
                v["gap"] = max(0, math.ceil((cutoff * v["concluded"] - v["fully_performed"])
                                            / (1 - cutoff)))
        else:
            v["rank"] = v["gap"] = None
        v["cutoff"] = cutoff
    return out


@pytest.fixture(scope="module")
def prop_db(tmp_path_factory):
    con = make_db(tmp_path_factory.mktemp("prop") / "prop.duckdb",
                  [(c, "琼") for c in COURTS])
    yield con
    con.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=cases_strategy,
       as_of=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 31)),
       target_rank=st.integers(1, 4), min_concluded=st.integers(1, 4))
def test_sql_agrees_with_python(prop_db, cases, as_of, target_rank, min_concluded):
    con = prop_db
    con.execute("DELETE FROM cases")
    con.execute("UPDATE targets SET target_rank = ?, min_concluded = ?",
                [target_rank, min_concluded])
    if cases:
        add_cases(con, *cases)
    want = expected(list(cases), as_of, target_rank, min_concluded)
    f = Filters(as_of=as_of)
    ind = metrics.court_counts(con, f, None).filter(pl.col("level") == "court")
    ranks = metrics.court_ranks(con, f, None).filter(pl.col("ranking") == "overall")
    core = metrics.core_indices(con, f, None).filter(pl.col("level") == "court")
    got = {r["court_code"]: r for r in ind.iter_rows(named=True)}
    got_rank = {r["court_code"]: r for r in ranks.iter_rows(named=True)}
    got_core = {r["court_code"]: r for r in core.iter_rows(named=True)}
    for court, w in want.items():
        g, gr, gc = got[court], got_rank[court], got_core[court]
        assert (g["handled"], g["concluded"], g["fully_performed"]) == \
            (w["handled"], w["concluded"], w["fully_performed"]), court
        assert g["overall_rate"] == (None if w["rate"] is None else pytest.approx(float(w["rate"])))
        assert (gr["rank"], gr["gap"]) == (w["rank"], w["gap"]), court
        assert gr["cutoff"] == (None if w["cutoff"] is None else pytest.approx(float(w["cutoff"])))
        for index in ("termination_qualified", "three_year_conclusion", "property_within_limit"):
            assert gc[index] == (None if w[index] is None else pytest.approx(float(w[index]))), \
                (court, index)
