"""Backups that restore: the served case-database version and the operational store saved
together, with their SHA-256, and brought back into an empty setup.

`python -m supervision backup --to DIR` writes
  cases.duckdb      the served version of the case database, copied as it is (a served
                    version never changes: an import writes a new file and renames it)
  store.sqlite      the operational store through SQLite's backup API (one consistent copy)
  or store.pgdump   `pg_dump --format=custom` of a PostgreSQL store, on an exported snapshot
  manifest.json     what was saved: the case data's version and dates, the store's Alembic
                    revision and its rows per table counted in the same snapshot
  SHA256SUMS        the checksums of the three files (`sha256sum -c SHA256SUMS` checks them)
While it runs the case database's writer lock is held: an import waits, so the case data
and the store are saved as of one moment between imports.

`python -m supervision restore --from DIR` checks every checksum first, refuses a setup that
is not empty (unless force), puts the case database in place as a new version (atomic
rename) and the store back, then reads the store's rows back and compares them with the
manifest. Both commands are recorded in the audit trail (the restore in the restored store,
after the comparison)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from supervision.data.db import data_version, new_version, writer_lock
from supervision.store.schema import audit_log, metadata

FORMAT = 1
CASES = "cases.duckdb"
STORE_SQLITE = "store.sqlite"
STORE_PG = "store.pgdump"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
CHUNK = 8 << 20


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the user."""


# ------------------------------------------------------------------ helpers


def version_of(handle: IO[bytes]) -> str:
    """The version string (supervision.data.db.data_version) of an open file."""
    st = os.fstat(handle.fileno())
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


@contextmanager
def served_file(path: Path) -> Iterator[tuple[IO[bytes], str]]:
    """The served version of the case database, open: (file, version). The open file keeps
    its inode whatever is renamed over the path meanwhile, and a served version's bytes
    never change."""
    for _attempt in range(5):
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise BackupError(f"{path}: no such case database") from None
        version = version_of(handle)
        if data_version(path) == version and not Path(f"{path}.wal").exists():
            try:
                yield handle, version
            finally:
                handle.close()
            return
        handle.close()   # swapped between the open and the stat, or not checkpointed
    raise BackupError(f"{path}: the file keeps changing, or has an unapplied .wal; try again")


def copy_with_sha256(source: IO[bytes], target: Path) -> tuple[str, int]:
    """Copy an open file to `target`, flushed to disk; its SHA-256 and size."""
    digest, size = hashlib.sha256(), 0
    source.seek(0)
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite store cannot be backed up")
    return Path(parsed.database)


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore: from SUPERVISION_PG_BIN, else the newest of Debian's
    /usr/lib/postgresql/<version>/bin, else PATH (pg_dump must not be older than the
    server)."""
    folder = os.environ.get("SUPERVISION_PG_BIN")
    candidates = [Path(folder) / name] if folder else []
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                         key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
                         reverse=True)
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install postgresql-client or set "
                          "SUPERVISION_PG_BIN")
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump/pg_restore without the password, which goes in PGPASSWORD
    (a command line is visible to every user of the machine)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(command, capture_output=True, text=True, errors="replace", env=env)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        raise BackupError(f"{what} failed ({proc.returncode}): "
                          f"{lines[-1][:300] if lines else 'no message'}")


def table_rows(connection: Connection) -> dict[str, int]:
    """Rows per table of the store (and its Alembic revision's table)."""
    names = [t.name for t in metadata.sorted_tables]
    present = set(inspect(connection).get_table_names())
    rows = {name: connection.execute(select(func.count()).select_from(metadata.tables[name])
                                     ).scalar_one()
            for name in names if name in present}
    if "alembic_version" in present:
        rows["alembic_version"] = connection.execute(
            text("SELECT count(*) FROM alembic_version")).scalar_one()
    return rows


def _revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _store_state(connection: Connection) -> dict[str, Any]:
    present = set(inspect(connection).get_table_names())
    last = (connection.execute(select(func.max(audit_log.c.id))).scalar()
            if "audit_log" in present else None)
    return {"revision": _revision(connection), "rows": table_rows(connection),
            "audit_last_id": last}


# ------------------------------------------------------------------ backup


def backup(db: Path, store_url: str, folder: Path, *, actor: str) -> dict[str, Any]:
    """Write a backup of the served case database and the store to `folder` (new or
    empty). Returns the manifest, whose figures were read from the copies (SQLite) or in
    the dump's snapshot (PostgreSQL)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup")
    folder.mkdir(parents=True, exist_ok=True)
    made_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with writer_lock(Path(db)):   # an import waits: case data and store of one moment
        with served_file(Path(db)) as (handle, version):
            cases_sha, cases_bytes = copy_with_sha256(handle, folder / CASES)
        store = _backup_store(store_url, folder)
    cases = _case_facts(folder / CASES)
    manifest = {
        "format": FORMAT, "made_at": made_at.isoformat(), "made_by": actor,
        "case_database": {"file": CASES, "source": str(db), "version": version,
                          "sha256": cases_sha, "bytes": cases_bytes, **cases},
        "store": store,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                   encoding="utf-8")
    sums = {CASES: cases_sha, store["file"]: store["sha256"],
            MANIFEST: file_sha256(folder / MANIFEST)}
    (folder / SUMS).write_text("".join(f"{s}  {n}\n" for n, s in sums.items()),
                               encoding="utf-8")
    _fsync_folder(folder)
    from supervision.security import audit
    from supervision.store import engine

    audit.record(engine(store_url), actor, "backup_made", str(folder),
                 case_version=version, case_sha256=cases_sha, store_sha256=store["sha256"],
                 audit_last_id=store["audit_last_id"])
    return manifest


def _backup_store(url: str, folder: Path) -> dict[str, Any]:
    path = _sqlite_path(url)
    if path is not None:
        if not path.exists():
            raise BackupError(f"{path}: no such store")
        target = folder / STORE_SQLITE
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)   # one consistent copy, whatever writes meanwhile
        finally:
            copy.close()
            source.close()
        check = create_engine(f"sqlite:///{target}")
        try:
            with check.connect() as connection:
                state = _store_state(connection)
        finally:
            check.dispose()
        return {"kind": "sqlite", "file": STORE_SQLITE, "sha256": file_sha256(target),
                "bytes": target.stat().st_size, **state}
    # PostgreSQL: count the rows in a snapshot and dump that same snapshot
    target = folder / STORE_PG
    eng = create_engine(url)
    try:
        with eng.connect() as connection:
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, "
                                    "READ ONLY"))
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            state = _store_state(connection)
            conninfo, env = _libpq(url)
            _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={target}", f"--dbname={conninfo}"],
                 env, "pg_dump")
            connection.rollback()
    finally:
        eng.dispose()
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
    return {"kind": "postgresql", "file": STORE_PG, "sha256": file_sha256(target),
            "bytes": target.stat().st_size, **state}


def _case_facts(path: Path) -> dict[str, Any]:
    """The saved case data's latest date and last import, read from the copy."""
    from supervision.data import lookups
    from supervision.data.db import connect

    con = connect(path, read_only=True)
    try:
        latest, loaded = lookups.latest_date(con), lookups.last_load(con)
    finally:
        con.close()
    return {"latest_data_date": latest.isoformat() if latest else None,
            "last_import": loaded.isoformat() if loaded else None}


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ------------------------------------------------------------------ restore


def verify(folder: Path) -> dict[str, Any]:
    """Check every file against SHA256SUMS and the manifest; the manifest."""
    folder = Path(folder)
    sums_file = folder / SUMS
    if not sums_file.exists() or not (folder / MANIFEST).exists():
        raise BackupError(f"{folder}: not a backup (no {SUMS} or {MANIFEST})")
    sums: dict[str, str] = {}
    for line in sums_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip().lstrip("*")] = digest
    bad = [name for name, digest in sums.items()
           if not (folder / name).is_file() or file_sha256(folder / name) != digest]
    if bad:
        raise BackupError(f"{folder}: checksum mismatch or missing file: {', '.join(bad)}")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder}: backup format {manifest.get('format')} is not {FORMAT}")
    for part in ("case_database", "store"):
        entry = manifest[part]
        if sums.get(entry["file"]) != entry["sha256"]:
            raise BackupError(f"{folder}: {entry['file']} is not the file the manifest names")
    return manifest


