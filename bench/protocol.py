"""Concurrent sessions speaking Streamlit's own websocket protocol, without a browser.

The browser sessions (bench/sessions.py) run 20 Chromium renderers on the same two cores as
the server: at N = 20 they take most of the machine, so they measure the laptop as much as
the server. In a delegation's room every user has a laptop of their own. These sessions
are what the server sees of such a room: each connects to `/_stcore/stream` as the
browser does, sends the same `BackMsg` reruns (a new value in the lower-bound box) and
reads the `ForwardMsg`s back, as a browser receives them, until the run has finished.

Measured per change: from sending the new value to the end of the run that carries the
page (`script_finished`), having received its chart; an exception shown, a run that did
not finish, or a URL that does not carry the new value is an error. The user's login is
the app's own: a session opened in the operational store (supervision.security.auth.login, bcrypt
and all) and the login cookie signed with the server's key, sent with the websocket's
handshake as a browser sends it.

Prints figures; asserts nothing. Used by bench/bench.py.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any
from urllib.parse import parse_qs

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.sessions import (
    ROUND_VALUES,
    cpu_seconds,
    machine_busy_seconds,
    next_value,
    peak_rss_mb,
    province_courts,
    server,
    summary,
)

LOWER_BOUND_LABEL = "最低（万元）"
FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY


class RunFailed(Exception):
    """The run did not finish with the page: an exception shown or the wrong URL."""


class Session:
    """One user's websocket to the app: reruns sent, the page's messages read back."""

    def __init__(self, socket: Any, page: str) -> None:
        self.socket, self.page = socket, page
        self.query = ""
        self.widgets: dict[str, str] = {}    # label -> widget id, from the elements drawn

    async def run(self, query: str, widgets: list[WidgetState] | None = None
                  ) -> dict[str, int]:
        """Send one rerun; read until the run that draws the page has finished. Returns
        what the run drew (element kinds counted)."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = self.page
        msg.rerun_script.widget_states.widgets.extend(widgets or [])
        await self.socket.send(msg.SerializeToString())
        drawn: dict[str, int] = {}
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.socket.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                name = element.WhichOneof("type")
                drawn[name] = drawn.get(name, 0) + 1
                body = getattr(element, name)
                if hasattr(body, "id") and hasattr(body, "label") and body.id:
                    self.widgets[body.label] = body.id
            elif kind == "page_info_changed":
                self.query = forward.page_info_changed.query_string
            elif kind == "script_finished":
                # a run ended early for a rerun (login → page, a page switch): keep reading
                if forward.script_finished == FINISHED:
                    if drawn.get("exception"):
                        raise RunFailed("exception shown")
                    return drawn
                drawn = {}

    async def set_lower_bound(self, value: float) -> dict[str, int]:
        """Type `value` (万元) into the lower-bound box, as a user does."""
        state = WidgetState(id=self.widgets[LOWER_BOUND_LABEL], double_value=value)
        drawn = await self.run(self.query, [state])
        if parse_qs(self.query).get("vmin") != [f"{value:.1f}"]:
            raise RunFailed(f"the URL does not carry the new value: {self.query}")
        return drawn


def login_cookie(store_url: str, cookie_key: str, username: str, password: str) -> str:
    """The app's login cookie for a new session of `username` (what /auth/cookie sets
    after a login), signed with the key the server derives from `cookie_key`."""
    import os
    from unittest import mock

    from supervision.security import auth, login_cookie
    from supervision.store import engine

    outcome = auth.login(engine(store_url), username, password)
    if not outcome.ok:
        raise RuntimeError(f"login of {username} failed: {outcome.reason}")
    with mock.patch.dict(os.environ, {"SUPERVISION_COOKIE_KEY": cookie_key}):
        return f"{login_cookie.COOKIE_NAME}={login_cookie.cookie_value(outcome.token)}"


async def _session(base: str, cookie: str, court: str, seconds: float, seed: int,
                   changes: list[float], errors: list[str], first: list[float],
                   values: tuple[float, ...] | None, reading_s: float) -> None:
    from websockets.asyncio.client import connect

    rng = random.Random(seed)
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with connect(url, subprotocols=["streamlit"], max_size=None,
                           additional_headers={"Cookie": cookie}, open_timeout=60,
                           ping_interval=None) as socket:
            session = Session(socket, "targets")
            t0 = time.perf_counter()
            drawn = await session.run(f"court={court}&band=custom&vmin=1")
            if not drawn.get("plotly_chart") or LOWER_BOUND_LABEL not in session.widgets:
                raise RunFailed(f"the targets page was not drawn: {sorted(drawn)}")
            first.append(time.perf_counter() - t0)
            end = time.perf_counter() + seconds
            # the user reads the first page too before changing (0: back to back): twenty
            # users who opened the dashboard together do not all change in the same instant
            await asyncio.sleep(rng.uniform(0.5, 1.5) * reading_s)
            shown = 1.0
            while time.perf_counter() < end:
                value = next_value(rng, shown, values)
                t0 = time.perf_counter()
                drawn = await session.set_lower_bound(value)
                if not drawn.get("plotly_chart"):
                    raise RunFailed("no chart drawn")
                changes.append(time.perf_counter() - t0)
                shown = value
                # the user reads the chart before changing again (0: back to back)
                await asyncio.sleep(rng.uniform(0.5, 1.5) * reading_s)
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none is hidden
        errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")


async def _run(base: str, cookies: list[str], courts: list[str], seconds: float,
               values: tuple[float, ...] | None, reading_s: float) -> dict[str, Any]:
    changes: list[float] = []
    errors: list[str] = []
    first: list[float] = []
    await asyncio.gather(*[_session(base, cookie, courts[seed % len(courts)], seconds, seed,
                                    changes, errors, first, values, reading_s)
                           for seed, cookie in enumerate(cookies)])
    return summary(len(cookies), changes, errors, first)


def run_protocol_sessions(db, store_url: str, counts: list[int], seconds: float,
                          court: str = "HI720", port: int = 8766, room: bool = False,
                          reading_s: float = 0.0) -> list[dict]:
    """One fresh server per N: N protocol sessions, logged in as the supervisor, each
    changing the lower bound for `seconds`, back to back or reading each chart for
    `reading_s` (± 50 %, at random) before the next change; the server's CPU and peak
    RSS."""
    import secrets

    courts = province_courts(db) if room else [court]
    values = ROUND_VALUES if room else None
    out = []
    for n in counts:
        key = secrets.token_hex(32)
        with server(db, store_url, port, SUPERVISION_COOKIE_KEY=key) as (base, proc):
            # logins before the clock starts: bcrypt is the login's cost, not a change's
            cookies = [login_cookie(store_url, key, "supervisor", "demo-supervisor")
                       for _ in range(n)]
            server_cpu, machine_cpu = cpu_seconds(proc.pid), machine_busy_seconds()
            result = asyncio.run(_run(base, cookies, courts, seconds, values, reading_s))
            result["server_cpu_s"] = cpu_seconds(proc.pid) - server_cpu
            result["machine_cpu_s"] = machine_busy_seconds() - machine_cpu
            result["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
        out.append(result)
    return out
