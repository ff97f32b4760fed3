"""Fairness: no browser session can fill the sandbox pool or the race queue for everyone else.

One Streamlit server serves every student, each script run a thread. The sandbox
and the race queue take an ``owner`` (the session's id): one request each, running
or waiting; first come, first served across owners; a rate limit on heavy work;
a caller that goes away (``cancelled()`` True, or ``on_wait`` raising as Streamlit's
StopException does) leaves at once, its running worker killed. Short limits keep
each test to a few seconds.
"""

from __future__ import annotations

import threading
import time

import pytest

from core import timing
from core.sandbox import (Sandbox, SandboxBusy, SandboxCancelled, SandboxRateLimited, SandboxSessionLimit,
                          SandboxTimeout)


def _wait_until(cond, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def _warm(sb: Sandbox) -> None:
    for _ in range(sb.size):
        sb.run("ping", timeout=5)


class _Bg:
    """sb.run(...) in a thread; ``result`` or ``error`` when done, ``finished`` its time."""

    def __init__(self, sb: Sandbox, *args, log: list | None = None, name: str = "", **kwargs):
        self.result = self.error = self.finished = None
        self.done = threading.Event()

        def go():
            try:
                self.result = sb.run(*args, **kwargs)
            except BaseException as err:  # noqa: BLE001  (checked by the test)
                self.error = err
            finally:
                self.finished = time.monotonic()
                if log is not None:
                    log.append(name)
                self.done.set()

        self.thread = threading.Thread(target=go, daemon=True)
        self.thread.start()

    def join(self, seconds: float = 15.0):
        assert self.done.wait(seconds), "the request never finished"
        return self


@pytest.fixture
def sb1():
    sb = Sandbox(workers=1, timeout=5)
    _warm(sb)
    yield sb
    sb.close()


# --- the sandbox ----------------------------------------------------------------------------

def test_a_second_request_of_the_same_owner_is_refused_at_once_while_others_run():
    sb = Sandbox(workers=2, timeout=5)
    try:
        _warm(sb)
        a = _Bg(sb, "sleep", 1.5, owner="A")
        assert _wait_until(lambda: sb.status("A")["mine"] == "running")
        t0 = time.monotonic()
        with pytest.raises(SandboxSessionLimit, match="you already have a symbolic computation running"):
            sb.run("ping", owner="A")
        assert time.monotonic() - t0 < 0.2
        assert sb.run("ping", owner="B")["text"] == "pong"  # another session is served meanwhile
        assert not a.done.is_set()
        a.join()
        assert a.error is None
        assert sb.run("ping", owner="A")["text"] == "pong"  # A's turn ended: A may ask again
    finally:
        sb.close()


def test_waiting_is_first_come_first_served_across_owners(sb1):
    sb1.per_owner = 2  # even an owner allowed two requests cannot jump the line
    order: list[str] = []
    a1 = _Bg(sb1, "sleep", 0.8, owner="A", log=order, name="A1")
    assert _wait_until(lambda: sb1.busy() == 1)
    b = _Bg(sb1, "ping", owner="B", log=order, name="B")
    assert _wait_until(lambda: sb1.status()["waiting"] == 1)
    a2 = _Bg(sb1, "ping", owner="A", log=order, name="A2")
    assert _wait_until(lambda: sb1.status()["waiting"] == 2)
    assert sb1.status("B")["position"] == 1 and sb1.status("A")["mine"] == "running"
    for r in (a1, b, a2):
        r.join()
        assert r.error is None, r.error
    assert order == ["A1", "B", "A2"]


def test_a_heavy_owner_cannot_hold_both_a_worker_and_a_place_in_line(sb1):
    a = _Bg(sb1, "sleep", 0.8, owner="A")
    assert _wait_until(lambda: sb1.busy() == 1)
    with pytest.raises(SandboxSessionLimit):
        sb1.run("ping", owner="A")
    waits = []
    assert sb1.run("ping", owner="B", on_wait=lambda pos, s: waits.append((pos, s)))["text"] == "pong"
    assert waits and waits[0][0] == 1 and 0 < waits[0][1] <= 5
    a.join()


def test_heavy_requests_are_rate_limited_per_owner():
    sb = Sandbox(workers=1, timeout=5, rate_per_min=2, heavy_s=0.0)  # every request counts as heavy
    try:
        sb.run("ping", owner="A")
        sb.run("ping", owner="A")
        with pytest.raises(SandboxRateLimited, match="in the last minute; wait") as err:
            sb.run("ping", owner="A")
        assert 20 < err.value.retry_after <= 30  # one token comes back every 30 s
        assert sb.run("ping", owner="B")["text"] == "pong"  # others are not limited
        sb.heavy_s = 1.0  # quick requests cost nothing: they never hit the limit
        for _ in range(3):
            sb.run("ping", owner="C")
    finally:
        sb.close()


def test_a_cancelled_running_request_kills_its_worker_within_a_second(sb1):
    gone = threading.Event()
    first = sb1.run("ping")["pid"]
    r = _Bg(sb1, "sleep", 4.0, owner="A", cancelled=gone.is_set)
    assert _wait_until(lambda: sb1.busy() == 1)
    time.sleep(0.2)
    t0 = time.monotonic()
    gone.set()
    r.join(5)
    assert isinstance(r.error, SandboxCancelled), r.error
    assert r.finished - t0 < 1.0
    assert sb1.killed == 1
    assert sb1.status() == dict(sb1.status(), running=0, waiting=0, owners=0)
    assert sb1.run("ping", owner="A")["pid"] != first  # a fresh worker; A is free to ask again


def test_a_cancelled_waiting_request_leaves_the_line(sb1):
    a = _Bg(sb1, "sleep", 1.5, owner="A")
    assert _wait_until(lambda: sb1.busy() == 1)
    gone = threading.Event()
    b = _Bg(sb1, "ping", owner="B", cancelled=gone.is_set)
    assert _wait_until(lambda: sb1.status()["waiting"] == 1)
    t0 = time.monotonic()
    gone.set()
    b.join(5)
    assert isinstance(b.error, SandboxCancelled) and b.finished - t0 < 0.6
    assert sb1.status()["waiting"] == 0 and sb1.killed == 0  # nothing was running for B
    a.join()
    assert a.error is None


def test_on_wait_raising_leaves_the_line_clean(sb1):
    a = _Bg(sb1, "sleep", 1.0, owner="A")
    assert _wait_until(lambda: sb1.busy() == 1)

    class Stop(Exception):
        pass

    calls = []

    def on_wait(pos, wait_s):
        calls.append(pos)
        if len(calls) == 2:  # the second report: Streamlit stops the script run
            raise Stop

    t0 = time.monotonic()
    with pytest.raises(Stop):
        sb1.run("ping", owner="B", on_wait=on_wait)
    assert 0.4 < time.monotonic() - t0 < 0.9  # reports come about every 0.5 s
    assert calls == [1, 1]
    st = sb1.status("B")
    assert st["waiting"] == 0 and st["mine"] is None
    a.join()
    assert sb1.run("ping", owner="B")["text"] == "pong"  # B is not stuck at its cap


def test_no_request_runs_past_the_clamped_timeout():
    sb = Sandbox(workers=1, timeout=0.5, max_timeout=1.0)
    try:
        _warm(sb)
        assert sb.clamp(60) == 1.0 and sb.clamp(None) == 0.5 and sb.clamp(float("nan")) == 0.5
        t0 = time.monotonic()
        with pytest.raises(SandboxTimeout, match="took longer than 1 s"):
            sb.run("sleep", 5, timeout=60, owner="A")
        assert time.monotonic() - t0 < 2.5
    finally:
        sb.close()


def test_busy_after_the_wait_limit_and_status_has_no_text(sb1):
    sb1.wait = 0.3
    secret = "x^2 + 12345*x"
    a = _Bg(sb1, "sleep", 1.0, owner="session-A")
    assert _wait_until(lambda: sb1.busy() == 1)
    with pytest.raises(SandboxBusy, match="stayed busy"):
        sb1.run("expand", secret, owner="session-B")
    st = sb1.status()
    assert "12345" not in repr(st) and "session-A" not in repr(st)
    assert st["running"] == 1 and st["waiting"] == 0 and st["owners"] == 1
    a.join()


def test_new_operations_on_the_derivative(sb1):
    assert sb1.run("count_ops", "sin(x)^2")["ops"] == 4
    tex = sb1.run("latex", "sin(x)^2", order=2)["latex"]
    assert r"\cos" in tex
    big = sb1.run("latex", "(x+1)^3*sin(x)^4*exp(x)^2", max_ops=5)
    assert "too big to print" in big["latex"] and big["ops"] > 5
    v = sb1.run("evalf_point", "x^3", 2.0)
    assert v["value"] == 12.0 and v["text"] == "12.0000000000000"
    huge = sb1.run("evalf_point", "exp(x)^1000", 1.0)
    assert huge["value"] is None and "e+437" in huge["text"]
    assert sb1.run("evalf_point", "sqrt(x - 5)", 1.0, order=0)["value"] is None  # complex
    src = sb1.run("derivative_source", "sin(x)^2")["text"]
    assert src.startswith("def _lambdifygenerated(x):") and "cos(x)" in src
    assert sb1.run("check_compile", "abs(x)", order=2)["ok"] is True


# --- the race queue ---------------------------------------------------------------------------

def test_race_queue_one_ticket_per_owner_and_no_labels_for_others():
    q = timing.RaceQueue()
    holding, release = threading.Event(), threading.Event()

    def hold():
        with q.slot("race of my_secret_function(x)", 4.0, owner="A"):
            holding.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(5)
    try:
        with pytest.raises(timing.QueueSessionLimit, match="already have a race running or waiting"):
            with q.slot("again", 1.0, owner="A"):
                pass
        other = q.status(owner="B")
        assert other["running"] == "a race (≈4 s)" and "secret" not in repr(other) and other["mine"] is None
        assert q.status(owner="A")["running"] == "race of my_secret_function(x)"
        assert q.status(owner="A")["mine"] == 0
    finally:
        release.set()
        t.join(5)


def test_race_queue_drops_a_cancelled_waiter():
    q = timing.RaceQueue()
    holding, release = threading.Event(), threading.Event()

    def hold():
        with q.slot("holder", 2.0, owner="A"):
            holding.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(5)
    gone, seen = threading.Event(), []
    t0 = time.monotonic()

    def on_wait(pos, wait_s):
        seen.append(pos)
        gone.set()  # the tab closes after its first report

    with pytest.raises(timing.QueueCancelled):
        with q.slot("waiter", 1.0, on_wait, owner="B", cancelled=gone.is_set):
            pass
    assert time.monotonic() - t0 < 0.6 and seen[0] == 1
    assert q.status(owner="B")["waiting"] == 0 and q.status(owner="B")["mine"] is None
    release.set()
    t.join(5)
    with q.slot("B again", 1.0, owner="B") as waited:  # not stuck at its cap
        assert waited < 0.5
