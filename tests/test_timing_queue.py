"""core.timing.queue: one race at a time in a process, first come first served."""

from __future__ import annotations

import threading
import time

import pytest

from core import presets, timing


def test_queue_runs_one_at_a_time_and_tells_the_waiter():
    q = timing.RaceQueue()
    inside, order, waits = [], [], []
    first_in = threading.Event()
    release = threading.Event()

    def first():
        with q.slot("first", estimate_s=5.0):
            inside.append("first")
            order.append("first")
            first_in.set()
            release.wait(5)
            inside.remove("first")

    def second():
        first_in.wait(5)
        with q.slot("second", 1.0, on_wait=lambda pos, wait: waits.append((pos, wait)), poll_s=0.01):
            order.append(("second", list(inside)))

    t1, t2 = threading.Thread(target=first), threading.Thread(target=second)
    t1.start()
    t2.start()
    for _ in range(500):
        if waits:
            break
        time.sleep(0.01)
    status = q.status()  # asked by another owner: no label, only the estimate
    assert status["running"] == "a race (≈5 s)" and status["waiting"] == 1 and status["mine"] is None
    release.set()
    t1.join(5)
    t2.join(5)
    assert order == ["first", ("second", [])]  # second ran only once first had left
    assert waits and waits[0][0] == 1 and 0 < waits[0][1] <= 5.0
    assert q.status() == dict(running=None, running_for_s=0.0, waiting=0, wait_s=0.0, mine=None)


def test_queue_leaves_cleanly_when_the_waiter_is_stopped():
    q = timing.RaceQueue()
    holding, release = threading.Event(), threading.Event()

    def hold():
        with q.slot("holder", 1.0):
            holding.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    holding.wait(5)

    class Stop(Exception):
        pass

    def stop(pos, wait):
        raise Stop

    with pytest.raises(Stop):
        with q.slot("stopped", 1.0, on_wait=stop):
            pass
    assert q.status()["waiting"] == 0
    release.set()
    t.join(5)
    with q.slot("after", 1.0) as waited:  # the queue still works
        assert waited < 1.0


def test_queue_is_reentrant_and_bounded():
    q = timing.RaceQueue(max_waiting=1)
    with q.slot("outer"):
        with q.slot("inner") as waited:  # the same thread passes straight through
            assert waited == 0.0
        result = []

        def other():
            try:
                with q.slot("other"):
                    pass
            except timing.QueueFull as err:
                result.append(str(err))

        t = threading.Thread(target=other)
        t.start()
        t.join(5)
        assert result and "already queued" in result[0]


def test_races_share_the_process_queue():
    seen = []
    with timing.QUEUE.slot("outer race"):
        seen.append(timing.QUEUE.status()["running"])
        timing.race(presets.resolve("x^2"), n=100, methods=["symbolic"], repeats=1)  # nested: passes
    assert seen == ["outer race"]
    assert timing.QUEUE.status()["running"] is None


def test_a_decorated_entry_point_waits_for_its_turn():
    ran = []

    @timing.one_at_a_time
    def job():
        """A job."""
        ran.append(time.monotonic())

    assert job.__name__ == "job" and job.__doc__ == "A job."
    holding, release = threading.Event(), threading.Event()

    def hold():
        with timing.QUEUE.slot("someone else's race", 1.0):
            holding.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    holding.wait(5)
    worker = threading.Thread(target=job)
    worker.start()
    time.sleep(0.2)
    assert ran == []  # still waiting for the other race
    released = time.monotonic()
    release.set()
    worker.join(5)
    t.join(5)
    assert len(ran) == 1 and ran[0] >= released
