"""The login cookie, out of page scripts' reach, and the one-time tickets that get it set.

Streamlit talks to the browser over a websocket, which cannot set a cookie; a script of
the page could (`document.cookie`), but then every script of the page could read it too.
So the cookie is set by an HTTP answer, with HttpOnly:

1. after a login, the Streamlit session asks for a *ticket* (`issue`): random, good for
   TICKET_SECONDS and once; the store keeps only its SHA-256, in the session's row;
2. a script of the page posts the ticket to /auth/cookie (supervision.web);
3. that route trades it (`trade`): the row's ticket is cleared in the same statement that
   finds it (so a ticket is good once, even for two servers at once), the session must be
   live, and the answer sets the cookie — HttpOnly; SameSite=Strict; Path=/; Secure over
   https.

The cookie holds an HS256 JWT whose claim of substance is the session token (`sid`); what
makes it valid is the live session in the store (supervision.security.auth), checked on every run.
The ticket carries the session token *sealed* (XORed with an HMAC-SHA256 key stream of a
random nonce, under a key derived from the server's secret), so the page never sees the
token itself and any server of the installation can trade the ticket; a changed ticket
matches no row, and the unsealed token must hash to the row's own token hash.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets

import jwt
from sqlalchemy import Engine, select, update

from supervision import config
from supervision.security import audit, auth
from supervision.store.schema import sessions

COOKIE_NAME = "supervision_login"
COOKIE_MAX_AGE = auth.SESSION_HOURS * 3600
TICKET_SECONDS = 60
MAX_TICKET_LENGTH = 200      # characters: a real ticket has about 80


def cookie_key() -> bytes:
    """The key that signs login cookies, derived from the server's secret
    (SUPERVISION_COOKIE_KEY): the same on every server of an installation and across
    restarts; random per process only outside production (config.server_key)."""
    return config.derived_key("cookie")


def cookie_value(token: str, now: dt.datetime | None = None) -> str:
    """The login cookie's value for a session token: an HS256 JWT that expires with the
    longest session (auth.SESSION_HOURS)."""
    issued = (now or dt.datetime.now(dt.UTC)).replace(tzinfo=dt.UTC)
    return jwt.encode({"sid": token, "exp": int(issued.timestamp()) + COOKIE_MAX_AGE},
                      cookie_key(), algorithm="HS256")


def session_token(cookie: str | None, key: str | bytes) -> str | None:
    """The session token inside a login cookie, if it was signed with `key` (HS256 only)
    and has not expired; anything else (no cookie, `alg: none`, another key, garbage,
    foreign claims) is None."""
    if not cookie:
        return None
    try:
        claims = jwt.decode(cookie, key, algorithms=["HS256"],
                            options={"require": ["exp", "sid"]})
    except jwt.PyJWTError:
        return None
    sid = claims.get("sid")
    return sid if isinstance(sid, str) else None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key_stream(nonce: bytes, length: int) -> bytes:
    key = config.derived_key("cookie-ticket")
    blocks = (hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
              for counter in range(-(-length // 32)))
    return b"".join(blocks)[:length]


def _xor(data: bytes, nonce: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, _key_stream(nonce, len(data)), strict=True))


def _seal(token: str) -> str:
    nonce = secrets.token_bytes(16)
    return f"{_b64(nonce)}.{_b64(_xor(token.encode('ascii'), nonce))}"


def _unseal(ticket: str) -> str | None:
    try:
        nonce_text, sealed_text = ticket.split(".")
        return _xor(_unb64(sealed_text), _unb64(nonce_text)).decode("ascii")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _ticket_hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("ascii", "replace")).hexdigest()


def issue(store: Engine, token: str, now: dt.datetime | None = None) -> str | None:
    """A new ticket for the live session of `token` (it replaces the session's previous
    ticket), or None when there is no such live session."""
    now = now or audit.now()
    ticket = _seal(token)
    with store.begin() as connection:
        issued = connection.execute(update(sessions).where(
            (sessions.c.token_hash == auth._hash(token)) & sessions.c.ended_at.is_(None)
        ).values(cookie_ticket_hash=_ticket_hash(ticket),
                 cookie_ticket_expires_at=now + dt.timedelta(seconds=TICKET_SECONDS)))
    return ticket if issued.rowcount == 1 else None


def traded(store: Engine, token: str) -> bool:
    """Whether the session of `token` has no ticket left to trade (its last one was
    traded, or it never had one)."""
    with store.connect() as connection:
        pending = connection.execute(select(sessions.c.cookie_ticket_hash).where(
            sessions.c.token_hash == auth._hash(token))).scalar()
    return pending is None


def trade(store: Engine, ticket: str, now: dt.datetime | None = None) -> str | None:
    """The session token a ticket stands for, once: the ticket is used up by this call,
    whatever follows. None for an unknown, used, expired or altered ticket, or a session
    that has ended (logout, disabled user, idle, expired)."""
    if not ticket or len(ticket) > MAX_TICKET_LENGTH or not ticket.isascii():
        return None
    now = now or audit.now()
    with store.begin() as connection:
        token_hash = connection.execute(update(sessions).where(
            (sessions.c.cookie_ticket_hash == _ticket_hash(ticket))
            & (sessions.c.cookie_ticket_expires_at > now)
            & sessions.c.ended_at.is_(None)
        ).values(cookie_ticket_hash=None, cookie_ticket_expires_at=None
                 ).returning(sessions.c.token_hash)).scalar()
    if token_hash is None:
        return None
    token = _unseal(ticket)
    if token is None or not hmac.compare_digest(auth._hash(token), token_hash):
        return None
    return token if auth.resume(store, token, now) is not None else None
