"""The login form, the login cookie and the per-run session check (supervision.auth does
the checking; this module only draws and keeps the browser's cookie in step).

The cookie holds a signed JWT whose only claim of substance is the session token; what
makes it valid is the live session in the operational store, checked on every run. So a
cookie copied before logout, a disabled user's cookie, or a forged one (any algorithm, any
signature) logs no one in: it is ignored and the login form shows, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets

import jwt
import streamlit as st
from sqlalchemy import Engine

from supervision import auth
from supervision.ui.i18n import t

COOKIE_NAME = "supervision_login"
COOKIE_MAX_AGE = auth.SESSION_HOURS * 3600


@st.cache_resource(show_spinner=False)
def cookie_key() -> str:
    """The key that signs login cookies: SUPERVISION_COOKIE_KEY, else random per server
    start (then a restart logs everyone out). No key ships in the repository."""
    return os.environ.get("SUPERVISION_COOKIE_KEY") or secrets.token_hex(32)


def session_token(cookie_value: str | None, key: str) -> str | None:
    """The session token inside a login cookie, if we signed it (HS256 only) and it has not
    expired; anything else (no cookie, `alg: none`, another key, garbage) is None."""
    if not cookie_value:
        return None
    try:
        claims = jwt.decode(cookie_value, key, algorithms=["HS256"],
                            options={"require": ["exp", "sid"]})
    except jwt.PyJWTError:
        return None
    sid = claims.get("sid")
    return sid if isinstance(sid, str) else None


def _token_from_cookie() -> str | None:
    return session_token(st.context.cookies.get(COOKIE_NAME), cookie_key())


def current_user(store: Engine) -> str | None:
    """The logged-in username of this browser session, checked against the store."""
    token = st.session_state.get("session_token")
    if token is None and not st.session_state.get("logged_out"):
        token = _token_from_cookie()
    username = auth.resume(store, token)
    if username is None:
        if token is not None:
            # the session ended (logout elsewhere, disabled, idle): forget it here too
            st.session_state.pop("session_token", None)
            st.session_state.pop("username", None)
            st.session_state["session_over"] = True
        return None
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
        submitted = st.form_submit_button(t("login_title"))
    if not submitted:
        return
    outcome = auth.login(store, username, password)
    if outcome.ok:
        st.session_state["session_token"] = outcome.token
        st.session_state["username"] = outcome.username
        for key in ("logged_out", "session_over", "login_password"):
            st.session_state.pop(key, None)
        st.rerun()
    if outcome.reason == "locked":
        until = outcome.locked_until.replace(tzinfo=dt.UTC).astimezone()
        st.error(t("login_locked", until=until.strftime("%H:%M")))
    else:
        st.error(t("bad_login"))


def keep_cookie() -> None:
    """Write the login cookie for this session (every run: a lost write is redone, and an
    unchanged one is not re-sent by Streamlit)."""
    token = st.session_state.get("session_token")
    if not token:
        return
    claims = {"sid": token, "exp": int(dt.datetime.now(dt.UTC).timestamp()) + COOKIE_MAX_AGE}
    # the same value on every run of one session, so the frame is not rebuilt
    value = st.session_state.get("_cookie_value")
    if value is None or st.session_state.get("_cookie_token") != token:
        value = jwt.encode(claims, cookie_key(), algorithm="HS256")
        st.session_state["_cookie_value"], st.session_state["_cookie_token"] = value, token
    _set_cookie(value, COOKIE_MAX_AGE)


def logout(store: Engine) -> None:
    """End the session on the server and in the browser."""
    auth.end_session(store, st.session_state.get("session_token"))
    for key in ("session_token", "username", "_cookie_value", "_cookie_token"):
        st.session_state.pop(key, None)
    st.session_state["logged_out"] = True
    _set_cookie("", 0)


def _set_cookie(value: str, max_age: int) -> None:
    """Set or delete the login cookie from a zero-height frame of this origin."""
    script = f"""<script>
    const secure = window.parent.location.protocol === "https:" ? "; Secure" : "";
    window.parent.document.cookie = {json.dumps(COOKIE_NAME)} + "=" + {json.dumps(value)}
      + "; Max-Age={int(max_age)}; Path=/; SameSite=Strict" + secure;
    </script>"""
    # the value is our own JWT (base64url) or empty; nothing user-typed reaches the script
    st.sidebar.iframe(script, height="content")


def fold_sidebar_on_tablets() -> None:
    """Below 1100 px (tablets in a meeting room) the sidebar starts folded, once per browser
    tab, so the figures get the width; its button opens it again. Streamlit decides the
    sidebar's first state on the server, which cannot know the width. Drawn on every run
    (a run cut short by a page switch drops its elements); the tab remembers it folded."""
    script = """<script>
    const doc = window.parent.document;
    if (window.parent.innerWidth < 1100 && !window.parent.sessionStorage.getItem("sidebarFolded")) {
      window.parent.sessionStorage.setItem("sidebarFolded", "1");
      const fold = () => {
        const button = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
        if (button) { button.click(); } else { setTimeout(fold, 200); }
      };
      fold();
    }
    </script>"""
    st.sidebar.iframe(script, height="content")
