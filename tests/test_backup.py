"""Backups that restore: `python -m supervision backup` of a demo with ledger items, audit
rows and a published weekly report, restored by `python -m supervision restore` into an empty
setup, gives the same report output, ledger, audit trail and publication byte for byte — on
SQLite and on PostgreSQL (when SUPERVISION_TEST_PG_URL is set)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import create_engine, select

from supervision.data.db import connect
from supervision.security import audit
from supervision.security.access import Access
from supervision.security.users import install_demo_users
from supervision.store import schema
from supervision.workflow import backup, ledger, publication
from tests.conftest import DEMO_END
from tests.test_store import _fresh_pg_database, drop_pg_database, store_of_kind

ROOT = Path(__file__).resolve().parent.parent
LEDGER_TABLES = ("visits", "ledger_items", "ledger_updates", "typical_cases", "escalations",
                 "escalation_events")


def cli(*args: str, store: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "supervision", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "SUPERVISION_STORE": store})


def url_of(eng) -> str:  # noqa: ANN001
    return eng.url.render_as_string(hide_password=False)


def rows_of(url: str, table: str) -> bytes:
    """Every row of a store table in id order, as JSON lines (bytes to compare)."""
    eng = create_engine(url)
    try:
        t = schema.metadata.tables[table]
        order = t.c.id if "id" in t.c else list(t.primary_key.columns)[0]
        with eng.connect() as connection:
            rows = connection.execute(select(t).order_by(order)).mappings().all()
    finally:
        eng.dispose()
    return b"".join(json.dumps({k: (v.hex() if isinstance(v, bytes) else v)
                                for k, v in r.items()}, ensure_ascii=False, default=str,
                               sort_keys=True).encode() + b"\n" for r in rows)


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request, tmp_path):
    """A fresh migrated store of one kind (the one backed up) and an empty one of the same
    kind, never opened by the app (the one restored into)."""
    source = store_of_kind(request.param, tmp_path)
    eng = next(source)
    empty = (f"sqlite:///{tmp_path / 'restored' / 'ops.sqlite'}" if request.param == "sqlite"
             else _fresh_pg_database())
    yield url_of(eng), empty
    next(source, None)
    if request.param != "sqlite":
        drop_pg_database(empty)


@pytest.fixture
def demo(demo_db, tmp_path, stores):
    """A demo case database with ledger items and audit rows in the source store."""
    source, _target = stores
    db = tmp_path / "cases.duckdb"
    shutil.copy(demo_db, db)
    from supervision.store import engine

    store = engine(source)
    install_demo_users(store)
    con = connect(db, read_only=True)
    court = con.execute("SELECT court_code FROM courts WHERE province = '琼' "
                        "ORDER BY court_code LIMIT 1").fetchall()[0][0]
    sup = Access("supervisor", "supervisor", "HI000", "琼")
    visit = ledger.record_visit(store, con, sup, court=court, visit_on=DEMO_END,
                                members="督导组：张三、李四", opinions=[
                                    ledger.Opinion("清理长期未结案件 <b>*重点*</b>", "执行局",
                                                   DEMO_END + dt.timedelta(days=30),
                                                   index_code="termination_qualified")])
    [item] = ledger.items(store, (court,))["id"].to_list()
    ledger.update_item(store, con, sup, item_id=item, read_version=1, status="in_progress",
                       note="已清理 12 件", index_value=0.81, index_as_of=DEMO_END)
    con.close()
    audit.record(store, "supervisor", "export", "brief.pdf", what="brief", visit=visit)
    return db


def report_csv(db: Path, store: str) -> bytes:
    out = cli("report", "--db", str(db), "--as-of", str(DEMO_END), "--format", "csv",
              store=store)
    assert out.returncode == 0, out.stderr
    return out.stdout.encode()


def test_a_restored_backup_gives_the_same_report_ledger_audit_and_publication(
        demo, stores, tmp_path):
    source, target = stores
    from supervision.store import engine

    publication.publish(engine(source), province="琼", as_of=DEMO_END, language="zh",
                        title="通报", data=publication.DataVersion("1:2:3", "0" * 64, None,
                                                                 DEMO_END),
                        pdf=b"%PDF-1.7\n\x00\xff", xlsx=b"PK\x03\x04\x00",
                        shown=pl.DataFrame({"court_code": ["HI720"], "index": ["rate"],
                                            "value": [0.5]}), actor="supervisor")
    folder = tmp_path / "backup"
    made = cli("backup", "--to", str(folder), "--db", str(demo), store=source)
    assert made.returncode == 0, made.stderr
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["store"]["rows"]["ledger_items"] == 1
    assert manifest["store"]["rows"]["weekly_publications"] == 1
    # the files check with the standard tool too
    assert subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=folder
                          ).returncode == 0

    restored_db = tmp_path / "restored" / "cases.duckdb"
    done = cli("restore", "--from", str(folder), "--db", str(restored_db), "--store", target,
               store=target)
    assert done.returncode == 0, done.stderr
    assert "1 ledger_items" in done.stdout

    assert restored_db.read_bytes() == demo.read_bytes()
    assert report_csv(restored_db, target) == report_csv(demo, source)
    for table in (*LEDGER_TABLES, "users", "weekly_publications"):
        assert rows_of(target, table) == rows_of(source, table), table
    # the audit trail: every entry of the backup, then the restore's own entry
    last = manifest["store"]["audit_last_id"]
    source_trail, target_trail = rows_of(source, "audit_log"), rows_of(target, "audit_log")
    saved = b"".join(line + b"\n" for line in source_trail.splitlines()
                     if json.loads(line)["id"] <= last)
    assert target_trail.startswith(saved) and saved.count(b"\n") == last
    after = [json.loads(line) for line in target_trail.splitlines()[last:]]
    assert [e["event"] for e in after] == ["backup_restored"]
    assert [json.loads(line)["event"] for line in source_trail.splitlines()[last:]] == [
        "backup_made"]


def test_a_damaged_backup_or_a_setup_in_use_is_refused(demo, stores, tmp_path):
    source, target = stores
    folder = tmp_path / "backup"
    assert cli("backup", "--to", str(folder), "--db", str(demo), store=source).returncode == 0
    # a second backup into the same folder is refused, the first left whole
    again = cli("backup", "--to", str(folder), "--db", str(demo), store=source)
    assert again.returncode == 2 and "not empty" in again.stderr
    assert backup.verify(folder)["format"] == backup.FORMAT

    # restoring over the demo's own (not empty) setup is refused without --force
    refused = cli("restore", "--from", str(folder), "--db", str(demo), "--store", source,
                  store=source)
    assert refused.returncode == 1 and "empty setup" in refused.stderr

    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    with open(damaged / "cases.duckdb", "r+b") as f:
        f.seek(4096)
        byte = f.read(1)
        f.seek(4096)
        f.write(bytes([byte[0] ^ 0xFF]))
    restored_db = tmp_path / "restored" / "cases.duckdb"
    bad = cli("restore", "--from", str(damaged), "--db", str(restored_db), "--store", target,
              store=target)
    assert bad.returncode == 1 and "checksum mismatch" in bad.stderr and "cases.duckdb" in bad.stderr
    assert not restored_db.exists()
    assert backup.store_is_empty(target)
