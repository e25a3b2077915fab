"""The web server around Streamlit: the login cookie's two routes and the client hardening.

`python -m supervision serve` runs `streamlit run dashboard.py`, whose `st.App` serves
app.py with what this module gives it:

- POST /auth/cookie trades a one-time ticket for the login cookie, set by the answer with
  HttpOnly (no script of the page can read it); SameSite=Strict; Path=/; and Secure when
  the request came over https (uvicorn takes X-Forwarded-Proto only from a trusted proxy:
  FORWARDED_ALLOW_IPS, by default this host). See supervision.security.login_cookie.
- POST /auth/cookie/delete deletes the login cookie once its session has ended (it ends no
  session itself, so a stale page cannot log out a newer login of the same browser).
- Both refuse a request whose Origin is not the server's own (or one listed in
  SUPERVISION_ALLOWED_ORIGINS).
- A websocket handshake (/_stcore/stream) whose Origin is not exactly the server's own
  origin — scheme, host and port — nor one listed in SUPERVISION_ALLOWED_ORIGINS (the
  public origin of a proxy that rewrites Host) is refused with 403. Streamlit's own check
  lets any port of a local host in. A handshake without an Origin is let through as
  Streamlit does: every browser sends one, and other clients can send any.
- A request (or websocket) whose Host is neither an IP address, `localhost` nor the host
  of a listed origin is refused with 421 (host_allowed): another site's name pointed at
  this server (DNS rebinding) does not reach the login form, the health or metrics.
- GET /healthz answers whether this server is ready to serve (for the proxy, the service
  manager and the operator): 200 with a small JSON when the case database opens and its
  schema is this release's, and the operational store answers with its Alembic migrations
  at this release's head; 503 with the reasons otherwise (readiness()).
- Every HTTP answer carries a Content-Security-Policy (this origin only: no external host,
  scripts only Streamlit's own files and the page's known inline scripts by their SHA-256),
  X-Frame-Options SAMEORIGIN, X-Content-Type-Options nosniff and Referrer-Policy
  same-origin.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import json
import logging
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import streamlit
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supervision.security import auth, login_cookie
from supervision.ui import login

log = logging.getLogger("supervision.web")

ALLOWED_ORIGINS_ENV = "SUPERVISION_ALLOWED_ORIGINS"
MAX_BODY = 1024           # bytes: a ticket is about 80
DEFAULT_PORTS = {"http": 80, "https": 443}
STREAMLIT_INDEX = Path(streamlit.__file__).parent / "static" / "index.html"

Origin = tuple[str, str, int]


def parse_origin(text: str | None) -> Origin | None:
    """(scheme, host, port) of an origin or URL, ports made explicit; None for anything
    that is not an http(s) origin (`null`, garbage, other schemes)."""
    if not text:
        return None
    try:
        parts = urlsplit(text.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host.lower(), port or DEFAULT_PORTS[scheme]


def origin_text(origin: Origin) -> str:
    scheme, host, port = origin
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" if port == DEFAULT_PORTS[scheme] else f"{scheme}://{host}:{port}"


def allowed_origins() -> set[Origin]:
    """The origins listed in SUPERVISION_ALLOWED_ORIGINS (comma-separated), e.g. a proxy's
    public origin https://dashboard.example.gov.cn."""
    listed = (parse_origin(o) for o in os.environ.get(ALLOWED_ORIGINS_ENV, "").split(","))
    return {o for o in listed if o is not None}


def own_origin(scope: Scope) -> Origin | None:
    """This server's origin as the request names it: its scheme (https when a trusted
    proxy says so) and its Host header."""
    host = Headers(scope=scope).get("host")
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return parse_origin(f"{scheme}://{host}") if host else None


def origin_allowed(scope: Scope, *, required: bool) -> bool:
    """Whether the request's Origin header is this server's own origin or a listed one.
    Without an Origin header: `not required`."""
    header = Headers(scope=scope).get("origin")
    if header is None:
        return not required
    origin = parse_origin(header)
    return origin is not None and (origin == own_origin(scope) or origin in allowed_origins())


