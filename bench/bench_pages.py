"""Server time of each dashboard page (one full script run, cold caches) on a database.

Usage: python bench/bench_pages.py [--db data/demo.duckdb] [--court HI720]
Runs the real app under streamlit.testing: login as the supervisor, then each page once
with empty caches; prints the wall time of each run. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(ROOT / "data" / "demo.duckdb"))
    parser.add_argument("--court", default="HI720")
    args = parser.parse_args()
    os.environ["SUPERVISION_DB"] = args.db
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["court"] = args.court
    at.run()
    at.text_input[0].input("supervisor")
    at.text_input[1].input("demo-supervisor")
    next(b for b in at.button if b.label == "登录").click()
    started = time.perf_counter()
    at.run()
    print(f"login + targets page: {time.perf_counter() - started:6.2f} s")
    for page in ("targets", "court_brief", "pending", "explorer"):
        st.cache_data.clear()
        started = time.perf_counter()
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, at.exception
        print(f"{page:<12} {time.perf_counter() - started:6.2f} s (cold cache)")
        started = time.perf_counter()
        at.run()
        print(f"{page:<12} {time.perf_counter() - started:6.2f} s (warm cache)")


if __name__ == "__main__":
    main()
