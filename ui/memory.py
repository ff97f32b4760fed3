"""The server's memory ceiling: shed cached work, never sessions.

Streamlit runs every student in one process. Each cache is bounded on its own
(:mod:`core.memo`, and ``max_entries``/``ttl`` on every ``st.cache_*``), and this
guard bounds them together: whenever the server and its worker processes hold
more than the budget (``DERIVLAB_MEMORY_MB``, default 1024 MB, below Community
Cloud's 2.7 GB cap), every cache is emptied (Streamlit's, ``core``'s and JAX's
compiled programs) and freed memory is handed back to the system. What is shed
is recomputed by the next student who needs it.

The guard runs at the start of a page run, reading the tree's memory at most every
:data:`READ_EVERY_S` seconds (it reads ``/proc`` once for each of the server's threads,
and each session has one: about 1 ms a run with a few sessions, more in a class), and, so that an
idle server also comes down, every :data:`CHECK_EVERY_S` seconds in one daemon
thread, which also drops entries past their age.

The same thread keeps Streamlit's garbage collection cheap. Streamlit collects
every generation after every script run (``runner.postScriptGC``); with SymPy,
JAX, pandas and Altair loaded that walked the whole heap, about 110 ms of every
warm page visit (a bare one-chart app's whole visit costs 80 ms). Nearly all of
that heap lives as long as the process (modules, classes, compiled functions,
cached results), so while pages run the thread collects everything once every
:data:`FREEZE_EVERY_S` seconds and moves the survivors into the permanent
generation (:func:`gc.freeze`), which later collections skip: the collection
after a run walks only what was made since the last freeze. A frozen cycle that
dies later is freed at the next freeze, that is within FREEZE_EVERY_S of the next
page run (an idle server collected nothing before either: Streamlit's collection
waits for a run too), and :func:`shed` unfreezes before it collects.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import sys
import threading
import time

import streamlit as st

from core import host, memo

__all__ = ["budget_bytes", "freeze_heap", "guard", "shed", "sheds", "start_watch",
           "SHED_AT", "CHECK_EVERY_S", "FREEZE_EVERY_S", "READ_EVERY_S"]

_log = logging.getLogger("derivlab")

#: Shed once the process tree holds this fraction of the budget.
SHED_AT = 0.85
#: Seconds between two checks of the idle watch.
CHECK_EVERY_S = 15.0
#: Seconds between two freezes of the heap while pages run (none while the server is idle).
FREEZE_EVERY_S = 5.0
#: A page run reads the tree's memory only when the last reading is older than this.
READ_EVERY_S = 2.0

_lock = threading.Lock()
_state = {"sheds": 0, "last_shed": 0.0, "watching": False, "read_at": -1e9, "runs": 0}


def budget_bytes() -> int:
    """``DERIVLAB_MEMORY_MB`` in bytes (default 1024 MB)."""
    try:
        mb = float(os.environ.get("DERIVLAB_MEMORY_MB", "1024"))
    except ValueError:
        mb = 1024.0
    return int(max(mb, 256.0) * 2**20)


def _malloc_trim() -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


def shed(reason: str = "") -> None:
    """Empty every cache of this process and return freed memory to the system."""
    with _lock:
        st.cache_data.clear()
        st.cache_resource.clear()
        memo.clear_all()
        if "jax" in sys.modules:
            sys.modules["jax"].clear_caches()
        gc.unfreeze()  # frozen cycles are collected too
        gc.collect()
        gc.freeze()
        _malloc_trim()
        _state["sheds"] += 1
        _state["last_shed"] = time.monotonic()
    _log.warning("memory guard: caches shed (%s)", reason)


def guard(*, read_every_s: float = READ_EVERY_S) -> bool:
    """Shed the caches when the server tree is over :data:`SHED_AT` of the budget; True if it did.

    Called at the start of every page run. The tree's memory is read only when the last
    reading is older than ``read_every_s`` (the watch reads it every tick)."""
    _state["runs"] = _state.get("runs", 0) + 1
    if time.monotonic() - _state.get("read_at", -1e9) < read_every_s:
        return False
    return _check()


def _check() -> bool:
    _state["read_at"] = time.monotonic()
    used = host.tree_rss_bytes()
    limit = budget_bytes()
    if used <= SHED_AT * limit:
        return False
    if time.monotonic() - _state["last_shed"] < 2.0:
        return False  # just shed: what is left is the sessions' own, not caches
    shed(f"{used / 2**20:.0f} MB held, budget {limit / 2**20:.0f} MB")
    return True


def freeze_heap() -> None:
    """Collect every generation once, then exempt what survived from later collections."""
    with _lock:
        gc.unfreeze()
        gc.collect()
        gc.freeze()


def _tick(seen: dict) -> None:
    """One tick of the watch: freeze if pages ran since the last tick, check every CHECK_EVERY_S.

    ``seen`` carries the run count and the time of the last check from tick to tick."""
    runs = _state.get("runs", 0)
    if runs != seen.get("runs", 0):  # what the runs left behind is new: collect it, then freeze
        seen["runs"] = runs
        freeze_heap()
    if time.monotonic() - seen.setdefault("checked", time.monotonic()) >= CHECK_EVERY_S:
        seen["checked"] = time.monotonic()
        memo.expire_all()
        _check()


def _watch() -> None:
    seen: dict = {}
    while True:
        time.sleep(FREEZE_EVERY_S)
        try:
            _tick(seen)
        except Exception:  # noqa: BLE001  (the watch must never die)
            _log.exception("memory guard failed")


def start_watch() -> None:
    """Start the idle watch once per process."""
    with _lock:
        if _state["watching"]:
            return
        _state["watching"] = True
    threading.Thread(target=_watch, name="derivlab-memory-guard", daemon=True).start()


def sheds() -> int:
    """How many times this process shed its caches."""
    return _state["sheds"]
