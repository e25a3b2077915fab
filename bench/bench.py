"""`make bench`: the dashboard at national scale, one table at 1 M and 10 M cases.

For each scale, each step in its own process (its peak memory is its own):
  generate   the seeded demo database (python -m supervision generate), rows read back
  import     a 1,000,000-row CSV into an empty database, rows read back from the file
  pages      each page's data: cold, filter change, warm, next to the bare DuckDB query
  pandas     a pandas-in-memory peer answering the same rate-and-rank question
  cost       what one unseen filter change costs, part by part: wall ms and CPU-seconds
             of the bare query, the rank counts, the targets data, the province ranking and
             the brief (bench/cost.py): the bound on how many changes two cores serve
  dates      the as-of date moved 0, 7, 30, 90 and 300 days back, each never seen: the
             targets page (with its province ranking), the brief and the province view (the
             weekly report's data) next to the bare query at that date, then filter changes
             at that date (bench/dates.py)
  sessions   N = 1, 5, 20 concurrent browser sessions changing filters (Playwright,
             Debian's Chromium) against the server: p50/p95 change → chart, errors,
             first page after start, server peak RSS
  first      the first page after the server starts: 3 times a new server
             (python -m supervision serve) and one user as soon as it answers
  room       the same with each session on its own court of the province and round
             values typed (a delegation's room: national results shared across sessions)
  protocol, protocol_room
             the same two, with sessions speaking Streamlit's websocket protocol instead of
             20 browsers on the server's two cores (bench/protocol.py): what the server
             answers when each user's browser runs on their own laptop
  reading, reading_room
             the protocol sessions at N = 20, each user reading the chart for about
             READING_S seconds (2.5–7.5) between two changes

Prints figures and writes bench/out/results.json and bench/out/results.md; asserts
nothing (tests never assert timings).

Usage: [BENCH_DB_10000000=path] python bench/bench.py [--scales 1000000 10000000] [--seconds 60]
                             [--sessions 1 5 20]
                             [--steps generate import pages pandas sessions room]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
END = dt.date(2026, 11, 25)
STEPS = ("generate", "import", "pages", "pandas", "cost", "dates", "first", "sessions", "room", "protocol",
         "protocol_room", "reading", "reading_room")
READING_S = 5.0   # a user reading the chart between two changes (steps reading*)


def _step(name: str, scale: int, **options: object) -> dict:
    """Run one step in a fresh Python process; its last output line is JSON."""
    args = [sys.executable, __file__, "--step", name, "--scale", str(scale),
            "--options", json.dumps(options)]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        raise SystemExit(f"step {name} at {scale:,} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(name: str, scale: int, options: dict) -> dict:
    # BENCH_DB_<scale>: a database of that scale generated before (seed 7, END), read in
    # place instead of bench/out's (skip the generate step then)
    db = Path(os.environ.get(f"BENCH_DB_{scale}", OUT / f"cases_{scale}.duckdb"))
    store = f"sqlite:///{OUT / 'operations.sqlite'}"
    if name == "generate":
        import duckdb

        from supervision.data.generator import generate

        db.unlink(missing_ok=True)
        started = time.perf_counter()
        generate(db, scale, seed=7, end=END, progress=lambda m: None)
        seconds = time.perf_counter() - started
        con = duckdb.connect(str(db), read_only=True)
        stored = con.sql("SELECT count(*) FROM cases").fetchall()[0][0]
        con.close()
        subprocess.run([sys.executable, "-m", "supervision", "users", "--db", str(db), "demo"],
                       check=True, capture_output=True, env={**os.environ,
                                                              "SUPERVISION_STORE": store})
        return {"seconds": seconds, "cases_read_back": stored,
                "db_mib": db.stat().st_size / 2**20, "peak_rss_mb": _peak_mb()}
    if name == "import":
        import duckdb

        from bench.bench_scale import _empty_database, _timed_import
        csv = OUT / "import_1m.csv"
        con = duckdb.connect(str(db), read_only=True)
        con.sql(f"""COPY (SELECT * FROM cases USING SAMPLE 1000000 ROWS (reservoir, 5))
                    TO '{csv}' (HEADER, DELIMITER ',')""")
        con.close()
        target = OUT / "import_target.duckdb"
        _empty_database(target)
        result = _timed_import(target, csv)   # fails if the read-back disagrees
        target.unlink()
        return {**result, "peak_rss_mb": _peak_mb()}
    if name == "pages":
        from bench.page_data import time_pages

        return {"pages": time_pages(db, END), "peak_rss_mb": _peak_mb()}
    if name == "pandas":
        from bench.page_data import pandas_peer

        return pandas_peer(db, END)
    if name == "cost":
        from bench.cost import cost_per_change

        return {"kinds": cost_per_change(db, END)}
    if name == "dates":
        from bench.dates import time_dates

        return time_dates(db, END)
    if name == "first":
        from bench.sessions import first_page

        return {"runs": first_page(db, store)}
    if name == "sessions":
        from bench.sessions import run_sessions

        return {"runs": run_sessions(db, store, options["counts"], options["seconds"])}
    if name == "room":
        from bench.sessions import run_sessions

        return {"runs": run_sessions(db, store, options["counts"], options["seconds"],
                                     room=True)}
    if name in ("protocol", "protocol_room", "reading", "reading_room"):
        from bench.protocol import run_protocol_sessions

        reading = name.startswith("reading")
        return {"runs": run_protocol_sessions(
            db, store, [max(options["counts"])] if reading else options["counts"],
            options["seconds"], room=name.endswith("room"),
            reading_s=READING_S if reading else 0.0)}
    raise SystemExit(f"unknown step {name}")


def _run_cell(run: dict) -> str:
    return (f"{run['p50_s']:.2f} / {run['p95_s']:.2f} s ({run['changes']} changes, "
            f"{run['errors']} errors)")


def _table(results: dict) -> str:
    scales = list(results)
    head = "| | " + " | ".join(f"{int(s):,} cases" for s in scales) + " |"
    lines = [head, "|---|" + "---|" * len(scales)]

    def row(label: str, cell) -> None:
        def shown(r: dict) -> str:
            try:
                return cell(r)
            except KeyError:          # a step not run at this scale
                return "—"
        lines.append(f"| {label} | " + " | ".join(shown(results[s]) for s in scales) + " |")

    row("generation", lambda r: f"{r['generate']['seconds']:.1f} s "
        f"({r['generate']['cases_read_back']:,} read back)")
    row("database file", lambda r: f"{r['generate']['db_mib']:,.0f} MiB")
    row("import, 1 M-row CSV (read back)", lambda r: f"{r['import']['rows_per_second']:,} rows/s "
        f"({r['import']['new']:,} new)")
    pages = next((list(r["pages"]["pages"]) for r in results.values() if "pages" in r), [])
    for page in pages:
        row(f"{page}: cold / filter change / warm", lambda r, p=page: (
            f"{r['pages']['pages'][p]['cold_ms']:,.0f} / "
            f"{r['pages']['pages'][p]['filter_change_ms']:,.0f} / "
            f"{r['pages']['pages'][p]['warm_ms']:,.1f} ms"))
    row("bare DuckDB rate-and-rank query (same filters)", lambda r: (
        f"{r['pages']['pages']['targets']['bare_ms']:,.0f} ms"))
    row("targets ÷ bare, brief ÷ bare (filter change)", lambda r: (
        f"{r['pages']['pages']['targets']['filter_change_ms'] / r['pages']['pages']['targets']['bare_ms']:.1f}× / "  # noqa: E501
        f"{r['pages']['pages']['brief']['filter_change_ms'] / r['pages']['pages']['brief']['bare_ms']:.1f}×"))  # noqa: E501
    row("pandas peer: load, memory, filter change", lambda r: (
        f"{r['pandas']['load_s']:.1f} s, {r['pandas']['rss_mb']:,.0f} MB, "
        f"{r['pandas']['filter_change_ms']:,.0f} ms"))
    for kind in ("range", "lower bound"):
        row(f"one unseen change ({kind}), CPU-s: bare; rank counts; targets data; province "
            "ranking; brief data", lambda r, kind=kind: "; ".join(
                f"{r['cost']['kinds'][kind][part]['cpu_s']:.2f}" for part in (
                    "bare", "rank counts", "targets data", "province ranking", "brief data"))
            if "cost" in r else "—")
    backs = next((list(r["dates"]["dates"]) for r in results.values() if "dates" in r), [])
    for back in backs:
        def moved(r: dict, back: str = back) -> str:
            if "dates" not in r:
                return "—"
            x = r["dates"]["dates"][back]
            return (f"{x['targets_ms']:,.0f} ({x['targets_ms'] / x['bare_ms']:.1f}×) / "
                    f"{x['brief_ms']:,.0f} ({x['brief_ms'] / x['bare_ms']:.1f}×) / "
                    f"{x['province_ms']:,.0f} / {x['bare_ms']:,.0f} ms; filter change "
                    f"{x['filter_change_ms']:,.0f} ({x['filter_change_ms'] / x['filter_bare_ms']:.1f}×); "  # noqa: E501
                    f"CPU ÷ bare's: targets {x['targets_cpu_ms'] / x['bare_cpu_ms']:.1f}×, "
                    f"brief {x['brief_cpu_ms'] / x['bare_cpu_ms']:.1f}×; "
                    + (f"3 days before, derived first: {x['derivation_ms']:,.0f} ms, then "
                       f"targets {x['derived_targets_ms']:,.0f} "
                       f"({x['derived_targets_ms'] / x['derived_bare_ms']:.1f}×)"
                       if "derivation_ms" in x else "—"))
        row(f"as-of date {back} days back, never seen: targets with province ranking / brief / "
            "province view / bare query (ms, × bare); then a filter change there; CPU; a date "
            "3 days before derived first (rank counts), then the targets page with its "
            "province ranking (× bare)", moved)
    def spread(r: dict) -> str:
        if "spread" not in r.get("dates", {}):
            return "—"
        return "; ".join(
            f"{page} median {statistics.median(x):.1f}×, "
            f"{sum(v <= 2 for v in x)} of {len(x)} ≤ 2×, worst {max(x):.1f}×"
            for page, x in r["dates"]["spread"].items())

    row("as-of dates: twelve more dates never seen across the year, one request each: "
        "targets with province ranking; brief (÷ the bare query at the date)", spread)
    row("as-of dates: peak RSS of the process (every date above in use)", lambda r: (
        f"{r['dates']['peak_rss_mb']:,.0f} MB" if "dates" in r else "—"))
    for kind, label in (("sessions", "browser sessions"),
                        ("room", "browser sessions, a room (own courts, round values)"),
                        ("protocol", "protocol sessions"),
                        ("protocol_room", "protocol sessions, a room"),
                        ("reading", f"protocol sessions reading {READING_S:.0f} s"),
                        ("reading_room", f"protocol sessions, a room, reading {READING_S:.0f} s")):
        runs = next((r[kind]["runs"] for r in results.values() if kind in r), [])
        for i, run in enumerate(runs):
            row(f"{run['sessions']} {label}: p50 / p95 change → chart, errors",
                lambda r, i=i, kind=kind: _run_cell(r[kind]["runs"][i]) if kind in r else "—")
    for kind in ("sessions", "protocol"):
        row(f"{kind}: CPU of the server ÷ all CPU used (N = 20)", lambda r, kind=kind: (
            f"{r[kind]['runs'][-1].get('server_cpu_s', float('nan')):,.0f} s ÷ "
            f"{r[kind]['runs'][-1].get('machine_cpu_s', float('nan')):,.0f} s")
            if kind in r else "—")
    def first(r: dict, key: str) -> str:
        values = sorted(x[key] for x in r["first"]["runs"])
        return f"{values[len(values) // 2]:.1f}" + (
            f" ({values[0]:.1f}–{values[-1]:.1f})" if len(values) > 1 else "")

    row("new server, one user, default view: server start; request → login form; "
        "request → drawn chart; launch → drawn chart (median, range)",
        lambda r: (f"{first(r, 'server_start_s')} s; {first(r, 'login_form_s')} s; "
                   f"{first(r, 'first_page_s')} s; {first(r, 'launch_to_chart_s')} s")
        if "first" in r else "—")
    row("app peak RSS (browser sessions; browser room; protocol sessions; protocol room)",
        lambda r: "; ".join(
            f"{max(x['server_peak_rss_mb'] for x in r[kind]['runs']):,.0f} MB" if kind in r
            else "—" for kind in ("sessions", "room", "protocol", "protocol_room")))
    return "\n".join(lines)


DOCS = ROOT / "docs" / "performance.md"


def _block(text: str, name: str, content: str) -> str:
    """`text` with the lines between `<!-- bench:name -->` and `<!-- /bench:name -->`
    replaced by `content`."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    if start not in text or end not in text:
        return text
    return f"{text.partition(start)[0]}{start}\n{content}\n{end}{text.partition(end)[2]}"


