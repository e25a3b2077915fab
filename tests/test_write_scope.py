"""Every ledger write checks scope where it writes (MLPS level 3 review: a Beijing supervisor
could mark a Hainan case as typical and overwrite its summary, and `set_escalation` took
any court its caller named).

The write functions derive the writer's courts themselves (the role's declared `writes`,
the scope from the case database), look each case's real court up in the case database,
check an item's stored court, and never overwrite a row of another court. A refusal raises
AccessDenied and leaves the store as it was: every ledger table and the audit trail are read
back. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import tokenize
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from supervision.domain import vocabulary
from supervision.security import audit
from supervision.security.access import Access, AccessDenied
from supervision.store.schema import (
    audit_log,
    escalation_events,
    escalations,
    ledger_items,
    ledger_updates,
    typical_cases,
    visits,
)
from supervision.workflow import ledger
from tests.test_ledger import ledger_cases_db
from tests.test_store import store_of_kind

D = dt.date
ROOT = Path(__file__).resolve().parent.parent

OWN, NEIGHBOUR, FOREIGN = "HI720", "HI101", "BJ100"      # 琼, 琼, 京
OWN_CASE = "(2026)琼720执1号"                           # one of test_ledger's HI720 cases
NEIGHBOUR_CASE = "(2026)琼101执1号"
FOREIGN_CASE = "(2026)京100执1号"
MISSING_CASE = "(2026)琼720执404号"                        # in no court

# one user of every role, each with HI720 in its province or as its court (admin: none)
USERS = {
    "supervisor": Access("sup", "supervisor", "HI000", "琼"),
    "president": Access("pres", "president", "HI720", "琼"),
    "analyst": Access("ana", "analyst", "HI000", "琼"),
    "admin": Access("adm", "admin", None, None),
}
BEIJING = Access("bjsup", "supervisor", "BJ000", "京")
WRITES = ("record_visit", "update_item", "mark_typical", "set_escalation")
# the specification, written out (not read from vocabulary.ROLES): supervisors write everything
# for their province's courts, a president updates their own court's items, nobody else
ALLOWED = {("supervisor", w) for w in WRITES} | {("president", "update_item")}

# what each write is tried on: (target, the court claimed, the case or the item's court)
TARGETS = {
    "record_visit": [("own court", OWN, None),
                     ("another province's court", FOREIGN, None),
                     ("own court, opinion on another province's case", OWN, FOREIGN_CASE),
                     ("own court, opinion on a neighbouring court's case", OWN, NEIGHBOUR_CASE)],
    "update_item": [("own court's item", None, OWN),
                    ("another province's item", None, FOREIGN)],
    "mark_typical": [("own case", OWN, OWN_CASE),
                     ("another province's case", FOREIGN, FOREIGN_CASE),
                     ("another province's case claimed as own", OWN, FOREIGN_CASE),
                     ("a neighbouring court's case claimed as own", OWN, NEIGHBOUR_CASE),
                     ("a case in no court", OWN, MISSING_CASE)],
}
TARGETS["set_escalation"] = TARGETS["mark_typical"]
LEDGER_TABLES = (visits, ledger_items, ledger_updates, typical_cases, escalations,
                 escalation_events, audit_log)
MATRIX = [(role, write, target) for role in USERS for write in WRITES
          for target in TARGETS[write]]


def test_the_matrix_covers_every_role_and_every_write():
    assert set(USERS) == set(vocabulary.ROLE_BY_CODE)
    assert set(WRITES) == {w.code for w in vocabulary.WRITES}


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    con = ledger_cases_db(tmp_path_factory.mktemp("cases") / "cases.duckdb",
                          [(NEIGHBOUR_CASE, NEIGHBOUR), (FOREIGN_CASE, FOREIGN)])
    yield con
    con.close()


def _seed(store, cases) -> None:
    """Each province's supervisor visits a court of theirs, marks a case of it typical and
    proposes it for joint action."""
    for who, court, case in ((USERS["supervisor"], OWN, OWN_CASE),
                             (BEIJING, FOREIGN, FOREIGN_CASE)):
        ledger.record_visit(store, cases, who, court=court, visit_on=D(2026, 11, 20),
                            members=f"{who.username}的督导组",
                            opinions=[ledger.Opinion(f"{court}的整改要求", "院长", D(2026, 12, 31))])
        ledger.mark_typical(store, cases, who, court=court, case_number=case,
                            summary=f"{court}的摘要")
        ledger.set_escalation(store, cases, who, case_number=case, court=court,
                              status="proposed", note=f"{court}的说明", reasons=[],
                              read_version=None)


def _seeded(kind: str, folder, cases):
    """A migrated store of `kind` (test_store.store_of_kind), seeded with _seed."""
    for store in store_of_kind(kind, folder):
        _seed(store, cases)
        yield store


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, tmp_path_factory, cases):
    """One seeded store per engine for the whole matrix: a refusal leaves it unchanged (each
    test checks that), an allowed write reads the version it saves on."""
    yield from _seeded(request.param, tmp_path_factory.mktemp("ops"), cases)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, cases):
    """A fresh seeded store per test, for the tests that change it on purpose."""
    yield from _seeded(request.param, tmp_path, cases)


def snapshot(store) -> dict[str, list[tuple]]:
    """Every row of every ledger table and of the audit trail, as text (but the refusals'
    own audit entries, which test_a_refusal_is_recorded_as_a_security_event reads)."""
    with store.connect() as connection:
        return {t.name: sorted(tuple(str(v) for v in row)
                               for row in connection.execute(select(t)).all()
                               if "write_refused" not in row)
                for t in LEDGER_TABLES}


def test_a_refusal_is_recorded_as_a_security_event(store, cases):
    """A refused write is recorded (who, which write, the reason, the case it named) and
    nothing else is."""
    with pytest.raises(AccessDenied):
        ledger.mark_typical(store, cases, BEIJING, court=BEIJING.court_code,
                            case_number=OWN_CASE, summary="北京改写的摘要")
    refused = audit.entries(store, event="write_refused")
    assert refused.height == 1
    entry = refused.row(0, named=True)
    assert (entry["actor"], entry["target"]) == (BEIJING.username, "mark_typical")
    assert OWN_CASE in entry["detail"] and "may not" in entry["detail"]


def _item(store, court: str) -> dict:
    return ledger.items(store, (court,)).row(0, named=True)


def _escalation_version(store, case_number: str) -> int | None:
    states = ledger.escalation_states(store, [case_number])
    return int(states["version"][0]) if states.height else None


def write(store, cases, access: Access, what: str, court: str | None, subject: str | None,
          text: str = "写入") -> None:
    """One write as a page would make it, with what the caller claims."""
    if what == "record_visit":
        ledger.record_visit(store, cases, access, court=court, visit_on=D(2026, 11, 27),
                            members=text, opinions=[ledger.Opinion(
                                "按期整改", "执行局长", D(2026, 12, 31), case_number=subject)])
    elif what == "update_item":
        item = _item(store, subject)
        ledger.update_item(store, cases, access, item_id=item["id"],
                           read_version=item["version"], status="in_progress", note=text)
    elif what == "mark_typical":
        ledger.mark_typical(store, cases, access, court=court, case_number=subject,
                            summary=text)
    else:
        ledger.set_escalation(store, cases, access, case_number=subject, court=court,
                              status="escalated", note=text, reasons=["pending_long"],
                              read_version=_escalation_version(store, subject))


# ------------------------------------------------------------------ the matrix


@pytest.mark.parametrize("role,what,target", MATRIX,
                         ids=[f"{r}-{w}-{t[0]}" for r, w, t in MATRIX])
def test_each_write_by_each_role_on_its_own_and_a_foreign_court(seeded, cases, role, what,
                                                                target):
    """Allowed: a supervisor's every write and a president's item update, for their own
    court (and its cases). Everything else is refused with AccessDenied, naming the user,
    and the ledger tables and the audit trail stay as they were."""
    label, court, subject = target
    access = USERS[role]
    before = snapshot(seeded)
    allowed = (role, what) in ALLOWED and label.startswith("own") and "opinion" not in label
    if allowed:
        write(seeded, cases, access, what, court, subject, text=f"{role}:{label}")
        after = snapshot(seeded)
        assert after != before
        added = [row for row in after["audit_log"] if row not in before["audit_log"]]
        assert added and all(access.username in row for row in added)
        # the change landed on the writer's own court only
        if what == "mark_typical":
            marked = ledger.typical(seeded, (OWN,))
            assert marked.filter(marked["case_number"] == OWN_CASE)["summary"][0] == \
                f"{role}:{label}"
        if what == "update_item":
            assert _item(seeded, OWN)["progress"] == f"{role}:{label}"
            assert _item(seeded, FOREIGN)["progress"] is None
        if what == "set_escalation":
            assert ledger.escalation_states(seeded, [OWN_CASE])["note"][0] == f"{role}:{label}"
    else:
        with pytest.raises(AccessDenied, match=access.username) as refused:
            write(seeded, cases, access, what, court, subject, text=f"{role}:{label}")
        assert "may not" in str(refused.value) or "no courts" in str(refused.value)
        assert snapshot(seeded) == before, "a refused write changed the store"


# ------------------------------------------------------------------ the finding itself


def test_a_beijing_supervisor_cannot_touch_a_hainan_case(store, cases):
    """The review's finding: a Beijing supervisor marks a Hainan case as typical (from their
    own court's form, or claiming its real court) and escalates it by a direct call. All
    refused; Hainan's summary and escalation are as Hainan left them."""
    before = snapshot(store)
    for claimed in (BEIJING.court_code, FOREIGN, OWN):
        with pytest.raises(AccessDenied):
            ledger.mark_typical(store, cases, BEIJING, court=claimed, case_number=OWN_CASE,
                                summary="北京改写的摘要")
        with pytest.raises(AccessDenied):
            ledger.set_escalation(store, cases, BEIJING, case_number=OWN_CASE, court=claimed,
                                  status="resolved", note="北京", reasons=[],
                                  read_version=_escalation_version(store, OWN_CASE))
    with pytest.raises(AccessDenied):
        write(store, cases, BEIJING, "update_item", None, OWN)
    with pytest.raises(AccessDenied):
        write(store, cases, BEIJING, "record_visit", OWN, None)
    assert snapshot(store) == before
    assert ledger.typical(store, (OWN,))["summary"].to_list() == [f"{OWN}的摘要"]
    assert ledger.escalation_states(store, [OWN_CASE])["status"].to_list() == ["proposed"]


