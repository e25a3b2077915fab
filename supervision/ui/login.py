"""The login form, the login cookie and the per-run session check (supervision.security.auth does
the checking; this module only draws and keeps the browser's cookie in step).

The cookie holds a signed JWT whose only claim of substance is the session token; what
makes it valid is the live session in the operational store, checked on every run. So a
cookie copied before logout, a disabled user's cookie, or a forged one (any algorithm, any
signature) logs no one in: it is ignored and the login form shows, never a traceback.

The cookie is HttpOnly, so no script of the page can read it: it is set by the answer of
/auth/cookie to a one-time ticket that this session posts from the page after a login
(supervision.security.login_cookie, supervision.web), deleted by /auth/cookie/delete once its
session has ended, and read from the request's cookies (the websocket's handshake) when a
browser session starts.
"""

from __future__ import annotations

import datetime as dt
import html
import time

import streamlit as st
from sqlalchemy import Engine

from supervision.security import auth, login_cookie
from supervision.security.login_cookie import COOKIE_MAX_AGE, COOKIE_NAME, session_token  # noqa: F401
from supervision.words.i18n import t

# The page's only scripts (supervision.web allows exactly these, by their SHA-256, in its
# Content-Security-Policy; keep their text constant: what varies goes in data- attributes).
# POST_SCRIPT posts data-body to data-url, same origin, and lets the answer set cookies
# (keepalive: a reload at once does not cancel it). They run in the page itself (st.html),
# so each keeps its names in its own block.
POST_SCRIPT = """{
  const me = document.currentScript;
  fetch(me.dataset.url, {method: "POST", body: me.dataset.body || "", keepalive: true,
                         credentials: "same-origin", headers: {"Content-Type": "text/plain"}});
}"""
FOLD_SCRIPT = """{
  if (window.innerWidth < 1100 && !window.sessionStorage.getItem("sidebarFolded")) {
    window.sessionStorage.setItem("sidebarFolded", "1");
    const fold = () => {
      const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (button) { button.click(); } else { setTimeout(fold, 200); }
    };
    fold();
  }
}"""
PAGE_SCRIPTS = (POST_SCRIPT, FOLD_SCRIPT)
RENEW_TICKET_AFTER_S = login_cookie.TICKET_SECONDS * 3 / 4


def cookie_key() -> bytes:
    """The key that signs login cookies: derived from the server's secret (config)."""
    return login_cookie.cookie_key()


