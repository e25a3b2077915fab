"""The publications page in Chromium: after a correcting import, the published PDF and XLSX
download byte-identical to what was sent, each download in the audit trail, and the page
says what changed since publication."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from playwright.sync_api import expect

from supervision.security import audit
from supervision.security.users import DEMO_USERS, install_demo_users
from supervision.store import engine
from tests.browser_kit import (
    ARTIFACTS,
    login,
    streamlit_server,
    wait_idle,
)
from tests.conftest import DEMO_END

ROOT = Path(__file__).resolve().parent.parent
WEEK = DEMO_END - dt.timedelta(days=7)
PASSWORDS = {u: p for u, _, _, _, p in DEMO_USERS}


def cli(*args: str, store: str) -> None:
    done = subprocess.run([sys.executable, "-m", "supervision", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "SUPERVISION_STORE": store})
    assert done.returncode == 0, done.stderr


def test_published_files_download_as_sent_after_a_correction(tab, demo_db, tmp_path):
    store_url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    install_demo_users(engine(store_url))
    db = tmp_path / "cases.duckdb"
    shutil.copy(demo_db, db)
    cli("weekly", "--db", str(db), "--province", "琼", "--as-of", str(WEEK), "--publish",
        "--pdf", str(tmp_path / "sent.pdf"), "--xlsx", str(tmp_path / "sent.xlsx"),
        store=store_url)
    # a correcting import: pending Hainan cases fully performed before the published date
    con = duckdb.connect(str(db), read_only=True)
    con.execute(f"""COPY (SELECT * REPLACE (DATE '{WEEK - dt.timedelta(days=2)}' AS closed_on,
                                            'fully_performed' AS closing_method,
                                            amount_applied AS amount_recovered)
                          FROM cases JOIN courts USING (court_code)
                          WHERE province = '琼' AND closed_on IS NULL
                            AND filed_on <= DATE '{WEEK - dt.timedelta(days=2)}')
                    TO '{tmp_path / "fix.csv"}' (HEADER)""")
    con.close()
    cli("import", "--db", str(db), "--cases", str(tmp_path / "fix.csv"), store=store_url)

    with streamlit_server(db, tmp_path / "streamlit.log", SUPERVISION_STORE=store_url) as base:
        page = tab(1400, 2000)
        login(page, base, "supervisor", PASSWORDS["supervisor"], "?page=publications")
        expect(page.get_by_role("heading", name="已发布通报")).to_be_visible(timeout=30_000)
        wait_idle(page)
        expect(page.get_by_text("与发布时不同")).to_be_visible()
        for kind, label in (("pdf", "下载已发布的 PDF"), ("xlsx", "下载已发布的 XLSX")):
            with page.expect_download(timeout=60_000) as download:
                page.get_by_role("button", name=label).click()
            got = Path(download.value.path()).read_bytes()
            assert got == (tmp_path / f"sent.{kind}").read_bytes(), kind
            assert download.value.suggested_filename == f"weekly_琼_{WEEK}_zh_1.{kind}"
        page.screenshot(path=str(ARTIFACTS / "publications.png"), full_page=True)
        page.close()
    exports = audit.entries(engine(store_url), event="export")
    details = [json.loads(d) for d in exports["detail"]]
    assert sorted(d["publication"] for d in details if d.get("what") == "weekly publication"
                  ) == [1, 1]