def test_an_existing_row_of_another_court_is_never_overwritten(store, cases):
    """A typical-case and an escalation row recorded for Beijing's BJ100 under a case number
    the case database now gives to Hainan's HI720 (say, written by the old code): Hainan's
    supervisor, who may write for HI720, does not overwrite them."""
    number = "c1"                                            # a case of HI720
    with store.begin() as connection:
        connection.execute(insert(typical_cases).values(
            case_number=number, court_code=FOREIGN, summary="北京的记录", marked_by="bjsup",
            marked_at=dt.datetime(2026, 11, 1)))
        connection.execute(insert(escalations).values(
            case_number=number, court_code=FOREIGN, status="proposed", reasons="[]",
            note="北京的记录", version=1, updated_by="bjsup",
            updated_at=dt.datetime(2026, 11, 1)))
    before = snapshot(store)
    with pytest.raises(AccessDenied, match="not overwritten"):
        ledger.mark_typical(store, cases, USERS["supervisor"], court=OWN, case_number=number,
                            summary="海南的摘要")
    for version in (None, 1):
        with pytest.raises(AccessDenied, match="not overwritten"):
            ledger.set_escalation(store, cases, USERS["supervisor"], case_number=number,
                                  court=OWN, status="escalated", note="海南", reasons=[],
                                  read_version=version)
    assert snapshot(store) == before


