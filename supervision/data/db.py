"""Opening the case database, and replacing it with a new version.

The app reads the case database read-only. Writers (the importer, the generator) never
write the served file: they fill a copy and swap it in with one atomic rename, so readers
see the old version or the new one, never half an import, and a writer killed half-way
leaves the served file as it was (docs/architecture.md, "Imports while serving").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

MACROS_SQL = Path(__file__).resolve().parents[2] / "queries" / "macros.sql"
# DuckDB's memory for a served version: its cache of the file's blocks and the queries'
# work (a sort beyond it spills to a folder beside the file). Unbounded, the cache grows
# to 80 % of the machine's memory; the pages count from cases kept in memory
# (supervision.engine.memory_counts, supervision.engine.memory_core_counts) and scan the file little
SERVED_MEMORY_LIMIT = "384MB"


class DatabaseBusy(Exception):
    """Another writer holds the case database; the message is for the user."""


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if missing) the DuckDB file at `path` with the schema in place.

    A read-only open of a file that does not exist raises duckdb.IOException."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if read_only:
        # macros are per connection: a read-only connection gets them as temporary ones
        con.execute(MACROS_SQL.read_text(encoding="utf-8").replace(
            "CREATE OR REPLACE MACRO", "CREATE OR REPLACE TEMP MACRO"))
    else:
        ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Migrate to the newest schema, bring the vocabulary tables up to supervision.domain.vocabulary,
    refresh the macros and insert missing defaults."""
    from supervision.data import migrations
    from supervision.data.reference import install_defaults
    from supervision.domain import vocabulary

    migrations.migrate(con)
    vocabulary.install_vocabulary(con)
    macros = MACROS_SQL.read_text(encoding="utf-8")
    con.execute(macros)
    con.execute("DELETE FROM macro_source")
    con.execute("INSERT INTO macro_source VALUES (?)", [_sha256(macros)])
    install_defaults(con)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def schema_is_current(path: str | Path) -> bool:
    """Whether the file at `path` needs no migration (read without a write lock): its
    schema is the newest and its macros were made from this release's queries/macros.sql.
    (The macros a read-only connection makes are its own, not its cursors': the cursors
    every session queries on use the file's.)"""
    from supervision.data import migrations

    con = duckdb.connect(str(path), read_only=True)
    try:
        if migrations.version(con) < migrations.LATEST:
            return False
        made_from = con.execute("SELECT sha256 FROM macro_source").fetchall()
        return made_from == [(_sha256(MACROS_SQL.read_text(encoding="utf-8")),)]
    finally:
        con.close()


def migrate_file(path: str | Path) -> None:
    """Bring the file at `path` to the newest schema, as a new version swapped in (the
    app may be reading it meanwhile)."""
    with new_version(path) as work:
        con = connect(work)
        con.execute("CHECKPOINT")
        con.close()
        compact(work)


def compact(path: Path) -> None:
    """Rewrite the file without the space dropped tables left (DuckDB reuses freed blocks
    but never shrinks a file): a migration that rebuilds a table would double it."""
    fresh = path.with_name(path.name + ".compact")
    Path(fresh).unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS src (READ_ONLY)", [str(path)])
        con.execute("ATTACH ? AS dst", [str(fresh)])
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("DETACH dst")
        con.execute("DETACH src")
    finally:
        con.close()
    os.replace(fresh, path)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failure inside rolls every statement back."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def data_version(path: str | Path) -> str:
    """Changes whenever a new version of the file is swapped in (cache keys use it)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "missing"
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


def connect_current_version(path: str | Path) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A read-only connection to the version of `path` being served now, and that version.

    DuckDB hands back an already-open database when the same path is opened again in one
    process, which would keep the app on the version it opened first. So each version is
    opened under its own name: a hard link `.<name>.v<version>` beside the file (the same
    inode, no copy). Links of replaced versions are removed; connections still reading them
    keep their open file until they close."""
    path = Path(path)
    for _attempt in range(5):
        version = data_version(path)
        if version == "missing":
            raise duckdb.IOException(f"{path}: no such database")
        link = path.with_name(f".{path.name}.v{version.replace(':', '-')}")
        try:
            os.link(path, link)
        except FileExistsError:
            pass
        except FileNotFoundError:
            continue  # swapped between the stat and the link: look again
        if data_version(link).split(":")[0] != version.split(":")[0]:
            link.unlink(missing_ok=True)  # linked a newer file under an older name
            continue
        _remove_old_links(path, keep=link)
        con = connect(link, read_only=True)
        con.execute(f"SET memory_limit = '{served_memory_limit()}'")
        return con, version
    raise DatabaseBusy(f"{path}: the file keeps changing; try again")


