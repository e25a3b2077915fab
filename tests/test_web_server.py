"""The web server around Streamlit (supervision.web), over real HTTP and websockets against
`python -m supervision serve`: the login cookie's routes, the websocket's allowed origins
and the security headers."""

from __future__ import annotations

import datetime as dt
import http.client
import shutil
from urllib.parse import urlsplit

import jwt
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from supervision.security import audit, auth, login_cookie
from supervision.store import engine
from tests.browser_kit import free_port, streamlit_server
from tests.conftest import run_coroutine
from tests.test_app import PASSWORDS

KEY = "w" * 40
PROXY_ORIGIN = "https://dashboard.example.org"


@pytest.fixture(scope="module")
def server(demo_db, operational_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    db = folder / "app.duckdb"
    shutil.copy(demo_db, db)
    # the test's own address, v4 or v4-in-v6, is the trusted proxy here
    with streamlit_server(db, folder / "streamlit.log", SUPERVISION_COOKIE_KEY=KEY,
                          SUPERVISION_ALLOWED_ORIGINS=f" {PROXY_ORIGIN}, not an origin",
                          FORWARDED_ALLOW_IPS="127.0.0.1,::1,::ffff:127.0.0.1") as base:
        yield base


@pytest.fixture
def store(server, operational_store, monkeypatch):
    monkeypatch.setenv("SUPERVISION_COOKIE_KEY", KEY)   # tickets sealed as the server does
    return engine(operational_store)


def request(base: str, method: str, path: str, body: str | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        answer.read()
        return answer.status, answer.headers
    finally:
        connection.close()


def ticket_for(store, user: str = "analyst") -> tuple[str, str]:
    token = auth.login(store, user, PASSWORDS[user]).token
    return token, login_cookie.issue(store, token)


def trade(base: str, ticket: str, origin: str | None = None, **headers: str):
    return request(base, "POST", "/auth/cookie", ticket,
                   {"Origin": origin or base, "Content-Type": "text/plain", **headers})


def test_a_ticket_buys_one_httponly_cookie(server, store):
    token, ticket = ticket_for(store)
    status, headers = trade(server, ticket)
    assert status == 204
    cookie = headers["Set-Cookie"]
    name, value = cookie.split(";")[0].split("=", 1)
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert name == login_cookie.COOKIE_NAME
    assert {"httponly", "path=/", "samesite=strict"} <= attributes
    assert "secure" not in attributes              # plain http: a browser would drop it
    assert headers["Cache-Control"] == "no-store"
    assert login_cookie.session_token(value, login_cookie.cookie_key()) == token
    assert jwt.get_unverified_header(value)["alg"] == "HS256"
    # the same ticket again: nothing
    status, headers = trade(server, ticket)
    assert status == 403 and "Set-Cookie" not in headers


def test_an_expired_ticket_buys_nothing(server, store):
    token = auth.login(store, "analyst", PASSWORDS["analyst"]).token
    long_ago = audit.now() - dt.timedelta(seconds=login_cookie.TICKET_SECONDS + 5)
    ticket = login_cookie.issue(store, token, now=long_ago)
    status, headers = trade(server, ticket)
    assert status == 403 and "Set-Cookie" not in headers


def test_the_cookie_is_secure_behind_an_https_proxy(server, store):
    port = urlsplit(server).port
    _token, ticket = ticket_for(store)
    status, headers = trade(server, ticket, origin=f"https://127.0.0.1:{port}",
                            **{"X-Forwarded-Proto": "https"})
    assert status == 204
    assert "secure" in {a.strip().lower() for a in headers["Set-Cookie"].split(";")}


def test_a_ticket_posted_from_another_origin_is_refused_and_kept(server, store):
    _token, ticket = ticket_for(store)
    port = urlsplit(server).port
    for origin in [f"http://127.0.0.1:{free_port()}", f"http://localhost:{port}", "null",
                   f"https://127.0.0.1:{port}"]:
        status, headers = trade(server, ticket, origin=origin)
        assert status == 403 and "Set-Cookie" not in headers, origin
    status, headers = request(server, "POST", "/auth/cookie", ticket)   # no Origin at all
    assert status == 403
    # refused before the ticket was looked at: it still works from the right origin
    assert trade(server, ticket)[0] == 204


def test_the_logout_route_deletes_only_an_ended_sessions_cookie(server, store):
    token, _ticket = ticket_for(store)
    cookie = f"{login_cookie.COOKIE_NAME}={login_cookie.cookie_value(token)}"
    status, headers = request(server, "POST", "/auth/cookie/delete", "",
                              {"Origin": server, "Cookie": cookie})
    assert status == 204 and "Set-Cookie" not in headers   # a newer login's cookie stays
    auth.end_session(store, token)
    status, headers = request(server, "POST", "/auth/cookie/delete", "",
                              {"Origin": server, "Cookie": cookie})
    assert status == 204
    deleted = headers["Set-Cookie"].lower()
    assert deleted.startswith(f"{login_cookie.COOKIE_NAME}=") and "max-age=0" in deleted
    assert "httponly" in deleted
    port = free_port()
    status, headers = request(server, "POST", "/auth/cookie/delete", "",
                              {"Origin": f"http://127.0.0.1:{port}", "Cookie": cookie})
    assert status == 403 and "Set-Cookie" not in headers
    # only a POST: a GET (a link, an image) is Streamlit's page, and touches no cookie
    assert "Set-Cookie" not in request(server, "GET", "/auth/cookie/delete",
                                       headers={"Origin": server, "Cookie": cookie})[1]


def handshake(base: str, origin: str | None) -> int:
    """The HTTP status of a websocket handshake to /_stcore/stream (101: accepted)."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"

    async def attempt() -> int:
        options = {"origin": origin} if origin is not None else {}
        try:
            async with connect(url, subprotocols=["streamlit"], open_timeout=30,
                               **options) as socket:
                return socket.response.status_code
        except InvalidStatus as refused:
            return refused.response.status_code

    return run_coroutine(attempt())


def test_a_websocket_from_another_origin_is_refused(server):
    port = urlsplit(server).port
    assert handshake(server, server) == 101
    assert handshake(server, PROXY_ORIGIN) == 101        # SUPERVISION_ALLOWED_ORIGINS
    assert handshake(server, f"{PROXY_ORIGIN}:443") == 101
    for origin in [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{port + 1}",
                   f"http://localhost:{port}", f"https://127.0.0.1:{port}",
                   "https://dashboard.example.org:8443", "http://dashboard.example.org",
                   "https://evil.example", "null"]:
        assert handshake(server, origin) == 403, origin


def test_a_request_for_another_host_is_refused(server):
    """DNS rebinding: another site's name pointed at this server. Its page, health, login
    routes and websocket answer 421 (the websocket 403); an IP address, localhost and the
    listed proxy's host are served."""
    port = urlsplit(server).port
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
               "Sec-WebSocket-Protocol": "streamlit"}
    for host in (f"evil.example:{port}", "evil.example",
                 f"dashboard.example.org.evil.example:{port}"):
        for path in ("/", "/healthz", "/_stcore/health", "/targets?court=HI720"):
            assert request(server, "GET", path, headers={"Host": host})[0] == 421, (host, path)
        assert request(server, "POST", "/auth/cookie", "x",
                       {"Host": host, "Origin": f"http://{host}"})[0] == 421
        assert request(server, "GET", "/_stcore/stream", headers={
            "Host": host, "Origin": f"http://{host}", **upgrade})[0] == 403, host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}",
                 f"192.168.1.5:{port}", "dashboard.example.org", "DASHBOARD.example.org:443"):
        assert request(server, "GET", "/_stcore/health", headers={"Host": host})[0] == 200, host


