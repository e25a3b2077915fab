"""Whole-ID-number lookups by a role that sees ID numbers masked, bounded per day.

Such a role may find a respondent by its whole ID number (a clerk holding a document), never
by a part of one (queries/respondent_search.sql, the explorer's text in queries/macros.sql),
so that a masked number cannot be read back by narrowing searches. A whole-number match is
still an oracle: typed candidate after candidate (the region, the birth date, the check
digit narrow an 18-character number to a few hundred), it confirms the right one. So each
different number such a role looks up is written to the audit trail (as its keyed
reference, never the number), and past ID_LOOKUPS_PER_DAY different numbers in a day the
search is refused, checked in the store when the search runs (cached results included).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy import Engine, select, update

from supervision.security import audit, personal
from supervision.security.access import Access
from supervision.store.schema import audit_log, users

ID_LOOKUPS_PER_DAY = 20
WINDOW = dt.timedelta(days=1)


def is_id_lookup(access: Access, text: str | None) -> bool:
    """Whether a search of `text` by this user is a whole-ID-number lookup that counts: the
    role sees numbers masked and the text may hold one (personal.might_identify)."""
    return not personal.sees_full_ids(access) and personal.might_identify(text)


def allowed(eng: Engine, access: Access, text: str | None) -> bool:
    """Whether this user may run a search of `text` now; a lookup that counts is recorded
    (the same number again within the day is not counted twice)."""
    if not is_id_lookup(access, text):
        return True
    looked_up = personal.reference(unicodedata.normalize("NFKC", text).strip().upper())
    with eng.begin() as connection:
        # the user's row written first (to itself): the count and the entry below run one
        # lookup of this user at a time, in every process (PostgreSQL locks the row until
        # the commit; SQLite the database, from its first write). Counted and then written
        # without it, 60 lookups at once let 34 through.
        connection.execute(update(users).where(users.c.username == access.username)
                           .values(username=users.c.username))
        earlier = set(connection.execute(
            select(audit_log.c.target).where(
                audit_log.c.actor == access.username, audit_log.c.event == "id_lookup",
                audit_log.c.at >= audit.now() - WINDOW)).scalars())
        if looked_up in earlier:
            return True
        if len(earlier) >= ID_LOOKUPS_PER_DAY:
            audit.record(connection, access.username, "id_lookup_refused", looked_up,
                         limit=ID_LOOKUPS_PER_DAY)
            return False
        audit.record(connection, access.username, "id_lookup", looked_up)
        return True
