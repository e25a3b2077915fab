"""The server's log: one JSON object a line on stdout, for the service manager (journald
keeps, rotates and ships it; docs/deployment.md).

Each line holds `time` (UTC, ISO 8601 with milliseconds), `level`, `logger` and `message`,
and — when the record comes from a session's script run — `session` (Streamlit's session
id) and `page` (the page's URL path); an exception adds `exception` (its traceback).

Never a password, token or ID number: fields a record carries through `extra=` whose name
names a secret (password, token, ticket, secret, cookie, key, totp …) are dropped, and
every text written — message, traceback, the other fields — has its ID-number-shaped runs
masked (supervision.security.personal's one rule, as on screen) and any `password=…`,
`token: …` pair or bearer token redacted.

`configure()` (called by `python -m supervision serve` before Streamlit starts) sends the
root logger, Streamlit's own loggers and uvicorn's through this formatter."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from typing import Any

# Attributes every LogRecord has: not copied into the line as extra fields.
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {
    "message", "asctime", "taskName", "color_message"}    # uvicorn's coloured copy
# An extra field whose name contains one of these is dropped, whatever its value.
SECRET_NAMES = ("password", "passwd", "token", "ticket", "secret", "cookie", "key",
                "totp", "otp", "authorization", "credential", "session_token")
REDACTED = "[redacted]"
# `password=…`, `token: "…"`, `Authorization: Bearer …` inside a text
_SECRET_PAIR = re.compile(
    r"(?i)\b((?:password|passwd|pwd|token|ticket|secret|cookie|authorization|api[_-]?key)"
    r"[\"']?\s*[:=]\s*)(?:bearer\s+)?(\"[^\"]*\"|'[^']*'|[^\s,;&}\]]+)")
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}")


def scrub(text: str) -> str:
    """`text` with ID-number-shaped runs masked and secret pairs redacted."""
    from supervision.security import personal

    text = _SECRET_PAIR.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub("Bearer " + REDACTED, text)
    return personal.scrub_id_numbers(text)


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in SECRET_NAMES)


def _clean(value: Any) -> Any:
    """A JSON-ready copy of an extra field's value, its texts scrubbed and its secret
    keys dropped."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items() if not is_secret_name(str(k))}
    if isinstance(value, list | tuple | set):
        return [_clean(v) for v in value]
    return scrub(str(value))


def session_context() -> dict[str, str]:
    """The session id and page of the script run on this thread, if any."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import (
            get_script_run_ctx,
        )
    except ImportError:
        return {}
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return {}
    found = {"session": ctx.session_id}
    page = ctx.pages_manager.get_pages().get(ctx.page_script_hash, {})
    name = page.get("url_pathname") or page.get("page_name")
    if name is not None:
        found["page"] = name or "/"
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object a line (see the module's docstring)."""

    def __init__(self, *args: Any, use_colors: bool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)     # uvicorn's logging config names use_colors

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC)
                      .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        line.update(session_context())
        for name, value in vars(record).items():
            if name in _RECORD_ATTRIBUTES or name in line or name.startswith("_"):
                continue
            if is_secret_name(name):
                continue
            line[name] = _clean(value)
        if record.exc_info:
            line["exception"] = scrub(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def _handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    return handler


def configure(level: int = logging.INFO) -> None:
    """JSON lines on stdout for the root logger, Streamlit's loggers and uvicorn's."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(_handler())
    root.setLevel(level)
    _route_streamlit_loggers()
    _route_uvicorn_loggers()


def _route_streamlit_loggers() -> None:
    """Streamlit gives each of its loggers a console handler of its own and stops it from
    propagating; instead, every one of them (those made later too) propagates to the
    root's JSON handler."""
    import streamlit.logger as streamlit_logger

    def setup_formatter(logger: logging.Logger) -> None:
        old = getattr(logger, "streamlit_console_handler", None)
        if old is not None:
            logger.removeHandler(old)
            del logger.streamlit_console_handler
        logger.propagate = True

    streamlit_logger.setup_formatter = setup_formatter
    for logger in streamlit_logger._loggers.values():
        setup_formatter(logger)


def _route_uvicorn_loggers() -> None:
    """uvicorn configures its loggers from uvicorn.config.LOGGING_CONFIG when Streamlit
    makes its server: its formatters become this one (the dict is changed in place, as
    uvicorn.Config's default argument is that dict)."""
    try:
        from uvicorn.config import LOGGING_CONFIG
    except ImportError:
        return
    for name in ("default", "access"):
        LOGGING_CONFIG["formatters"][name] = {"()": f"{__name__}.JsonFormatter"}
    for name in ("default", "access"):
        LOGGING_CONFIG["handlers"][name]["stream"] = "ext://sys.stdout"