# --- the login cookie's routes ------------------------------------------------------------

def _cookie_kwargs(request: Request) -> dict:
    return {"path": "/", "secure": request.url.scheme == "https", "httponly": True,
            "samesite": "strict"}


async def _body(request: Request) -> bytes | None:
    """The request's body, or None when it is longer than MAX_BODY."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return body


async def trade_ticket(request: Request) -> Response:
    """POST /auth/cookie, the body a ticket: 204 with the login cookie, or 403."""
    refused = Response(status_code=403, headers={"Cache-Control": "no-store"})
    if not origin_allowed(request.scope, required=True):
        return refused
    body = await _body(request)
    if body is None:
        return Response(status_code=413)
    ticket = body.decode("ascii", "replace").strip()
    token = await run_in_threadpool(lambda: login_cookie.trade(_store(), ticket))
    if token is None:
        return refused
    answer = Response(status_code=204, headers={"Cache-Control": "no-store"})
    answer.set_cookie(login_cookie.COOKIE_NAME, login_cookie.cookie_value(token),
                      max_age=login_cookie.COOKIE_MAX_AGE, **_cookie_kwargs(request))
    return answer


async def drop_cookie(request: Request) -> Response:
    """POST /auth/cookie/delete: 204, deleting the login cookie if its session is over."""
    if not origin_allowed(request.scope, required=True):
        return Response(status_code=403)
    answer = Response(status_code=204, headers={"Cache-Control": "no-store"})
    cookie = request.cookies.get(login_cookie.COOKIE_NAME)
    if cookie is None:
        return answer
    token = login_cookie.session_token(cookie, login_cookie.cookie_key())
    live = token is not None and await run_in_threadpool(
        lambda: auth.resume(_store(), token)) is not None
    if not live:
        answer.delete_cookie(login_cookie.COOKIE_NAME, **_cookie_kwargs(request))
    return answer


def _store():
    from supervision.store import engine

    return engine()


# --- readiness ----------------------------------------------------------------------------

READINESS_TIMEOUT_S = 5.0


def store_head_revision() -> str:
    """The newest Alembic revision this release ships for the operational store."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from supervision.store import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _check_case_db(db: Path) -> tuple[dict, list[str]]:
    from supervision.data import migrations
    from supervision.data.db import data_version, schema_is_current

    if not db.exists():
        return {"ok": False}, [f"case database missing: {db.name}"]
    if not schema_is_current(db):       # opens the file read-only: raises if it cannot
        return ({"ok": False, "schema_expected": migrations.LATEST},
                ["case database schema is not this release's (it is migrated on the "
                 "next read-write open: an import, or the app's first session)"])
    return {"ok": True, "schema": migrations.LATEST, "version": data_version(db)}, []


def _check_store() -> tuple[dict, list[str]]:
    from supervision.store import current_revision
    from supervision.store import engine as store_engine

    current = current_revision(store_engine())
    head = store_head_revision()
    if current != head:
        return ({"ok": False, "revision": current, "expected": head},
                [f"operational store at revision {current}, this release expects {head}"])
    return {"ok": True, "revision": current}, []


def readiness(db: Path | None = None) -> tuple[int, dict]:
    """(HTTP status, body) of the readiness check: 200 when the case database at `db`
    (default: SUPERVISION_DB) opens with this release's schema and the operational store
    answers at this release's Alembic head, else 503 with the reasons. A failing check's
    exception is logged here and named by its class only in the answer (its text may name
    hosts or paths)."""
    from supervision.ui.data import db_path

    db = Path(db) if db is not None else db_path()
    body: dict = {"status": "ready"}
    reasons: list[str] = []
    for name, check in (("case_db", lambda: _check_case_db(db)), ("store", _check_store)):
        try:
            body[name], found = check()
        except Exception as error:  # noqa: BLE001 - any failure is an answer: not ready
            log.warning("readiness: %s check failed", name, exc_info=True)
            body[name], found = {"ok": False}, [f"{name} failed: {type(error).__name__}"]
        reasons += found
    if reasons:
        body["status"] = "not ready"
        body["reasons"] = reasons
    return (503 if reasons else 200), body


