"""The nightly drop-folder import: good files imported and moved to done/<run>/ with their
rejects, a bad file moved to failed/<run>/ with why, an unnamed file refused, a file still
being written left for the next run, an empty folder recorded as a run; failures in the
audit trail and in the admin page's list."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from supervision.security import audit
from supervision.security.users import DEMO_USERS
from supervision.store import engine
from supervision.workflow import drop_folder

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def setup(demo_db, tmp_path):
    db = tmp_path / "cases.duckdb"
    shutil.copy(demo_db, db)
    folder = tmp_path / "drop"
    folder.mkdir()
    return db, folder


def pending_cases_csv(db: Path, target: Path, *, limit: int, closed_on: str) -> list[str]:
    """A correcting export: `limit` pending cases of Hainan, now fully performed."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        numbers = [r[0] for r in con.execute(
            "SELECT case_number FROM cases JOIN courts USING (court_code) "
            "WHERE province = '琼' AND closed_on IS NULL ORDER BY case_number LIMIT ?",
            [limit]).fetchall()]
        con.execute(f"""COPY (SELECT * EXCLUDE (settlement_ruling_on)
                                REPLACE (DATE '{closed_on}' AS closed_on,
                                         'fully_performed' AS closing_method,
                                         amount_applied AS amount_recovered)
                              FROM cases WHERE case_number IN (SELECT unnest(?)))
                        TO '{target}' (HEADER)""", [numbers])
    finally:
        con.close()
    return numbers


def closed_count(db: Path, numbers: list[str], closed_on: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM cases WHERE case_number IN (SELECT unnest(?)) "
                           "AND closed_on = CAST(? AS DATE)", [numbers, closed_on]
                           ).fetchall()[0][0]
    finally:
        con.close()


def test_good_and_bad_files_are_imported_or_moved_aside_and_recorded(setup):
    db, folder = setup
    store = engine()
    numbers = pending_cases_csv(db, folder / "cases_2026-11-25.csv", limit=40,
                                closed_on="2026-11-20")
    # a file with one bad row among good ones: imported, its rejects beside it
    good = (folder / "cases_2026-11-25.csv").read_text(encoding="utf-8").splitlines()
    header, first = good[0], good[1].split(",")
    first[0] = "（2026）琼999执1号"
    first[4] = "not a date"
    (folder / "cases-extra.csv").write_text("\n".join([header, ",".join(first)]) + "\n",
                                            encoding="utf-8")
    (folder / "petitions.csv").write_text("no,such,columns\n1,2,3\n", encoding="utf-8")
    (folder / "readme.txt").write_text("<b>not data</b>", encoding="utf-8")
    since = int(audit.entries(store, limit=1)["id"].max() or 0)

    summary = drop_folder.run(folder, db, store, None, settle_seconds=0)

    run = summary["run"]
    by_file = {f["file"]: f for f in summary["files"]}
    assert set(by_file) == {"cases_2026-11-25.csv", "cases-extra.csv", "petitions.csv",
                            "readme.txt"}
    corrected = by_file["cases_2026-11-25.csv"]
    assert corrected["state"] == "done"
    assert corrected["figures"]["stored"] == corrected["figures"]["updated"] == 40
    assert closed_count(db, numbers, "2026-11-20") == 40   # read back from the database
    assert (folder / "done" / run / "cases_2026-11-25.csv").exists()
    extra = by_file["cases-extra.csv"]
    assert extra["state"] == "done" and extra["figures"]["rejected"] == 1
    assert (folder / "done" / run / "cases-extra.csv.rejects.csv").exists()
    for name in ("petitions.csv", "readme.txt"):
        assert by_file[name]["state"] == "failed"
        assert (folder / "failed" / run / name).exists()
        assert (folder / "failed" / run / f"{name}.error.txt").read_text(encoding="utf-8")
    assert "missing required column" in by_file["petitions.csv"]["error"]
    assert "names no table" in by_file["readme.txt"]["error"]
    assert sorted(p.name for p in folder.iterdir()) == [".drop-import.lock", "done", "failed"]

    trail = audit.entries(store, limit=50).filter(audit.entries(store, limit=50)["id"] > since)
    events = trail["event"].to_list()
    assert events.count("import") == 2 and events.count("import_failed") == 2
    [run_entry] = trail.filter(trail["event"] == "drop_import").iter_rows(named=True)
    detail = json.loads(run_entry["detail"])
    assert (detail["done"], detail["failed"], detail["run"]) == (2, 2, run)

    shown = drop_folder.runs(store)
    failures = shown.filter((shown["run"] == run) & (shown["state"] == "failed"))
    assert sorted(failures["file"].to_list()) == ["petitions.csv", "readme.txt"]


def test_an_empty_folder_is_a_run_and_a_file_being_written_waits(setup):
    db, folder = setup
    store = engine()
    before = db.read_bytes()
    (folder / "cases_today.csv").write_text("case_number\n", encoding="utf-8")
    (folder / "courts.csv.part").write_text("x", encoding="utf-8")
    env = {**os.environ}
    done = subprocess.run([sys.executable, "-m", "supervision", "drop-import", "--folder",
                           str(folder), "--db", str(db)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert "no file waiting" in done.stdout
    # written just now (settling, default 60 s) or still being uploaded: left in place
    assert (folder / "cases_today.csv").exists() and (folder / "courts.csv.part").exists()
    assert not (folder / "done").exists() and not (folder / "failed").exists()
    assert db.read_bytes() == before
    entry = audit.entries(store, limit=1, event="drop_import").row(0, named=True)
    detail = json.loads(entry["detail"])
    assert (detail["folder"], detail["files"], detail["done"], detail["failed"]) == (
        str(folder), [], 0, 0)


def test_the_admin_page_shows_the_runs_and_their_failures(setup, monkeypatch):
    db, folder = setup
    (folder / "courts_bad.csv").write_text("<script>x</script>\n", encoding="utf-8")
    summary = drop_folder.run(folder, db, engine(), None, settle_seconds=0)
    monkeypatch.setenv("SUPERVISION_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.text_input[0].input("admin")
    at.text_input[1].input(next(p for u, _, _, _, p in DEMO_USERS if u == "admin"))
    next(b for b in at.button if b.label in ("登录", "Log in")).click()
    at.run()
    assert not at.exception, at.exception
    # the newest run first (other tests' runs in this store may follow)
    assert any("个文件导入失败" in e.value for e in at.error)
    failed = next(d.value for d in at.dataframe if "原因" in d.value.columns)
    assert failed["文件"].tolist()[0] == "courts_bad.csv"
    assert failed["批次"].tolist()[0] == summary["run"]
