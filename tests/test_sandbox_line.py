"""The sandbox's line (core/sandbox/line.py): one request per owner, first come first
served across owners, a rate limit on heavy work; and the wait a caller is told.

The first tests go through a real pool (its workers sleep and ping); the last ones
drive :class:`FairLine` alone, with no process at all.
"""

from __future__ import annotations

import threading
import time

import pytest

from core.sandbox import Sandbox, SandboxRateLimited, SandboxSessionLimit
from core.sandbox.line import FairLine

from conftest import Background, wait_until


@pytest.fixture
def one():
    """A pool of one warm worker."""
    sb = Sandbox(workers=1, timeout=5)
    sb.run("ping", timeout=5)
    yield sb
    sb.close()


def test_a_second_request_of_the_same_owner_is_refused_at_once_while_others_run():
    sb = Sandbox(workers=2, timeout=5)
    try:
        sb.run("ping", timeout=5)
        sb.run("ping", timeout=5)
        a = Background(sb, "sleep", 1.5, owner="A")
        assert wait_until(lambda: sb.status("A")["mine"] == "running")
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


def test_waiting_is_first_come_first_served_across_owners(one):
    one.line.per_owner = 2  # even an owner allowed two requests cannot jump the line
    order: list[str] = []
    a1 = Background(one, "sleep", 0.8, owner="A", log=order, name="A1")
    assert wait_until(lambda: one.busy() == 1)
    b = Background(one, "ping", owner="B", log=order, name="B")
    assert wait_until(lambda: one.status()["waiting"] == 1)
    a2 = Background(one, "ping", owner="A", log=order, name="A2")
    assert wait_until(lambda: one.status()["waiting"] == 2)
    assert one.status("B")["position"] == 1 and one.status("A")["mine"] == "running"
    for r in (a1, b, a2):
        r.join()
        assert r.error is None, r.error
    assert order == ["A1", "B", "A2"]


def test_a_heavy_owner_cannot_hold_both_a_worker_and_a_place_in_line(one):
    a = Background(one, "sleep", 0.8, owner="A")
    assert wait_until(lambda: one.busy() == 1)
    with pytest.raises(SandboxSessionLimit):
        one.run("ping", owner="A")
    waits = []
    assert one.run("ping", owner="B", on_wait=lambda pos, s: waits.append((pos, s)))["text"] == "pong"
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


def _line(**kw) -> FairLine:
    """A line alone, its lock held (as the pool holds it around every call)."""
    line = FairLine(threading.Condition(), kw.pop("size", 1), **{"per_owner": 1, "rate_per_min": 20,
                                                                    "max_timeout": 10.0, **kw})
    line.cond.acquire()
    return line


def test_the_line_alone_caps_owners_keeps_order_and_forgets_who_left():
    line = _line()
    a, b, internal = line.admit("A", 5.0), line.admit("B", 5.0), line.admit(None, 5.0)
    with pytest.raises(SandboxSessionLimit):
        line.admit("A", 5.0)
    assert line.is_next(a) and line.position(b) == 2 and line.position(internal) == 3
    line.start(a)
    assert line.status("A")["mine"] == "running" and line.status("B") | {"wait_s": 0} == dict(
        workers=1, running=1, waiting=2, owners=3, wait_s=0, mine="waiting", position=1)
    for r in (a, b, internal):
        line.leave(r)
    assert line.status() == dict(line.status(), running=0, waiting=0, owners=0)
    line.admit("A", 5.0)  # A's turn ended: A may ask again


def test_heavy_leaves_spend_the_owners_tokens():
    line = _line(per_owner=5, rate_per_min=2)
    for _ in range(2):
        line.leave(line.admit("A", 5.0), heavy=True)
    with pytest.raises(SandboxRateLimited) as err:
        line.admit("A", 5.0)
    assert 20 < err.value.retry_after <= 30
    line.leave(line.admit("B", 5.0), heavy=False)
    line.leave(line.admit("B", 5.0), heavy=False)
    line.admit("B", 5.0)  # quick requests cost nothing


def test_the_estimate_plays_the_pool_forward():
    line = _line(size=2)
    assert line.estimate(1, time.monotonic()) == 0.0  # an idle worker: no wait
    r = line.admit(None, 5.0)
    line.start(r)
    line.avg_s = 2.0
    now = time.monotonic()
    assert line.estimate(1, now) == 0.0  # the second worker is idle
    assert 1.5 < line.estimate(2, now) <= 2.0  # then the running one frees in about avg_s
    line.record(10.0, limit=4.0)
    assert line.avg_s == pytest.approx(0.8 * 2.0 + 0.2 * 4.0)  # a request counts at most its limit
