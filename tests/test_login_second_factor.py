"""The second factor: a time-based one-time code (RFC 6238, pyotp) for the roles that see a
whole province or manage users (vocabulary.Role.second_factor: supervisor, admin), enrolled
from the command line or the admin page, checked at login (on SQLite and PostgreSQL, like
test_store.py)."""

from __future__ import annotations

import datetime as dt
import getpass
import re
import secrets
from pathlib import Path
from types import SimpleNamespace

import pyotp
import pytest
from streamlit.testing.v1 import AppTest

from supervision import cli
from supervision.domain import vocabulary
from supervision.security import audit, auth, users
from supervision.store import engine
from tests.test_store import add, store_of_kind

APP = str(Path(__file__).resolve().parent.parent / "app.py")
RIGHT = "correct horse 1"
T0 = dt.datetime(2026, 12, 3, 9, 0, 10)
STEP = dt.timedelta(seconds=30)            # RFC 6238: what authenticator apps use



@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """A fresh operational store: SQLite, and PostgreSQL where one is configured."""
    yield from store_of_kind(request.param, tmp_path)

def code_at(secret: str, when: dt.datetime) -> str:
    """What an authenticator app shows at `when` (UTC), computed by pyotp itself."""
    return pyotp.TOTP(secret).at(when.replace(tzinfo=dt.UTC))


def supervisor(store, name: str = "wang") -> str:
    add(store, name, role="supervisor", court="HI000")
    return users.enroll_totp(store, name, actor="admin")


@pytest.fixture
def development(monkeypatch):
    monkeypatch.delenv("SUPERVISION_ENV", raising=False)


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("SUPERVISION_ENV", "production")


def test_the_roles_that_need_a_second_factor_are_declared_in_the_domain():
    assert {r.code for r in vocabulary.ROLES if r.second_factor} == {"supervisor", "admin"}
    assert [auth.needs_second_factor(r.code) for r in vocabulary.ROLES] == [
        r.second_factor for r in vocabulary.ROLES]


def test_an_enrolled_user_logs_in_only_with_the_current_code(store, development):
    secret = supervisor(store)
    assert auth.login(store, "wang", RIGHT, T0).reason == "bad_credentials"          # none
    assert auth.login(store, "wang", RIGHT, T0, code="000000").reason == "bad_credentials"
    assert auth.login(store, "wang", "wrong password", T0,
                      code=code_at(secret, T0)).reason == "bad_credentials"
    outcome = auth.login(store, "wang", RIGHT, T0, code=code_at(secret, T0))
    assert outcome.ok and auth.resume(store, outcome.token, T0) == "wang"
    failures = audit.entries(store, event="login_failure")["detail"].to_list()
    assert sum('"second_factor": "code"' in (d or "") for d in failures) == 2


def test_a_code_of_the_step_before_or_after_is_accepted_not_two_away(store, development):
    secret = supervisor(store)
    assert auth.login(store, "wang", RIGHT, T0, code=code_at(secret, T0 - 2 * STEP)
                      ).reason == "bad_credentials"
    assert auth.login(store, "wang", RIGHT, T0, code=code_at(secret, T0 + 2 * STEP)
                      ).reason == "bad_credentials"
    assert auth.login(store, "wang", RIGHT, T0, code=code_at(secret, T0 - STEP)).ok
    assert auth.login(store, "wang", RIGHT, T0, code=code_at(secret, T0 + STEP)).ok
    # spaces as apps show them ("123 456") are fine
    spaced = code_at(secret, T0 + 2 * STEP)
    assert auth.login(store, "wang", RIGHT, T0 + 2 * STEP,
                      code=f" {spaced[:3]} {spaced[3:]} ").ok


def test_a_code_is_good_once(store, development):
    secret = supervisor(store)
    code = code_at(secret, T0)
    assert auth.login(store, "wang", RIGHT, T0, code=code).ok
    # the same code again, within its window (a shoulder-surfed or replayed code)
    replay = auth.login(store, "wang", RIGHT, T0 + dt.timedelta(seconds=5), code=code)
    assert (replay.ok, replay.reason) == (False, "bad_credentials")
    # the previous step's code is older than the one used: refused too
    assert not auth.login(store, "wang", RIGHT, T0, code=code_at(secret, T0 - STEP)).ok
    # the next step's code works
    assert auth.login(store, "wang", RIGHT, T0 + STEP, code=code_at(secret, T0 + STEP)).ok
    failures = audit.entries(store, event="login_failure")["detail"].to_list()
    assert sum('"second_factor": "code_reused"' in (d or "") for d in failures) == 2


