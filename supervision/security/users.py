"""Dashboard users in the operational store: bcrypt hashes only, canonical usernames,
a password policy, and every change in the audit trail."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import bcrypt
import polars as pl
import pyotp
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from supervision.config import bcrypt_rounds
from supervision.domain import vocabulary
from supervision.security import audit, sealed
from supervision.store.schema import sessions, users

ROLES = tuple(vocabulary.codes(vocabulary.ROLES))
MIN_PASSWORD = 10
BCRYPT_MAX_BYTES = 72

# Demo logins: created only with `generate --demo-users`, listed in the README, refused in
# production mode (SUPERVISION_ENV=production).
DEMO_USERS = [
    # username, display name, role, court, password
    ("supervisor", "省法院督导组", "supervisor", "HI000", "demo-supervisor"),
    ("president", "海口海事法院院长", "president", "HI720", "demo-president"),
    ("analyst", "数据分析员", "analyst", "HI000", "demo-analyst"),
    ("admin", "系统管理员", "admin", None, "demo-admin"),
]
DEMO_EMAIL_DOMAIN = "demo.invalid"
# the purpose the TOTP secrets are sealed for (supervision.security.sealed)
TOTP_PURPOSE = "totp-secret"
# the issuer an authenticator app shows beside the account name
TOTP_ISSUER = "执行工作督导看板"


class UserError(Exception):
    """A user-management request that cannot be carried out; the message says why."""


def canonical(username: str) -> str:
    """One spelling per name: `Supervisor`, `supervisor ` and full-width forms are one."""
    return unicodedata.normalize("NFKC", username or "").strip().lower()


def check_password(username: str, password: str) -> None:
    """The password policy; raises UserError with the reason."""
    if not password or not password.strip():
        raise UserError("the password is empty or only spaces")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password.encode("utf-8")) > BCRYPT_MAX_BYTES:
        raise UserError(f"a password may be at most {BCRYPT_MAX_BYTES} bytes in UTF-8 "
                        f"(about {BCRYPT_MAX_BYTES // 3} Chinese characters)")
    if canonical(password) == canonical(username):
        raise UserError("the password must not be the username")


def hash_password(username: str, password: str) -> str:
    """A bcrypt hash of a password that meets the policy."""
    check_password(username, password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(bcrypt_rounds())).decode("ascii")


def password_matches(password: str, password_hash: str) -> bool:
    """bcrypt check that never raises for odd input (over 72 bytes, bad hash): False."""
    data = password.encode("utf-8")
    if not data or len(data) > BCRYPT_MAX_BYTES:
        return False
    try:
        return bcrypt.checkpw(data, password_hash.encode("ascii"))
    except ValueError:
        return False


def add_user(eng: Engine, username: str, display_name: str, email: str, role: str,
             court_code: str | None, password: str, *, actor: str | None = None,
             court_exists: Callable[[str], bool] | None = None) -> str:
    """Create a user; returns the canonical username."""
    name = canonical(username)
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise UserError("a username is 1 to 64 characters without spaces")
    if role not in ROLES:
        raise UserError(f"unknown role {role}; one of {', '.join(ROLES)}")
    if vocabulary.ROLE_BY_CODE[role].requires_court and not court_code:
        raise UserError("this role needs --court: a president's own court, or the higher "
                        "court whose province a supervisor or analyst oversees")
    if court_code and court_exists is not None and not court_exists(court_code):
        raise UserError(f"unknown court code {court_code}")
    password_hash = hash_password(name, password)
    stamp = audit.now()
    try:
        with eng.begin() as connection:
            connection.execute(insert(users).values(
                username=name, display_name=display_name or name,
                email=email or f"{name}@localhost", role=role,
                court_code=court_code if vocabulary.ROLE_BY_CODE[role].requires_court else None,
                password_hash=password_hash, disabled=False, created_at=stamp,
                updated_at=stamp))
            audit.record(connection, actor, "user_added", name, role=role, court=court_code)
    except IntegrityError:
        raise UserError(f"user {name} exists (usernames ignore case); use passwd to change "
                        "the password") from None
    return name


def set_password(eng: Engine, username: str, password: str, *, actor: str | None = None
                 ) -> None:
    """Change the password and end the user's sessions. A disabled account stays disabled
    (enable it explicitly)."""
    name = _require(eng, username)
    _change(eng, name, actor, "password_changed", end_sessions=True,
            password_hash=hash_password(name, password))


def disable_user(eng: Engine, username: str, *, actor: str | None = None) -> None:
    """Disable the account and end its sessions at once."""
    _change(eng, _require(eng, username), actor, "user_disabled", end_sessions=True,
            disabled=True)


def enable_user(eng: Engine, username: str, *, actor: str | None = None) -> None:
    _change(eng, _require(eng, username), actor, "user_enabled", disabled=False)


def _change(eng: Engine, name: str, actor: str | None, event: str, *, end_sessions: bool = False,
            **values: object) -> None:
    """One change of a user, its audit entry and (if asked) the end of their sessions, in
    one transaction."""
    with eng.begin() as connection:
        connection.execute(update(users).where(users.c.username == name).values(
            **values, updated_at=audit.now()))
        if end_sessions:
            _end_sessions(connection, name, event)
        audit.record(connection, actor, event, name)


def _end_sessions(connection, username: str, reason: str) -> None:
    connection.execute(update(sessions).where(
        (sessions.c.username == username) & sessions.c.ended_at.is_(None)).values(
        ended_at=audit.now(), end_reason=reason))


def _require(eng: Engine, username: str) -> str:
    name = canonical(username)
    if get_user(eng, name) is None:
        raise UserError(f"no user {name}")
    return name


def get_user(eng: Engine, username: str) -> dict | None:
    with eng.connect() as connection:
        row = connection.execute(select(users).where(
            users.c.username == canonical(username))).mappings().first()
    return dict(row) if row else None


def list_users(eng: Engine) -> pl.DataFrame:
    with eng.connect() as connection:
        rows = connection.execute(select(
            users.c.username, users.c.display_name, users.c.email, users.c.role,
            users.c.court_code, users.c.disabled,
            users.c.totp_secret.is_not(None).label("second_factor"))
            .order_by(users.c.username)).mappings().all()
    schema = {"username": pl.String, "display_name": pl.String, "email": pl.String,
              "role": pl.String, "court_code": pl.String, "disabled": pl.Boolean,
              "second_factor": pl.Boolean}
    return pl.DataFrame([dict(r) for r in rows], schema=schema)


# ------------------------------------------------------------------ the second factor


def enroll_totp(eng: Engine, username: str, *, actor: str | None = None) -> str:
    """Give the user a new TOTP secret (replacing any earlier one: the old authenticator
    entry stops working) and return it, for the otpauth URI and its QR code. Audited."""
    name = _require(eng, username)
    secret = pyotp.random_base32()          # 160 bits, RFC 4226's recommended length
    _change(eng, name, actor, "totp_enrolled", totp_secret=sealed.seal(secret, TOTP_PURPOSE),
            totp_enrolled_at=audit.now(), totp_last_step=None)
    return secret


def totp_secret_of(eng: Engine, username: str) -> str | None:
    """The user's enrolled TOTP secret, unsealed (None: none, or sealed under another
    server key)."""
    user = get_user(eng, username)
    return sealed.unseal(user["totp_secret"], TOTP_PURPOSE) if user else None


def reset_totp(eng: Engine, username: str, *, actor: str | None = None) -> None:
    """Remove the user's second factor (a lost phone): in production a role that needs
    one cannot log in until enrolled again. Audited."""
    _change(eng, _require(eng, username), actor, "totp_reset", totp_secret=None,
            totp_enrolled_at=None, totp_last_step=None)


def totp_uri(username: str, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads (from its QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=canonical(username),
                                               issuer_name=TOTP_ISSUER)


def second_factor_missing(eng: Engine) -> list[str]:
    """Active users whose role needs a second factor and who have none enrolled
    (production mode refuses to start while any exist)."""
    roles = [r.code for r in vocabulary.ROLES if r.second_factor]
    with eng.connect() as connection:
        rows = connection.execute(select(users.c.username).where(
            ~users.c.disabled & users.c.totp_secret.is_(None)
            & (users.c.role.in_(roles) | users.c.role.not_in(list(ROLES))))
            .order_by(users.c.username)).all()
    return [r[0] for r in rows]


def demo_users_present(eng: Engine) -> list[str]:
    """Active demo accounts (production mode refuses to start while any exist)."""
    with eng.connect() as connection:
        rows = connection.execute(select(users.c.username).where(
            ~users.c.disabled & (users.c.email.like(f"%@{DEMO_EMAIL_DOMAIN}")
                                 | users.c.username.in_([u[0] for u in DEMO_USERS])))
            .order_by(users.c.username)).all()
    return [r[0] for r in rows]


def count_users(eng: Engine) -> int:
    with eng.connect() as connection:
        return connection.execute(select(func.count()).select_from(users)).scalar_one()


def install_demo_users(eng: Engine) -> None:
    """(Re)create the demo logins with their README passwords."""
    for username, name, role, court, password in DEMO_USERS:
        if get_user(eng, username) is None:
            add_user(eng, username, name, f"{username}@{DEMO_EMAIL_DOMAIN}", role, court,
                     password, actor="demo")
        else:
            set_password(eng, username, password, actor="demo")
            enable_user(eng, username, actor="demo")
