"""The sandbox pool: a few warm worker processes for runaway symbolic work, shared fairly.

Some short, valid formulas make SymPy work for minutes (``expand((x+1)^1000)``,
``simplify`` of a deep composition, ``N(pi, 10**6)``). Big-integer arithmetic
holds Python's GIL, so a thread cannot be interrupted and every other session
of the Streamlit server would freeze. A separate *process* can be killed.

:class:`Sandbox` keeps workers warm (:mod:`core.sandbox.worker`), hands them out
first come first served, caps each owner (browser session) at one request and a
rate of heavy ones, and kills and replaces a worker whose request runs past its
time limit, hits its memory limit or is cancelled by its caller.
:func:`get_sandbox` is the process-wide pool the pages share.
"""

from __future__ import annotations

import atexit
import heapq
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import host
from ..messages import ExpressionError
from .errors import (
    SandboxBusy,
    SandboxCancelled,
    SandboxError,
    SandboxMemoryError,
    SandboxRateLimited,
    SandboxSessionLimit,
    SandboxTimeout,
)
from .ops import OPS
from .worker import CANCEL_POLL_S, DEFAULT_MEMORY_MB, STARTUP_TIMEOUT, Stopped, WorkerProcess

__all__ = ["Sandbox", "get_sandbox", "default_workers", "DEFAULT_TIMEOUT", "MAX_TIMEOUT", "PER_OWNER",
           "RATE_PER_MIN", "HEAVY_S", "WAIT_REPORT_S"]

#: Seconds a request may run before its worker is killed.
DEFAULT_TIMEOUT = 5.0
#: The longest time limit any caller may ask for: no session holds a worker longer.
MAX_TIMEOUT = 10.0
#: Requests one owner (a browser session) may have running or waiting at once.
PER_OWNER = 1
#: Heavy requests (see HEAVY_S) one owner may start per minute (a token bucket of this size).
RATE_PER_MIN = 20
#: A request that keeps a worker this long, or is stopped at a limit, counts as heavy.
HEAVY_S = 1.0
#: How often a waiting caller hears its place in line (``on_wait``), in seconds.
WAIT_REPORT_S = 0.5


@dataclass(eq=False)
class _Request:
    owner: str | None
    joined: float = field(default_factory=time.monotonic)
    started: float | None = None
    limit: float = DEFAULT_TIMEOUT