def test_streamlits_cache_statistics_are_not_served(server):
    """/_stcore/metrics named the app's cached functions and their counts to anyone."""
    for path in ("/_stcore/metrics", "/_stcore/metrics/"):
        assert request(server, "GET", path)[0] == 404, path
    assert request(server, "GET", "/_stcore/health")[0] == 200


CSP_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "'wasm-unsafe-eval'", "data:", "blob:"}


def test_every_answer_carries_the_security_headers(server, store):
    _token, ticket = ticket_for(store)
    answers = {
        "page": request(server, "GET", "/"),
        "page of a path": request(server, "GET", "/brief?court=HI720"),
        "health": request(server, "GET", "/_stcore/health"),
        "static file": request(server, "GET", "/favicon.png"),
        "host config": request(server, "GET", "/_stcore/host-config"),
        "missing": request(server, "GET", "/_stcore/nothing-here"),
        "refused ticket": trade(server, "garbage"),
        "cookie": trade(server, ticket),
    }
    for what, (status, headers) in answers.items():
        assert status < 500, what
        assert headers["X-Frame-Options"] == "SAMEORIGIN", what
        assert headers["X-Content-Type-Options"] == "nosniff", what
        assert headers["Referrer-Policy"] == "same-origin", what
        directives = headers["Content-Security-Policy"].split(";")
        policy = dict(d.strip().split(" ", 1) for d in directives)
        assert policy["default-src"] == "'self'", what
        assert policy["frame-ancestors"] == "'self'", what
        assert policy["object-src"] == "'none'", what
        sources = {s for value in policy.values() for s in value.split()}
        hashes = {s for s in sources if s.startswith("'sha256-")}
        # no other host, no inline script but the page's own (by hash), no eval
        assert sources - hashes <= CSP_SOURCES, what
        assert "'unsafe-inline'" not in policy["script-src"], what
        assert len(hashes) >= 3, what     # Streamlit's page script, and the app's two


def test_streamlits_agent_api_is_off(server):
    """No client but a logged-in browser drives the app (level 3: no needless services)."""
    parts = urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("POST", "/_stcore/agent/interact", body="{}",
                           headers={"Origin": server, "Content-Type": "application/json"})
        answer = connection.getresponse()
        body = answer.read().decode("utf-8")
    finally:
        connection.close()
    assert answer.status >= 400 and "not_available" in body
