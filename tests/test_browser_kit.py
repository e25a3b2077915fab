"""What the browser tests wait on (tests/browser_kit.py's wait_idle) reads the websocket's
protobuf messages in the page: a beginning of a run is a ForwardMsg with new_session, an
end one whose script_finished is not FINISHED_EARLY_FOR_RERUN, a rerun request a BackMsg
whose first byte is 0x5A. Here the page's parser reads messages serialized by Streamlit's
own protobuf classes: every kind of end, and messages that merely contain the bytes of
one (a delta's hash, text and lengths of more than one byte: a parser that skips a field
wrongly finds ends in them); and the page's numbering, in the orders that race."""

from __future__ import annotations

import warnings

import pytest
from playwright.sync_api import Page
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests import browser_kit
from tests.browser_kit import (
    RUN_TRACKER_SCRIPT,
    click_chart_point,
)

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


def _new_session() -> bytes:
    msg = ForwardMsg(hash="0" * 32)
    msg.new_session.page_script_hash = "0" * 32
    return msg.SerializeToString()


def _rerun_request() -> bytes:
    return BackMsg(rerun_script=ClientState(query_string="court=HI720",
                                            page_script_hash="0")).SerializeToString()


def _run_event(page: Page, message: bytes) -> str | None:
    return page.evaluate("bytes => window.__supervisionRuns.runEvent("
                         "new Uint8Array(bytes).buffer)", list(message))


def _run_ended(page: Page, message: bytes) -> bool:
    return _run_event(page, message) == "end"


def test_the_page_counts_the_ends_of_runs_and_nothing_else(tab):
    page = tab()
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
    assert _run_event(page, _new_session()) == "start"


# A socket of the page that never connects: its events are dispatched by the test, and
# what it sends is counted before the (refused) send itself.
RECEIVE_AND_SEND = """async ([steps]) => {
  const socket = new WebSocket("ws://127.0.0.1:9/");
  for (const [kind, bytes] of steps) {
    const data = new Uint8Array(bytes);
    if (kind === "in") {
      socket.dispatchEvent(new MessageEvent("message", {data: data.buffer}));
    } else {
      // a view at an offset, as a library's encoder may hand over
      const padded = new Uint8Array(data.length + 3);
      padded.set(data, 3);
      try { socket.send(padded.subarray(3)); } catch (e) { /* not open: counted already */ }
    }
  }
  await new Promise(done => requestAnimationFrame(() => setTimeout(done, 50)));
  const {asked, started, ended} = window.__supervisionRuns;
  return {asked, started, ended};
}"""


def _numbers(page: Page, steps: list[tuple[str, bytes]]) -> dict[str, int]:
    return page.evaluate(RECEIVE_AND_SEND, [[[kind, list(b)] for kind, b in steps]])


def test_the_page_numbers_requests_beginnings_and_ends_as_they_pass(tab):
    page = tab()
    page.evaluate(RUN_TRACKER_SCRIPT)
    end = _finished(FINISHED.FINISHED_SUCCESSFULLY)
    # answered: a request, its run's beginning and end (wait_idle may go on)
    assert _numbers(page, [("out", _rerun_request()), ("in", _new_session()),
                           ("in", end)]) == {"asked": 1, "started": 2, "ended": 3}
    # the last run's end arriving just after a new request keeps its place before it, and
    # no run has begun since the request (wait_idle waits)
    assert _numbers(page, [("out", _rerun_request()), ("in", end)]) == {
        "asked": 4, "started": 2, "ended": 5}
    # an end that arrived before a request keeps its number, though recorded a frame later
    numbers = _numbers(page, [("in", _new_session()), ("in", end), ("out", _rerun_request())])
    assert numbers["ended"] < numbers["asked"]
    numbers = _numbers(page, [("in", _new_session()), ("out", _rerun_request()), ("in", end)])
    assert numbers["started"] < numbers["asked"]    # the run began before the request
    # other messages change nothing
    assert _numbers(page, [("out", BackMsg(app_heartbeat=True).SerializeToString()),
                           ("in", _delta("0" * 200)),
                           ("in", _finished(FINISHED.FINISHED_EARLY_FOR_RERUN))]) == numbers