def auth_path(name: str) -> str:
    """The path of one of supervision.web's routes (`cookie`, `cookie/delete`), under the
    server's base URL path if one is configured."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/auth/{name}" if base else f"/auth/{name}"


def _token_from_cookie() -> str | None:
    return session_token(st.context.cookies.get(COOKIE_NAME), cookie_key())


def current_user(store: Engine) -> str | None:
    """The logged-in username of this browser session, checked against the store. While
    no one is logged in after a session ended here, the page asks /auth/cookie/delete to
    delete the (httpOnly) login cookie, which it does only if that cookie's session is
    over."""
    token = st.session_state.get("session_token")
    from_cookie = False
    if token is None and not st.session_state.get("logged_out"):
        token = _token_from_cookie()
        from_cookie = token is not None
    username = auth.resume(store, token)
    if username is None:
        if token is not None:
            # the session ended (logout elsewhere, disabled, idle): forget it here too
            st.session_state.pop("session_token", None)
            st.session_state.pop("username", None)
            st.session_state["session_over"] = True
            st.session_state["_drop_cookie"] = True
        if st.session_state.get("_drop_cookie"):
            _post_from_page(auth_path("cookie/delete"))
        return None
    if from_cookie:
        st.session_state["_cookie_token"] = token  # the browser holds this session's cookie
    st.session_state.pop("_drop_cookie", None)
    st.session_state["session_token"] = token
    st.session_state["username"] = username
    return username


def form(store: Engine) -> None:
    """The login form. A successful login reruns the app as that user."""
    if st.session_state.get("session_over"):
        st.info(t("session_over"))
    with st.form("login"):
        st.subheader(t("login_title"))
        username = st.text_input("用户名 / Username", key="login_username", autocomplete="username")
        password = st.text_input("密码 / Password", type="password", key="login_password",
                                 autocomplete="current-password")
        # optional: required (by auth.login) for an enrolled user or, in production, for a
        # role that needs a second factor
        code = st.text_input(t("one_time_code"), key="login_code", max_chars=8,
                             autocomplete="one-time-code", help=t("one_time_code_help"))
        submitted = st.form_submit_button(t("login_title"))
    if not submitted:
        return
    # the client's address for the per-client throttle (None for localhost or when
    # unknown: one shared bucket)
    outcome = auth.login(store, username, password, code=code, client=_client_address(),
                         throttle=auth.THROTTLE)
    if outcome.ok:
        st.session_state["session_token"] = outcome.token
        st.session_state["username"] = outcome.username
        for key in ("logged_out", "session_over", "login_password", "login_code"):
            st.session_state.pop(key, None)
        st.rerun()
    if outcome.reason == "locked":
        until = outcome.locked_until.replace(tzinfo=dt.UTC).astimezone()
        st.error(t("login_locked", until=until.strftime("%H:%M")))
    elif outcome.reason == "throttled":
        st.error(t("login_throttled"))
    elif outcome.reason == "busy":
        st.error(t("login_busy"))
    elif outcome.reason == "second_factor_not_enrolled":
        st.error(t("login_needs_second_factor"))
    else:
        st.error(t("bad_login"))


def _client_address() -> str | None:
    try:
        return st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (tests): unknown, the shared bucket
        return None


def keep_cookie() -> None:
    """Have the browser get the (httpOnly) login cookie of this session, unless it came
    with it: a one-time ticket, posted from the page to /auth/cookie, whose answer sets
    the cookie. Drawn on every run with the same ticket (an unchanged element is not run
    again); a ticket not traded in time (a lost request) is replaced by a new one."""
    token = st.session_state.get("session_token")
    if not token or st.session_state.get("_cookie_token") == token:
        return
    from supervision.ui import data

    pending = st.session_state.get("_cookie_ticket")
    if pending is not None and pending["token"] == token and not pending["traded"] and (
            time.monotonic() - pending["issued"] > RENEW_TICKET_AFTER_S):
        if login_cookie.traded(data.store(), token):
            pending["traded"] = True
        else:
            pending = None
    if pending is None or pending["token"] != token:
        ticket = login_cookie.issue(data.store(), token)
        if ticket is None:
            return
        pending = {"token": token, "ticket": ticket, "issued": time.monotonic(),
                   "traded": False}
        st.session_state["_cookie_ticket"] = pending
    _post_from_page(auth_path("cookie"), pending["ticket"])


def logout(store: Engine) -> None:
    """End the session on the server; the next run has the browser's cookie deleted."""
    auth.end_session(store, st.session_state.get("session_token"))
    for key in ("session_token", "username", "_cookie_ticket", "_cookie_token"):
        st.session_state.pop(key, None)
    st.session_state["logged_out"] = True
    st.session_state["_drop_cookie"] = True


def _post_from_page(url: str, body: str = "") -> None:
    """POST `body` to `url` from a script of the page (st.html: no frame, no height)."""
    # the body is a ticket (base64url and a dot) or empty; the url is ours: nothing
    # user-typed reaches the page, and both are escaped anyway
    st.sidebar.html(f'<script data-url="{html.escape(url)}" data-body="{html.escape(body)}">'
                    f"{POST_SCRIPT}</script>", unsafe_allow_javascript=True)


def fold_sidebar_on_tablets() -> None:
    """Below 1100 px (tablets in a meeting room) the sidebar starts folded, once per browser
    tab, so the figures get the width; its button opens it again. Streamlit decides the
    sidebar's first state on the server, which cannot know the width. Drawn on every run
    (a run cut short by a page switch drops its elements); the tab remembers it folded."""
    st.sidebar.html(f"<script>{FOLD_SCRIPT}</script>", unsafe_allow_javascript=True)
