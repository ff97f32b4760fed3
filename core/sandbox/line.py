"""The sandbox's line: who waits, who runs, and what each owner may still start.

Fairness for a server where every browser session is one owner (an opaque id):

* an owner has at most ``per_owner`` requests running or waiting; one more raises
  :class:`SandboxSessionLimit` at once (so no owner can fill the pool or the line);
* an owner may start ``rate_per_min`` heavy requests a minute (a token bucket of that
  size, charged when a request held a worker long or was stopped at a limit); past that
  :class:`SandboxRateLimited` says how many seconds to wait;
* waiting requests get workers first come, first served, whoever they belong to.

:class:`FairLine` keeps the accounting only; the workers are :mod:`core.sandbox.pool`'s.
It shares the pool's lock: every method but :meth:`FairLine.status` is called with it held.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from .errors import SandboxRateLimited, SandboxSessionLimit

__all__ = ["FairLine", "Request"]


@dataclass(eq=False)
class Request:
    """One request's place: its owner, when it joined, when it got a worker, its time limit."""

    owner: str | None
    limit: float
    joined: float = field(default_factory=time.monotonic)
    started: float | None = None


class FairLine:
    """The waiting line (first come, first served), the running set, and each owner's cap and bucket."""

    def __init__(self, cond: threading.Condition, size: int, *, per_owner: int, rate_per_min: float,
                 max_timeout: float):
        self.cond = cond
        self.size = size
        self.per_owner = per_owner
        self.rate_per_min = rate_per_min
        self.max_timeout = max_timeout
        self.waiting: deque[Request] = deque()
        self.running: set[Request] = set()
        self._counts: dict[str, int] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # owner -> (tokens, at)
        self.avg_s = 1.0  # a running mean of request seconds, for wait estimates

    # --- each owner's cap and token bucket ---

    def _tokens(self, owner: str, now: float) -> float:
        tokens, at = self._buckets.get(owner, (self.rate_per_min, now))
        return min(self.rate_per_min, tokens + (now - at) * self.rate_per_min / 60.0)

    def _charge(self, owner: str) -> None:
        now = time.monotonic()
        self._buckets[owner] = (self._tokens(owner, now) - 1.0, now)
        if len(self._buckets) > 1000:  # forget owners whose bucket has refilled
            self._buckets = {o: b for o, b in self._buckets.items() if self._tokens(o, now) < self.rate_per_min}

    def admit(self, owner: str | None, limit: float) -> Request:
        """Put a request at the end of the line, or refuse it for its owner's cap or rate."""
        if owner is not None:
            if self._counts.get(owner, 0) >= self.per_owner:
                raise SandboxSessionLimit(
                    "you already have a symbolic computation running (here or in another tab); "
                    f"wait for it to finish (at most {self.max_timeout:g} s), then try again")
            tokens = self._tokens(owner, time.monotonic())
            if tokens < 1.0:
                retry = (1.0 - tokens) * 60.0 / max(self.rate_per_min, 1e-9)
                raise SandboxRateLimited(
                    f"you started {self.rate_per_min:g} long symbolic computations in the last minute; "
                    f"wait {max(retry, 1):.0f} s before the next one", retry)
            self._counts[owner] = self._counts.get(owner, 0) + 1
        req = Request(owner, limit=limit)
        self.waiting.append(req)
        return req

    def leave(self, req: Request, heavy: bool = False) -> None:
        """Take ``req`` out of the line or the running set; a heavy one is charged to its owner."""
        if req in self.running:
            self.running.discard(req)
        else:
            try:
                self.waiting.remove(req)
            except ValueError:
                pass
        if req.owner is not None:
            n = self._counts.get(req.owner, 0) - 1
            if n > 0:
                self._counts[req.owner] = n
            else:
                self._counts.pop(req.owner, None)
            if heavy and self.rate_per_min > 0:
                self._charge(req.owner)
        self.cond.notify_all()

    # --- turns ---

    def is_next(self, req: Request) -> bool:
        return bool(self.waiting) and self.waiting[0] is req

    def start(self, req: Request) -> None:
        """``req``, first in line, got a worker: it runs from now."""
        self.waiting.popleft()
        req.started = time.monotonic()
        self.running.add(req)

    def position(self, req: Request) -> int:
        """1 = next."""
        return self.waiting.index(req) + 1

    def record(self, seconds: float, limit: float) -> None:
        """A request held its worker ``seconds``: the running mean the estimates use."""
        self.avg_s = 0.8 * self.avg_s + 0.2 * min(seconds, limit)

    def estimate(self, position: int, now: float) -> float:
        """Seconds until the request at ``position`` (1 = next) gets a worker: the pool played forward."""
        free = sorted(max(min(self.avg_s, r.limit) - (now - r.started), 0.2) for r in self.running)
        free += [0.0] * max(self.size - len(free), 0)
        free.sort()
        for _ in range(position - 1):
            t = heapq.heappop(free) if free else 0.0
            heapq.heappush(free, t + self.avg_s)
        return float(free[0]) if free else 0.0

    def status(self, owner: str | None = None) -> dict:
        """Counts only (no text of any request, no other owner's id): workers, running,
        waiting, owners (how many have a request in), wait_s (a new request's estimated
        wait) and, for ``owner``, ``mine``: "running", "waiting" (with ``position``) or None."""
        with self.cond:
            now = time.monotonic()
            out = dict(workers=self.size, running=len(self.running), waiting=len(self.waiting),
                       owners=len({r.owner for r in (*self.running, *self.waiting)}),
                       wait_s=self.estimate(len(self.waiting) + 1, now), mine=None, position=None)
            if owner is not None:
                if any(r.owner == owner for r in self.running):
                    out["mine"] = "running"
                else:
                    pos = next((i + 1 for i, r in enumerate(self.waiting) if r.owner == owner), None)
                    if pos is not None:
                        out.update(mine="waiting", position=pos)
            return out