class Sandbox:
    """A small pool of killable worker processes for runaway symbolic work, shared fairly.

    ``run(op, *args, timeout=..., owner=None, on_wait=None, cancelled=None, **kwargs)``
    returns the operation's result (a dict with at least "text", "latex", "ops", and
    "seconds") or raises a :class:`SandboxError` subclass, or :class:`~core.ExpressionError`
    when the text does not parse. Safe to call from many threads at once.

    Fairness, for a server where every browser session is one ``owner`` (an opaque id):

    * an owner has at most ``per_owner`` requests running or waiting; one more raises
      :class:`SandboxSessionLimit` at once (so no owner can fill the pool or the line);
    * an owner may start ``rate_per_min`` heavy requests a minute (those that held a
      worker ``heavy_s`` seconds or more, or were stopped at a limit); past that
      :class:`SandboxRateLimited` says how many seconds to wait;
    * waiting requests get workers first come, first served, whoever they belong to;
    * no request holds a worker longer than ``max_timeout`` seconds, whatever it asks for.

    While it waits the caller hears ``on_wait(position, wait_s)`` about every
    :data:`WAIT_REPORT_S` s (position 1 = next; outside every lock). ``cancelled()`` is
    asked every :data:`CANCEL_POLL_S` s while waiting and while the worker runs: once it
    says True the request leaves the line, or its worker is killed and replaced, and
    :class:`SandboxCancelled` is raised. An exception from either callback (Streamlit's
    StopException, say) leaves the line the same way and propagates. ``owner=None``
    (internal callers, tests) skips the per-owner cap and the rate limit.
    """

    def __init__(self, workers: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 memory_mb: int = DEFAULT_MEMORY_MB, wait: float = 30.0, *,
                 max_timeout: float = MAX_TIMEOUT, per_owner: int = PER_OWNER,
                 rate_per_min: float = RATE_PER_MIN, heavy_s: float = HEAVY_S):
        self.size = max(1, int(workers))
        self.max_timeout = float(max_timeout)
        self.timeout = min(float(timeout), self.max_timeout)
        self.memory_mb = int(memory_mb)
        self.wait = float(wait)
        self.per_owner = max(1, int(per_owner))
        self.rate_per_min = float(rate_per_min)
        self.heavy_s = float(heavy_s)
        self._cond = threading.Condition()
        self._idle: list[WorkerProcess] = []
        self._all: list[WorkerProcess] = []
        self._line: deque[_Request] = deque()   # waiting, first come first served
        self._running: set[_Request] = set()
        self._per_owner: dict[str, int] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # owner -> (tokens, at)
        self._avg_s = 1.0  # a running mean of request seconds, for wait estimates
        self._closed = False
        self.killed = 0  # workers stopped for running past a limit (or for a caller that left)
        for _ in range(self.size):
            self._start()

    # --- workers ---

    def _start(self) -> None:
        w = WorkerProcess(self.memory_mb)
        with self._cond:
            if self._closed:
                closed = True
            else:
                closed = False
                self._all = [x for x in self._all if x.alive()] + [w]
                self._idle.append(w)
                self._cond.notify_all()
        if closed:
            w.kill()

    def _replace(self, w: WorkerProcess) -> None:
        w.kill()
        self.killed += 1
        self._start()

    def busy(self) -> int:
        """How many workers are working right now."""
        with self._cond:
            return len(self._running)

    # --- limits ---

    def clamp(self, timeout: float | None) -> float:
        """The time limit a request really gets: the default, at most ``max_timeout``."""
        t = self.timeout if timeout is None else float(timeout)
        if not t > 0:  # nan or not positive
            t = self.timeout
        return min(t, self.max_timeout)

    def _tokens(self, owner: str, now: float) -> float:
        tokens, at = self._buckets.get(owner, (self.rate_per_min, now))
        return min(self.rate_per_min, tokens + (now - at) * self.rate_per_min / 60.0)

    def _charge(self, owner: str) -> None:
        now = time.monotonic()
        self._buckets[owner] = (self._tokens(owner, now) - 1.0, now)
        if len(self._buckets) > 1000:  # forget owners whose bucket has refilled
            self._buckets = {o: b for o, b in self._buckets.items() if self._tokens(o, now) < self.rate_per_min}

    def _admit(self, owner: str | None, limit: float) -> _Request:
        with self._cond:
            if self._closed:
                raise SandboxError("the symbolic workers have been shut down")
            if owner is not None:
                if self._per_owner.get(owner, 0) >= self.per_owner:
                    raise SandboxSessionLimit(
                        "you already have a symbolic computation running (here or in another tab); "
                        f"wait for it to finish (at most {self.max_timeout:g} s), then try again")
                tokens = self._tokens(owner, time.monotonic())
                if tokens < 1.0:
                    retry = (1.0 - tokens) * 60.0 / max(self.rate_per_min, 1e-9)
                    raise SandboxRateLimited(
                        f"you started {self.rate_per_min:g} long symbolic computations in the last minute; "
                        f"wait {max(retry, 1):.0f} s before the next one", retry)
                self._per_owner[owner] = self._per_owner.get(owner, 0) + 1
            req = _Request(owner, limit=limit)
            self._line.append(req)
            return req

    def _leave(self, req: _Request, heavy: bool = False) -> None:
        """Take ``req`` out of the line or the running set (call with the lock held)."""
        if req in self._running:
            self._running.discard(req)
        else:
            try:
                self._line.remove(req)
            except ValueError:
                pass
        if req.owner is not None:
            n = self._per_owner.get(req.owner, 0) - 1
            if n > 0:
                self._per_owner[req.owner] = n
            else:
                self._per_owner.pop(req.owner, None)
            if heavy and self.rate_per_min > 0:
                self._charge(req.owner)
        self._cond.notify_all()

    # --- waiting ---

    def _estimate(self, position: int, now: float) -> float:
        """Seconds until the request at ``position`` (1 = next) gets a worker: the pool played forward."""
        free = sorted(max(min(self._avg_s, r.limit) - (now - r.started), 0.2) for r in self._running)
        free += [0.0] * max(self.size - len(free), 0)
        free.sort()
        for _ in range(position - 1):
            t = heapq.heappop(free) if free else 0.0
            heapq.heappush(free, t + self._avg_s)
        return float(free[0]) if free else 0.0

    def _try_take(self, req: _Request) -> WorkerProcess | None:
        """Give ``req`` a worker if it is first in line and one is idle (lock held)."""
        if not self._line or self._line[0] is not req or not self._idle:
            return None
        self._line.popleft()
        w = self._idle.pop(0)
        req.started = time.monotonic()
        self._running.add(req)
        self._cond.notify_all()  # the next in line may find another idle worker
        return w

    def _wait_turn(self, req: _Request, on_wait, cancelled) -> WorkerProcess:
        next_report = next_check = time.monotonic()
        while True:
            with self._cond:
                if self._closed:
                    raise SandboxError("the symbolic workers have been shut down")
                w = self._try_take(req)
                if w is not None:
                    return w
                now = time.monotonic()
                position = self._line.index(req) + 1
                wait_s = self._estimate(position, now)
            if now - req.joined > self.wait:
                raise SandboxBusy(
                    f"all {self.size} symbolic workers stayed busy for {self.wait:.0f} s; try again in a moment")
            if cancelled is not None and now >= next_check:
                next_check = now + CANCEL_POLL_S
                if cancelled():
                    raise SandboxCancelled("stopped: the page was rerun or closed before its turn came")
            if on_wait is not None and now >= next_report:
                next_report = now + WAIT_REPORT_S
                on_wait(position, wait_s)
            with self._cond:
                if self._line and self._line[0] is req and self._idle:
                    continue
                due = req.joined + self.wait
                if cancelled is not None:
                    due = min(due, next_check)
                if on_wait is not None:
                    due = min(due, next_report)
                self._cond.wait(max(min(due - time.monotonic(), CANCEL_POLL_S * 2), 0.01))

    # --- the request ---

    def run(self, op: str, *args, timeout: float | None = None, owner: str | None = None,
            on_wait: Callable[[int, float], None] | None = None,
            cancelled: Callable[[], bool] | None = None, **kwargs) -> dict:
        if op not in OPS:
            raise ValueError(f"unknown sandbox operation {op!r}")
        limit = self.clamp(timeout)
        req = self._admit(owner, limit)
        heavy = False
        w: WorkerProcess | None = None
        try:
            w = self._wait_turn(req, on_wait, cancelled)
            if not w.alive():  # died while idle: a fresh one takes its place
                self._replace_quietly(w)
                w = WorkerProcess(self.memory_mb)
                with self._cond:
                    self._all.append(w)
            try:
                w.wait_ready(cancelled)
            except Stopped:
                self._give_back(w)
                w = None
                raise SandboxCancelled("stopped: the page was rerun or closed") from None
            except (TimeoutError, EOFError, OSError):
                self._replace(w)
                w = None
                raise SandboxError(
                    f"a symbolic worker did not start within {STARTUP_TIMEOUT:g} s; try again") from None
            t0 = time.monotonic()
            try:
                status, value, seconds = w.call(op, args, kwargs, limit, cancelled)
            except Stopped:
                heavy = True
                self._replace(w)
                w = None
                raise SandboxCancelled("stopped: the page was rerun or closed while it computed") from None
            except TimeoutError:
                heavy = True
                self._replace(w)
                w = None
                raise SandboxTimeout(f"took longer than {limit:g} s and was stopped") from None
            except (EOFError, BrokenPipeError, OSError):
                heavy = True
                self._replace(w)
                w = None
                raise SandboxMemoryError(
                    f"needed more than the {self.memory_mb} MB a worker may use and was stopped") from None
            except BaseException:  # cancelled() itself raised: the worker's answer is lost
                heavy = True
                self._replace(w)
                w = None
                raise
            elapsed = time.monotonic() - t0
            heavy = elapsed >= self.heavy_s
            with self._cond:
                self._avg_s = 0.8 * self._avg_s + 0.2 * min(elapsed, limit)
            if status == "memory":
                self._replace(w)
                w = None
                raise SandboxMemoryError(f"needed more than the {self.memory_mb} MB a worker may use and was stopped")
            self._give_back(w)
            w = None
        finally:
            if w is not None:  # left with a healthy worker in hand (an error above)
                self._give_back(w)
            with self._cond:
                self._leave(req, heavy)
        if status == "expression":
            raise ExpressionError(value)
        if status == "error":
            raise SandboxError(value)
        value["seconds"] = seconds
        return value

    def _replace_quietly(self, w: WorkerProcess) -> None:
        w.kill()
        with self._cond:
            self._all = [x for x in self._all if x is not w]

    def _give_back(self, w: WorkerProcess) -> None:
        with self._cond:
            if self._closed:
                closed = True
            else:
                closed = False
                self._idle.append(w)
                self._cond.notify_all()
        if closed:
            w.kill()

    def status(self, owner: str | None = None) -> dict:
        """Counts only (no text of any request, no other owner's id): workers, running,
        waiting, owners (how many have a request in), wait_s (a new request's estimated
        wait) and, for ``owner``, ``mine``: "running", "waiting" (with ``position``) or None."""
        with self._cond:
            now = time.monotonic()
            out = dict(workers=self.size, running=len(self._running), waiting=len(self._line),
                       owners=len({r.owner for r in (*self._running, *self._line)}),
                       wait_s=self._estimate(len(self._line) + 1, now), mine=None, position=None)
            if owner is not None:
                if any(r.owner == owner for r in self._running):
                    out["mine"] = "running"
                else:
                    pos = next((i + 1 for i, r in enumerate(self._line) if r.owner == owner), None)
                    if pos is not None:
                        out.update(mine="waiting", position=pos)
            return out

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers, self._all, self._idle = self._all, [], []
            self._cond.notify_all()
        for w in workers:
            w.kill()


_DEFAULT: Sandbox | None = None
_DEFAULT_LOCK = threading.Lock()


def default_workers() -> int:
    """``DERIVLAB_WORKERS`` if set; else 2, or 1 where less than 1.5 GB is free.

    Each warm worker holds about 140 MB; on Community Cloud's smallest instance
    (690 MB) the server itself needs most of that, so one worker it is.
    """
    if os.environ.get("DERIVLAB_WORKERS"):
        return max(1, int(os.environ["DERIVLAB_WORKERS"]))
    return 1 if host.memory_available() < 1.5 * 2**30 else 2


def get_sandbox() -> Sandbox:
    """The process-wide sandbox, created on first use with :func:`default_workers` workers."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Sandbox(workers=default_workers())
            atexit.register(_DEFAULT.close)
        return _DEFAULT