def served_memory_limit() -> str:
    """SUPERVISION_DUCKDB_MEMORY (e.g. `1GB`, for a bigger machine), else
    SERVED_MEMORY_LIMIT."""
    limit = os.environ.get("SUPERVISION_DUCKDB_MEMORY", SERVED_MEMORY_LIMIT).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit):
        raise ValueError(f"SUPERVISION_DUCKDB_MEMORY: not a size like 384MB: {limit!r}")
    return limit


def is_version_link(path: Path) -> bool:
    """Whether `path` names a version link of connect_current_version
    (`.<name>.v<inode>-<mtime>-<size>`): one version's file, whose data never change."""
    return re.fullmatch(r"\..+\.v\d+-\d+-\d+", path.name) is not None


def _remove_old_links(path: Path, keep: Path) -> None:
    """Remove the links of replaced versions, the folders DuckDB spilled their queries to
    (`<link>.tmp`) once empty (a query still running on an old version keeps its own) and
    the cases kept beside them (`<link>.arrays`, supervision.engine.mapped_arrays: a process still
    mapping them keeps its files until it unmaps them)."""
    for old in path.parent.glob(f".{path.name}.v*"):
        if old == keep or old.name in (f"{keep.name}.tmp", f"{keep.name}.arrays"):
            continue
        if is_version_link(old):
            old.unlink(missing_ok=True)
        elif old.name.endswith(".tmp") and is_version_link(old.with_suffix("")):
            with contextlib.suppress(OSError):   # not empty, or gone
                old.rmdir()
        elif old.name.endswith(".arrays") and is_version_link(old.with_suffix("")):
            shutil.rmtree(old, ignore_errors=True)


def _work_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


@contextmanager
def writer_lock(path: Path, *, wait: bool = True) -> Iterator[None]:
    """One writer at a time per case database (an advisory lock beside the file, released
    by the kernel if the writer dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise DatabaseBusy(f"{path}: another import or generation is running") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def new_version(path: str | Path, *, start_empty: bool = False) -> Iterator[Path]:
    """A working copy of the case database that replaces it when the block succeeds.

    Yields the working file's path: open it with `connect`, write, and close it before the
    block ends. On success the copy is flushed to disk and renamed over `path` in one step;
    on any failure (or a kill) the served file is untouched and the copy is discarded."""
    path = Path(path)
    work = _work_path(path)
    with writer_lock(path):
        _discard(work)  # a copy left by a writer that died
        if path.exists() and not start_empty:
            shutil.copyfile(path, work)
            if Path(f"{path}.wal").exists():
                # committed writes not yet checkpointed belong to the file: replayed on open
                shutil.copyfile(f"{path}.wal", f"{work}.wal")
        try:
            yield work
        except BaseException:
            _discard(work)
            raise
        if Path(f"{work}.wal").exists():
            _discard(work)
            raise RuntimeError("the new version was not checkpointed and closed by its writer")
        _fsync(work)
        os.replace(work, path)
        # a log of the replaced file (copied into the new version above) must not be
        # replayed onto the new one
        Path(f"{path}.wal").unlink(missing_ok=True)
        _fsync(path.parent)


def _discard(work: Path) -> None:
    for p in (work, Path(f"{work}.wal")):
        p.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def record_load(con: duckdb.DuckDBPyConnection, kind: str, source: str, rows: int) -> None:
    """One line in data_loads: the data's freshness as pages and exports show it (the time
    in UTC without a zone, as every stored time; shown in the court's zone)."""
    con.execute("INSERT INTO data_loads VALUES (?, ?, ?, ?)",
                [dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0), kind, source,
                 rows])