def store_is_empty(url: str) -> bool:
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        return True
    eng = create_engine(url)
    try:
        with eng.connect() as connection:
            return not inspect(connection).get_table_names()
    finally:
        eng.dispose()


def restore(folder: Path, db: Path, store_url: str, *, force: bool = False,
            actor: str) -> dict[str, Any]:
    """Restore the backup in `folder` into the case database `db` and the store at
    `store_url`, which must be empty (force: replaced). Returns what was read back."""
    manifest = verify(folder)
    folder, db = Path(folder), Path(db)
    kind = "sqlite" if _sqlite_path(store_url) is not None else "postgresql"
    if manifest["store"]["kind"] != kind:
        raise BackupError(f"the backup holds a {manifest['store']['kind']} store; "
                          f"{kind} was given (restore into the same kind)")
    if not force:
        if db.exists():
            raise BackupError(f"{db} exists: restore into an empty setup, or give --force")
        if not store_is_empty(store_url):
            raise BackupError("the store is not empty: restore into an empty store, or give "
                              "--force")
    from supervision.store import _ENGINES

    engine_here = _ENGINES.pop(store_url, None)   # no pooled connection across the restore
    if engine_here is not None:
        engine_here.dispose()
    # the case database: a new version swapped in (a server reading `db` sees it next run)
    with new_version(db, start_empty=True) as work, open(folder / CASES, "rb") as source:
        copy_with_sha256(source, work)
    if file_sha256(db) != manifest["case_database"]["sha256"]:
        raise BackupError(f"{db} does not read back as the backup's case database")
    _restore_store(folder, manifest["store"], store_url, force)
    check = create_engine(store_url)
    try:
        with check.connect() as connection:
            state = _store_state(connection)
    finally:
        check.dispose()
    saved = manifest["store"]
    if state["rows"] != saved["rows"] or state["revision"] != saved["revision"]:
        raise BackupError(f"the restored store differs from the backup: {state['rows']} rows "
                          f"(revision {state['revision']}), the backup holds {saved['rows']} "
                          f"(revision {saved['revision']})")
    from supervision.security import audit
    from supervision.store import engine

    audit.record(engine(store_url), actor, "backup_restored", str(folder),
                 case_version=manifest["case_database"]["version"],
                 case_sha256=manifest["case_database"]["sha256"],
                 made_at=manifest["made_at"], audit_last_id=saved["audit_last_id"])
    return {"case_database": str(db), "case_sha256": manifest["case_database"]["sha256"],
            **state}


def _restore_store(folder: Path, saved: dict[str, Any], url: str, force: bool) -> None:
    path = _sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if force:
            for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                extra.unlink(missing_ok=True)
        source = sqlite3.connect(f"file:{folder / saved['file']}?mode=ro", uri=True)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    conninfo, env = _libpq(url)
    command = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
               "--single-transaction", f"--dbname={conninfo}"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, str(folder / saved["file"])], env, "pg_restore")


def remove_partial(folder: Path) -> None:
    """Remove a backup folder left half-written by a failed backup."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(folder)