def test_wrong_codes_count_like_wrong_passwords(store, development):
    secret = supervisor(store)
    for i in range(auth.MAX_FAILURES - 1):
        assert auth.login(store, "wang", RIGHT, T0 + dt.timedelta(seconds=i),
                          code="123456" if i % 2 else "").reason == "bad_credentials"
    assert auth.login(store, "wang", RIGHT, T0 + dt.timedelta(seconds=10),
                      code="654321").reason == "locked"
    # locked: the right password and the right code are refused until the lock ends
    later = T0 + dt.timedelta(seconds=20)
    assert auth.login(store, "wang", RIGHT, later, code=code_at(secret, later)
                      ).reason == "locked"


def test_in_production_a_role_that_needs_one_cannot_log_in_without_it(store, production):
    add(store, "wang", role="supervisor", court="HI000")
    add(store, "li", role="admin", court=None)
    add(store, "zhao", role="president", court="HI720")
    for name in ("wang", "li"):
        outcome = auth.login(store, name, RIGHT)
        assert (outcome.ok, outcome.reason) == (False, "second_factor_not_enrolled")
        assert auth.resume(store, outcome.token) is None
    # a role without the requirement logs in with its password
    assert auth.login(store, "zhao", RIGHT).ok
    # the wrong password says nothing about enrollment
    assert auth.login(store, "wang", "wrong password").reason == "bad_credentials"
    secret = users.enroll_totp(store, "wang", actor="admin")
    now = audit.now()
    assert auth.login(store, "wang", RIGHT, now, code=code_at(secret, now)).ok
    refused = audit.entries(store, event="login_refused")["detail"].to_list()
    assert len(refused) == 2 and all("second_factor_not_enrolled" in d for d in refused)


@pytest.mark.parametrize("spelling", ["prod", "Production ", "staging"])
def test_an_unknown_environment_is_as_strict_as_production(store, monkeypatch, spelling):
    monkeypatch.setenv("SUPERVISION_ENV", spelling)
    add(store, "wang", role="supervisor", court="HI000")
    assert auth.login(store, "wang", RIGHT).reason == "second_factor_not_enrolled"


def test_outside_production_the_demo_logins_skip_it(store, monkeypatch):
    for env in (None, "development"):
        if env is None:
            monkeypatch.delenv("SUPERVISION_ENV", raising=False)
        else:
            monkeypatch.setenv("SUPERVISION_ENV", env)
        users.install_demo_users(store)
        for name, _display, role, _court, password in users.DEMO_USERS:
            assert auth.login(store, name, password).ok, (env, role)


def test_enrolling_replaces_the_secret_and_removing_it_is_audited(store, development):
    first = supervisor(store)
    second = users.enroll_totp(store, "wang", actor="li")
    assert first != second and len(second) >= 32
    assert not auth.login(store, "wang", RIGHT, T0, code=code_at(first, T0)).ok
    assert auth.login(store, "wang", RIGHT, T0, code=code_at(second, T0)).ok
    assert users.list_users(store).filter(username="wang")["second_factor"].to_list() == [True]
    users.reset_totp(store, "wang", actor="li")
    assert users.get_user(store, "wang")["totp_secret"] is None
    assert auth.login(store, "wang", RIGHT, T0 + STEP).ok      # development: password only
    trail = audit.entries(store)
    changes = trail.filter(trail["event"].is_in(["totp_enrolled", "totp_reset"]))
    assert changes.select("event", "actor", "target").rows() == [
        ("totp_reset", "li", "wang"), ("totp_enrolled", "li", "wang"),
        ("totp_enrolled", "admin", "wang")]
    assert not any(second in (d or "") for d in trail["detail"].to_list())  # no secret logged
    with pytest.raises(users.UserError, match="no user"):
        users.enroll_totp(store, "nobody")


def test_second_factor_missing_lists_active_supervisors_and_admins_without_one(store):
    add(store, "wang", role="supervisor", court="HI000")
    add(store, "li", role="admin", court=None)
    add(store, "zhao", role="president", court="HI720")
    add(store, "sun", role="admin", court=None)
    users.disable_user(store, "sun")
    assert users.second_factor_missing(store) == ["li", "wang"]
    users.enroll_totp(store, "li")
    assert users.second_factor_missing(store) == ["wang"]


