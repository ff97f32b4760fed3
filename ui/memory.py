"""The server's memory ceiling: shed cached work, never sessions.

Streamlit runs every student in one process. Each cache is bounded on its own
(:mod:`core.memo`, and ``max_entries``/``ttl`` on every ``st.cache_*``), and this
guard bounds them together: whenever the server and its worker processes hold
more than the budget (``DERIVLAB_MEMORY_MB``, default 1024 MB, below Community
Cloud's 2.7 GB cap), every cache is emptied (Streamlit's, ``core``'s and JAX's
compiled programs) and freed memory is handed back to the system. What is shed
is recomputed by the next student who needs it.

The guard runs at the start of every page run (reading ``/proc`` costs
microseconds) and, so that an idle server also comes down, every
:data:`CHECK_EVERY_S` seconds in one daemon thread, which also drops entries past
their age.
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

__all__ = ["budget_bytes", "guard", "shed", "sheds", "start_watch", "SHED_AT", "CHECK_EVERY_S"]

_log = logging.getLogger("derivlab")

#: Shed once the process tree holds this fraction of the budget.
SHED_AT = 0.85
#: Seconds between two checks of the idle watch.
CHECK_EVERY_S = 15.0

_lock = threading.Lock()
_state = {"sheds": 0, "last_shed": 0.0, "watching": False}


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
        gc.collect()
        _malloc_trim()
        _state["sheds"] += 1
        _state["last_shed"] = time.monotonic()
    _log.warning("memory guard: caches shed (%s)", reason)


def guard() -> bool:
    """Shed the caches when the server tree is over :data:`SHED_AT` of the budget; True if it did."""
    used = host.tree_rss_bytes()
    limit = budget_bytes()
    if used <= SHED_AT * limit:
        return False
    if time.monotonic() - _state["last_shed"] < 2.0:
        return False  # just shed: what is left is the sessions' own, not caches
    shed(f"{used / 2**20:.0f} MB held, budget {limit / 2**20:.0f} MB")
    return True


def _watch() -> None:
    while True:
        time.sleep(CHECK_EVERY_S)
        try:
            memo.expire_all()
            guard()
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
