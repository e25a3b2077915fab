"""The server's JSON log lines (supervision.logs): one object a line with time, level,
logger and message, the session and page where known, never a password, token or ID
number."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from supervision import logs

ROOT = Path(__file__).resolve().parent.parent
ID_NUMBER = "11010519491231002X"       # an 18-character resident ID number's shape


@pytest.fixture
def captured():
    """A logger writing through JsonFormatter into a buffer; the lines parsed."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("supervision.test_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield logger, lines
    logger.removeHandler(handler)


def test_one_object_a_line_with_time_level_logger_message(captured):
    logger, lines = captured
    logger.warning("imported %d cases\nfrom %s", 12, "cases.csv")
    logger.info("second")
    first, second = lines()
    assert first["level"] == "WARNING" and second["level"] == "INFO"
    assert first["logger"] == "supervision.test_logs"
    assert first["message"] == "imported 12 cases\nfrom cases.csv"   # one line: JSON-escaped
    assert first["time"].endswith("Z") and first["time"][:4].isdigit()
    assert "session" not in first and "page" not in first    # no script run on this thread


def test_id_numbers_are_masked_everywhere(captured):
    logger, lines = captured
    try:
        raise ValueError(f"bad respondent {ID_NUMBER}")
    except ValueError:
        logger.exception("row for %s refused", ID_NUMBER, extra={"row": {"id": ID_NUMBER}})
    text = json.dumps(lines())
    assert ID_NUMBER not in text
    line = lines()[0]
    assert "refused" in line["message"] and "ValueError" in line["exception"]
    assert line["row"]["id"] != ID_NUMBER


def test_secret_fields_are_dropped_and_secret_pairs_redacted(captured):
    logger, lines = captured
    logger.info("login as zhang password=hunter2hunter2 token: abc.def.ghi done",
                extra={"password": "hunter2hunter2", "session_token": "tok-123456",
                       "cookie_key": "k" * 40, "user": "zhang",
                       "form": {"username": "zhang", "Password": "hunter2hunter2"}})
    line = lines()[0]
    text = json.dumps(line)
    for secret in ("hunter2hunter2", "tok-123456", "k" * 40, "abc.def.ghi"):
        assert secret not in text
    assert "password" not in line and "session_token" not in line and "cookie_key" not in line
    assert line["user"] == "zhang" and line["form"] == {"username": "zhang"}
    assert line["message"] == "login as zhang password=[redacted] token: [redacted] done"


def test_bearer_tokens_are_redacted():
    assert logs.scrub("Authorization header Bearer eyJhbGciOi.J9.abc") == \
        "Authorization header Bearer [redacted]"


def test_a_script_run_adds_its_session_and_page(captured, monkeypatch):
    logger, lines = captured

    class Pages:
        def get_pages(self):
            return {"h1": {"url_pathname": "brief", "page_name": "简报"}}

    class Context:
        session_id = "session-42"
        page_script_hash = "h1"
        pages_manager = Pages()

    from streamlit.runtime.scriptrunner_utils import script_run_context

    monkeypatch.setattr(script_run_context, "get_script_run_ctx",
                        lambda suppress_warning=False: Context())
    logger.info("page run")
    line = lines()[0]
    assert line["session"] == "session-42" and line["page"] == "brief"


def test_serve_configures_every_logger_as_json_lines():
    """configure() in a fresh process: the root logger, Streamlit's loggers (which do not
    propagate by themselves) and uvicorn's formatters all write JSON lines on stdout."""
    script = """
import logging, sys
from supervision import logs
import streamlit.logger
before = streamlit.logger.get_logger("streamlit.early")
logs.configure()
after = streamlit.logger.get_logger("streamlit.late")
logging.getLogger("supervision.x").warning("root %s", "11010519491231002X")
before.warning("early")
after.warning("late")
from uvicorn.config import LOGGING_CONFIG
import logging.config
logging.config.dictConfig(LOGGING_CONFIG)
logging.getLogger("uvicorn.error").warning("uvicorn")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("supervision.x", "root 110105**********2X"),
        ("streamlit.early", "early"), ("streamlit.late", "late"),
        ("uvicorn.error", "uvicorn")]
    assert done.stderr == ""