def test_an_opinion_linked_to_a_case_of_its_court_is_recorded(store, cases):
    visit = ledger.record_visit(
        store, cases, USERS["supervisor"], court=OWN, visit_on=D(2026, 11, 27), members="组",
        opinions=[ledger.Opinion("督促执结", "执行法官", D(2026, 12, 31), case_number=OWN_CASE)])
    linked = ledger.items(store, (OWN,)).filter(ledger.items(store, (OWN,))["visit_id"] == visit)
    assert linked["case_number"].to_list() == [OWN_CASE]


def test_a_refusal_within_a_visit_records_none_of_its_opinions(store, cases):
    """A visit whose second opinion names another province's case: nothing of it is
    written, not its first opinion either."""
    before = snapshot(store)
    with pytest.raises(AccessDenied, match=re.escape(FOREIGN_CASE)):
        ledger.record_visit(store, cases, USERS["supervisor"], court=OWN,
                            visit_on=D(2026, 11, 27), members="组",
                            opinions=[ledger.Opinion("一", "甲", D(2026, 12, 31)),
                                      ledger.Opinion("二", "乙", D(2026, 12, 31),
                                                     case_number=FOREIGN_CASE)])
    assert snapshot(store) == before


def test_a_refusal_does_not_tell_the_court_of_a_case_outside_the_scope(store, cases):
    with pytest.raises(AccessDenied) as refused:
        ledger.mark_typical(store, cases, USERS["supervisor"], court=OWN,
                            case_number=FOREIGN_CASE, summary="x")
    assert FOREIGN not in str(refused.value) and "no such case" in str(refused.value)
    # within the scope the message says whose case it is
    with pytest.raises(AccessDenied, match=f"it is a case of {NEIGHBOUR}"):
        ledger.mark_typical(store, cases, USERS["supervisor"], court=OWN,
                            case_number=NEIGHBOUR_CASE, summary="x")


