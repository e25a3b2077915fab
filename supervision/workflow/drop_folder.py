"""The nightly import from a drop folder: the case-management system's export lands in a
folder, and `python -m supervision drop-import --folder DIR` (a timer) imports what it finds.

A file's table is the start of its name: courts*, case_types* (or case-types*), cases*,
petitions* (.csv, .xlsx or .parquet). Files are imported one by one in the tables' order
(courts before the cases that refer to them; then by name), each by the import command in
its worker, under its memory and time limits (`python -m supervision import`, which records
`import` or `import_failed` in the audit trail). Each processed file is moved aside:
  DIR/done/<run>/<file>   with <file>.rejects.csv when rows were rejected
  DIR/failed/<run>/<file> with <file>.error.txt saying why nothing was imported
A file whose name names no table fails too. A file changed in the last `settle_seconds`
(still being written) and hidden or .part/.tmp files are left for the next run. Each run,
also an empty one, is one `drop_import` entry in the audit trail, which the admin page
shows with its failures. Two runs on one folder never overlap (a lock beside the files)."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine

from supervision.data.importer import TABLE_ORDER
from supervision.security import audit
from supervision.workflow import import_command

SUFFIXES = (".csv", ".xlsx", ".parquet")
SETTLE_SECONDS = 60
LOCK = ".drop-import.lock"
ACTOR = "drop-folder"


class DropFolderBusy(Exception):
    """Another run holds the folder."""


@dataclass
class Outcome:
    file: str
    table: str | None
    state: str                 # done | failed
    moved_to: str
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def table_of(name: str) -> str | None:
    """The table a file's name starts with (case_types before cases: the longer first)."""
    lowered = name.lower().replace("-", "_")
    for table in sorted(TABLE_ORDER, key=len, reverse=True):
        if lowered.startswith(table):
            return table
    return None


def waiting_files(folder: Path, settle_seconds: float) -> list[Path]:
    """The files to import now, in import order."""
    now = time.time()
    found = [p for p in folder.iterdir()
             if p.is_file() and not p.name.startswith(".")
             and not p.name.endswith((".part", ".tmp", ".rejects.csv"))
             and now - p.stat().st_mtime >= settle_seconds]
    order = {t: i for i, t in enumerate(TABLE_ORDER)}
    return sorted(found, key=lambda p: (order.get(table_of(p.name) or "", len(order)), p.name))


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    with open(folder / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DropFolderBusy(f"{folder}: another drop-folder import is running") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_name(folder: Path) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name, n = stamp, 1
    while (folder / "done" / name).exists() or (folder / "failed" / name).exists():
        n += 1
        name = f"{stamp}-{n}"
    return name


def run(folder: Path, db: Path, store: Engine, store_url: str | None, *,
        settle_seconds: float = SETTLE_SECONDS, actor: str = ACTOR) -> dict[str, Any]:
    """Import the waiting files of `folder` into `db`; returns the run as recorded."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    with _folder_lock(folder):
        run_name = _run_name(folder)
        outcomes = [_one(path, run_name, db, store, store_url, actor)
                    for path in waiting_files(folder, settle_seconds)]
    summary = {"folder": str(folder), "run": run_name,
               "done": sum(o.state == "done" for o in outcomes),
               "failed": sum(o.state == "failed" for o in outcomes),
               "files": [o.__dict__ for o in outcomes]}
    audit.record(store, actor, "drop_import", str(folder), **summary)
    return summary


def _one(path: Path, run_name: str, db: Path, store: Engine, store_url: str | None,
         actor: str) -> Outcome:
    table = table_of(path.name)
    folder = path.parent
    if table is None or path.suffix.lower() not in SUFFIXES:
        error = (f"the file name names no table: start it with {', '.join(TABLE_ORDER)} "
                 f"and end it with {', '.join(SUFFIXES)}")
        audit.record(store, actor, "import_failed", str(db), error=error,
                     files={"?": path.name}, drop_folder=str(folder))
        return _failed(path, folder / "failed" / run_name, table, error)
    done_dir = folder / "done" / run_name
    done_dir.mkdir(parents=True, exist_ok=True)
    figures, error = _import(path, table, db, done_dir, store_url, actor)
    if figures is None:
        _remove_if_empty(done_dir)
        return _failed(path, folder / "failed" / run_name, table, error)
    target = done_dir / path.name
    shutil.move(path, target)
    return Outcome(path.name, table, "done", str(target), figures=figures)


def _failed(path: Path, where: Path, table: str | None, error: str) -> Outcome:
    where.mkdir(parents=True, exist_ok=True)
    target = where / path.name
    shutil.move(path, target)
    (where / f"{path.name}.error.txt").write_text(error + "\n", encoding="utf-8")
    return Outcome(path.name, table, "failed", str(target), error=error)


def _remove_if_empty(folder: Path) -> None:
    if folder.exists() and not any(folder.iterdir()):
        folder.rmdir()
        if not any(folder.parent.iterdir()):
            folder.parent.rmdir()


def _import(path: Path, table: str, db: Path, rejects_dir: Path, store_url: str | None,
            actor: str) -> tuple[dict[str, Any] | None, str]:
    """The import command (which runs the import in its worker, under the limits, and
    records it) on one file: the figures it read back, or why it stopped."""
    outcome = import_command.run(db, {table: path}, rejects_dir, actor, store_url)
    if outcome.figures is None:
        return None, outcome.error
    [figures] = outcome.figures
    return figures, ""


def runs(store: Engine, limit: int = 20) -> pl.DataFrame:
    """The last drop-folder runs from the audit trail: one row per file (a run without
    files: one row with no file), newest first."""
    entries = audit.entries(store, limit=limit, event="drop_import")
    rows: list[dict[str, Any]] = []
    for entry in entries.iter_rows(named=True):
        detail = json.loads(entry["detail"]) if entry["detail"] else {}
        files = detail.get("files") or [{}]
        for f in files:
            figures = f.get("figures") or {}
            rows.append({"at": entry["at"], "run": detail.get("run"), "file": f.get("file"),
                         "table": f.get("table"), "state": f.get("state"),
                         "rows": figures.get("rows"), "stored": figures.get("stored"),
                         "rejected": figures.get("rejected"), "error": f.get("error"),
                         "moved_to": f.get("moved_to")})
    schema = {"at": pl.Datetime, "run": pl.String, "file": pl.String, "table": pl.String,
              "state": pl.String, "rows": pl.Int64, "stored": pl.Int64, "rejected": pl.Int64,
              "error": pl.String, "moved_to": pl.String}
    return pl.DataFrame(rows, schema=schema)
