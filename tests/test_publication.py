"""The weekly report published: `python -m supervision weekly --publish` keeps the PDF and
XLSX in the operational store; after a correcting import they download byte-identical, "what
changed since publication" names the figures that differ, and last week's ranks on the pages
are the published ones. A publication is never changed (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from streamlit.testing.v1 import AppTest

from supervision import views
from supervision.data.db import connect
from supervision.domain.filters import Filters
from supervision.security.access import Access
from supervision.security.users import DEMO_USERS, install_demo_users
from supervision.store import engine
from supervision.workflow import publication
from tests.conftest import DEMO_END
from tests.test_store import store_of_kind

ROOT = Path(__file__).resolve().parent.parent
WEEK = DEMO_END - dt.timedelta(days=7)
CENTER = Access("weekly-report", "supervisor", None, "琼")


def cli(*args: str, store: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "supervision", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "SUPERVISION_STORE": store})


def province(db: Path, as_of: dt.date) -> dict:
    con = connect(db, read_only=True)
    try:
        return views.province_view(con, CENTER, Filters(as_of=as_of))
    finally:
        con.close()


def correct(db: Path, tmp_path: Path, store: str) -> None:
    """A correcting import: the pending cases of three Hainan courts fully performed three
    days before the published week's date."""
    con = duckdb.connect(str(db), read_only=True)
    target = tmp_path / "correction.csv"
    try:
        con.execute(f"""COPY (SELECT * REPLACE (DATE '{WEEK - dt.timedelta(days=3)}' AS closed_on,
                                                'fully_performed' AS closing_method,
                                                amount_applied AS amount_recovered)
                              FROM cases WHERE closed_on IS NULL
                                AND filed_on <= DATE '{WEEK - dt.timedelta(days=3)}'
                                AND court_code IN (SELECT court_code FROM courts
                                                   WHERE province = '琼'
                                                   ORDER BY court_code LIMIT 3))
                        TO '{target}' (HEADER)""")
    finally:
        con.close()
    done = cli("import", "--db", str(db), "--cases", str(target), store=store)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def published_once(demo_db, tmp_path_factory):
    """A copy of the demo (ranked from 3 concluded cases: the small demo has too few per
    court to rank any) and a store with the demo users and the report of WEEK published,
    its files written aside; built once, copied for each test."""
    base = tmp_path_factory.mktemp("published")
    url = f"sqlite:///{base / 'ops.sqlite'}"
    install_demo_users(engine(url))
    db = base / "cases.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE targets SET min_concluded = 3")
    con.close()
    done = cli("weekly", "--db", str(db), "--province", "琼", "--as-of", str(WEEK),
               "--publish", "--pdf", str(base / "sent.pdf"), "--xlsx",
               str(base / "sent.xlsx"), store=url)
    assert done.returncode == 0, done.stderr
    assert "publication #1" in done.stdout
    engine(url).dispose()
    return base


@pytest.fixture
def published(published_once, tmp_path, monkeypatch):
    """This test's copy of the published setup (the app's store too: SUPERVISION_STORE)."""
    for name in ("cases.duckdb", "ops.sqlite", "ops.sqlite-wal", "sent.pdf", "sent.xlsx"):
        if (published_once / name).exists():
            shutil.copy(published_once / name, tmp_path / name)
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    monkeypatch.setenv("SUPERVISION_STORE", url)
    return tmp_path / "cases.duckdb", url


