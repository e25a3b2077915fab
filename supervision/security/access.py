"""Who may see what. Every data function takes an Access and derives the courts it may
query from it, so a president who edits the URL or the session still only gets their own
court: the restriction is applied where the data is queried, not by hiding widgets."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
from sqlalchemy import Engine

from supervision.domain import vocabulary
from supervision.security.users import get_user

WRITE_CODES = frozenset(w.code for w in vocabulary.WRITES)

class AccessDenied(Exception):
    """A request for data outside the user's scope; the message is for the user."""


@dataclass(frozen=True)
class Access:
    username: str
    role: str
    court_code: str | None      # the president's court; the home (higher) court of others
    province: str | None        # the province whose courts the user may see
    display_name: str = ""

    @property
    def _role(self) -> vocabulary.Role | None:
        return vocabulary.ROLE_BY_CODE.get(self.role)

    @property
    def pages(self) -> tuple[str, ...]:
        return self._role.pages if self._role else ()

    @property
    def sees_cases(self) -> bool:
        """Whether the role sees case data at all (the administrator does not)."""
        return bool(self._role and self._role.scope != "none")

    @property
    def sees_national_names(self) -> bool:
        """Whether other courts appear by name (the provincial delegation's role)."""
        return bool(self._role and self._role.names_other_courts)

    def may(self, capability: str) -> bool:
        """Whether the role may make this ledger write at all, as its declaration says
        (`Role.writes`, from `vocabulary.WRITES`); where it may is `writable_courts`."""
        if capability not in WRITE_CODES:
            raise ValueError(f"unknown ledger write {capability!r}")
        return bool(self._role and capability in self._role.writes)

    def writable_courts(self, con: duckdb.DuckDBPyConnection,
                        capability: str) -> tuple[str, ...]:
        """The courts this user may make `capability` for: their scope (`allowed_courts`,
        from the case database) when the role declares it, else none."""
        return self.allowed_courts(con) if self.may(capability) else ()

    def allowed_courts(self, con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
        scope = self._role.scope if self._role else "none"
        if scope == "own_court":
            return (self.court_code,) if self.court_code else ()
        if scope == "province" and self.province:
            rows = con.sql("SELECT court_code FROM courts WHERE province = $p ORDER BY court_code",
                           params={"p": self.province}).fetchall()
            return tuple(r[0] for r in rows)
        return ()

    def visible(self, con: duckdb.DuckDBPyConnection,
                requested: tuple[str, ...] | None) -> tuple[str, ...]:
        """The courts a query may return: the requested ones within scope (all of the scope
        when none are requested). A request outside the scope is refused."""
        allowed = self.allowed_courts(con)
        if not allowed:
            raise AccessDenied("this account has no court data to see")
        if not requested:
            return allowed
        outside = [c for c in requested if c not in allowed]
        if outside:
            raise AccessDenied(f"no access to court {', '.join(outside)}")
        return tuple(requested)


def access_for(store: Engine, con: duckdb.DuckDBPyConnection, username: str) -> Access | None:
    """The Access of an active user: role and court from the operational store, the court's
    province from the case database (None if unknown or disabled)."""
    user = get_user(store, username)
    if user is None or user["disabled"]:
        return None
    province = None
    if user["court_code"]:
        rows = con.sql("SELECT province FROM courts WHERE court_code = $c",
                       params={"c": user["court_code"]}).fetchall()
        province = rows[0][0] if rows else None
    return Access(user["username"], user["role"], user["court_code"], province,
                  user["display_name"])
