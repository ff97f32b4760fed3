"""What the host can give: memory still free, and what this process tree holds.

Pure ``/proc`` and cgroup reading (Linux); elsewhere each function falls back to a
cautious answer. Used to size the race (:func:`core.timing.max_points`), the
sandbox's worker count, and the server's memory guard (``ui.memory``).
"""

from __future__ import annotations

import os

__all__ = ["memory_available", "rss_bytes", "tree_rss_bytes", "CLOUD_MEMORY"]

#: Memory of the smallest Streamlit Community Cloud app.
CLOUD_MEMORY = 690 * 2**20
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _read_int(path: str) -> int | None:
    try:
        with open(path) as fh:
            text = fh.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def memory_available() -> int:
    """Bytes this process may still use: the least of the cgroup's headroom and MemAvailable."""
    limits = []
    for limit_path, usage_path in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        limit = _read_int(limit_path)
        if limit and limit < 2**60:  # "max" or a near-2^63 value means no limit
            limits.append(max(0, limit - (_read_int(usage_path) or 0)))
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    return min(limits) if limits else CLOUD_MEMORY


def rss_bytes(pid: int | str = "self") -> int:
    """Resident memory of one process (0 when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int | str) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    out += [int(c) for c in fh.read().split()]
            except OSError:
                continue
    except OSError:
        pass
    return out


def tree_rss_bytes(pid: int | str = "self") -> int:
    """Resident memory of a process and all its descendants (the server and its workers)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += rss_bytes(p)
        todo += _children(p)
    return total
