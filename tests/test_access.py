"""Scope is enforced where the data is queried: the views layer, not the widgets."""

from __future__ import annotations

import polars as pl
import pytest

from supervision import views
from supervision.data.db import connect
from supervision.domain.filters import Filters
from supervision.security.access import AccessDenied, access_for
from supervision.store import engine
from tests.conftest import DEMO_END


@pytest.fixture
def con(demo_db):
    c = connect(demo_db, read_only=True)
    yield c
    c.close()


@pytest.fixture
def store(operational_store):
    return engine(operational_store)


def test_demo_users_have_the_scopes_the_readme_lists(con, store):
    assert access_for(store, con, "president").court_code == "HI720"
    supervisor = access_for(store, con, "supervisor")
    assert supervisor.province == "琼"
    allowed = supervisor.allowed_courts(con)
    assert "HI720" in allowed and all(c.startswith("HI") for c in allowed)
    assert access_for(store, con, "nobody") is None
    # the name is canonical: another spelling is the same account
    assert access_for(store, con, "President").username == "president"


def test_a_president_gets_only_their_own_court(con, store):
    president = access_for(store, con, "president")
    f = Filters(as_of=DEMO_END)
    with pytest.raises(AccessDenied):
        views.brief_view(con, president, f, "HI100")
    with pytest.raises(AccessDenied):
        views.pending_cases(con, president, f, "HI100")
    with pytest.raises(AccessDenied):
        views.targets_view(con, president, f, "HI100")
    # no court named: the query is narrowed to the president's court
    page = views.explorer_page(con, president, f, None, 0, 500)
    assert page.height > 0 and set(page["court_code"]) == {"HI720"}
    targets = views.targets_view(con, president, f, "HI720")
    assert set(targets["ranks"]["court_code"]) == {"HI720"}
    national = targets["national"]
    others = national.filter(~pl.col("own"))
    assert others.height > 0
    assert others["court_code"].null_count() == others.height
    assert set(others["name"]) == {"—"} and others["concluded"].null_count() == others.height
    assert national.filter(pl.col("own"))["court_code"].to_list() == ["HI720"]


def test_a_disabled_user_has_no_access(con, store):
    from supervision.security.users import disable_user, enable_user

    disable_user(store, "analyst")
    try:
        assert access_for(store, con, "analyst") is None
    finally:
        enable_user(store, "analyst")   # for the other tests
    assert access_for(store, con, "analyst") is not None
