"""Dashboard users: bcrypt hashes in the `users` table, never plaintext."""

from __future__ import annotations

import bcrypt
import duckdb
import polars as pl

ROLES = ("supervisor", "president", "analyst", "admin")
MIN_PASSWORD = 8

# Demo logins: created only in the generated demo database (`generate --demo-users`),
# listed in the README. Never created in a database of real cases.
DEMO_USERS = [
    # username, display name, role, court, password
    ("supervisor", "省法院督导组", "supervisor", "HI000", "demo-supervisor"),
    ("president", "海口海事法院院长", "president", "HI720", "demo-president"),
    ("analyst", "数据分析员", "analyst", "HI000", "demo-analyst"),
    ("admin", "系统管理员", "admin", None, "demo-admin"),
]


class UserError(Exception):
    """A user-management request that cannot be carried out; the message says why."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def add_user(con: duckdb.DuckDBPyConnection, username: str, display_name: str, email: str,
             role: str, court_code: str | None, password: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role}; one of {', '.join(ROLES)}")
    if role != "admin" and not court_code:
        raise UserError("this role needs --court: a president's own court, or the higher "
                        "court whose province a supervisor or analyst oversees")
    if court_code and not con.execute("SELECT count(*) FROM courts WHERE court_code = ?",
                       [court_code]).fetchall()[0][0]:
        raise UserError(f"unknown court code {court_code}")
    if con.execute("SELECT count(*) FROM users WHERE username = ?", [username]).fetchall()[0][0]:
        raise UserError(f"user {username} exists; use passwd to change the password")
    con.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, false)",
                [username, display_name, email or f"{username}@localhost", role,
                 court_code, hash_password(password)])


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> None:
    _require(con, username)
    con.execute("UPDATE users SET password_hash = ?, disabled = false WHERE username = ?",
                [hash_password(password), username])


def disable_user(con: duckdb.DuckDBPyConnection, username: str) -> None:
    _require(con, username)
    con.execute("UPDATE users SET disabled = true WHERE username = ?", [username])


def _require(con: duckdb.DuckDBPyConnection, username: str) -> None:
    if not con.execute("SELECT count(*) FROM users WHERE username = ?", [username]).fetchall()[0][0]:
        raise UserError(f"no user {username}")


def list_users(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("SELECT username, display_name, email, role, court_code, disabled "
                   "FROM users ORDER BY username").pl()


def credentials(con: duckdb.DuckDBPyConnection) -> dict:
    """Active users in the shape streamlit-authenticator expects (hashes only)."""
    frame = con.sql("SELECT username, display_name, email, role, password_hash FROM users "
                    "WHERE NOT disabled").pl()
    return {"usernames": {
        r["username"]: {"name": r["display_name"], "email": r["email"],
                        "password": r["password_hash"], "roles": [r["role"]]}
        for r in frame.iter_rows(named=True)}}


def install_demo_users(con: duckdb.DuckDBPyConnection) -> None:
    for username, name, role, court, password in DEMO_USERS:
        con.execute("DELETE FROM users WHERE username = ?", [username])
        add_user(con, username, name, f"{username}@demo.invalid", role, court, password)