def _into_docs(results: dict, table: str, dates_ran: bool) -> None:
    """The tables of docs/performance.md, from these results (never edited by hand): the
    as-of date rows when this run ran the dates step (stamped now: a run of other steps
    leaves them and their stamp as they are), the whole table once every step has run at
    every scale."""
    text = DOCS.read_text(encoding="utf-8")
    dated = table.splitlines()[:2] + [
        line for line in table.splitlines() if line.startswith("| as-of date")]
    if dates_ran and any("dates" in r for r in results.values()):
        stamp = f"`make bench`, {dt.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}:"
        text = _block(text, "dates", stamp + "\n\n" + "\n".join(dated))
    if all(set(STEPS) <= set(r) for r in results.values()):
        text = _block(text, "table", table)
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", nargs="*", type=int, default=[1_000_000, 10_000_000])
    parser.add_argument("--sessions", nargs="*", type=int, default=[1, 5, 20])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--steps", nargs="*", default=list(STEPS),
                        help="run only these steps; the others keep bench/out/results.json's")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.step:
        print(json.dumps(step(args.step, args.scale, json.loads(args.options)), default=str))
        return
    kept = OUT / "results.json"
    earlier = ({int(k): v for k, v in json.loads(kept.read_text()).items()}
               if kept.exists() and set(args.steps) != set(STEPS) else {})
    # every scale keeps its figures until its steps are run again (one table of every scale
    # measured; a run stopped half-way loses nothing already in the file)
    results: dict[int, dict] = dict(earlier)
    print(f"bench: {platform.node()}, {os.cpu_count()} cores, {dt.datetime.now():%Y-%m-%d %H:%M}")
    for scale in args.scales:
        r: dict = dict(earlier.get(scale, {}))
        for name in [s for s in STEPS if s in args.steps]:
            started = time.perf_counter()
            r[name] = _step(name, scale, counts=args.sessions, seconds=args.seconds)
            print(f"{scale:>12,} {name:<9} {time.perf_counter() - started:7.1f} s  "
                  f"{json.dumps(r[name], default=str)[:300]}", flush=True)
        results[scale] = r
        results = dict(sorted(results.items()))
        (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    table = _table(results)
    (OUT / "results.md").write_text(table + "\n")
    _into_docs(results, table, dates_ran="dates" in args.steps)
    print()
    print(table)


if __name__ == "__main__":
    main()
