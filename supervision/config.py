"""Settings from the environment, and the production-mode checks.

SUPERVISION_ENV=production makes the app refuse to start while it would be unsafe: demo
users in the store, or no configured key for the login cookie (a random per-start key
would log everyone out at each restart and differ between app servers)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from sqlalchemy import Engine

MIN_COOKIE_KEY = 32


_PROCESS_KEY = secrets.token_hex(32)


def server_key() -> str:
    """The server's secret: SUPERVISION_COOKIE_KEY, else a random key for this process
    (outside production only: then a restart logs everyone out). No key ships in the
    repository; every server of one installation shares it."""
    return os.environ.get("SUPERVISION_COOKIE_KEY") or _PROCESS_KEY


def derived_key(purpose: str) -> bytes:
    """A key for one purpose (cookies, respondent references …) derived from server_key(),
    so that one secret serves each use without one use revealing another's key."""
    return hmac.new(server_key().encode("utf-8"), purpose.encode("utf-8"),
                    hashlib.sha256).digest()


def is_production() -> bool:
    return os.environ.get("SUPERVISION_ENV", "").strip().lower() == "production"


def production_problems(store: Engine) -> list[str]:
    """Why the app must not serve in production mode (empty outside production)."""
    if not is_production():
        return []
    from supervision.users import count_users, demo_users_present

    problems = []
    key = os.environ.get("SUPERVISION_COOKIE_KEY", "")
    if len(key) < MIN_COOKIE_KEY:
        problems.append(f"SUPERVISION_COOKIE_KEY must be set to a random secret of at least "
                        f"{MIN_COOKIE_KEY} characters")
    demo = demo_users_present(store)
    if demo:
        problems.append(f"demo users exist ({', '.join(demo)}); remove them with "
                        f"`python -m supervision users disable NAME` or use another store")
    if count_users(store) == 0:
        problems.append("no users: create one with `python -m supervision users add`")
    return problems
