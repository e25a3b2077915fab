"""Import and export at scale (10 million cases): the deeper import benchmark behind
`make bench` (bench/bench.py). Prints figures; asserts nothing.

Each phase runs in its own Python process so its peak memory (max RSS) is its own:
  generate   build a 10M-case database
  export     write 1M cases of it to a CSV (input for the import phases)
  import_new import the 1M-row CSV into an empty database (insert path)
  import_upd import the same CSV, judges changed, into the 10M database (update path)
  export_all write every case to one CSV
  import_all import that CSV (10M rows at full scale) into an empty database
  xlsx_write write 1,048,575 cases to an XLSX (the format's limit)
  xlsx       import that XLSX into an empty database
  report     the full national report (every court) as of the end date

Import figures are the importer's read-back counts, checked again here against a fresh
read-only connection to the database file after the import: a phase fails when they
disagree.

Usage: python bench/bench_scale.py [--cases 10000000] [--out bench/out] [--phases ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
END = dt.date(2026, 11, 25)
PHASES = ["generate", "export", "import_new", "import_upd", "export_all", "import_all",
          "xlsx_write", "xlsx", "report"]
XLSX_ROWS = 1_048_575


def _count(path: Path, sql: str) -> int:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def _empty_database(path: Path) -> None:
    from supervision.data.db import connect
    from supervision.data.reference import install_reference

    path.unlink(missing_ok=True)
    con = connect(path)
    install_reference(con)
    con.close()


def _file_vs_database(target: Path, source: Path) -> tuple[int, int]:
    """Independently of the importer (DuckDB reads the CSV itself): how many of the file's
    case numbers are missing from the database, and how many stored rows have another
    judge than the file."""
    if source.suffix != ".csv":
        return -1, -1
    import duckdb

    con = duckdb.connect(str(target), read_only=True)
    try:
        return con.execute(f"""
            SELECT count(*) FILTER (WHERE c.case_number IS NULL),
                   count(*) FILTER (WHERE c.case_number IS NOT NULL
                                    AND c.judge IS DISTINCT FROM f.judge)
            FROM read_csv('{source}', all_varchar = true) f
            LEFT JOIN cases c USING (case_number)""").fetchall()[0]
    finally:
        con.close()


def _timed_import(target: Path, source: Path) -> dict:
    """Import `source` into `target`; the figures are checked against the file afterwards."""
    from supervision.data.importer import import_files

    before = _count(target, "SELECT count(*) FROM cases")
    missing_before, differing_before = _file_vs_database(target, source)
    started = time.perf_counter()
    [r] = import_files(target, {"cases": source})
    seconds = time.perf_counter() - started
    after = _count(target, "SELECT count(*) FROM cases")
    missing_after, differing_after = _file_vs_database(target, source)
    if after - before != r.new:
        raise SystemExit(f"importer said {r.new:,} new rows, the database gained {after - before:,}")
    if missing_before >= 0 and (missing_after, differing_after) != (0, 0):
        raise SystemExit(f"after the import {missing_after:,} rows of the file are missing and "
                         f"{differing_after:,} differ")
    if missing_before >= 0 and (r.new, r.updated) != (missing_before, differing_before):
        raise SystemExit(f"importer said {r.new:,} new and {r.updated:,} updated; the file had "
                         f"{missing_before:,} new and {differing_before:,} changed rows")
    return {"rows": r.rows, "stored": r.stored, "new": r.new, "updated": r.updated,
            "rejected": r.rejected_rows, "db_rows_before": before, "db_rows_after": after,
            "import_seconds": round(seconds, 2),
            "rows_per_second": round(r.rows / seconds) if seconds else None}


def phase(name: str, out: Path, cases: int) -> dict:
    import duckdb

    from supervision.data.db import connect

    big, csv = out / "bench.duckdb", out / "cases_1m.csv"
    started = time.perf_counter()
    info: dict = {}
    if name == "generate":
        from supervision.data.generator import generate

        big.unlink(missing_ok=True)
        info = generate(big, cases, seed=11, end=END, progress=lambda m: None)
    elif name == "export":
        con = duckdb.connect(str(big), read_only=True)
        con.execute(f"""COPY (SELECT * FROM cases USING SAMPLE 1000000 ROWS (reservoir, 5))
                        TO '{csv}' (HEADER, DELIMITER ',')""")
        con.close()
        info = {"bytes": csv.stat().st_size}
    elif name == "import_new":
        target = out / "empty.duckdb"
        _empty_database(target)
        started = time.perf_counter()
        info = _timed_import(target, csv)
    elif name == "import_upd":
        import polars as pl

        changed = out / "cases_1m_changed.csv"
        # another judge on every row: a different one on each run, so that every row changes
        (pl.scan_csv(csv, infer_schema=False)
         .with_columns(judge=pl.col("judge").fill_null("") + f"（复核{time.time_ns()}）")
         .sink_csv(changed))
        started = time.perf_counter()
        info = _timed_import(big, changed)
    elif name == "export_all":
        con = duckdb.connect(str(big), read_only=True)
        con.execute(f"COPY (SELECT * FROM cases) TO '{out / 'cases_all.csv'}' (HEADER)")
        con.close()
        info = {"bytes": (out / "cases_all.csv").stat().st_size}
    elif name == "import_all":
        target = out / "empty_all.duckdb"
        _empty_database(target)
        started = time.perf_counter()
        info = _timed_import(target, out / "cases_all.csv")
        target.unlink()
    elif name == "xlsx_write":
        xlsx = out / "cases.xlsx"
        con = duckdb.connect(str(big), read_only=True)
        sample = con.sql(f"SELECT * FROM cases LIMIT {XLSX_ROWS}").pl()
        con.close()
        sample.write_excel(xlsx)
        info = {"bytes": xlsx.stat().st_size}
    elif name == "xlsx":
        # its own process, so that the peak memory is the import's alone
        xlsx = out / "cases.xlsx"
        target = out / "empty_xlsx.duckdb"
        _empty_database(target)
        started = time.perf_counter()
        info = {"bytes": xlsx.stat().st_size, **_timed_import(target, xlsx)}
        target.unlink()
    elif name == "report":
        from supervision.domain.filters import Filters
        from supervision.engine.metrics import report

        con = connect(big, read_only=True)
        started = time.perf_counter()
        doc = report(con, Filters(as_of=END))
        info = {"courts": len(doc["courts"])}
        con.close()
    info["seconds"] = round(time.perf_counter() - started, 2)
    info["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return info


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--phases", nargs="*", default=PHASES)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.phase:
        print(json.dumps(phase(args.phase, args.out, args.cases)))
        return
    print(f"benchmark: {args.cases:,} cases, end date {END}, out {args.out}")
    for name in args.phases:
        proc = subprocess.run([sys.executable, __file__, "--phase", name, "--cases",
                               str(args.cases), "--out", str(args.out)],
                              capture_output=True, text=True, cwd=ROOT)
        if proc.returncode:
            print(f"{name:<11} FAILED\n{proc.stderr[-2000:]}")
            break
        print(f"{name:<11} {proc.stdout.strip().splitlines()[-1]}", flush=True)
    size = (args.out / "bench.duckdb")
    if size.exists():
        print(f"database size: {size.stat().st_size / 2**20:,.0f} MiB")
    if shutil.which("nproc"):
        print("cores:", subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