def test_a_rerun_request_and_only_it_starts_with_0x5a():
    assert _rerun_request()[0] == 0x5A
    for other in (BackMsg(app_heartbeat=True), BackMsg(stop_script=True),
                  BackMsg(load_git_info=True), BackMsg(clear_cache=True)):
        assert other.SerializeToString()[0] != 0x5A, other


# A chart as click_chart_point sees it: a point, a hover label drawn over it, the app idle
# after a run. The point drops its first DROP clicks; a click it takes sends its rerun
# request a moment later (or, LATE, only when the pointer leaves the point, after the
# helper has given up waiting, and the chart is gone with it), and the run answering it
# ends 1.5 s later (never, if ANSWER is false).
CHART_PAGE = """
<div data-testid="stApp" data-test-script-state="notRunning">
  <div id="chart"><svg width="300" height="200"><g class="point">
    <path d="M10 10 H110 V60 H10 Z" fill="blue"></path></g></svg>
  <div class="hoverlayer"></div></div>
</div>
<script>
  const runs = window.__supervisionRuns = {seq: 3, asked: 1, started: 2, ended: 3};
  window.clicks = 0;
  let unsent = false;
  const send = () => {
    runs.asked = ++runs.seq;
    // a late request's run draws another page: the point and its label are gone
    if (LATE) document.querySelector("#chart").remove();
    if (ANSWER) setTimeout(() => { runs.started = ++runs.seq; runs.ended = ++runs.seq; }, 1500);
  };
  const path = document.querySelector("path");
  path.addEventListener("mouseover", () => {
    document.querySelector(".hoverlayer").innerHTML = '<g class="hovertext">法院</g>';
  });
  path.addEventListener("mouseout", () => { if (unsent) { unsent = false; send(); } });
  path.addEventListener("click", () => {
    if (++window.clicks <= DROP) return;
    if (LATE) unsent = true; else setTimeout(send, 100);
  });
</script>
"""


def _chart_page(tab, drop: int = 0, late: bool = False,
                answer: bool = True) -> Page:
    page = tab()
    page.set_content(CHART_PAGE.replace("DROP", str(drop)).replace("LATE", str(late).lower())
                     .replace("ANSWER", str(answer).lower()))
    return page


def _click(page: Page, settle: bool = True) -> None:
    chart = page.locator("#chart")
    click_chart_point(page, chart, chart.locator("g.point path").first, settle=settle)


def _clicks_and_runs(page: Page) -> tuple[int, dict]:
    return page.evaluate("[window.clicks, window.__supervisionRuns]")


def test_a_click_on_a_chart_waits_for_its_request_and_its_run(tab):
    taken = _chart_page(tab)
    _click(taken)
    clicks, runs = _clicks_and_runs(taken)
    assert clicks == 1 and runs["asked"] > 1 and runs["ended"] > runs["started"] > runs["asked"]
    # settle=False: back as soon as the request is sent, the run not awaited
    unanswered = _chart_page(tab, answer=False)
    _click(unanswered, settle=False)
    clicks, runs = _clicks_and_runs(unanswered)
    assert clicks == 1 and runs["asked"] > runs["ended"]


def test_a_click_is_repeated_only_while_it_sends_no_request(tab, monkeypatch):
    monkeypatch.setattr(browser_kit, "CLICK_SENT_MS", 300)
    dropped_twice = _chart_page(tab, drop=2)
    with pytest.warns(UserWarning, match="sent no request in 0.3 s: clicking again") as said:
        _click(dropped_twice)
    assert len(said) == 2
    clicks, runs = _clicks_and_runs(dropped_twice)
    assert clicks == 3 and runs["ended"] > runs["asked"] > 1
    # a request sent after the wait gave up is seen before clicking again: one click
    late = _chart_page(tab, late=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # not even a warning of a second click
        _click(late)
    clicks, runs = _clicks_and_runs(late)
    assert clicks == 1 and runs["ended"] > runs["asked"] > 1
    never = _chart_page(tab, drop=99)
    with pytest.warns(UserWarning), pytest.raises(AssertionError,
                                                  match="3 clicks sent no request"):
        _click(never)
    assert _clicks_and_runs(never)[0] == 3
