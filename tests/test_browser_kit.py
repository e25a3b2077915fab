"""What the browser tests wait on (tests/browser_kit.py's wait_idle) reads the websocket's
protobuf messages in the page: an end of a run is a ForwardMsg whose script_finished is
not FINISHED_EARLY_FOR_RERUN, a rerun request a BackMsg whose first byte is 0x5A. Here
the page's parser reads messages serialized by Streamlit's own protobuf classes: every
kind of end, and messages that merely contain the bytes of one (a delta's hash, text and
lengths of more than one byte: a parser that skips a field wrongly finds ends in them)."""

from __future__ import annotations

from playwright.sync_api import Page
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser_kit import RUN_TRACKER_SCRIPT, browser, new_context  # noqa: F401

FINISHED = ForwardMsg.ScriptFinishedStatus


def _finished(status: int) -> bytes:
    msg = ForwardMsg()
    msg.metadata.delta_path[:] = [0, 1]
    msg.script_finished = status
    return msg.SerializeToString()


def _delta(text: str) -> bytes:
    msg = ForwardMsg(hash="8b5120444f" * 3 + "ab")
    msg.metadata.delta_path[:] = [0, 3, 1]
    msg.delta.new_element.markdown.body = text
    return msg.SerializeToString()


def _run_ended(page: Page, message: bytes) -> bool:
    return page.evaluate("bytes => window.__supervisionRuns.runEnded("
                         "new Uint8Array(bytes).buffer)", list(message))


def test_the_page_counts_the_ends_of_runs_and_nothing_else(browser):  # noqa: F811
    page = new_context(browser).new_page()
    page.evaluate(RUN_TRACKER_SCRIPT)
    assert _run_ended(page, _finished(FINISHED.FINISHED_SUCCESSFULLY))
    assert _run_ended(page, _finished(FINISHED.FINISHED_WITH_COMPILE_ERROR))
    assert _run_ended(page, _finished(FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY))
    # a run cut short by st.rerun or st.switch_page: another run follows
    assert not _run_ended(page, _finished(FINISHED.FINISHED_EARLY_FOR_RERUN))
    # bytes 0x30 (field 6, a varint) inside a hash and a text, behind lengths of one and
    # of two bytes
    for text in ("0" * 10, "0" * 200, "案件" * 300):
        assert not _run_ended(page, _delta(text)), text
    new_session = ForwardMsg(hash="0" * 32)
    new_session.new_session.page_script_hash = "0" * 32
    assert not _run_ended(page, new_session.SerializeToString())


def test_a_rerun_request_and_only_it_starts_with_0x5a():
    rerun = BackMsg(rerun_script=ClientState(query_string="court=HI720", page_script_hash="0"))
    assert rerun.SerializeToString()[0] == 0x5A
    for other in (BackMsg(app_heartbeat=True), BackMsg(stop_script=True),
                  BackMsg(load_git_info=True), BackMsg(clear_cache=True)):
        assert other.SerializeToString()[0] != 0x5A, other
