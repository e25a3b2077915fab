"""The demo generator is deterministic and national; the CLI report has the agreed shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from supervision.data.generator import generate
from supervision.data.reference import national_courts
from tests.conftest import DEMO_END

ROOT = Path(__file__).resolve().parent.parent


def checksum(path: Path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql("""SELECT count(*), sum(hash(case_number || court_code || filed_on
                          || coalesce(closed_on::VARCHAR, '') || amount_applied
                          || coalesce(closing_method, '') || respondent_id)),
                          (SELECT count(*) FROM petitions) FROM cases""").fetchall()[0]
    finally:
        con.close()


def test_same_seed_same_database_other_seed_other_database(tmp_path):
    a, b, c = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    for path, seed in ((a, 3), (b, 3), (c, 4)):
        generate(path, 20_000, seed=seed, end=DEMO_END, progress=lambda m: None)
    assert checksum(a) == checksum(b)
    assert checksum(a) != checksum(c)


def test_demo_data_is_national_and_varied(demo_db):
    # same configuration as the app tests' connection in this process (DuckDB requires it)
    con = duckdb.connect(str(demo_db), read_only=True)
    q = lambda sql: con.sql(sql).fetchall()  # noqa: E731
    assert q("SELECT count(*) FROM courts")[0][0] == national_courts().height
    assert q("SELECT count(DISTINCT province) FROM courts")[0][0] == 32
    # every court has cases, so every court can appear in national ranks
    assert q("SELECT count(*) FROM courts WHERE court_code NOT IN "
             "(SELECT court_code FROM cases)")[0][0] == 0
    names = {r[0] for r in q("SELECT name FROM courts WHERE province = '琼'")}
    assert {"海南省高级人民法院", "海南省海口市中级人民法院", "海南省三亚市中级人民法院",
            "海南省第一中级人民法院", "海南省第二中级人民法院", "海口海事法院"} <= names
    years = q("SELECT DISTINCT year(filed_on) FROM cases ORDER BY 1")
    assert [y[0] for y in years] == [2023, 2024, 2025, 2026]
    share_termination = q("SELECT avg((closing_method = 'terminated_current')::INT) "
                          "FROM cases WHERE closed_on IS NOT NULL")[0][0]
    assert 0.3 < share_termination < 0.7
    # respondents shared across courts; some very large values
    assert q("SELECT max(n) FROM (SELECT count(DISTINCT court_code) n FROM cases "
             "GROUP BY respondent_id)")[0][0] > 1
    assert q("SELECT count(*) FROM cases WHERE amount_applied >= 10000000")[0][0] > 0
    # courts differ: the spread of overall rates among courts with 30+ conclusions
    spread = q("""SELECT max(r) - min(r) FROM (SELECT avg((closing_method = 'fully_performed')::INT) r
                  FROM cases WHERE closed_on >= '2026-01-01' AND closing_method <> 'transferred'
                  GROUP BY court_code HAVING count(*) >= 30)""")[0][0]
    assert spread > 0.3
    con.close()


def test_report_json_has_the_agreed_shape(demo_db, tmp_path):
    db = tmp_path / "report.duckdb"
    db.write_bytes(demo_db.read_bytes())
    proc = subprocess.run([sys.executable, "-m", "supervision", "report", "--db", str(db),
                           "--as-of", "2026-09-30", "--court", "HI720", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["as_of"] == "2026-09-30" and doc["period_start"] == "2026-01-01"
    assert set(doc) == {"as_of", "period_start", "subset", "targets", "courts", "provinces"}
    [court] = doc["courts"]
    for key in ("court_code", "province", "handled", "concluded", "fully_performed",
                "actually_concluded", "overall_rate", "overall_rank", "overall_cutoff",
                "overall_gap", "amount_recovery_rate", "closure_rate", "actual_conclusion_rate",
                "termination_rate", "core", "types"):
        assert key in court, key
    assert set(court["core"]) == {"property_within_limit", "termination_qualified",
                                  "petitions_resolved", "three_year_conclusion"}
    assert set(court["types"]) == {"livelihood", "financial_loan", "private_sme", "government",
                                   "criminal_property"}
    for t in court["types"].values():
        assert {"concluded", "rate", "rank"} <= set(t)
        if t["concluded"] == 0:
            assert t["rate"] is None
    assert court["overall_rate"] == court["fully_performed"] / court["concluded"]
    assert len(doc["provinces"]) == 32
    csv = subprocess.run([sys.executable, "-m", "supervision", "report", "--db", str(db),
                          "--as-of", "2026-09-30", "--format", "csv"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert csv.returncode == 0
    assert csv.stdout.count("\n") == national_courts().height + 1


def report(demo_db, tmp_path, *args: str) -> subprocess.CompletedProcess:
    """`python -m supervision report` on a copy of the demo database, as of 2026-09-30."""
    db = tmp_path / "report-copy.duckdb"
    if not db.exists():
        db.write_bytes(demo_db.read_bytes())
    return subprocess.run([sys.executable, "-m", "supervision", "report", "--db", str(db),
                           "--as-of", "2026-09-30", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_report_refuses_an_unknown_court(demo_db, tmp_path):
    proc = report(demo_db, tmp_path, "--court", "NOPE")
    assert proc.returncode == 2 and "unknown court" in proc.stderr


def test_the_report_takes_the_dashboards_filters_and_matches_it(demo_db, tmp_path):
    """Any figure on a page can be reproduced from the command line: the same filters give
    the same rate, rank, cutoff and gap as the page data."""
    import datetime as dt

    from supervision import views
    from supervision.data.db import connect
    from supervision.domain.filters import Filters
    from supervision.security.access import Access

    proc = report(demo_db, tmp_path, "--court", "HI720", "--case-type",
                  "livelihood,financial_loan", "--value-min", "10000", "--value-max", "1000000",
                  "--priority", "high,normal", "--complexity", "simple,ordinary")
    assert proc.returncode == 0, proc.stderr
    [court] = json.loads(proc.stdout)["courts"]
    f = Filters(as_of=dt.date(2026, 9, 30), case_types=("livelihood", "financial_loan"),
                value_min=10_000.0, value_max=1_000_000.0, priorities=("high", "normal"),
                complexities=("simple", "ordinary"))
    con = connect(tmp_path / "report-copy.duckdb", read_only=True)
    page = views.targets_view(con, Access("s", "supervisor", "HI000", "琼"), f, "HI720")
    con.close()
    # the report ranks the filtered cases: the targets page's analysis of that subset, and
    # says so; no gap, which is official only (the page shows none for a subset either)
    document = json.loads(proc.stdout)
    assert document["subset"] == {
        "case_types": ["livelihood", "financial_loan"], "value_min": 10_000.0,
        "value_max": 1_000_000.0, "priorities": ["high", "normal"],
        "complexities": ["simple", "ordinary"]}
    overall = page["subset"]
    assert court["concluded"] == overall["concluded"]
    assert court["overall_rate"] == overall["rate"]
    assert court["overall_rank"] == overall["rank"] and court["overall_gap"] is None
    assert court["overall_cutoff"] == overall["cutoff"]
    assert court["types"] and all(t["gap"] is None for t in court["types"].values())
    # the CSV says it on every row
    rows = report(demo_db, tmp_path, "--court", "HI720", "--priority", "high", "--format",
                  "csv").stdout.splitlines()
    header, first = rows[0].split(","), rows[1].split(",")
    assert first[header.index("subset")] == "priorities=high"
    assert first[header.index("overall_gap")] == ""
    # and the filter changed something: the unfiltered report differs, is official (no
    # subset) and gives the official gap, the targets page's
    plain = json.loads(report(demo_db, tmp_path).stdout)
    assert plain["subset"] is None
    by_code = {c["court_code"]: c for c in plain["courts"]}
    assert by_code["HI720"]["concluded"] != court["concluded"]
    gapped = [c for c in plain["courts"] if c["overall_gap"] is not None]
    assert gapped, "no ranked court in the demo"
    from supervision.engine.metrics import national_ranks
    con = connect(tmp_path / "report-copy.duckdb", read_only=True)
    official = national_ranks(con, Filters(as_of=dt.date(2026, 9, 30)))
    con.close()
    official_overall = official.filter((official["ranking"] == "overall") & (
        official["court_code"] == gapped[0]["court_code"])).row(0, named=True)
    assert gapped[0]["overall_gap"] == official_overall["gap"]


def test_the_report_refuses_an_unknown_filter_value(demo_db, tmp_path):
    proc = report(demo_db, tmp_path, "--priority", "urgent")
    assert proc.returncode == 2 and "unknown urgent" in proc.stderr


def test_the_default_demo_looks_like_the_nation(tmp_path):
    """At the default 600,000 cases: ≥ 90 % of courts ranked overall, every specific type
    ranked for ≥ 100 courts, the top-20 cutoff between 60 % and 90 %, Haikou Maritime Court
    ranked but short of the top 20 (the demo's story), counted on the generated database."""
    import polars as pl

    from supervision.data.generator import DEFAULT_CASES
    from supervision.domain.filters import Filters
    from supervision.engine import metrics

    db = tmp_path / "demo.duckdb"
    generate(db, DEFAULT_CASES, seed=7, end=DEMO_END, progress=lambda m: None)
    con = duckdb.connect(str(db), read_only=True)
    try:
        ranks = metrics.national_ranks(con, Filters(as_of=DEMO_END))
        courts = con.sql("SELECT count(*) FROM courts").fetchall()[0][0]
    finally:
        con.close()
    per_ranking = {r["ranking"]: r for r in ranks.group_by("ranking").agg(
        ranked=pl.col("is_ranked").sum(), cutoff=pl.col("cutoff").max()).iter_rows(named=True)}
    assert per_ranking["overall"]["ranked"] >= 0.9 * courts, per_ranking["overall"]
    assert 0.6 <= per_ranking["overall"]["cutoff"] <= 0.9, per_ranking["overall"]
    specific = [k for k in per_ranking if k != "overall"]
    assert len(specific) == 5
    for ranking in specific:
        assert per_ranking[ranking]["ranked"] >= 100, (ranking, per_ranking[ranking])
    maritime = ranks.filter((pl.col("ranking") == "overall") & (pl.col("court_code") == "HI720"))
    assert maritime["is_ranked"][0] and not maritime["meets_target"][0]
    assert maritime["concluded"][0] >= 100     # a maritime court: hundreds of cases a year


def test_the_weekly_report_command_writes_a_workbook_and_an_a4_pdf(demo_db, tmp_path):
    """`python -m supervision weekly` on the demo data: exit 0; the XLSX opens again with one
    row per court of the province and its backward cells filled; the PDF is A4 with Noto
    CJK embedded and its text extractable, one row per court."""
    import zipfile

    import fastexcel

    xlsx, pdf = tmp_path / "weekly.xlsx", tmp_path / "weekly.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "supervision", "weekly", "--db", str(demo_db), "--province", "琼",
         "--as-of", DEMO_END.isoformat(), "--xlsx", str(xlsx), "--pdf", str(pdf)],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(demo_db), read_only=True)
    names = [r[0] for r in con.sql("SELECT name FROM courts WHERE province = '琼'").fetchall()]
    con.close()
    book = fastexcel.read_excel(xlsx.read_bytes())
    assert book.sheet_names == ["说明", "每周落后指标通报"]
    report = book.load_sheet(1).to_polars()
    assert sorted(report["法院"].to_list()) == sorted(names)
    assert {"有财产案件法定期限内实际执结率", "实际执行率", "全国排名", "排名较上周", "落后指标",
            "落后指标及原因", "未完成整改"} <= set(report.columns)
    assert 0 <= report["实际执行率"].drop_nulls().min() <= report["实际执行率"].drop_nulls().max() <= 1
    with zipfile.ZipFile(xlsx) as z:
        styles = z.read("xl/styles.xml").decode()
    assert "FDE2D4" in styles.upper()          # backward cells are filled
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "Noto" in fonts and "CJK" in fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "海南省执行工作每周落后指标通报（截至 2026-11-25）" in text
    flat = text.replace("\n", "")
    assert all(name in flat for name in names), [n for n in names if n not in flat]


def test_the_weekly_report_refuses_an_unknown_province(demo_db, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "supervision", "weekly", "--db", str(demo_db), "--province", "火星",
         "--as-of", DEMO_END.isoformat(), "--pdf", str(tmp_path / "x.pdf")],
        capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "unknown province" in done.stderr
    assert not (tmp_path / "x.pdf").exists()