async def ready(request: Request) -> Response:
    """GET /healthz: readiness() as JSON, never cached."""
    try:
        status, body = await asyncio.wait_for(run_in_threadpool(readiness),
                                              timeout=READINESS_TIMEOUT_S)
    except TimeoutError:
        status, body = 503, {"status": "not ready",
                             "reasons": [f"checks took over {READINESS_TIMEOUT_S:.0f} s"]}
    return Response(json.dumps(body, ensure_ascii=False), status_code=status,
                    media_type="application/json", headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    """The login cookie's routes and the readiness check, under the server's base URL path
    (login.auth_path)."""
    base = (login.auth_path("x").removesuffix("/auth/x"))
    return [Route(login.auth_path("cookie"), trade_ticket, methods=["POST"]),
            Route(login.auth_path("cookie/delete"), drop_cookie, methods=["POST"]),
            Route(f"{base}/healthz", ready, methods=["GET"])]


# --- middleware ---------------------------------------------------------------------------

def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_scripts() -> list[str]:
    """Every inline script the browser runs: Streamlit's page (index.html) and ours."""
    index = STREAMLIT_INDEX.read_text(encoding="utf-8")
    streamlit_scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", index,
                                   flags=re.DOTALL | re.IGNORECASE)
    return [*streamlit_scripts, *login.PAGE_SCRIPTS]


def content_security_policy() -> str:
    scripts = " ".join(dict.fromkeys(_script_hash(s) for s in inline_scripts()))
    return "; ".join([
        "default-src 'self'",
        # protobuf's 64-bit integers (long.js) compile a tiny WebAssembly module; this
        # allows WebAssembly only, not JavaScript's eval
        f"script-src 'self' 'wasm-unsafe-eval' {scripts}",
        # Streamlit's components style themselves with inline styles (emotion), as does
        # the app's stylesheet (app.py)
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


class SecurityHeaders:
    """The security headers on every HTTP answer (ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(),
            "X-Frame-Options": "SAMEORIGIN",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class WebsocketOrigin:
    """Refuse (403) a websocket handshake from another origin (ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not origin_allowed(scope, required=False):
            headers = Headers(scope=scope)
            log.warning("refused a websocket from origin %r (host %r)",
                        headers.get("origin"), headers.get("host"))
            await receive()       # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        await self.app(scope, receive, send)


def host_allowed(host: str | None) -> bool:
    """Whether a request's Host names this server as it is reached: an IP address (a
    laptop on a room's network, the proxy), `localhost`, or the host of an origin listed
    in SUPERVISION_ALLOWED_ORIGINS. Any other name is a page's own domain pointed at this
    server (DNS rebinding: its script would then be same-origin with the app). No Host
    header: allowed (a browser always sends one)."""
    if host is None:
        return True
    origin = parse_origin(f"http://{host}")
    if origin is None:
        return False
    name = origin[1].strip("[]")
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return name == "localhost" or name in {o[1] for o in allowed_origins()}


class HostCheck:
    """Refuse (421) an HTTP request or websocket whose Host is not this server's (ASGI
    middleware; host_allowed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = Headers(scope=scope).get("host") if scope["type"] in ("http", "websocket") \
            else None
        if host_allowed(host):
            await self.app(scope, receive, send)
            return
        log.warning("refused a request for host %r", host)
        if scope["type"] == "websocket":
            await receive()       # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        await Response("misdirected request: this server does not answer for that host\n",
                       status_code=421, media_type="text/plain")(scope, receive, send)


# Streamlit's own routes that answer without a login and that nothing here uses: the cache
# statistics (the app's cached function names and their counts)
CLOSED_PATHS = {"/_stcore/metrics"}


class ClosedRoutes:
    """404 for CLOSED_PATHS (ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").rstrip("/") in CLOSED_PATHS:
            await Response(status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def middleware() -> list[Middleware]:
    return [Middleware(HostCheck), Middleware(SecurityHeaders), Middleware(ClosedRoutes),
            Middleware(WebsocketOrigin)]
