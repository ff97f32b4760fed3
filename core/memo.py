"""Caches with a ceiling: bounded in entries, in age and in bytes.

The server is one process for every student, so a cache that only grows takes the
app down for everyone (130 distinct functions once took it from 435 MB to 1.5 GB,
and a ``+k`` is enough to make a function distinct). Every cache in ``core`` is a
:func:`memo`: at most ``max_entries`` results, none older than ``ttl_s`` seconds, and
at most ``max_bytes`` in all, by the entry sizes its ``sizeof`` estimates. The least
recently used entry goes first. :func:`clear_all` empties every one of them (the
server's memory guard calls it when the process nears its budget), and
:func:`expire_all` drops what is past its age.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections import OrderedDict
from typing import Callable

__all__ = ["memo", "clear_all", "expire_all", "stats", "BoundedCache"]

_REGISTRY: list["BoundedCache"] = []
_REGISTRY_LOCK = threading.Lock()


def _default_size(value) -> int:
    nbytes = getattr(value, "nbytes", None)  # NumPy and JAX arrays
    return int(nbytes) if isinstance(nbytes, int) else sys.getsizeof(value) + 4096


class BoundedCache:
    """A thread-safe LRU map with an entry cap, an age limit and a byte budget."""

    def __init__(self, name: str, max_entries: int, ttl_s: float, max_bytes: int,
                 sizeof: Callable[[object], int] = _default_size):
        self.name, self.max_entries, self.ttl_s, self.max_bytes = name, int(max_entries), float(ttl_s), int(max_bytes)
        self.sizeof = sizeof
        self._data: OrderedDict = OrderedDict()  # key -> (value, born, size)
        self._bytes = 0
        self._lock = threading.Lock()
        with _REGISTRY_LOCK:
            _REGISTRY.append(self)

    def get(self, key):
        """(True, value) for a live entry, else (False, None)."""
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return False, None
            if time.monotonic() - item[1] > self.ttl_s:
                self._drop(key)
                return False, None
            self._data.move_to_end(key)
            return True, item[0]

    def put(self, key, value) -> None:
        size = max(0, int(self.sizeof(value)))
        if size > self.max_bytes:
            return  # never kept: it alone would pass the budget
        with self._lock:
            if key in self._data:
                self._drop(key)
            self._data[key] = (value, time.monotonic(), size)
            self._bytes += size
            while self._data and (len(self._data) > self.max_entries or self._bytes > self.max_bytes):
                self._drop(next(iter(self._data)))

    def _drop(self, key) -> None:
        _, _, size = self._data.pop(key)
        self._bytes -= size

    def expire(self) -> None:
        now = time.monotonic()
        with self._lock:
            for key in [k for k, (_, born, _) in self._data.items() if now - born > self.ttl_s]:
                self._drop(key)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._data)

    @property
    def bytes(self) -> int:
        return self._bytes


def memo(max_entries: int = 256, ttl_s: float = 1800.0, max_bytes: int = 64 * 2**20,
         sizeof: Callable[[object], int] = _default_size):
    """Decorator: cache a pure function of hashable arguments in a :class:`BoundedCache`.

    Exceptions are not cached. ``wrapped.cache`` is the cache, ``wrapped.cache_clear()`` empties it.
    """
    def decorate(func):
        cache = BoundedCache(f"{func.__module__}.{func.__qualname__}", max_entries, ttl_s, max_bytes, sizeof)

        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            hit, value = cache.get(key)
            if hit:
                return value
            value = func(*args, **kwargs)
            cache.put(key, value)
            return value

        wrapped.cache = cache
        wrapped.cache_clear = cache.clear
        return wrapped

    return decorate


def clear_all() -> None:
    """Empty every :func:`memo` cache of this process."""
    with _REGISTRY_LOCK:
        caches = list(_REGISTRY)
    for c in caches:
        c.clear()


def expire_all() -> None:
    """Drop every entry past its age, in every cache."""
    with _REGISTRY_LOCK:
        caches = list(_REGISTRY)
    for c in caches:
        c.expire()


def stats() -> list[dict]:
    """Name, entries and bytes of every cache (for the memory benchmark and tests)."""
    with _REGISTRY_LOCK:
        return [{"cache": c.name, "entries": len(c), "bytes": c.bytes} for c in _REGISTRY]
