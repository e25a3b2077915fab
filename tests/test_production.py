"""Production mode refuses to start while it would be unsafe, and says why."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from supervision import users
from supervision.config import production_problems
from supervision.store import engine

APP = str(Path(__file__).resolve().parent.parent / "app.py")
KEY = "0123456789abcdef" * 4


def test_outside_production_nothing_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("SUPERVISION_ENV", raising=False)
    assert production_problems(engine(f"sqlite:///{tmp_path / 's.sqlite'}")) == []


def test_demo_users_and_a_missing_cookie_key_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPERVISION_ENV", "production")
    monkeypatch.delenv("SUPERVISION_COOKIE_KEY", raising=False)
    store = engine(f"sqlite:///{tmp_path / 's.sqlite'}")
    assert any("no users" in p for p in production_problems(store))
    users.install_demo_users(store)
    problems = production_problems(store)
    assert any("SUPERVISION_COOKIE_KEY" in p for p in problems)
    assert any("demo users exist (admin, analyst, president, supervisor)" in p for p in problems)
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", "short")
    assert any("SUPERVISION_COOKIE_KEY" in p for p in production_problems(store))
    # a real administrator, the demo accounts disabled, a real key: it may start
    users.add_user(store, "zhang", "张三", "", "admin", None, "a-real-password-9")
    for name, *_ in users.DEMO_USERS:
        users.disable_user(store, name)
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", KEY)
    assert production_problems(store) == []


def test_the_app_says_why_it_will_not_start(demo_db, operational_store, monkeypatch):
    monkeypatch.setenv("SUPERVISION_ENV", "production")
    monkeypatch.delenv("SUPERVISION_COOKIE_KEY", raising=False)
    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    message = at.error[0].value
    assert "生产模式下无法启动" in message and "demo users exist" in message
    assert not at.text_input  # no login form