def test_published_files_download_byte_identical_after_a_correcting_import(
        published, tmp_path):
    db, url = published
    store = engine(url)
    before = publication.figures(province(db, WEEK))
    [row] = publication.publications(store, "琼").to_dicts()
    assert (row["as_of"], row["language"]) == (WEEK, "zh")
    served = hashlib.sha256(db.read_bytes()).hexdigest()
    assert row["data_sha256"] == served

    correct(db, tmp_path, url)
    assert hashlib.sha256(db.read_bytes()).hexdigest() != served

    for kind in ("pdf", "xlsx"):
        content = publication.document(store, row["id"], kind, province="琼")
        assert content == (tmp_path / f"sent.{kind}").read_bytes()
        assert hashlib.sha256(content).hexdigest() == row[f"{kind}_sha256"]
    with pytest.raises(publication.PublicationError):
        publication.document(store, row["id"], "pdf", province="京")   # not the reader's

    # what changed since publication: today's figures for WEEK against the published ones
    today = publication.figures(province(db, WEEK))
    changed = publication.changes(publication.published_figures(store, row["id"]), today)
    assert changed.height
    # exactly the figures that differ between the two computations, nothing else
    expected = before.join(today, on=["court_code", "index"], suffix="_today").filter(
        ~pl.col("value").eq_missing(pl.col("value_today")))
    assert sorted(zip(changed["court_code"], changed["index"], strict=True)) == sorted(
        zip(expected["court_code"], expected["index"], strict=True))
    assert "rate" in changed["index"].to_list()

    # the week is published once: publishing it again (on the corrected data) is refused
    again = cli("weekly", "--db", str(db), "--province", "琼", "--as-of", str(WEEK),
                "--publish", store=url)
    assert again.returncode == 1 and "already published" in again.stderr
    assert publication.publications(store, None).height == 1
    assert publication.document(store, row["id"], "pdf") == (tmp_path / "sent.pdf").read_bytes()


def test_last_weeks_ranks_are_the_published_ones(published, tmp_path):
    db, url = published
    store = engine(url)
    published_ranks = publication.published_ranks(store, WEEK).filter(
        pl.col("ranking") == "overall").select("court_code", published="rank")
    correct(db, tmp_path, url)
    recomputed = province(db, WEEK)["courts"].select("court_code", recomputed="rank")
    shown = province(db, DEMO_END)["courts"].select("court_code", "rank_week_before")
    both = shown.join(published_ranks, on="court_code").join(recomputed, on="court_code")
    assert both.height == shown.height
    # the correction moved some court's rank for WEEK; the page still shows the published one
    assert (both["published"] != both["recomputed"]).any()
    assert both["rank_week_before"].to_list() == both["published"].to_list()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    yield from store_of_kind(request.param, tmp_path)


def test_a_publication_is_never_changed(store):
    data = publication.DataVersion("1:2:3", "ab" * 32, None, WEEK)
    shown = pl.DataFrame({"court_code": ["HI720"], "index": ["rank_overall"], "value": [4.0]})
    row = publication.publish(store, province="琼", as_of=WEEK, language="zh", title="t",
                              data=data, pdf=b"%PDF-1.7 \x00\xff", xlsx=b"PK\x03\x04",
                              shown=shown, actor="test")
    assert publication.document(store, row["id"], "pdf") == b"%PDF-1.7 \x00\xff"
    for statement in ("UPDATE weekly_publications SET pdf = xlsx",
                      "DELETE FROM weekly_publications"):
        with pytest.raises(DBAPIError, match="never changed"), store.begin() as c:
            c.execute(text(statement))
    if store.dialect.name == "sqlite":
        with pytest.raises(DBAPIError, match="never changed"), store.begin() as c:
            c.execute(text("INSERT OR REPLACE INTO weekly_publications SELECT * FROM "
                           "weekly_publications"))
    with pytest.raises(publication.PublicationError, match="already published"):
        publication.publish(store, province="琼", as_of=WEEK, language="zh", title="t",
                            data=data, pdf=b"other", xlsx=b"other", shown=shown,
                            actor="test")
    assert publication.document(store, row["id"], "xlsx") == b"PK\x03\x04"
    ranks = publication.published_ranks(store, WEEK)
    assert ranks.rows() == [("HI720", "overall", 4)]


def test_the_publications_page_lists_and_compares(published, tmp_path, monkeypatch):
    db, url = published
    correct(db, tmp_path, url)
    monkeypatch.setenv("SUPERVISION_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    password = next(p for u, _, _, _, p in DEMO_USERS if u == "supervisor")
    at.text_input[0].input("supervisor")
    at.text_input[1].input(password)
    next(b for b in at.button if b.label in ("登录", "Log in")).click()
    at.run()
    at.switch_page("pages/publications.py")
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "已发布通报"
    listed = at.dataframe[0].value
    assert listed.shape[0] == 1 and str(WEEK) in str(listed.iloc[0, 0])
    said = " ".join(m.value for m in at.markdown)
    assert "与发布时不同" in said
    assert at.dataframe[1].value.shape[0] >= 1   # the differing figures, court by court
