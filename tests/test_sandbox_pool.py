
"""The sandbox pool (core/sandbox/pool.py): killable workers, shared fairly.

One Streamlit server serves every student, each script run a thread. The pool
takes an ``owner`` (the session's id): one request each, running or waiting;
first come, first served across owners; a rate limit on heavy work; a caller that
goes away (``cancelled()`` True, or ``on_wait`` raising as Streamlit's
StopException does) leaves at once, its running worker killed. Runaway work is
stopped at its time limit and the worker replaced. Short limits keep each test
to a few seconds. (The memory limit: tests/test_runaway.py.)
"""

from __future__ import annotations

import threading
import time

import pytest

from core import host
from core.sandbox import (
    Sandbox,
    SandboxBusy,
    SandboxCancelled,
    SandboxTimeout,
    default_workers,
)

from conftest import Background, wait_until


def _warm(sb: Sandbox) -> None:
    for _ in range(sb.size):
        sb.run("ping", timeout=5)


@pytest.fixture
def sb1():
    sb = Sandbox(workers=1, timeout=5)
    _warm(sb)
    yield sb
    sb.close()


# --- the sandbox ----------------------------------------------------------------------------

def test_a_cancelled_running_request_kills_its_worker_within_a_second(sb1):
    gone = threading.Event()
    first = sb1.run("ping")["pid"]
    r = Background(sb1, "sleep", 4.0, owner="A", cancelled=gone.is_set)
    assert wait_until(lambda: sb1.busy() == 1)
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
    a = Background(sb1, "sleep", 1.5, owner="A")
    assert wait_until(lambda: sb1.busy() == 1)
    gone = threading.Event()
    b = Background(sb1, "ping", owner="B", cancelled=gone.is_set)
    assert wait_until(lambda: sb1.status()["waiting"] == 1)
    t0 = time.monotonic()
    gone.set()
    b.join(5)
    assert isinstance(b.error, SandboxCancelled) and b.finished - t0 < 0.6
    assert sb1.status()["waiting"] == 0 and sb1.killed == 0  # nothing was running for B
    a.join()
    assert a.error is None


def test_on_wait_raising_leaves_the_line_clean(sb1):
    a = Background(sb1, "sleep", 1.0, owner="A")
    assert wait_until(lambda: sb1.busy() == 1)

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
    a = Background(sb1, "sleep", 1.0, owner="session-A")
    assert wait_until(lambda: sb1.busy() == 1)
    with pytest.raises(SandboxBusy, match="stayed busy"):
        sb1.run("expand", secret, owner="session-B")
    st = sb1.status()
    assert "12345" not in repr(st) and "session-A" not in repr(st)
    assert st["running"] == 1 and st["waiting"] == 0 and st["owners"] == 1
    a.join()


def test_runaway_work_is_stopped_and_the_worker_replaced(sb1):
    first = sb1.run("ping")["pid"]
    t0 = time.monotonic()
    with pytest.raises(SandboxTimeout, match="took longer than 1 s"):
        sb1.run("expand", "(x+1)^1000*(x-1)^1000*(x+2)^1000", timeout=1)
    assert time.monotonic() - t0 < 8
    assert sb1.killed == 1
    assert sb1.run("ping")["pid"] != first  # a fresh worker answers


def test_a_fresh_workers_start_up_does_not_count_against_the_limit():
    sb = Sandbox(workers=1, timeout=10)
    try:
        # The worker is still importing SymPy (about a second); a tight limit must
        # still be met, because the clock starts only when the worker is ready.
        assert sb.run("expand", "(x+1)^2", timeout=0.5)["text"] == "x**2 + 2*x + 1"
    finally:
        sb.close()


def test_pool_size_follows_free_memory(monkeypatch):
    monkeypatch.delenv("DERIVLAB_WORKERS", raising=False)
    monkeypatch.setattr(host, "memory_available", lambda: 600 * 2**20)  # a small Cloud instance
    assert default_workers() == 1
    monkeypatch.setattr(host, "memory_available", lambda: 8 * 2**30)
    assert default_workers() == 2
    monkeypatch.setenv("DERIVLAB_WORKERS", "3")
    assert default_workers() == 3


def test_an_unknown_operation_is_refused_before_any_worker_is_used(sb1):
    with pytest.raises(ValueError, match="unknown sandbox operation 'system'"):
        sb1.run("system", "ls")
    assert sb1.status() == dict(sb1.status(), running=0, waiting=0)
