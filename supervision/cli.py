"""`python -m supervision`: generate demo data, import files, report metrics, manage users."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import hashlib
import json
import os
import sys
import time
from pathlib import Path

from supervision.domain import vocabulary

# the command's own imports are light: an import's command only starts its worker, which
# loads the importer; each command loads what it uses
ROLES = vocabulary.codes(vocabulary.ROLES)

EXIT_OK, EXIT_REJECTS, EXIT_UNREADABLE = 0, 1, 2
WORKER_EXIT = 100     # an import's worker process ends with this plus the command's code
EXIT_UNRECORDED = 3   # the worker's failure could not be written to the audit trail


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (use 2026-09-30): {text}") from None


def _codes(text: str) -> tuple[str, ...]:
    codes = tuple(c.strip() for c in text.split(",") if c.strip())
    if not codes:
        raise argparse.ArgumentTypeError("give at least one code")
    return codes


def _choices(allowed: list[str]):
    def parse(text: str) -> tuple[str, ...]:
        codes = _codes(text)
        unknown = [c for c in codes if c not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; one of "
                                             f"{', '.join(allowed)}")
        return codes
    return parse


def _yuan(text: str) -> float:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount in yuan: {text}") from None
    if not 0 <= value < 1e16:
        raise argparse.ArgumentTypeError(f"not an amount in yuan from 0: {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m supervision",
                                     description="Enforcement supervision data and metrics.")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="build the national demo database")
    g.add_argument("--db", required=True, type=Path)
    g.add_argument("--cases", type=int, default=None, help="number of cases (default 600,000)")
    g.add_argument("--seed", type=int, default=7)
    g.add_argument("--end", type=_date, default=None, help="last date of the data (default today)")
    g.add_argument("--demo-users", action="store_true",
                   help="also create the demo logins listed in the README (in the "
                        "operational store, SUPERVISION_STORE or --store)")
    g.add_argument("--store", help="operational store URL (default: SUPERVISION_STORE, "
                                   "else data/operations.sqlite)")

    i = sub.add_parser("import", help="import cases, petitions and reference tables")
    i.add_argument("--db", required=True, type=Path)
    i.add_argument("--courts", type=Path)
    i.add_argument("--case-types", type=Path)
    i.add_argument("--cases", type=Path)
    i.add_argument("--petitions", type=Path)
    i.add_argument("--rejects-dir", type=Path,
                   help="folder for the rejects files, <input name>.rejects.csv (default: "
                        "beside each input file)")
    i.add_argument("--actor", help="who imports, for the audit trail (default: cli:<OS user>)")
    i.add_argument("--store", help="operational store URL for the audit trail (default: "
                                   "SUPERVISION_STORE, else data/operations.sqlite)")
    i.add_argument("--json", action="store_true",
                   help="print the figures read back from the database as JSON")
    # the import itself runs in a second process under the memory limit
    # (SUPERVISION_IMPORT_MEMORY_MB) and the time limit (SUPERVISION_IMPORT_TIMEOUT_MINUTES);
    # this one watches it and says in words why it stopped
    i.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)

    r = sub.add_parser("report", help="metrics of every court as of a date")
    r.add_argument("--db", required=True, type=Path)
    r.add_argument("--as-of", required=True, type=_date)
    r.add_argument("--court", help="one court code")
    r.add_argument("--case-type", type=_codes, help="case type code(s), comma-separated")
    r.add_argument("--value-min", type=_yuan, help="subject-matter value from (yuan, inclusive)")
    r.add_argument("--value-max", type=_yuan, help="subject-matter value below (yuan, exclusive)")
    r.add_argument("--priority", type=_choices(vocabulary.codes(vocabulary.PRIORITIES)),
                   help="priority code(s), comma-separated: " + ",".join(
                       vocabulary.codes(vocabulary.PRIORITIES)))
    r.add_argument("--complexity", type=_choices(vocabulary.codes(vocabulary.COMPLEXITIES)),
                   help="complexity code(s), comma-separated: " + ",".join(
                       vocabulary.codes(vocabulary.COMPLEXITIES)))
    r.add_argument("--format", choices=["json", "csv"], default="json")
    r.add_argument("--output", type=Path, help="file to write (default: standard output)")

    w = sub.add_parser("weekly", help="the weekly backward-index report of a province "
                                      "(XLSX and/or A4 PDF), e.g. for a scheduled job")
    w.add_argument("--db", type=Path, help="case database (default: SUPERVISION_DB)")
    w.add_argument("--province", help="short name, e.g. 琼 (default: SUPERVISION_PROVINCE)")
    w.add_argument("--as-of", type=_date, help="the report's date (week end); with --publish "
                                               "the default is the last Sunday before today "
                                               "in the court's time zone")
    w.add_argument("--xlsx", type=Path, help="write the workbook here")
    w.add_argument("--pdf", type=Path, help="write the A4 PDF here")
    w.add_argument("--lang", choices=["zh", "en"], default="zh")
    w.add_argument("--publish", action="store_true",
                   help="keep the PDF and XLSX in the operational store as published (with "
                        "the data version they were built from), listed on the "
                        "publications page; a week is published once")
    w.add_argument("--actor", help="who publishes, for the audit trail (default: cli:<OS user>)")

    bk = sub.add_parser("backup", help="back up the served case database and the "
                                       "operational store, with SHA-256 checksums")
    bk.add_argument("--to", required=True, type=Path, help="a new (or empty) folder")
    bk.add_argument("--db", type=Path, help="case database (default: SUPERVISION_DB)")
    bk.add_argument("--store", help="operational store URL (default: SUPERVISION_STORE, "
                                    "else data/operations.sqlite)")
    rs = sub.add_parser("restore", help="check a backup's checksums and restore it into an "
                                        "empty setup")
    rs.add_argument("--from", dest="source", required=True, type=Path)
    rs.add_argument("--db", type=Path, help="case database to create (default: SUPERVISION_DB)")
    rs.add_argument("--store", help="operational store URL to fill (default: "
                                    "SUPERVISION_STORE, else data/operations.sqlite)")
    rs.add_argument("--force", action="store_true",
                    help="replace a case database and a store that are not empty")

    dr = sub.add_parser("drop-import", help="import the files waiting in a drop folder (the "
                                            "nightly job); processed files move to "
                                            "done/<run>/ or failed/<run>/")
    dr.add_argument("--folder", required=True, type=Path)
    dr.add_argument("--db", type=Path, help="case database (default: SUPERVISION_DB)")
    dr.add_argument("--store", help="operational store URL (default: SUPERVISION_STORE, "
                                    "else data/operations.sqlite)")
    dr.add_argument("--settle-seconds", type=float, default=None,
                    help="leave files changed less than this long ago (default 60)")

    u = sub.add_parser("users", help="manage dashboard users (in the operational store)")
    u.add_argument("--store", help="operational store URL (default: SUPERVISION_STORE, "
                                   "else data/operations.sqlite)")
    u.add_argument("--db", type=Path, help="case database, to check a new user's court code")
    us = u.add_subparsers(dest="action", required=True)
    add = us.add_parser("add")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--name", required=True, help="display name")
    add.add_argument("--email", default="")
    add.add_argument("--court", help="the president's court code")
    pw = us.add_parser("passwd")
    pw.add_argument("username")
    dis = us.add_parser("disable", help="disable the account and end its sessions")
    dis.add_argument("username")
    ena = us.add_parser("enable")
    ena.add_argument("username")
    us.add_parser("list")
    us.add_parser("demo", help="(re)create the demo logins listed in the README")
    totp = us.add_parser("totp", help="enroll a second factor (a one-time code app): prints "
                                      "the otpauth URI and its QR code; a new secret "
                                      "replaces the old one")
    totp.add_argument("username")
    totp.add_argument("--reset", action="store_true",
                      help="remove the second factor instead (a lost phone)")

    au = sub.add_parser("audit", help="the audit trail: archive entries past the retention "
                                      "period (kept at least 180 days in the store)")
    au.add_argument("--store", help="operational store URL (default: SUPERVISION_STORE, "
                                    "else data/operations.sqlite)")
    aus = au.add_subparsers(dest="action", required=True)
    arc = aus.add_parser("archive", help="move entries dated before --before to a gzipped "
                                         "JSON-lines file with its SHA-256, then delete them")
    arc.add_argument("--before", required=True, type=_date,
                     help="archive entries before this date (at least 180 days ago)")
    arc.add_argument("--to", required=True, type=Path, help="folder for the archive files")

    sv = sub.add_parser("serve", help="run the dashboard (streamlit run app.py), ready before "
                                      "its first user: the app imported, the store migrated, "
                                      "the default view's national figures computed at start; "
                                      "other options go to streamlit, e.g. --server.port 8501")
    sv.add_argument("--db", type=Path, help="case database (default: SUPERVISION_DB, else "
                                            "data/demo.duckdb)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "serve":
        return cmd_serve(args, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return {"generate": cmd_generate, "import": cmd_import, "report": cmd_report,
                "users": cmd_users, "weekly": cmd_weekly, "audit": cmd_audit,
                "backup": cmd_backup, "restore": cmd_restore,
                "drop-import": cmd_drop_import}[args.command](args)
    except Exception as exc:
        duckdb = sys.modules.get("duckdb")   # not loaded: not one of its errors
        if duckdb is None or not isinstance(exc, duckdb.IOException):
            raise
        print(f"error: cannot open the database {getattr(args, 'db', '')}: "
              f"{str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_UNREADABLE


EXIT_REFUSED = 3      # serve: production mode found problems; nothing was started


def cmd_serve(args: argparse.Namespace, streamlit_args: list[str]) -> int:
    import os

    from supervision.security.production import production_problems
    from supervision.serve import serve
    from supervision.store import engine

    if args.db is not None:
        os.environ["SUPERVISION_DB"] = str(args.db)
    # before the port opens: a refused production server never reports itself healthy
    problems = production_problems(engine())
    if problems:
        print("error: refusing to start in production mode:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_REFUSED
    return serve(streamlit_args)


def cmd_generate(args: argparse.Namespace) -> int:
    from supervision.data.generator import DEFAULT_CASES, generate

    started = time.perf_counter()
    n = args.cases if args.cases is not None else DEFAULT_CASES
    print(f"Generating {n:,} demo cases into {args.db} (seed {args.seed}) ...", file=sys.stderr)
    totals = generate(args.db, n, args.seed, args.end)
    if args.demo_users:
        from supervision.security.users import install_demo_users
        from supervision.store import engine

        install_demo_users(engine(args.store))
    print(f"Done in {time.perf_counter() - started:.1f} s: {totals['courts']:,} courts, "
          f"{totals['cases']:,} cases, {totals['petitions']:,} petitions.", file=sys.stderr)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    files = {t: p for t, p in (("courts", args.courts), ("case_types", args.case_types),
                               ("cases", args.cases), ("petitions", args.petitions)) if p}
    if not files:
        print("error: give at least one of --courts, --case-types, --cases, --petitions",
              file=sys.stderr)
        return EXIT_UNREADABLE
    actor = args.actor or f"cli:{getpass.getuser()}"
    if not args.worker:
        return _import_in_a_worker(args, files, actor)

    _end_with_the_command()
    # the worker's exit codes are WORKER_EXIT + the command's: any other end (a Python
    # crash exits 1, a library that gives up on memory may exit 1 too) is not a report
    return WORKER_EXIT + _import_here(args, files, actor)


def _end_with_the_command() -> None:
    """The worker ends when the command that runs it ends (killed, or stopped by the admin
    page): Linux sends it SIGKILL then (PR_SET_PDEATHSIG), so that an import killed half
    way is killed whole and leaves the served database as it was."""
    import ctypes
    import os
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):   # not Linux: the command's own timeout still holds
        return
    if str(os.getppid()) != os.environ.get("SUPERVISION_IMPORT_PARENT", str(os.getppid())):
        os._exit(WORKER_EXIT + EXIT_UNREADABLE)   # the command ended before this line


def _import_here(args: argparse.Namespace, files: dict[str, Path], actor: str) -> int:
    import duckdb

    from supervision.data import import_process as limits
    from supervision.data.db import DatabaseBusy
    from supervision.data.importer import (
        ImportMismatch,
        UnreadableFile,
        import_files,
        rejects_path,
        write_rejects,
    )

    mb = limits.limit_memory()
    try:
        reports = import_files(args.db, files)
    except (UnreadableFile, ImportMismatch, DatabaseBusy) as exc:
        return _import_failed(args, files, actor, str(exc))
    except duckdb.IOException as exc:
        return _import_failed(args, files, actor, f"cannot open the database {args.db}: "
                                                  f"{str(exc).splitlines()[0]}")
    except (MemoryError, duckdb.OutOfMemoryException) as exc:
        return _import_failed(args, files, actor, limits.memory_words(mb),
                              cause=_first_line(exc))
    except Exception as exc:  # polars, Arrow and DuckDB raise many kinds; none is shown raw
        words = (limits.memory_words(mb) if limits.is_memory_failure(str(exc))
                 else limits.stopped_words(type(exc).__name__))
        return _import_failed(args, files, actor, words, cause=_first_line(exc))
    except BaseException as exc:  # a Rust panic inside polars is a BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        words = (limits.memory_words(mb) if limits.is_memory_failure(str(exc))
                 else limits.stopped_words(type(exc).__name__))
        return _import_failed(args, files, actor, words, cause=_first_line(exc))
    summary = []
    for r in reports:
        extra = f"; ignored columns: {', '.join(r.ignored_columns)}" if r.ignored_columns else ""
        print(f"{r.path}: {r.rows:,} rows, {r.stored:,} stored, {r.rejected_rows:,} rejected "
              f"(stored: {r.new:,} new, {r.updated:,} updated, {r.unchanged:,} unchanged){extra}")
        entry = dict(table=r.table, file=str(r.path), rows=r.rows, stored=r.stored, new=r.new,
                     updated=r.updated, unchanged=r.unchanged, rejected=r.rejected_rows)
        if r.rejected_rows:
            target = rejects_path(r.path, args.rejects_dir)
            try:
                lines = write_rejects(r, target)
            except OSError:
                target = rejects_path(r.path, Path.cwd())
                lines = write_rejects(r, target)
            print(f"  {r.reject_lines:,} problems in {r.rejected_rows:,} rejected rows; "
                  f"{lines:,} lines written to {target}")
            for (column, reason), n in r.reject_counts.most_common(8):
                print(f"  {n:>9,} × {column or '(row)'}: {reason}")
            entry["rejects_file"] = str(target)
        summary.append(entry)
    _audit(args.store, actor, "import", str(args.db), files=summary)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    return EXIT_REJECTS if any(r.rejected_rows for r in reports) else EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from supervision.data.db import connect
    from supervision.data.queries import run
    from supervision.domain.filters import Filters
    from supervision.engine.metrics import report, report_rows

    def metrics_case_types(con):
        return run(con, "case_types_list")["code"].to_list()

    if not args.db.exists():
        print(f"error: {args.db}: no such database", file=sys.stderr)
        return EXIT_UNREADABLE
    con = connect(args.db, read_only=True)
    visible = None
    if args.court:
        known = con.execute("SELECT count(*) FROM courts WHERE court_code = ?",
                            [args.court]).fetchall()[0][0]
        if not known:
            print(f"error: unknown court code {args.court}", file=sys.stderr)
            return EXIT_UNREADABLE
        visible = [args.court]
    if args.case_type:
        known = set(metrics_case_types(con))
        unknown = [c for c in args.case_type if c not in known]
        if unknown:
            print(f"error: unknown case type {', '.join(unknown)}", file=sys.stderr)
            return EXIT_UNREADABLE
    # the sidebar's filters: every court is ranked on the same filtered subset
    filters = Filters(as_of=args.as_of, case_types=args.case_type, value_min=args.value_min,
                      value_max=args.value_max, priorities=args.priority,
                      complexities=args.complexity)
    document = report(con, filters, visible)
    con.close()
    if args.format == "json":
        text = json.dumps(document, ensure_ascii=False, indent=1)
    else:
        from supervision.output.safe_output import neutralize_formulas

        text = neutralize_formulas(report_rows(document)).write_csv()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
    return EXIT_OK


def cmd_weekly(args: argparse.Namespace) -> int:
    """The province's weekly report as the command center sends it, with the ledger's open
    items from the operational store (SUPERVISION_STORE)."""
    from supervision import views
    from supervision.data import lookups
    from supervision.data.db import connect, connect_current_version
    from supervision.data.queries import run
    from supervision.domain.filters import Filters
    from supervision.security.access import Access
    from supervision.store import engine
    from supervision.workflow import ledger, weekly

    args.db = _db_argument(args.db)
    args.province = args.province or os.environ.get("SUPERVISION_PROVINCE")
    if args.db is None or not args.db.exists():
        print(f"error: {args.db}: no such database (give --db or SUPERVISION_DB)",
              file=sys.stderr)
        return EXIT_UNREADABLE
    if not args.province:
        print("error: give --province (or SUPERVISION_PROVINCE)", file=sys.stderr)
        return EXIT_UNREADABLE
    if not (args.xlsx or args.pdf or args.publish):
        print("error: give --xlsx, --pdf, --publish or several", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.as_of is None:
        if not args.publish:
            print("error: give --as-of", file=sys.stderr)
            return EXIT_UNREADABLE
        args.as_of = _last_sunday()
    if args.publish:
        from supervision.workflow.backup import BackupError, served_file

        try:
            with served_file(args.db) as (handle, version):
                # built from this version: its bytes hashed, and the connection opened on it
                data_sha = hashlib.file_digest(handle, "sha256").hexdigest()
                con, opened = connect_current_version(args.db)
        except BackupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        if opened != version:
            con.close()
            print("error: the case data changed while the report was built; run again",
                  file=sys.stderr)
            return EXIT_UNREADABLE
    else:
        con = connect(args.db, read_only=True)
    try:
        if not run(con, "province_name", province=args.province).height:
            print(f"error: unknown province {args.province}", file=sys.stderr)
            return EXIT_UNREADABLE
        # the command center's view: every court of the province, as a supervisor sees it
        center = Access("weekly-report", "supervisor", None, args.province)
        view = views.province_view(con, center, Filters(as_of=args.as_of))
        lang_col = "name_en" if args.lang == "en" else "name"
        types = run(con, "case_types_list")
        type_names = dict(zip(types["code"], types[lang_col].fill_null(types["name"]),
                              strict=True))
        loaded_at, latest = lookups.last_load(con), lookups.latest_date(con)
        notes = weekly.notes_for(view, args.as_of, loaded_at, latest, args.lang)
    finally:
        con.close()
    courts = tuple(view["courts"]["court_code"].to_list())
    store = engine()
    items = ledger.items(store, courts, open_only=True, today=args.as_of)
    table, marks, kinds = weekly.report_tables(view, items, type_names, args.lang)
    title = weekly.title(view, args.as_of, args.lang)
    # a publication keeps both files; written aside, the same bytes
    xlsx = (weekly.report_xlsx(table, marks, kinds, notes=[title, *notes], language=args.lang)
            if args.xlsx or args.publish else b"")
    pdf = (weekly.report_pdf(table, marks, kinds, title_text=title, notes=notes,
                             language=args.lang) if args.pdf or args.publish else b"")
    if args.xlsx:
        args.xlsx.write_bytes(xlsx)
    if args.pdf:
        args.pdf.write_bytes(pdf)
    written = [str(p) for p in (args.xlsx, args.pdf) if p]
    backward = int((view["courts"]["backward"] > 0).sum())
    if args.publish:
        from supervision.workflow import publication

        try:
            row = publication.publish(
                store, province=args.province, as_of=args.as_of, language=args.lang,
                title=title, data=publication.DataVersion(version, data_sha, loaded_at, latest),
                pdf=pdf, xlsx=xlsx, shown=publication.figures(view),
                actor=args.actor or f"cli:{getpass.getuser()}")
        except publication.PublicationError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_REJECTS
        # as read back from the store after the commit
        written.append(f"publication #{row['id']} (PDF sha256 {row['pdf_sha256'][:12]}…, "
                       f"XLSX sha256 {row['xlsx_sha256'][:12]}…, data {row['data_version']})")
    print(f"{title}: {table.height} courts, {backward} with backward indices -> "
          f"{', '.join(written)}")
    return EXIT_OK


def _last_sunday() -> dt.date:
    """The last Sunday before today in the court's time zone (the week a Monday job
    reports)."""
    from zoneinfo import ZoneInfo

    from supervision.config import timezone_name

    today = dt.datetime.now(ZoneInfo(timezone_name())).date()
    return today - dt.timedelta(days=today.isoweekday() % 7 or 7)


def _db_argument(db: Path | None) -> Path | None:
    return db or (Path(os.environ["SUPERVISION_DB"]) if os.environ.get("SUPERVISION_DB")
                  else None)


def cmd_backup(args: argparse.Namespace) -> int:
    from supervision.store import store_url
    from supervision.workflow import backup

    db = _db_argument(args.db)
    if db is None:
        print("error: give --db or SUPERVISION_DB", file=sys.stderr)
        return EXIT_UNREADABLE
    fresh = not args.to.exists()
    try:
        manifest = backup.backup(db, args.store or store_url(), args.to,
                                 actor=f"cli:{getpass.getuser()}")
    except backup.BackupError as exc:
        if fresh:
            backup.remove_partial(args.to)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    cases, store = manifest["case_database"], manifest["store"]
    print(f"backup in {args.to}: case database version {cases['version']} "
          f"({cases['bytes']:,} bytes, data up to {cases['latest_data_date']}, sha256 "
          f"{cases['sha256']}); {store['kind']} store at revision {store['revision']} "
          f"({store['bytes']:,} bytes, sha256 {store['sha256']}): "
          + ", ".join(f"{n:,} {t}" for t, n in store["rows"].items()))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from supervision.store import store_url
    from supervision.workflow import backup

    db = _db_argument(args.db)
    if db is None:
        print("error: give --db or SUPERVISION_DB", file=sys.stderr)
        return EXIT_UNREADABLE
    started = time.perf_counter()
    try:
        result = backup.restore(args.source, db, args.store or store_url(), force=args.force,
                                actor=f"cli:{getpass.getuser()}")
    except backup.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTS
    # the rows as read back from the restored store, equal to the backup's manifest
    print(f"restored {args.source} into {db} (sha256 {result['case_sha256']}) and the store "
          f"at revision {result['revision']}: "
          + ", ".join(f"{n:,} {t}" for t, n in result["rows"].items())
          + f"; {time.perf_counter() - started:.1f} s")
    return EXIT_OK


def cmd_drop_import(args: argparse.Namespace) -> int:
    from supervision.store import engine
    from supervision.workflow import drop_folder

    db = _db_argument(args.db)
    if db is None:
        print("error: give --db or SUPERVISION_DB", file=sys.stderr)
        return EXIT_UNREADABLE
    settle = (drop_folder.SETTLE_SECONDS if args.settle_seconds is None
              else args.settle_seconds)
    try:
        summary = drop_folder.run(args.folder, db, engine(args.store), args.store,
                                  settle_seconds=settle)
    except (FileNotFoundError, drop_folder.DropFolderBusy) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if not summary["files"]:
        print(f"{args.folder}: no file waiting")
    for f in summary["files"]:
        if f["state"] == "done":
            n = f["figures"]
            print(f"{f['file']}: {n['rows']:,} rows, {n['stored']:,} stored ({n['new']:,} new, "
                  f"{n['updated']:,} updated, {n['unchanged']:,} unchanged), "
                  f"{n['rejected']:,} rejected -> {f['moved_to']}")
        else:
            print(f"{f['file']}: failed: {f['error']} -> {f['moved_to']}", file=sys.stderr)
    if summary["failed"]:
        return EXIT_UNREADABLE
    return EXIT_REJECTS if any(f["figures"].get("rejected") for f in summary["files"]) else EXIT_OK


def cmd_users(args: argparse.Namespace) -> int:
    from supervision.security import users
    from supervision.store import engine

    store = engine(args.store)
    actor = f"cli:{getpass.getuser()}"
    try:
        if args.action == "add":
            password = _new_password()
            name = users.add_user(store, args.username, args.name, args.email, args.role,
                                  args.court, password, actor=actor,
                                  court_exists=_court_checker(args.db))
            print(f"user {name} added ({args.role})")
        elif args.action == "passwd":
            users.set_password(store, args.username, _new_password(), actor=actor)
            print(f"password of {users.canonical(args.username)} changed; its sessions ended")
        elif args.action == "disable":
            users.disable_user(store, args.username, actor=actor)
            print(f"user {users.canonical(args.username)} disabled; its sessions ended")
        elif args.action == "demo":
            users.install_demo_users(store)
            print(f"demo logins ready: {', '.join(u[0] for u in users.DEMO_USERS)}")
        elif args.action == "enable":
            users.enable_user(store, args.username, actor=actor)
            print(f"user {users.canonical(args.username)} enabled")
        elif args.action == "totp":
            _totp(store, args.username, args.reset, actor)
        else:
            for row in users.list_users(store).iter_rows(named=True):
                state = "disabled" if row["disabled"] else "active"
                factor = "2FA" if row["second_factor"] else "-"
                print(f"{row['username']:<16} {row['role']:<11} {row['court_code'] or '-':<8} "
                      f"{state:<8} {factor:<4} {row['display_name']}")
    except users.UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTS
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    import getpass
    import json

    from supervision.security import audit
    from supervision.store import engine

    try:
        result = audit.archive(engine(args.store), args.to, args.before,
                               actor=f"cli:{getpass.getuser()}")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTS
    print(json.dumps(result, ensure_ascii=False))
    return EXIT_OK


def _totp(store, username: str, reset: bool, actor: str) -> None:
    """Enroll (or with reset, remove) a user's second factor; enrolling prints the
    otpauth URI and its QR code for the user's authenticator app, once."""
    import segno

    from supervision.security import users

    name = users.canonical(username)
    if reset:
        users.reset_totp(store, name, actor=actor)
        print(f"second factor of {name} removed")
        return
    uri = users.totp_uri(name, users.enroll_totp(store, name, actor=actor))
    print(f"second factor of {name} enrolled. Scan this QR code with an authenticator app "
          f"(or enter the URI); it is shown only now:")
    segno.make(uri, error="m").terminal(out=sys.stdout, compact=True)
    print(uri)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:300] if text else ''}"


