"""Whether this server may run in production: each problem of its settings and users, in
words (`serve` exits before opening its port, app.py refuses to draw)."""

from __future__ import annotations

import os

from sqlalchemy import Engine

from supervision.config import (
    DEFAULT_TIMEZONE,
    ENVIRONMENTS,
    bcrypt_rounds_problem,
    cookie_key_problem,
    environment,
    is_production,
    timezone_problem,
)
from supervision.security.users import count_users, demo_users_present, second_factor_missing


def production_problems(store: Engine) -> list[str]:
    """Why the app must not serve in production mode (empty outside production)."""
    if not is_production():
        return []

    problems = []
    if environment() not in ENVIRONMENTS:
        problems.append(f"SUPERVISION_ENV={environment()} is not a known environment: use "
                        f"{' or '.join(ENVIRONMENTS)}, or leave it unset for development "
                        f"(meanwhile every production check applies)")
    zone_problem = timezone_problem(os.environ.get("SUPERVISION_TIMEZONE", "").strip()
                                    or DEFAULT_TIMEZONE)
    if zone_problem:
        problems.append(zone_problem)
    key_problem = cookie_key_problem(os.environ.get("SUPERVISION_COOKIE_KEY", ""))
    if key_problem:
        problems.append(key_problem)
    rounds_problem = bcrypt_rounds_problem()
    if rounds_problem:
        problems.append(rounds_problem)
    demo = demo_users_present(store)
    if demo:
        problems.append(f"demo users exist ({', '.join(demo)}); remove them with "
                        f"`python -m supervision users disable NAME` or use another store")
    if count_users(store) == 0:
        problems.append("no users: create one with `python -m supervision users add`")
    missing = second_factor_missing(store)
    if missing:
        problems.append(f"users whose role needs a second factor have none ({', '.join(missing)}):"
                        f" enroll each with `python -m supervision users totp NAME`")
    return problems
