"""Caches with a ceiling (core.memo) and the server's memory guard (ui.memory)."""

from __future__ import annotations

import time

import numpy as np

from core import host, memo, presets, symbolic, timing


def test_memo_is_bounded_in_entries_age_and_bytes(monkeypatch):
    calls = []

    @memo.memo(max_entries=3, ttl_s=60, max_bytes=250, sizeof=lambda v: 100)
    def square(k):
        calls.append(k)
        return k * k

    for k in range(5):
        assert square(k) == k * k
    assert len(square.cache) == 2 and square.cache.bytes == 200  # the byte budget binds first
    square(4)
    assert calls == [0, 1, 2, 3, 4]  # 4 was still cached
    square(0)
    assert calls[-1] == 0  # 0 had been evicted
    clock = [time.monotonic()]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    square(7)
    clock[0] += 61
    square(7)
    assert calls[-2:] == [7, 7]  # past its age: computed again
    memo.clear_all()
    assert len(square.cache) == 0


def test_memo_never_keeps_an_entry_larger_than_the_budget():
    @memo.memo(max_entries=10, ttl_s=60, max_bytes=1000)
    def array(n):
        return np.zeros(n)

    array(10)
    array(10_000)  # 80 kB alone: over the budget, not kept
    assert len(array.cache) == 1


def test_failures_are_not_cached():
    tries = []

    @memo.memo(max_entries=4)
    def flaky(k):
        tries.append(k)
        raise ValueError("no")

    for _ in range(2):
        try:
            flaky(1)
        except ValueError:
            pass
    assert tries == [1, 1]


def test_core_caches_are_memos_and_can_be_emptied():
    fn = presets.resolve("x^3 + 1")
    symbolic.derivative(fn, 1)
    names = {s["cache"] for s in memo.stats()}
    assert {"core.presets.resolve", "core.symbolic.derivative"} <= names
    memo.clear_all()
    assert all(s["entries"] == 0 for s in memo.stats())
    assert str(symbolic.derivative(presets.resolve("x^3 + 1"), 1)) == "3*x**2"


def test_host_memory_reading():
    assert host.rss_bytes() > 10 * 2**20
    assert host.tree_rss_bytes() >= host.rss_bytes()
    assert host.memory_available() > 0


def test_race_size_follows_the_function():
    small, long = presets.resolve("x^2"), presets.resolve("*".join(f"sin({k}*x)" for k in range(1, 30)))
    assert timing.bytes_per_point(small) == timing.BYTES_PER_POINT
    assert timing.bytes_per_point(long) >= 760  # measured peak of this product, every method
    avail = 8 * 2**30
    assert timing.max_points(available=avail, fn=long) <= timing.max_points(available=avail, fn=small)
    assert timing.max_points(available=avail, fn=long) * timing.bytes_per_point(long) <= timing.CLOUD_MEMORY


def test_guard_sheds_caches_over_budget(monkeypatch):
    from ui import memory

    fn = presets.resolve("x^5 - x")
    symbolic.derivative(fn, 1)
    monkeypatch.setenv("DERIVLAB_MEMORY_MB", "300")
    monkeypatch.setattr(memory, "_state", {"sheds": 0, "last_shed": 0.0, "watching": True})
    monkeypatch.setattr(memory.host, "tree_rss_bytes", lambda: 290 * 2**20)
    assert memory.guard() is True
    assert memory.sheds() == 1
    assert all(s["entries"] == 0 for s in memo.stats())
    monkeypatch.setattr(memory.host, "tree_rss_bytes", lambda: 100 * 2**20)
    monkeypatch.setattr(memory, "_state", {"sheds": 0, "last_shed": 0.0, "watching": True})
    assert memory.guard() is False


class _Node:
    """A container that can hold itself: a reference cycle only the collector frees."""


def _cycle():
    import weakref

    node = _Node()
    node.me = node
    return weakref.ref(node), node


def test_frozen_heap_is_skipped_by_collections_and_freed_by_the_next_freeze(monkeypatch):
    import gc

    from ui import memory

    try:
        ref, node = _cycle()
        memory.freeze_heap()
        assert gc.get_freeze_count() > 0
        del node
        gc.collect()  # what Streamlit does after every run: frozen objects are not walked
        assert ref() is not None
        memory.freeze_heap()  # the next freeze collects everything first
        assert ref() is None

        ref, node = _cycle()
        memory.freeze_heap()
        del node
        monkeypatch.setattr(memory, "_state", {"sheds": 0, "last_shed": 0.0, "watching": True})
        memory.shed("test")  # shedding frees frozen cycles too
        assert ref() is None
    finally:
        gc.unfreeze()


def test_the_watch_freezes_only_after_page_runs_and_checks_on_its_own_clock(monkeypatch):
    from ui import memory

    freezes, checks = [], []
    monkeypatch.setattr(memory, "freeze_heap", lambda: freezes.append(1))
    monkeypatch.setattr(memory, "_check", lambda: checks.append(1))
    monkeypatch.setattr(memory, "_state", {"sheds": 0, "last_shed": 0.0, "watching": True, "runs": 0})
    clock = [1000.0]
    monkeypatch.setattr(memory.time, "monotonic", lambda: clock[0])
    seen: dict = {}
    memory._tick(seen)
    assert (freezes, checks) == ([], [])  # idle: nothing to do
    memory._state["runs"] = 3
    memory._tick(seen)
    memory._tick(seen)
    assert freezes == [1]  # once per burst of runs
    clock[0] += memory.CHECK_EVERY_S
    memory._tick(seen)
    assert checks == [1]  # the memory check and expiry keep their own period


def test_a_page_run_reads_the_tree_memory_at_most_every_few_seconds(monkeypatch):
    from ui import memory

    reads = []
    monkeypatch.setattr(memory, "_state", {"sheds": 0, "last_shed": 0.0, "watching": True})
    monkeypatch.setattr(memory.host, "tree_rss_bytes", lambda: reads.append(1) or 100 * 2**20)
    clock = [1000.0]
    monkeypatch.setattr(memory.time, "monotonic", lambda: clock[0])
    for _ in range(5):
        memory.guard()
    assert len(reads) == 1 and memory._state["runs"] == 5
    clock[0] += memory.READ_EVERY_S
    memory.guard()
    assert len(reads) == 2