def _import_failed(args: argparse.Namespace, files: dict[str, Path], actor: str, error: str,
                   **detail: object) -> int:
    """An import that stored nothing: recorded as import_failed, said in one line. A worker
    that cannot record it (its memory ran out) leaves that to the command that runs it."""
    code = EXIT_UNREADABLE
    try:
        _audit(args.store, actor, "import_failed", str(args.db), error=error,
               files={t: str(p) for t, p in files.items()}, **detail)
    except Exception as exc:  # the words still reach the user
        if args.worker:
            code = EXIT_UNRECORDED
        else:
            print(f"warning: the audit trail could not record the failure "
                  f"({type(exc).__name__})", file=sys.stderr)
    print(f"error: {error} (nothing was imported)", file=sys.stderr)
    return code


def _import_in_a_worker(args: argparse.Namespace, files: dict[str, Path], actor: str) -> int:
    """Run the import in a process of its own under the memory and time limits, pass on
    what it prints, and put in words (and the audit trail) any end it could not report
    itself: the memory ran out (a Rust allocation aborts the process), it was killed, it
    ran out of time. The served database is untouched by an import that did not finish."""
    import os
    import signal
    import subprocess
    import tempfile

    from supervision.data import import_process as limits

    try:
        mb, minutes = limits.memory_limit_mb(), limits.timeout_minutes()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    command = [sys.executable, "-m", "supervision", "import", "--worker", "--db", str(args.db),
               "--actor", actor]
    for table, path in files.items():
        command += [f"--{table.replace('_', '-')}", str(path)]
    if args.rejects_dir:
        command += ["--rejects-dir", str(args.rejects_dir)]
    if args.store:
        command += ["--store", args.store]
    if args.json:
        command.append("--json")
    # no Rust backtraces: never shown, and printing one when memory has run out can
    # deadlock the process instead of ending it; one BLAS thread (the import does no BLAS)
    env = {**os.environ, "RUST_BACKTRACE": "0", "OPENBLAS_NUM_THREADS": "1",
           "SUPERVISION_IMPORT_PARENT": str(os.getpid())}
    # the worker's scratch (transcoded copies of the files) lives in a folder this process
    # owns and removes, so a worker killed by a limit or a signal leaves nothing behind
    with tempfile.TemporaryDirectory(prefix="supervision-import-") as scratch:
        try:
            proc = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                  timeout=minutes * 60, env={**env, "TMPDIR": scratch})
        except subprocess.TimeoutExpired:
            proc = None   # run() has killed the worker
    if proc is None:
        # the worker's work file is discarded by the next import
        return _import_failed(args, files, actor, limits.timeout_words(minutes),
                              cause=f"stopped after {minutes:g} minutes")
    sys.stdout.write(proc.stdout)
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    if proc.returncode in (WORKER_EXIT + EXIT_OK, WORKER_EXIT + EXIT_REJECTS):
        sys.stderr.write(proc.stderr)
        return proc.returncode - WORKER_EXIT
    said = [line for line in errors if line.startswith("error: ")]
    if proc.returncode == WORKER_EXIT + EXIT_UNREADABLE and said:
        # the worker said why and recorded it
        print(said[-1], file=sys.stderr)
        return EXIT_UNREADABLE
    if proc.returncode == WORKER_EXIT + EXIT_UNRECORDED and said:
        # the worker said why but could not record it
        error = said[-1].removeprefix("error: ").removesuffix(" (nothing was imported)")
        return _import_failed(args, files, actor, error)
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = str(-proc.returncode)
        how = f"signal {name}"
    else:
        name, how = "", f"exit code {proc.returncode}"
    # a Rust allocation that fails aborts (SIGABRT), the kernel's OOM killer sends SIGKILL
    memory = (limits.is_memory_failure(proc.stderr)
              or name in ("SIGABRT", "SIGKILL", "SIGSEGV", "SIGBUS"))
    words = limits.memory_words(mb) if memory else limits.stopped_words(how)
    cause = next((line.strip()[:300] for line in reversed(errors)
                  if limits.is_memory_failure(line)), errors[-1][:300] if errors else "")
    return _import_failed(args, files, actor, words, cause=f"{how}: {cause}".rstrip(": "))


def _audit(store_url: str | None, actor: str, event: str, target: str, **detail) -> None:
    from supervision.security import audit
    from supervision.store import engine

    audit.record(engine(store_url), actor, event, target, **detail)


def _court_checker(db: Path | None):
    """A check of court codes against the case database, when one is given or configured."""
    import os

    path = db or (Path(os.environ["SUPERVISION_DB"]) if os.environ.get("SUPERVISION_DB")
                  else None)
    if path is None or not Path(path).exists():
        return None

    def exists(code: str) -> bool:
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            return bool(con.execute("SELECT count(*) FROM courts WHERE court_code = ?",
                                    [code]).fetchall()[0][0])
        finally:
            con.close()

    return exists


def _new_password() -> str:
    """From SUPERVISION_PASSWORD (scripts) or asked twice at the terminal."""
    import os

    if os.environ.get("SUPERVISION_PASSWORD"):
        return os.environ["SUPERVISION_PASSWORD"]
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat it: "):
        from supervision.security.users import UserError

        raise UserError("the two passwords differ")
    return first
