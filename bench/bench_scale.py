"""Scale benchmark: 10 million cases. Prints figures; asserts nothing.

Each phase runs in its own Python process so its peak memory (max RSS) is its own:
  generate   build a 10M-case database
  export     write 1M cases of it to a CSV (input for the import phases)
  import_new import the 1M-row CSV into an empty database (insert path)
  import_upd import the same CSV into the 10M database (update-in-place path)
  report     the full national report (every court) as of the end date
  pages      the dashboard's queries for one court (what a page load runs)

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
PHASES = ["generate", "export", "import_new", "import_upd", "report", "pages"]


def phase(name: str, out: Path, cases: int) -> dict:
    import duckdb

    from supervision.db import connect

    big, csv = out / "bench.duckdb", out / "cases_1m.csv"
    started = time.perf_counter()
    info: dict = {}
    if name == "generate":
        from supervision.generator import generate

        big.unlink(missing_ok=True)
        info = generate(big, cases, seed=11, end=END, progress=lambda m: None)
    elif name == "export":
        con = duckdb.connect(str(big), read_only=True)
        con.execute(f"""COPY (SELECT * FROM cases USING SAMPLE 1000000 ROWS (reservoir, 5))
                        TO '{csv}' (HEADER, DELIMITER ',')""")
        con.close()
        info = {"bytes": csv.stat().st_size}
    elif name in ("import_new", "import_upd"):
        from supervision.importer import import_files
        from supervision.reference import install_reference

        target = big
        if name == "import_new":
            target = out / "empty.duckdb"
            target.unlink(missing_ok=True)
            con = connect(target)
            install_reference(con)
            con.close()
        started = time.perf_counter()
        con = connect(target)
        [r] = import_files(con, {"cases": csv})
        con.close()
        info = {"rows": r.rows, "stored": r.stored, "rejected": r.rejected_rows}
    elif name == "report":
        from supervision.metrics import report
        from supervision.queries import Filters

        con = connect(big)
        started = time.perf_counter()
        doc = report(con, Filters(as_of=END))
        info = {"courts": len(doc["courts"])}
        con.close()
    elif name == "pages":
        from bench.page_queries import time_page_queries

        con = connect(big)
        started = time.perf_counter()
        info = time_page_queries(con, END, "HI720")
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
