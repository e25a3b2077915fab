"""The escalation page opens the case its URL names (`esc_case`), and after a save its status
box shows the saved status, not the first of the list; the ledger's item history has no
value column "— %" for an item linked to no index. Run under streamlit.testing."""

from __future__ import annotations

import datetime as dt

import duckdb

from supervision.security.access import Access
from supervision.store import engine
from supervision.workflow import ledger
from tests.test_app import app, login  # noqa: F401 - the fixture and the login steps


def _table_with(at, *columns: str, without: str | None = None):  # noqa: ANN001, ANN202
    """The one table on the page with these columns (and not `without`)."""
    found = [d.value for d in at.dataframe
             if set(columns) <= set(d.value.columns) and without not in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def _escalation(at) -> None:  # noqa: ANN001 - an AppTest
    at.switch_page("pages/escalation.py")
    at.run()
    assert not at.exception, at.exception


def test_a_case_in_the_url_opens_and_keeps_its_saved_status(app):  # noqa: F811
    login(app, "supervisor")
    _escalation(app)
    grid = app.dataframe(key="esc_table").value
    case = grid.iloc[0, 0]                 # the first candidate's case number
    assert not any(s.value.startswith(case) for s in app.subheader)
    app.query_params["esc_case"] = case
    app.run()
    assert any(s.value.startswith(case) for s in app.subheader)
    box = next(b for b in app.selectbox if b.options and "已提请联动" in b.options)
    assert box.value != "escalated"        # not yet marked: the first status
    box.set_value("escalated")
    next(b for b in app.button if b.label == "保存").click()
    app.run()
    assert not app.exception, app.exception
    # the same case, still open from the URL, its box on the saved status
    assert app.query_params["esc_case"] == [case] or app.query_params["esc_case"] == case
    assert any(s.value.startswith(case) for s in app.subheader)
    box = next(b for b in app.selectbox if b.options and "已提请联动" in b.options)
    assert box.value == "escalated"


def test_an_item_linked_to_no_index_has_no_value_column(app, demo_db):  # noqa: F811
    login(app, "supervisor")
    court = app.sidebar.selectbox(key="f_court").value
    store = engine(None)
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        province = con.execute("SELECT * FROM courts WHERE court_code = ?",
                               [court]).fetchall()[0][3]
        ledger.record_visit(store, con, Access("supervisor", "supervisor", None, province),
                            court=court, visit_on=dt.date(2026, 11, 20), members="督导组",
                            opinions=[ledger.Opinion(requirement="无关联指标的整改要求",
                                                     owner="张三",
                                                     due_on=dt.date(2026, 12, 31))])
    finally:
        con.close()
    app.switch_page("pages/ledger.py")
    app.run()
    assert not app.exception, app.exception
    items = _table_with(app, "要求")
    item = int(items[items["要求"] == "无关联指标的整改要求"].iloc[0, 0])
    app.selectbox(key="ledger_item").set_value(item)
    app.run()
    history = _table_with(app, "进展", "状态", without="要求")
    assert not [c for c in history.columns if c.endswith("%")], list(history.columns)
    assert "统计截至" not in history.columns
