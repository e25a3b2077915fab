"""Every request is checked when it runs, not when its button was drawn.

A download button on screen holds a callable that Streamlit runs when it is clicked, on
the server's event thread, outside any page run, possibly hours after the page was drawn.
By then the account may be disabled, the user logged out in another tab, the password
changed or the session idle. `live_access` re-reads the session and the user at that
moment and refuses unless both still hold exactly the access the page was drawn with.
(Buttons and forms rerun app.py, which checks the session before any page runs.)
"""

from __future__ import annotations

import datetime as dt
import logging

import duckdb
from sqlalchemy import Engine, select

from supervision.security import auth
from supervision.security.access import Access, access_for
from supervision.store.schema import sessions

# why a request was refused -> (中文, English), for the user and the audit trail
REASONS: dict[str, tuple[str, str]] = {
    "no_session": ("未登录", "not logged in"),
    "logout": ("已在其他窗口退出登录", "logged out in another window"),
    "user_disabled": ("账户已停用", "the account is disabled"),
    "password_changed": ("密码已更改", "the password was changed"),
    "idle": ("长时间未操作，会话已结束", "the session ended after inactivity"),
    "expired": ("会话已到期", "the session expired"),
    "access_changed": ("权限已变更", "the account's role or court changed"),
}


class RequestRefused(Exception):
    """A request whose session or access no longer holds; nothing is delivered."""

    def __init__(self, reason: str) -> None:
        self.reason = reason if reason in REASONS else "no_session"
        zh, en = REASONS[self.reason]
        super().__init__(f"{zh}，未生成文件。请重新登录。 / {en}; no file was made. "
                         "Please log in again.")


def session_end_reason(store: Engine, token: str | None) -> str:
    """Why the session of `token` is over: its recorded end reason, else no_session."""
    if not token:
        return "no_session"
    with store.connect() as connection:
        reason = connection.execute(select(sessions.c.end_reason).where(
            sessions.c.token_hash == auth._hash(token))).scalar()
    return reason or "no_session"


def live_access(store: Engine, con: duckdb.DuckDBPyConnection, token: str | None,
                drawn_with: Access, now: dt.datetime | None = None) -> Access:
    """The user's access now, if the session of `token` is live and the user still has
    exactly the access `drawn_with` (role, court, province); else RequestRefused."""
    username = auth.resume(store, token, now)
    if username is None:
        raise RequestRefused(session_end_reason(store, token))
    if username != drawn_with.username:
        raise RequestRefused("access_changed")
    access = access_for(store, con, username)
    if access is None:
        raise RequestRefused("user_disabled")
    if (access.role, access.court_code, access.province) != (
            drawn_with.role, drawn_with.court_code, drawn_with.province):
        raise RequestRefused("access_changed")
    return access


class RefusalLogFilter(logging.Filter):
    """Streamlit logs a download whose callable raised as an error with two tracebacks. A
    refusal is an expected outcome, already in the audit trail: one line at INFO, so the
    log's errors stay errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        refused = refusal_in(record.exc_info[1] if record.exc_info else None)
        if refused is not None:
            record.msg, record.args = "download refused (%s): nothing delivered", (
                refused.reason,)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def refusal_in(exc: BaseException | None) -> RequestRefused | None:
    """The RequestRefused an exception is, or was raised from (its causes followed)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, RequestRefused):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


# where Streamlit logs a failed deferred download
DOWNLOAD_LOGGER = "streamlit.runtime.backend_operation_handler"


def quiet_refusals_in_the_log() -> None:
    logging.getLogger(DOWNLOAD_LOGGER).addFilter(RefusalLogFilter())
