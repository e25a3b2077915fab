"""The lockout cannot be raced: an attempt is counted in the store before its password is
checked, so however many logins for one name arrive at once, at most MAX_FAILURES
passwords are checked per window (on SQLite and PostgreSQL, like test_store.py); plus the
per-client throttle and the bound on bcrypt checks running at once.

Found by the security review: 30 logins for one account sent at the same instant, the
right password in slot 28: 18 were checked as wrong, 11 refused as locked and the right
one logged in."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from supervision.config import bcrypt_rounds
from supervision.security import audit, auth
from tests.test_store import add, store_of_kind

APP = str(Path(__file__).resolve().parent.parent / "app.py")
RIGHT = "correct horse 1"
T0 = dt.datetime(2026, 12, 3, 9, 0)



@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """A fresh operational store: SQLite, and PostgreSQL where one is configured."""
    yield from store_of_kind(request.param, tmp_path)

class CountingCheck:
    """A stand-in for auth.password_matches that records every password it is asked to
    check; with `hold`, each check waits until release() (the real bcrypt then runs).
    `settled` is released once per attempt that is inside its check (by the check) or
    finished without one (by _attempts)."""

    def __init__(self, hold: bool = False) -> None:
        self.checked: list[str] = []
        self.costs: list[str] = []      # the cost field of each hash checked ("$2b$04$…")
        self.threads: set[int] = set()
        self.hold = hold
        self.settled = threading.Semaphore(0)
        self._go = threading.Event()
        self._lock = threading.Lock()
        self._real = auth.password_matches

    def __call__(self, password: str, password_hash: str) -> bool:
        with self._lock:
            self.checked.append(password)
            self.costs.append(password_hash.split("$")[2])
            self.threads.add(threading.get_ident())
        self.settled.release()
        if self.hold:
            assert self._go.wait(120), "never released"
        return self._real(password, password_hash)

    def release(self) -> None:
        self._go.set()

    def wait_settled(self, n: int) -> None:
        for _ in range(n):
            assert self.settled.acquire(timeout=60), "an attempt neither checked nor ended"


def _attempts(store, passwords: dict[int, str], check: CountingCheck,
              outcomes: dict[int, auth.LoginOutcome]) -> list[threading.Thread]:
    """Threads logging in as zhang with the given passwords, started."""
    def attempt(i: int, password: str) -> None:
        try:
            outcomes[i] = auth.login(store, "zhang", password)
        finally:
            if threading.get_ident() not in check.threads:
                check.settled.release()

    threads = [threading.Thread(target=attempt, args=(i, p)) for i, p in passwords.items()]
    for th in threads:
        th.start()
    return threads


def test_an_attempt_is_counted_before_its_password_is_checked(store, monkeypatch):
    add(store)
    # every reserved check may run at once here: the held ones must all be inside it
    monkeypatch.setattr(auth, "CHECK_SLOTS", threading.BoundedSemaphore(64), raising=False)
    check = CountingCheck(hold=True)
    monkeypatch.setattr(auth, "password_matches", check)
    outcomes: dict[int, auth.LoginOutcome] = {}
    threads = []
    try:
        # 27 wrong passwords at once, their checks held open (as a slow bcrypt would be)
        threads += _attempts(store, {i: f"wrong password {i}" for i in range(27)}, check,
                             outcomes)
        check.wait_settled(27)
        assert len(check.checked) == auth.MAX_FAILURES      # the rest refused, unchecked
        assert sum(o.reason == "locked" for o in outcomes.values()) == 27 - auth.MAX_FAILURES
        # three more while those checks run, the right password in slot 28
        threads += _attempts(store, {27: "wrong password 27", 28: RIGHT,
                                     29: "wrong password 29"}, check, outcomes)
        check.wait_settled(3)
        assert (outcomes[28].ok, outcomes[28].reason) == (False, "locked")
        assert outcomes[28].locked_until is not None
    finally:
        check.release()
        for th in threads:
            th.join(60)
    assert len(check.checked) == auth.MAX_FAILURES and RIGHT not in check.checked
    assert not any(o.ok for o in outcomes.values()) and len(outcomes) == 30
    assert auth.locked_until(store, "zhang") is not None
    events = audit.entries(store)["event"].to_list()
    assert events.count("login_failure") == auth.MAX_FAILURES
    assert events.count("login_locked") == 30 - auth.MAX_FAILURES


def test_thirty_logins_at_the_same_instant_check_at_most_ten_passwords(store, monkeypatch):
    add(store)
    check = CountingCheck()
    monkeypatch.setattr(auth, "password_matches", check)
    start = threading.Barrier(30)
    outcomes: dict[int, auth.LoginOutcome] = {}

    def attempt(i: int) -> None:
        start.wait()
        outcomes[i] = auth.login(store, "zhang", f"wrong password {i}")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert len(outcomes) == 30
    assert len(check.checked) <= auth.MAX_FAILURES
    assert sum(o.reason == "locked" for o in outcomes.values()) >= 30 - auth.MAX_FAILURES
    # and now the right password is refused too, without a check
    right = auth.login(store, "zhang", RIGHT)
    assert (right.ok, right.reason) == (False, "locked")
    assert RIGHT not in check.checked


def test_the_lock_lasts_one_window_from_the_tenth_check(store, monkeypatch):
    add(store)
    check = CountingCheck()
    monkeypatch.setattr(auth, "password_matches", check)
    tenth = T0 + dt.timedelta(minutes=14)
    for i in range(auth.MAX_FAILURES - 1):
        auth.login(store, "zhang", "wrong password", T0 + dt.timedelta(seconds=i))
    # the tenth within the window of the ninth: the run goes on, and this check locks
    assert auth.login(store, "zhang", "wrong password", tenth).reason == "locked"
    assert auth.locked_until(store, "zhang", tenth) == tenth + auth.FAILURE_WINDOW
    just_before = tenth + auth.FAILURE_WINDOW - dt.timedelta(seconds=1)
    assert auth.login(store, "zhang", RIGHT, just_before).reason == "locked"
    assert len(check.checked) == auth.MAX_FAILURES      # the refused one was not checked
    # a window after the tenth check: a new run, checked, and the right password logs in
    assert auth.login(store, "zhang", RIGHT, tenth + auth.FAILURE_WINDOW).ok
    assert check.checked[-1] == RIGHT


def test_a_success_clears_the_count(store):
    add(store)
    for i in range(auth.MAX_FAILURES - 1):
        auth.login(store, "zhang", "wrong password", T0 + dt.timedelta(seconds=i))
    assert auth.login(store, "zhang", RIGHT, T0 + dt.timedelta(seconds=20)).ok
    later = T0 + dt.timedelta(seconds=30)
    for _ in range(auth.MAX_FAILURES - 1):
        assert auth.login(store, "zhang", "wrong password", later).reason == "bad_credentials"


def test_unknown_names_are_counted_and_answered_alike(store, monkeypatch):
    add(store)
    check = CountingCheck()
    monkeypatch.setattr(auth, "password_matches", check)
    known = [auth.login(store, "zhang", "wrong password", T0) for _ in range(12)]
    unknown = [auth.login(store, "nobody", "wrong password", T0) for _ in range(12)]
    assert [(o.ok, o.reason, o.locked_until) for o in known] == [
        (o.ok, o.reason, o.locked_until) for o in unknown]
    assert [o.reason for o in unknown].count("bad_credentials") == auth.MAX_FAILURES - 1
    # both take the same bcrypt checks: ten each, none after the lock, and at one cost (the
    # configured one: tests/conftest.py lowers it, and an unknown name's hash follows)
    assert len(check.checked) == 2 * auth.MAX_FAILURES
    assert set(check.costs) == {f"{bcrypt_rounds():02d}"}, check.costs


def test_bcrypt_checks_at_once_are_bounded(store, monkeypatch):
    for name in ("a.user", "b.user", "c.user", "d.user"):
        add(store, name)
    monkeypatch.setattr(auth, "CHECK_SLOTS", threading.BoundedSemaphore(2), raising=False)
    monkeypatch.setattr(auth, "CHECK_WAIT_S", 0.5, raising=False)
    check = CountingCheck(hold=True)
    monkeypatch.setattr(auth, "password_matches", check)
    outcomes = {}

    def attempt(name: str) -> None:
        try:
            outcomes[name] = auth.login(store, name, RIGHT)
        finally:
            if threading.get_ident() not in check.threads:
                check.settled.release()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("a.user", "b.user")]
    try:
        for th in threads:
            th.start()
        check.wait_settled(2)
        # both slots taken: two more attempts wait, then are refused as busy, unchecked
        threads += [threading.Thread(target=attempt, args=(n,)) for n in ("c.user", "d.user")]
        for th in threads[2:]:
            th.start()
        check.wait_settled(2)
        assert len(check.checked) == 2
        assert [outcomes[n].reason for n in ("c.user", "d.user")] == ["busy", "busy"]
    finally:
        check.release()
        for th in threads:
            th.join(60)
    assert outcomes["a.user"].ok and outcomes["b.user"].ok
    assert audit.entries(store, event="login_refused").height == 2


# ------------------------------------------------------------------ the per-client throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_a_burst_then_one_attempt_per_interval():
    clock = Clock()
    throttle = auth.Throttle(burst=3, every=2.0, clock=clock)
    assert [throttle.take("203.0.113.7") for _ in range(5)] == [
        (True, False), (True, False), (True, False), (False, True), (False, False)]
    clock.now += 1.9
    assert throttle.take("203.0.113.7") == (False, False)
    clock.now += 0.1
    assert throttle.take("203.0.113.7") == (True, False)
    assert throttle.take("203.0.113.7") == (False, True)      # empty again: logged once more
    # another address has its own bucket
    assert throttle.take("198.51.100.1") == (True, False)
    # a long pause refills up to the burst, not beyond
    clock.now += 3600
    assert [throttle.take("203.0.113.7")[0] for _ in range(4)] == [True, True, True, False]


def test_unknown_clients_share_one_bucket():
    clock = Clock()
    throttle = auth.Throttle(burst=1, every=60, shared_burst=2, shared_every=60, clock=clock)
    assert throttle.take(None)[0] and throttle.take("not an address")[0]
    assert throttle.take("")[0] is False       # the third unknown attempt: the same bucket
    assert throttle.take("192.0.2.1")[0]       # a known address is not held by it


def test_ipv6_clients_count_per_64_and_mapped_ipv4_as_ipv4():
    throttle = auth.Throttle(burst=2, every=60, clock=Clock())
    assert throttle.take("2001:db8:1:2::1")[0] and throttle.take("2001:db8:1:2::ffff")[0]
    assert not throttle.take("2001:db8:1:2:abcd::9")[0]   # the same /64
    assert throttle.take("2001:db8:1:3::1")[0]             # the next /64 is another client
    assert auth.Throttle.key("::ffff:192.0.2.5") == auth.Throttle.key("192.0.2.5")


def test_the_throttle_keeps_a_bounded_number_of_clients():
    clock = Clock()
    throttle = auth.Throttle(burst=1, every=10, shared_burst=3, shared_every=10,
                             max_clients=4, clock=clock)
    for i in range(4):
        assert throttle.take(f"192.0.2.{i}")[0]
    # the table is full of active clients: newcomers draw from the shared bucket
    assert [throttle.take(f"198.51.100.{i}")[0] for i in range(5)] == [
        True, True, True, False, False]
    assert len(throttle) <= 5
    # once the first clients are idle (refilled), their buckets make room again
    clock.now += 10
    assert throttle.take("203.0.113.9")[0] and throttle.take("203.0.113.9") == (False, True)
    assert len(throttle) <= 5


def test_a_throttled_attempt_costs_no_check_and_no_count(store, monkeypatch):
    add(store)
    check = CountingCheck()
    monkeypatch.setattr(auth, "password_matches", check)
    throttle = auth.Throttle(burst=2, every=3600, clock=Clock())
    reasons = [auth.login(store, "zhang", "wrong password", client="203.0.113.7",
                          throttle=throttle).reason for _ in range(6)]
    assert reasons == ["bad_credentials"] * 2 + ["throttled"] * 4
    assert len(check.checked) == 2
    # the name's count saw only the two checks: the owner, elsewhere, is not locked out
    assert auth.login(store, "zhang", RIGHT, client="198.51.100.1", throttle=throttle).ok
    refused = audit.entries(store, event="login_refused")
    assert refused.height == 1          # the flood is logged once, not once per attempt


@pytest.mark.parametrize("reason", ["throttled", "busy", "locked"])
def test_the_login_form_says_why_in_both_languages(reason, demo_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from supervision.words import i18n

    until = dt.datetime(2026, 12, 3, 9, 30)
    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    monkeypatch.setattr(auth, "login", lambda *a, **k: auth.LoginOutcome(
        False, "zhang", locked_until=until if reason == "locked" else None, reason=reason))
    key = {"throttled": "login_throttled", "busy": "login_busy", "locked": "login_locked"}
    for lang, index in (("zh", 0), ("en", 1)):
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["lang"] = lang
        at.run()
        at.text_input[0].input("zhang")
        at.text_input[1].input("any password")
        next(b for b in at.button if b.label in ("登录", "Log in")).click()
        at.run()
        expected = i18n.LABELS[key[reason]][index].split("{")[0]
        assert any(expected in e.value for e in at.error), [e.value for e in at.error]