def test_the_command_line_enrolls_prints_the_uri_and_a_qr_code(tmp_path, capsys,
                                                               development):
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    add(engine(url), "wang", role="supervisor", court="HI000")
    assert cli.main(["users", "--store", url, "totp", "Wang"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    uri = re.search(r"otpauth://totp/\S+", out).group(0)
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == users.totp_secret_of(engine(url), "wang")
    assert parsed.issuer == users.TOTP_ISSUER and parsed.name == "wang"
    assert "█" in out or "▀" in out or "▄" in out           # the QR code, in the terminal
    now = audit.now()
    assert auth.login(engine(url), "wang", RIGHT, now, code=parsed.now()).ok
    trail = audit.entries(engine(url), event="totp_enrolled")
    assert trail["actor"].to_list() == [f"cli:{getpass.getuser()}"]
    assert cli.main(["users", "--store", url, "totp", "wang", "--reset"]) == cli.EXIT_OK
    assert users.get_user(engine(url), "wang")["totp_secret"] is None
    assert cli.main(["users", "--store", url, "totp", "nobody"]) == cli.EXIT_REJECTS


def _app(demo_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    monkeypatch.delenv("SUPERVISION_ENV", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _submit(at: AppTest, username: str, password: str, code: str | None = None) -> None:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    if code is not None:
        next(w for w in at.text_input if w.label == "动态口令 / One-time code").input(code)
    next(b for b in at.button if b.label in ("登录", "Log in")).click()
    at.run()
    assert not at.exception


def test_the_login_form_takes_the_one_time_code(demo_db, operational_store, monkeypatch):
    store = engine(operational_store)
    if users.get_user(store, "form.totp") is None:
        users.add_user(store, "form.totp", "口令测试", "", "supervisor", "HI000",
                       "form-password-1")
    secret = users.enroll_totp(store, "form.totp", actor="test")
    at = _app(demo_db, monkeypatch)
    labels = [w.label for w in at.text_input]
    assert labels == ["用户名 / Username", "密码 / Password", "动态口令 / One-time code"]
    _submit(at, "form.totp", "form-password-1")                    # no code: refused
    assert any("用户名或密码错误" in e.value for e in at.error)
    assert not any(b.label == "退出登录" for b in at.button)
    _submit(at, "form.totp", "form-password-1", pyotp.TOTP(secret).now())
    assert any(b.label == "退出登录" for b in at.button), [e.value for e in at.error]


def test_the_login_form_says_when_the_second_factor_is_not_enrolled(
        demo_db, operational_store, monkeypatch):
    store = engine(operational_store)
    if users.get_user(store, "form.nototp") is None:
        users.add_user(store, "form.nototp", "未绑定", "", "admin", None, "form-password-2")
    at = _app(demo_db, monkeypatch)
    # production rules for the login (not for the page's start checks, which would refuse
    # this test store's demo users first)
    monkeypatch.setattr(auth, "config", SimpleNamespace(is_production=lambda: True))
    _submit(at, "form.nototp", "form-password-2")
    assert any("尚未绑定动态口令" in e.value for e in at.error), [e.value for e in at.error]


def test_the_admin_page_enrolls_with_a_qr_code_and_removes(demo_db, operational_store,
                                                           monkeypatch):
    store = engine(operational_store)
    if users.get_user(store, "qr.target") is None:
        users.add_user(store, "qr.target", "二维码", "", "supervisor", "HI000",
                       "qr-password-12")
    at = _app(demo_db, monkeypatch)
    _submit(at, "admin", dict((u, p) for u, *_, p in users.DEMO_USERS)["admin"])
    at.selectbox(key="totp_user").select("qr.target")
    next(b for b in at.button if b.label == "绑定（生成新密钥）").click()
    at.run()
    assert not at.exception
    secret = users.totp_secret_of(store, "qr.target")
    assert secret
    assert len(at.image) == 1, "a QR code image is shown"
    assert "qr" in at.image[0].captions[0]
    shown = "\n".join(c.value for c in at.code)
    assert pyotp.parse_uri(re.search(r"otpauth://\S+", shown).group(0)).secret == secret
    enrolled = audit.entries(store, event="totp_enrolled")
    assert enrolled.filter(target="qr.target")["actor"].to_list()[0] == "admin"
    # the next run no longer shows the secret
    at.run()
    assert not any("otpauth://" in c.value for c in at.code)
    at.selectbox(key="totp_user").select("qr.target")
    next(b for b in at.button if b.label == "解除绑定").click()
    at.run()
    assert users.get_user(store, "qr.target")["totp_secret"] is None
    assert audit.entries(store, event="totp_reset").filter(target="qr.target").height >= 1


def test_the_secret_is_sealed_at_rest_and_useless_under_another_server_key(store, monkeypatch):
    """A copy of the store holds no usable secret: the column is AES-GCM sealed under a key
    derived from the server's; under another server key no code logs in."""
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", "k" * 8 + secrets.token_hex(32))
    add(store, "seal.me", role="supervisor", court="HI000")
    secret = users.enroll_totp(store, "seal.me", actor="admin")
    stored = users.get_user(store, "seal.me")["totp_secret"]
    assert secret not in stored and stored.startswith("aesgcm1:")
    assert users.totp_secret_of(store, "seal.me") == secret
    now = audit.now()
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", secrets.token_hex(32))
    assert users.totp_secret_of(store, "seal.me") is None
    assert not auth.login(store, "seal.me", RIGHT, now, code=pyotp.TOTP(secret).now()).ok
