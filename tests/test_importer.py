"""The importer on every class of input: good files in each format and encoding, bad rows,
repeats, and files that cannot be read at all (database unchanged)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from supervision.data.importer import UnreadableFile, import_files
from supervision.domain.filters import Filters
from supervision.engine.metrics import court_counts
from tests.conftest import make_db

ROOT = Path(__file__).resolve().parent.parent

HEADER_EN = ("case_number,court_code,case_kind,case_type,filed_on,closed_on,closing_method,"
             "amount_applied,amount_recovered,has_property,priority,complexity,respondent_id,"
             "respondent_name,respondent_kind,judge,notice_served,consumption_restricted,"
             "dishonest_listed,network_inquiry_done,site_investigation_done,applicant_informed")
HEADER_ZH = ("案号,法院代码,案件类别,案件类型,立案日期,结案日期,结案方式,申请执行标的额,执行到位金额,"
             "有财产可供执行,优先级,复杂程度,被执行人证件号,被执行人,被执行人类型,承办人,执行通知,"
             "限制消费,纳入失信,网络查控,现场调查,告知申请人")
GOOD_EN = [
    "（2026）琼1执1号,A,first,loan,2026-01-05,2026-03-01,fully_performed,10000,10000,true,high,"
    "simple,R1,张三,person,王法官,,,,,,",
    "（2026）琼1执2号,A,resumed,wage,2026/1/6,,,2500.5,,false,,,R2,某公司,enterprise,,,,,,,",
    "（2026）琼1执3号,B,first,other,2026年1月7日,2026年5月8日,terminated_current,\"1,000\",0,否,"
    "low,complex,R3,某局,government,李法官,true,true,true,true,true,true",
]
GOOD_ZH = [
    "（2025）琼2执1号,A,首次执行,金融借款,2025-02-01,2025-06-30,执行完毕,5000,5000,是,高,简单,"
    "P1,王五,自然人,,,,,,,",
    "（2025）琼2执2号,B,恢复执行,loan,2025/3/1,2025/9/1,终结本次执行程序,800,0,否,低,复杂,P2,"
    "某厂,企业,,是,是,否,是,是,是",
]


def write_csv(path: Path, header: str, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def table(db: Path, name: str) -> pl.DataFrame:
    """A table of the served database, read back through a read-only connection."""
    key = {"cases": "case_number", "petitions": "petition_id", "courts": "court_code",
           "provinces": "province"}[name]
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(f"SELECT * FROM {name} ORDER BY {key}").pl()
    finally:
        con.close()


@pytest.fixture
def db_path(tmp_path):
    con = make_db(tmp_path / "import.duckdb")
    con.close()
    return tmp_path / "import.duckdb"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "supervision", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_good_csv_is_stored_and_reimport_changes_nothing(tmp_path, db_path):
    f = write_csv(tmp_path / "cases.csv", HEADER_EN, GOOD_EN)
    first = run_cli("import", "--db", str(db_path), "--cases", str(f))
    assert first.returncode == 0, first.stderr
    assert "3 rows, 3 stored, 0 rejected" in first.stdout
    before = table(db_path, "cases")
    assert before.height == 3
    row = before.filter(pl.col("case_number") == "（2026）琼1执3号").row(0, named=True)
    assert str(row["filed_on"]) == "2026-01-07" and str(row["closed_on"]) == "2026-05-08"
    assert float(row["amount_applied"]) == 1000.0 and row["has_property"] is False
    second = run_cli("import", "--db", str(db_path), "--cases", str(f))
    assert second.returncode == 0
    assert "3 rows, 3 stored, 0 rejected (stored: 0 new, 0 updated, 3 unchanged)" in second.stdout
    assert table(db_path, "cases").equals(before)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_chinese_headers_and_values_in_each_encoding(tmp_path, db_path, encoding):
    f = write_csv(tmp_path / "zh.csv", HEADER_ZH, GOOD_ZH, encoding)
    [result] = import_files(db_path, {"cases": f})
    assert (result.rows, result.stored, result.rejected_rows) == (2, 2, 0)
    stored = table(db_path, "cases")
    assert stored["case_type"].to_list() == ["loan", "loan"]      # 金融借款 is loan's name
    assert stored["closing_method"].to_list() == ["fully_performed", "terminated_current"]
    assert stored["priority"].to_list() == ["high", "low"]
    assert stored["dishonest_listed"].to_list() == [None, False]


def test_xlsx_and_parquet(tmp_path, db_path):
    frame = pl.read_csv(write_csv(tmp_path / "src.csv", HEADER_EN, GOOD_EN), infer_schema=False)
    frame.write_excel(tmp_path / "cases.xlsx")
    typed = frame.with_columns(pl.col("filed_on").str.replace_all("/", "-"))
    typed.write_parquet(tmp_path / "cases.parquet")
    [x] = import_files(db_path, {"cases": tmp_path / "cases.xlsx"})
    assert (x.stored, x.new, x.rejected_rows) == (3, 3, 0)
    # the same case numbers again from Parquet: updated in place, still three cases
    [p] = import_files(db_path, {"cases": tmp_path / "cases.parquet"})
    assert (p.stored, p.new, p.rejected_rows) == (3, 0, 0)
    assert table(db_path, "cases").height == 3


def test_parquet_with_typed_columns(tmp_path, db_path):
    import datetime as dt

    pl.DataFrame({
        "case_number": ["p1"], "court_code": ["A"], "case_kind": ["first"], "case_type": ["loan"],
        "filed_on": [dt.date(2026, 1, 2)], "closed_on": [None], "amount_applied": [12.5],
        "has_property": [True], "respondent_id": ["R"], "respondent_name": ["某"],
        "respondent_kind": ["person"],
    }).write_parquet(tmp_path / "typed.parquet")
    [r] = import_files(db_path, {"cases": tmp_path / "typed.parquet"})
    assert (r.stored, r.rejected_rows) == (1, 0)
    assert str(table(db_path, "cases")["filed_on"][0]) == "2026-01-02"


BAD_ROWS = {
    "bad date": "x1,A,first,loan,2026-13-01,,,100,,true,,,R,某,person,,,,,,,",
    "negative amount": "x2,A,first,loan,2026-01-01,,,-5,,true,,,R,某,person,,,,,,,",
    "unknown court": "x3,ZZ,first,loan,2026-01-01,,,100,,true,,,R,某,person,,,,,,,",
    "unknown type": "x4,A,first,nope,2026-01-01,,,100,,true,,,R,某,person,,,,,,,",
    "closed without method": "x5,A,first,loan,2026-01-01,2026-02-01,,100,,true,,,R,某,person,,,,,,,",
    "method without date": "x6,A,first,loan,2026-01-01,,withdrawn,100,,true,,,R,某,person,,,,,,,",
    "closed before filed": "x7,A,first,loan,2026-03-01,2026-02-01,withdrawn,100,,true,,,R,某,person,,,,,,,",
    "bad boolean": "x8,A,first,loan,2026-01-01,,,100,,maybe,,,R,某,person,,,,,,,",
    "missing respondent": "x9,A,first,loan,2026-01-01,,,100,,true,,,,,person,,,,,,,",
    "bad priority": "x10,A,first,loan,2026-01-01,,,100,,true,urgent,,R,某,person,,,,,,,",
}


def test_every_bad_row_is_reported_with_its_reason(tmp_path, db_path):
    repeat = GOOD_EN[0].replace("10000,10000", "20000,0")   # same case number, other values
    too_long = GOOD_EN[1].replace("2号", "9号") + ",extra,fields"
    too_short = "x12,A,first"
    rows = [*GOOD_EN, *BAD_ROWS.values(), repeat, too_long, too_short]
    f = write_csv(tmp_path / "mixed.csv", HEADER_EN, rows)
    proc = run_cli("import", "--db", str(db_path), "--cases", str(f), "--rejects-dir",
                   str(tmp_path / "out"))
    rejects_path = tmp_path / "out" / "mixed.csv.rejects.csv"  # named after its file
    assert proc.returncode == 1, proc.stderr
    assert f"{len(rows)} rows, 3 stored, {len(rows) - 3} rejected" in proc.stdout
    rejects = pl.read_csv(rejects_path, infer_schema=False)
    assert set(rejects.columns) == {"file", "row", "column", "value", "reason"}
    # stored + reported = rows in the file
    assert rejects["row"].n_unique() + 3 == len(rows)
    reasons = {int(r["row"]): (r["column"], r["reason"]) for r in rejects.iter_rows(named=True)}
    row_of = {name: i + 2 + len(GOOD_EN) for i, name in enumerate(BAD_ROWS)}
    assert reasons[row_of["bad date"]][0] == "filed_on"
    assert reasons[row_of["negative amount"]][0] == "amount_applied"
    assert reasons[row_of["unknown court"]] == ("court_code", "unknown court code")
    assert reasons[row_of["unknown type"]] == ("case_type", "unknown case type")
    assert "closing method" in reasons[row_of["closed without method"]][1]
    assert "closing date" in reasons[row_of["method without date"]][1]
    assert "before the filing date" in reasons[row_of["closed before filed"]][1]
    assert reasons[row_of["bad boolean"]][0] == "has_property"
    assert reasons[row_of["bad priority"]][0] == "priority"
    assert {c for c, _ in [reasons[row_of["missing respondent"]]]} <= {"respondent_id",
                                                                        "respondent_name"}
    repeat_row = len(rows) - 1  # header is row 1, data row i is file row i + 1
    assert reasons[repeat_row] == ("case_number", "repeated in this file; row 2 is stored")
    assert reasons[repeat_row + 1][1] == "row has 24 fields, the header has 22"
    assert reasons[repeat_row + 2][1] == "row has 3 fields, the header has 22"
    stored = table(db_path, "cases")
    # the first occurrence was stored, not the repeat
    first = stored.filter(pl.col("case_number") == "（2026）琼1执1号")
    assert float(first["amount_applied"][0]) == 10000.0


def _snapshot(db_path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    return table(db_path, "cases"), table(db_path, "petitions")


@pytest.mark.parametrize("kind", ["missing file", "missing column", "empty", "header only",
                                  "binary", "not gbk or utf8"])
def test_unreadable_files_exit_2_with_one_line_and_change_nothing(tmp_path, db_path, kind):
    good = write_csv(tmp_path / "good.csv", HEADER_EN, GOOD_EN)
    [stored] = import_files(db_path, {"cases": good})    # the setup; the bad file by the CLI
    assert stored.rejected_rows == 0
    before = _snapshot(db_path)
    bad = tmp_path / "bad.csv"
    if kind == "missing column":
        write_csv(bad, HEADER_EN.replace("filed_on,", ""),
                  [r.replace(",2026-01-05", "") for r in GOOD_EN[:1]])
    elif kind == "empty":
        bad.write_bytes(b"")
    elif kind == "header only":
        bad.write_text(HEADER_EN + "\n", encoding="utf-8")
    elif kind == "binary":
        bad.write_bytes(bytes(range(256)) * 40)
    elif kind == "not gbk or utf8":
        bad.write_bytes(b"\xff\xfe\xfa" * 100)
    # a good petitions file alongside: nothing of it may be stored either
    petitions = tmp_path / "petitions.csv"
    petitions.write_text("petition_id,case_number,received_on,resolved_on\n"
                         "XF1,（2026）琼1执1号,2026-02-01,\n", encoding="utf-8")
    proc = run_cli("import", "--db", str(db_path), "--cases", str(bad),
                   "--petitions", str(petitions))
    if kind == "header only":
        # a header with no rows is readable: zero rows, nothing to reject
        assert proc.returncode == 0, proc.stderr
        return
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith("error: ")
    if kind == "missing column":
        assert "立案日期 (filed_on)" in proc.stderr
    after = _snapshot(db_path)
    assert after[0].equals(before[0]) and after[1].equals(before[1])


def test_petitions_must_refer_to_a_known_case(tmp_path, db_path):
    cases = write_csv(tmp_path / "cases.csv", HEADER_EN, GOOD_EN)
    petitions = tmp_path / "petitions.csv"
    petitions.write_text(
        "信访编号,案号,收到日期,办结日期\n"
        "XF1,（2026）琼1执1号,2026-02-01,2026-02-10\n"
        "XF2,（2099）不存在,2026-02-01,\n"
        "XF3,（2026）琼1执2号,2026-02-01,2026-01-01\n", encoding="utf-8")
    results = import_files(db_path, {"cases": cases, "petitions": petitions})
    p = results[-1]
    assert (p.rows, p.stored, p.rejected_rows) == (3, 1, 2)
    assert set(p.rejects["reason"]) == {"no such case in the database or this import",
                                        "resolved before it was received"}
    assert table(db_path, "petitions")["petition_id"].to_list() == ["XF1"]


def test_reference_tables_import(tmp_path, db_path):
    courts = tmp_path / "courts.csv"
    courts.write_text("court_code,name,name_en,province,level,kind\n"
                      "N1,新法院,New Court,闽,basic,general\n"
                      "N2,坏法院,Bad,闽,supreme,general\n", encoding="utf-8")
    types = tmp_path / "types.csv"
    types.write_text("code,name,name_en,specific\nnew_type,新类型,New,true\n", encoding="utf-8")
    cases = write_csv(tmp_path / "cases.csv", HEADER_EN,
                      ["z1,N1,first,new_type,2026-01-01,,,5,,true,,,R,某,person,,,,,,,"])
    results = import_files(db_path, {"courts": courts, "case_types": types, "cases": cases})
    assert [(r.stored, r.rejected_rows) for r in results] == [(1, 1), (1, 0), (1, 0)]
    provinces = table(db_path, "provinces")
    assert provinces.filter(pl.col("province") == "闽")["name"].to_list() == ["闽"]


def test_unreadable_error_is_raised_before_any_write(tmp_path, db_path):
    before = db_path.stat().st_mtime_ns
    with pytest.raises(UnreadableFile, match="no such file"):
        import_files(db_path, {"cases": tmp_path / "absent.csv"})
    assert db_path.stat().st_mtime_ns == before
    assert not list(tmp_path.glob("*.next"))


# ---------------------------------------------------------------- more than one row group


def _many_cases(n: int, judge: str) -> pl.DataFrame:
    """n valid cases in English headers (DuckDB row groups hold 122,880 rows)."""
    i = pl.int_range(0, n, eager=True)
    return pl.DataFrame({
        "case_number": "big-" + i.cast(pl.String), "court_code": pl.Series(["A", "B"] * (n // 2)),
        "case_kind": "first", "case_type": "loan", "filed_on": "2026-01-05",
        "amount_applied": (i % 997 * 100 + 1).cast(pl.String), "has_property": "true",
        "respondent_id": "R" + (i % 5000).cast(pl.String), "respondent_name": "某某",
        "respondent_kind": "person", "judge": judge,
    })


def test_more_than_two_row_groups_insert_and_update_every_row(tmp_path, db_path):
    n = 250_000
    f = tmp_path / "big.csv"
    _many_cases(n, "王法官").write_csv(f)
    [first] = import_files(db_path, {"cases": f})
    assert (first.rows, first.stored, first.new, first.updated) == (n, n, n, 0)
    counted = duckdb.connect(str(db_path), read_only=True)
    assert counted.sql("SELECT count(*), count(DISTINCT judge) FROM cases").fetchall() == [(n, 1)]
    counted.close()
    # the same cases with another judge: every row updated in place
    _many_cases(n, "李法官").write_csv(f)
    proc = run_cli("import", "--db", str(db_path), "--cases", str(f))
    assert proc.returncode == 0, proc.stderr
    assert f"{n:,} rows, {n:,} stored, 0 rejected (stored: 0 new, {n:,} updated" in proc.stdout
    counted = duckdb.connect(str(db_path), read_only=True)
    assert counted.sql("SELECT judge, count(*) FROM cases GROUP BY judge").fetchall() == [
        ("李法官", n)]
    counted.close()


def _definition(db: Path, name: str) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = ?",
                           [name]).fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.parametrize("changed, rebuilt", [(1, False), (5, True)])
def test_a_correction_replaces_exactly_the_changed_rows_on_either_path(
        tmp_path, db_path, monkeypatch, changed, rebuilt):
    """20 cases, then a file that leaves the first 4 out, gives `changed` of the others
    another judge and adds 4: 1 of 20 is replaced row by row, 5 of 20 (a quarter, over
    REBUILD_SHARE) by writing the table anew. Either way the table holds exactly the file's
    rows and the 4 it left out, unchanged, and keeps its key, references and checks."""
    from supervision.data import importer

    assert 1 < importer.REBUILD_SHARE * 20 <= 5   # the two cases fall on either side
    f = tmp_path / "cases.csv"
    stored = _many_cases(20, "王法官")
    stored.write_csv(f)
    import_files(db_path, {"cases": f})
    definition = _definition(db_path, "cases")
    corrected = _many_cases(24, "王法官").slice(4).with_columns(
        judge=pl.when(pl.int_range(0, 20) < changed).then(pl.lit("李法官"))
        .otherwise(pl.col("judge")))
    corrected.write_csv(f)
    calls: list[bool] = []
    real = importer._rebuilt
    monkeypatch.setattr(importer, "_rebuilt", lambda *a: calls.append(real(*a)) or calls[-1])
    [report] = import_files(db_path, {"cases": f})
    assert calls == ([True] if rebuilt else [])
    assert (report.rows, report.stored, report.new, report.updated) == (20, 20, 4, changed)
    expected = pl.concat([stored.head(4), corrected]).sort("case_number")
    now = table(db_path, "cases").sort("case_number")
    assert now["case_number"].to_list() == expected["case_number"].to_list()
    assert now["judge"].to_list() == expected["judge"].to_list()
    assert _definition(db_path, "cases") == definition
    # the file's own macros (as the server's cursors use them), which name the table, read
    # the table that replaced it
    served = duckdb.connect(str(db_path), read_only=True)
    counts = court_counts(served, Filters(as_of=dt.date(2026, 3, 1)), None)
    served.close()
    assert counts.filter(pl.col("court_code").is_in(["A", "B"]))["pending"].sum() == 24
    con = duckdb.connect(str(db_path))
    row = ("'big-0', 'A', 'first', 'loan', DATE '2026-01-05', NULL, NULL, 1, 0, true, 'normal', "
           "'ordinary', 'R', '某', 'person', NULL" + ", NULL" * 9)
    with pytest.raises(duckdb.ConstraintException, match="[Dd]uplicate key"):
        con.execute(f"INSERT INTO cases VALUES ({row})")
    with pytest.raises(duckdb.ConstraintException, match="[Ff]oreign key"):
        unknown_kind = row.replace("'first'", "'third'").replace("'big-0'", "'big-99'")
        con.execute(f"INSERT INTO cases VALUES ({unknown_kind})")
    con.close()


def test_a_write_the_database_does_not_keep_fails_the_import(tmp_path, db_path, monkeypatch):
    """The importer trusts the database, not itself: when the committed table lacks what
    was written (as DuckDB 2.0.0 did past one row group), the import fails and the served
    file is unchanged."""
    from supervision.data import importer

    good = write_csv(tmp_path / "good.csv", HEADER_EN, GOOD_EN)
    real_apply = importer._apply

    def lossy_apply(con, table, *counts):
        updates = real_apply(con, table, *counts)
        con.execute(f"DELETE FROM {table} WHERE case_number LIKE '%2号'")
        return updates

    monkeypatch.setattr(importer, "_apply", lossy_apply)
    before = db_path.read_bytes()
    with pytest.raises(importer.ImportMismatch, match="3 valid rows were written, but the "
                                                      "database holds 2"):
        import_files(db_path, {"cases": good})
    assert db_path.read_bytes() == before


# ---------------------------------------------------------------- bad values and files


def test_overflowing_amounts_are_rejected_rows_not_a_crash(tmp_path, db_path):
    rows = [*GOOD_EN,
            "o1,A,first,loan,2026-01-01,,,1e400,,true,,,R,某,person,,,,,,,",
            "o2,A,first,loan,2026-01-01,,,1e20,,true,,,R,某,person,,,,,,,",
            "o3,A,first,loan,2026-01-01,,,100,1e17,true,,,R,某,person,,,,,,,",
            "o4,A,first,loan,2026-01-01,,,9999999999999999.99,,true,,,R,某,person,,,,,,,",
            "o5,A,first,loan,2026-01-01,,,NaN,,true,,,R,某,person,,,,,,,"]
    f = write_csv(tmp_path / "overflow.csv", HEADER_EN, rows)
    [r] = import_files(db_path, {"cases": f})
    assert (r.rows, r.stored, r.rejected_rows) == (8, 3, 5)
    assert set(r.rejects["value"]) == {"1e400", "1e20", "1e17", "9999999999999999.99", "NaN"}
    assert table(db_path, "cases").height == 3


def test_a_big5_file_is_refused_not_garbled(tmp_path, db_path):
    text = "\n".join([HEADER_ZH, *GOOD_ZH]).replace("琼", "瓊")  # traditional text
    f = tmp_path / "big5.csv"
    f.write_bytes(text.encode("big5", errors="replace"))
    proc = run_cli("import", "--db", str(db_path), "--cases", str(f))
    assert proc.returncode == 2
    assert "cannot tell its text encoding" in proc.stderr
    assert "UTF-8 (with or without BOM) or GBK/GB18030" in proc.stderr
    assert table(db_path, "cases").height == 0


def test_gbk_with_rare_name_characters_is_still_read(tmp_path, db_path):
    rows = [r.replace("王五", "王喆").replace("某厂", "李堃") for r in GOOD_ZH]
    f = write_csv(tmp_path / "gbk.csv", HEADER_ZH, rows, "gbk")
    [r] = import_files(db_path, {"cases": f})
    assert r.stored == 2
    assert set(table(db_path, "cases")["respondent_name"]) == {"王喆", "李堃"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_file_is_named_as_such(tmp_path, db_path, encoding):
    f = write_csv(tmp_path / "u16.csv", HEADER_EN, GOOD_EN, encoding)
    proc = run_cli("import", "--db", str(db_path), "--cases", str(f))
    assert proc.returncode == 2
    assert "UTF-16 text" in proc.stderr and "binary" not in proc.stderr


def test_rejects_beyond_the_cap_are_counted_per_reason(tmp_path, db_path):
    from supervision.data.importer import write_rejects

    bad = [f"c{i},A,first,loan,2026-02-30,,,100,,true,,,R,某,person,,,,,,," for i in range(30)]
    court = [f"d{i},ZZ,first,loan,2026-02-01,,,100,,true,,,R,某,person,,,,,,," for i in range(7)]
    f = write_csv(tmp_path / "capped.csv", HEADER_EN, [*GOOD_EN, *bad, *court])
    [r] = import_files(db_path, {"cases": f}, reject_cap=10)
    assert (r.rows, r.stored, r.rejected_rows, r.rejects_listed) == (40, 3, 37, 10)
    out = tmp_path / "capped.csv.rejects.csv"
    assert write_rejects(r, out) == 12
    written = pl.read_csv(out, infer_schema=False)
    summary = written.filter(pl.col("row").is_null())
    assert sorted(zip(summary["column"], summary["value"], strict=True)) == [
        ("court_code", "7 more not listed"), ("filed_on", "20 more not listed")]


def test_rejects_files_are_named_after_the_file_they_describe(tmp_path, db_path):
    courts = tmp_path / "courts.csv"
    courts.write_text("court_code,name,name_en,province,level,kind\n"
                      "N1,新法院,New Court,闽,basic,general\n", encoding="utf-8")
    cases = write_csv(tmp_path / "cases.csv", HEADER_EN, [*GOOD_EN, BAD_ROWS["bad date"]])
    proc = run_cli("import", "--db", str(db_path), "--courts", str(courts), "--cases", str(cases))
    assert proc.returncode == 1
    assert (tmp_path / "cases.csv.rejects.csv").exists()
    assert not (tmp_path / "courts.csv.rejects.csv").exists()


def test_blank_lines_and_crlf_keep_the_row_numbers_a_user_sees(tmp_path, db_path):
    body = "\r\n".join([HEADER_EN, GOOD_EN[0], "", BAD_ROWS["bad date"], GOOD_EN[1]]) + "\r\n"
    f = tmp_path / "crlf.csv"
    f.write_bytes(body.encode("utf-8"))
    [r] = import_files(db_path, {"cases": f})
    assert (r.rows, r.stored, r.rejected_rows) == (3, 2, 1)
    assert r.rejects["row"].to_list() == [4]
    assert table(db_path, "cases")["judge"].to_list()[0] == "王法官"  # no trailing \r


def test_quoted_fields_with_line_breaks_keep_their_row_numbers(tmp_path, db_path):
    multi = GOOD_EN[0].replace("王法官", '"王\n法官"')
    f = write_csv(tmp_path / "quoted.csv", HEADER_EN, [multi, BAD_ROWS["bad date"]])
    [r] = import_files(db_path, {"cases": f})
    assert (r.rows, r.stored, r.rejected_rows) == (2, 1, 1)
    assert r.rejects["row"].to_list() == [4]   # the record ends on line 4
    assert table(db_path, "cases")["judge"].to_list() == ["王\n法官"]


# ---------------------------------------------------------------- imports while serving


def test_an_import_succeeds_while_the_app_reads_and_readers_switch_to_the_new_data(
        tmp_path, db_path):
    reader = duckdb.connect(str(db_path), read_only=True)   # as the app holds it
    assert reader.sql("SELECT count(*) FROM cases").fetchall() == [(0,)]
    f = write_csv(tmp_path / "cases.csv", HEADER_EN, GOOD_EN)
    proc = run_cli("import", "--db", str(db_path), "--cases", str(f))
    assert proc.returncode == 0, proc.stderr
    # the open connection keeps its consistent old version; a new one sees the new data
    assert reader.sql("SELECT count(*) FROM cases").fetchall() == [(0,)]
    reader.close()
    assert table(db_path, "cases").height == 3


def test_an_import_killed_half_way_leaves_the_served_data_and_the_next_one_succeeds(
        tmp_path, db_path):
    import hashlib
    import signal
    import time

    good = write_csv(tmp_path / "good.csv", HEADER_EN, GOOD_EN)
    assert run_cli("import", "--db", str(db_path), "--cases", str(good)).returncode == 0
    served = hashlib.sha256(db_path.read_bytes()).hexdigest()
    big = tmp_path / "big.csv"
    _many_cases(400_000, "赵法官").write_csv(big)
    proc = subprocess.Popen([sys.executable, "-m", "supervision", "import", "--db",
                             str(db_path), "--cases", str(big)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    work = db_path.with_name(db_path.name + ".next")
    deadline = time.time() + 60
    while not work.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(0.3)     # into the batches
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == served
    assert table(db_path, "cases").height == 3
    again = run_cli("import", "--db", str(db_path), "--cases", str(big))
    assert again.returncode == 0, again.stderr
    assert table(db_path, "cases").height == 400_003
    assert not work.exists()


def test_a_repeated_header_is_ignored_and_named_not_a_crash(tmp_path, db_path):
    header = HEADER_EN + ",judge"
    f = write_csv(tmp_path / "dup.csv", header, [r + ",别的法官" for r in GOOD_EN])
    [r] = import_files(db_path, {"cases": f})
    assert (r.rows, r.stored, r.rejected_rows) == (3, 3, 0)
    assert r.ignored_columns == ["judge (2)"]
    assert "别的法官" not in set(table(db_path, "cases")["judge"])


ISO_CELLS = ["2026-01-05", " 2026-12-31 ", "2024-02-29", None, "", "2026-02-30", "2026-13-01",
             "20260-01-05", "2026-1-05",
             # a bare ISO parse reads these two (as 2026-01-05 and the year 26); the
             # general parser, hence the fast path, does not
             "+2026-01-05", "26-01-05"]
OTHER_CELLS = ["2026/1/5", "2026年1月5日", "2026-01-05 00:00:00"]


@pytest.mark.parametrize("cells", [ISO_CELLS[:5], ISO_CELLS[:5] + ISO_CELLS[-2:], ISO_CELLS,
                                   ISO_CELLS + OTHER_CELLS],
                         ids=["all ISO", "ISO and near-ISO", "ISO and invalid",
                              "mixed spellings"])
def test_the_iso_fast_path_reads_every_date_as_the_general_parser(cells):
    from supervision.data import importer

    frame = pl.DataFrame({"d": cells}, schema={"d": pl.String}).with_columns(
        pl.col("d").alias("_raw_d"))
    fast = frame.select(importer._dates(frame, ["d"])["d"].alias("d"))["d"]
    general = frame.select(importer._parse_date(pl.col("d").str.strip_chars()).alias("d"))["d"]
    assert fast.to_list() == general.to_list()
    # worked out by hand: the valid ones, and nothing invented for the rest
    expected = {"2026-01-05": "2026-01-05", " 2026-12-31 ": "2026-12-31",
                "2024-02-29": "2024-02-29", "2026/1/5": "2026-01-05",
                "2026年1月5日": "2026-01-05", "2026-01-05 00:00:00": "2026-01-05",
                "2026-1-05": "2026-01-05"}
    assert [None if d is None else d.isoformat() for d in fast] == [
        expected.get(c) for c in cells]


def test_an_impossible_iso_date_is_rejected_with_its_reason(tmp_path, db_path):
    # every date of the file in ISO form: the fast path's batch
    rows = [GOOD_EN[0], GOOD_EN[0].replace("1执1号", "1执9号").replace("2026-01-05", "2026-02-30")]
    f = write_csv(tmp_path / "dates.csv", HEADER_EN, rows)
    [report] = import_files(db_path, {"cases": f})
    assert (report.stored, report.rejected_rows) == (1, 1)
    assert report.rejects.select("row", "column", "reason").row(0) == (
        3, "filed_on", "not a date (use 2020-09-30, 2020/9/30 or 2020年9月30日)")
