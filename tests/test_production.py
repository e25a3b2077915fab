"""Production mode refuses to start while it would be unsafe, and says why: in the page
(app.py) and, before its port opens, in `python -m supervision serve`.

Found by the security review: SUPERVISION_ENV=production with demo users and a short key
started and reported healthy; `prod` skipped every check; a 32-character key of one letter
was accepted."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from supervision import config
from supervision.security import users
from supervision.security.production import production_problems
from supervision.store import engine
from tests.browser_kit import free_port, streamlit_server

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
# made once by secrets.token_hex: random keys of 64 and 32 hex characters, and a urlsafe one
KEY = "90a7ac5100bb99aa6453b11901e7c5e075dd1f64a43a01e9b80d7558adc3b121"
KEY_32 = "88c3877a4856711e4c02e03d331ac859"
KEY_URLSAFE = "n5g8QrcrSlvjbBU6-uDd8EPlK-UfKlmuufR9HAYthp4"


@pytest.fixture(autouse=True)
def full_bcrypt_rules(monkeypatch):
    """The suite lowers bcrypt's cost through SUPERVISION_BCRYPT_ROUNDS (conftest), which
    production refuses: these tests (and the servers they start) run without it, their
    in-process hashes still cheap."""
    monkeypatch.delenv("SUPERVISION_BCRYPT_ROUNDS", raising=False)
    monkeypatch.setattr(users, "bcrypt_rounds", lambda: 4)


def safe_store(url: str):
    """A store production accepts: one administrator with a second factor, no demo users."""
    store = engine(url)
    users.add_user(store, "zhang", "张三", "", "admin", None, "a-real-password-9")
    users.enroll_totp(store, "zhang")
    return store


def test_outside_production_nothing_is_refused(tmp_path, monkeypatch):
    for value in (None, "development", " Development "):
        if value is None:
            monkeypatch.delenv("SUPERVISION_ENV", raising=False)
        else:
            monkeypatch.setenv("SUPERVISION_ENV", value)
        assert production_problems(engine(f"sqlite:///{tmp_path / 's.sqlite'}")) == []


def test_the_allowed_environments_are_declared_once():
    assert config.ENVIRONMENTS == ("development", "production")


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
    # a real administrator with a second factor, the demo accounts disabled, a real key
    users.add_user(store, "zhang", "张三", "", "admin", None, "a-real-password-9")
    users.enroll_totp(store, "zhang")
    for name, *_ in users.DEMO_USERS:
        users.disable_user(store, name)
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", KEY)
    assert production_problems(store) == []


@pytest.mark.parametrize("spelling", ["prod", "Prod", "staging", "1", "yes"])
def test_an_unknown_environment_is_an_error_and_every_check_applies(tmp_path, monkeypatch,
                                                                    spelling):
    monkeypatch.setenv("SUPERVISION_ENV", spelling)
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", "short")
    store = engine(f"sqlite:///{tmp_path / 's.sqlite'}")
    users.install_demo_users(store)
    problems = production_problems(store)
    assert any(f"SUPERVISION_ENV={spelling.lower()} is not a known environment" in p
               for p in problems)
    assert any("demo users exist" in p for p in problems)
    assert any("SUPERVISION_COOKIE_KEY" in p for p in problems)


@pytest.mark.parametrize("rounds", ["4", "11", "abc", "40", "-12"])
def test_a_lowered_bcrypt_cost_is_refused(tmp_path, monkeypatch, rounds):
    monkeypatch.setenv("SUPERVISION_ENV", "production")
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", KEY)
    store = safe_store(f"sqlite:///{tmp_path / 's.sqlite'}")
    assert production_problems(store) == []
    monkeypatch.setenv("SUPERVISION_BCRYPT_ROUNDS", rounds)
    problems = production_problems(store)
    assert len(problems) == 1 and f"SUPERVISION_BCRYPT_ROUNDS={rounds}" in problems[0], problems
    for allowed in ("12", "13", " "):
        monkeypatch.setenv("SUPERVISION_BCRYPT_ROUNDS", allowed)
        assert production_problems(store) == [], allowed


def test_new_hashes_take_the_configured_cost(monkeypatch):
    monkeypatch.undo()      # the real users.bcrypt_rounds
    for value, prefix in (("5", "$2b$05$"), ("abc", "$2b$12$"), ("", "$2b$12$")):
        monkeypatch.setenv("SUPERVISION_BCRYPT_ROUNDS", value)
        assert config.bcrypt_rounds() == int(prefix[4:6])
    monkeypatch.setenv("SUPERVISION_BCRYPT_ROUNDS", "5")
    hashed = users.hash_password("zhang", "a-real-password-9")
    assert hashed.startswith("$2b$05$") and users.password_matches("a-real-password-9", hashed)
    monkeypatch.delenv("SUPERVISION_BCRYPT_ROUNDS")
    assert users.hash_password("zhang", "a-real-password-9").startswith("$2b$12$")


@pytest.mark.parametrize("key", [
    "a" * 32,                                   # one letter repeated (found by the review)
    "a" * 64,
    "ab" * 20,                                  # a short block repeated
    "0123456789abcdef" * 4,                     # a longer block repeated
    "abcdefghijklmnopqrstuvwxyz012345",         # the alphabet: runs of constant step
    "aabbabaabbbabababbaabbababbbabaabbbaba",   # two different characters
    "1211213112211331123121311213321123",       # three
    "correct-horse-" + "x" * 24,
    KEY_32[:31],                                # random, but one character short
])
def test_a_guessable_cookie_key_is_refused(tmp_path, monkeypatch, key):
    monkeypatch.setenv("SUPERVISION_ENV", "production")
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", key)
    store = engine(f"sqlite:///{tmp_path / 's.sqlite'}")
    users.add_user(store, "zhang", "张三", "", "president", "HI720", "a-real-password-9")
    problems = production_problems(store)
    assert [p for p in problems if "SUPERVISION_COOKIE_KEY" in p], problems
    assert len(problems) == 1, problems


@pytest.mark.parametrize("key", [KEY, KEY_32, KEY_32.upper(), KEY_URLSAFE])
def test_a_random_cookie_key_is_accepted(tmp_path, monkeypatch, key):
    monkeypatch.setenv("SUPERVISION_ENV", "production")
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", key)
    assert production_problems(safe_store(f"sqlite:///{tmp_path / 's.sqlite'}")) == []


def test_the_recommended_key_generator_always_passes():
    for _ in range(2000):
        assert config.cookie_key_problem(secrets.token_hex(32)) is None
        assert config.cookie_key_problem(secrets.token_urlsafe(32)) is None


def test_supervisors_and_admins_without_a_second_factor_are_a_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPERVISION_ENV", "production")
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", KEY)
    store = safe_store(f"sqlite:///{tmp_path / 's.sqlite'}")
    users.add_user(store, "wang", "王", "", "supervisor", "HI000", "a-real-password-8")
    users.add_user(store, "zhao", "赵", "", "president", "HI720", "a-real-password-7")
    problems = production_problems(store)
    assert len(problems) == 1 and "second factor" in problems[0]
    assert "(wang)" in problems[0] and "users totp" in problems[0]
    users.enroll_totp(store, "wang")
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


def test_the_app_refuses_an_unknown_environment_too(demo_db, operational_store, monkeypatch):
    monkeypatch.setenv("SUPERVISION_ENV", "prod")
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", "a" * 32)
    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=60).run()
    message = at.error[0].value
    assert "SUPERVISION_ENV=prod" in message and "guessable" in message
    assert not at.text_input


# ------------------------------------------------------------------ the real server


def _serve(port: int, env: dict[str, str], output=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "supervision", "serve", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=output, text=True)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("spelling", ["production", "prod"])
def test_serve_exits_before_opening_its_port_and_prints_each_problem(
        demo_db, tmp_path, spelling):
    store_url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    users.install_demo_users(engine(store_url))
    port = free_port()
    proc = _serve(port, {"SUPERVISION_ENV": spelling, "SUPERVISION_STORE": store_url,
                         "SUPERVISION_DB": str(demo_db), "SUPERVISION_COOKIE_KEY": "a" * 32})
    try:
        _out, err = proc.communicate(timeout=120)   # the old server never exited
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert "refusing to start in production mode" in err
    problems = [line for line in err.splitlines() if line.startswith("  - ")]
    expected = ["guessable", "demo users exist", "second factor"]
    if spelling != "production":
        expected.append("SUPERVISION_ENV=prod is not a known environment")
    assert len(problems) == len(expected)
    for phrase in expected:
        assert any(phrase in p for p in problems), (phrase, err)
    assert not _listening(port)


def test_serve_starts_in_production_when_nothing_is_wrong(demo_db, tmp_path):
    store_url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    safe_store(store_url)
    with streamlit_server(demo_db, tmp_path / "serve.log", SUPERVISION_ENV="production",
                          SUPERVISION_STORE=store_url, SUPERVISION_COOKIE_KEY=KEY) as base:
        assert urllib.request.urlopen(f"{base}/_stcore/health", timeout=10).read() == b"ok"


def test_outside_production_every_process_of_one_machine_shares_one_local_key(tmp_path):
    """Without SUPERVISION_COOKIE_KEY (development), the server and the command line derive
    the same keys — a second factor enrolled from the CLI opens on the server — from a key
    file made once, readable by its owner only."""
    key_file = tmp_path / "server-key"
    env = {k: v for k, v in os.environ.items() if k != "SUPERVISION_COOKIE_KEY"}
    env["SUPERVISION_KEY_FILE"] = str(key_file)
    show = "from supervision import config; print(config.derived_key('totp-secret').hex())"
    keys = {subprocess.run([sys.executable, "-c", show], env=env, cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip() for _ in range(3)}
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["server-key"]    # no draft left


def test_the_servers_allocator_asks_for_no_huge_pages():
    """serve's allocator settings (supervision.serve.return_large_allocations, also the
    bench's): numpy stops advising huge pages, whatever it advised before (a process of
    its own: the settings are the process's)."""
    code = ("from supervision.serve import numpy_huge_pages, return_large_allocations\n"
            "numpy_huge_pages(True)\n"
            "return_large_allocations()\n"
            "print(numpy_huge_pages(True))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