# ------------------------------------------------------------------ the declaration decides


def test_may_reads_the_role_declaration():
    for role in vocabulary.ROLES:
        access = USERS[role.code]
        assert {w for w in WRITES if access.may(w)} == set(role.writes)
    assert not Access("x", "no-such-role", "HI720", "琼").may("update_item")
    with pytest.raises(ValueError, match="unknown ledger write"):
        USERS["supervisor"].may("delete_everything")


def test_the_ledger_follows_a_changed_declaration_not_role_names(store, cases, monkeypatch):
    """Declare `update_item` for the analyst and take `mark_typical` from the supervisor:
    the write functions follow at once, within the same scope rules."""
    roles = dict(vocabulary.ROLE_BY_CODE)
    monkeypatch.setitem(vocabulary.ROLE_BY_CODE, "analyst", dataclasses.replace(
        roles["analyst"], writes=frozenset({"update_item"})))
    monkeypatch.setitem(vocabulary.ROLE_BY_CODE, "supervisor", dataclasses.replace(
        roles["supervisor"], writes=roles["supervisor"].writes - {"mark_typical"}))
    write(store, cases, USERS["analyst"], "update_item", None, OWN, text="分析员更新")
    assert _item(store, OWN)["progress"] == "分析员更新"
    with pytest.raises(AccessDenied):          # still only within the analyst's province
        write(store, cases, USERS["analyst"], "update_item", None, FOREIGN)
    with pytest.raises(AccessDenied, match="may not mark typical cases"):
        write(store, cases, USERS["supervisor"], "mark_typical", OWN, OWN_CASE)


SCOPE_CHECKED_FILES = ("supervision/workflow/ledger.py", "pages/ledger.py", "pages/escalation.py")


@pytest.mark.parametrize("path", SCOPE_CHECKED_FILES)
def test_no_role_names_decide_writes(path):
    """The ledger and its pages name no role: no string literal is a role's code and no
    comparison reads `.role` (they ask `Access.may`)."""
    source = (ROOT / path).read_text(encoding="utf-8")
    codes = {r.code for r in vocabulary.ROLES}
    literals = [tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                if tok.type == tokenize.STRING and tok.string.strip("\"'") in codes]
    assert not literals, literals
    assert not re.search(r"\.role\s*(==|!=|\bin\b|\bnot in\b)", source)


# ------------------------------------------------------------------ the pages


def test_the_ledger_page_shows_a_refusal_as_an_error_and_writes_nothing(app, demo_db):
    """A supervisor of Hainan types another province's case number into the typical-case
    form of 海口海事法院: the page says it is not allowed (no traceback) and the store has no
    typical case of that number."""
    from supervision.data.db import connect
    from supervision.store import engine as store_engine
    from tests.test_app import login

    con = connect(demo_db, read_only=True)
    foreign = con.execute("SELECT c.case_number FROM cases c JOIN courts k USING (court_code) "
                          "WHERE k.province <> '琼' ORDER BY c.case_number LIMIT 1"
                          ).fetchone()[0]
    con.close()
    app.query_params["court"] = "HI720"
    login(app, "supervisor")
    app.switch_page("pages/ledger.py")
    app.run()
    assert not app.exception
    next(t for t in app.text_input if t.label == "案号").input(foreign)
    next(t for t in app.text_input if t.label == "简要说明").input("改写")
    next(b for b in app.button if b.label == "标记为典型案例").click()
    app.run()
    assert not app.exception, app.exception
    assert any("Not allowed" in e.value and "no such case" in e.value for e in app.error)
    with store_engine().connect() as connection:
        assert connection.execute(select(typical_cases).where(
            typical_cases.c.case_number == foreign)).first() is None


@pytest.mark.parametrize("role,forms", [("supervisor", {"保存督导记录", "标记为典型案例"}),
                                        ("president", set()), ("analyst", set())])
def test_the_ledger_page_offers_the_forms_the_role_declares(app, role, forms):
    from tests.test_app import login

    app.query_params["court"] = "HI720"
    login(app, role)
    app.switch_page("pages/ledger.py")
    app.run()
    assert not app.exception
    assert {b.label for b in app.button} & {"保存督导记录", "标记为典型案例"} == forms


@pytest.fixture
def app(demo_db, monkeypatch):
    """The app under streamlit.testing on the demo data (as test_app.py opens it)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
