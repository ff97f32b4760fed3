"""The sandbox pool: a few warm worker processes for runaway symbolic work, shared fairly.

Some short, valid formulas make SymPy work for minutes (``expand((x+1)^1000)``,
``simplify`` of a deep composition, ``N(pi, 10**6)``). Big-integer arithmetic
holds Python's GIL, so a thread cannot be interrupted and every other session
of the Streamlit server would freeze. A separate *process* can be killed.

:class:`Sandbox` keeps workers warm (:mod:`core.sandbox.worker`), hands them out in
the order of :mod:`core.sandbox.line` (first come first served, each owner capped at
one request and a rate of heavy ones), and kills and replaces a worker whose request
runs past its time limit, hits its memory limit or is cancelled by its caller.
:func:`get_sandbox` is the process-wide pool the pages share.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Callable

from .. import host
from ..messages import ExpressionError
from .errors import (
    SandboxBusy,
    SandboxCancelled,
    SandboxError,
    SandboxMemoryError,
    SandboxTimeout,
)
from .line import FairLine, Request
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


class Sandbox:
    """A small pool of killable worker processes for runaway symbolic work, shared fairly.

    ``run(op, *args, timeout=..., owner=None, on_wait=None, cancelled=None, **kwargs)``
    returns the operation's result (a dict with at least "text", "latex", "ops", and
    "seconds") or raises a :class:`SandboxError` subclass, or :class:`~core.ExpressionError`
    when the text does not parse. Safe to call from many threads at once.

    Fairness, for a server where every browser session is one ``owner`` (an opaque id), is
    :class:`~core.sandbox.line.FairLine`'s: ``per_owner`` requests running or waiting, at
    most ``rate_per_min`` heavy ones a minute (those that held a worker ``heavy_s`` seconds
    or more, or were stopped at a limit), first come first served. No request holds a
    worker longer than ``max_timeout`` seconds, whatever it asks for.

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
        self.heavy_s = float(heavy_s)
        self._cond = threading.Condition()
        self._idle: list[WorkerProcess] = []
        self._all: list[WorkerProcess] = []
        self.line = FairLine(self._cond, self.size, per_owner=max(1, int(per_owner)),
                             rate_per_min=float(rate_per_min), max_timeout=self.max_timeout)
        self._closed = False
        self.killed = 0  # workers stopped for running past a limit (or for a caller that left)
        for _ in range(self.size):
            self._start()

    # --- workers ---

    def _start(self) -> None:
        self._give_back(WorkerProcess(self.memory_mb), new=True)

    def _replace(self, w: WorkerProcess) -> None:
        w.kill()
        self.killed += 1
        self._start()

    def busy(self) -> int:
        """How many workers are working right now."""
        with self._cond:
            return len(self.line.running)

    # --- limits ---

    def clamp(self, timeout: float | None) -> float:
        """The time limit a request really gets: the default, at most ``max_timeout``."""
        t = self.timeout if timeout is None else float(timeout)
        if not t > 0:  # nan or not positive
            t = self.timeout
        return min(t, self.max_timeout)

    def _admit(self, owner: str | None, limit: float) -> Request:
        with self._cond:
            if self._closed:
                raise SandboxError("the symbolic workers have been shut down")
            return self.line.admit(owner, limit)

    # --- waiting ---

    def _try_take(self, req: Request) -> WorkerProcess | None:
        """Give ``req`` a worker if it is first in line and one is idle (lock held)."""
        if not self.line.is_next(req) or not self._idle:
            return None
        self.line.start(req)
        w = self._idle.pop(0)
        self._cond.notify_all()  # the next in line may find another idle worker
        return w

    def _wait_turn(self, req: Request, on_wait, cancelled) -> WorkerProcess:
        next_report = next_check = time.monotonic()
        while True:
            with self._cond:
                if self._closed:
                    raise SandboxError("the symbolic workers have been shut down")
                w = self._try_take(req)
                if w is not None:
                    return w
                now = time.monotonic()
                position = self.line.position(req)
                wait_s = self.line.estimate(position, now)
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
                if self.line.is_next(req) and self._idle:
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
            except BaseException as err:  # stopped at a limit, or cancelled: the worker's answer is lost
                heavy = True
                self._replace(w)
                w = None
                why = self._why_stopped(err, limit)
                if why is None:  # cancelled() itself raised (Streamlit's StopException, say)
                    raise
                raise why from None
            elapsed = time.monotonic() - t0
            heavy = elapsed >= self.heavy_s
            with self._cond:
                self.line.record(elapsed, limit)
            if status == "memory":
                self._replace(w)
                w = None
                raise self._too_much_memory()
            self._give_back(w)
            w = None
        finally:
            if w is not None:  # left with a healthy worker in hand (an error above)
                self._give_back(w)
            with self._cond:
                self.line.leave(req, heavy)
        if status == "expression":
            raise ExpressionError(value)
        if status == "error":
            raise SandboxError(value)
        value["seconds"] = seconds
        return value

    def _why_stopped(self, err: BaseException, limit: float) -> SandboxError | None:
        """The error a caller hears for a worker stopped by ``err`` (None: let ``err`` through)."""
        if isinstance(err, Stopped):
            return SandboxCancelled("stopped: the page was rerun or closed while it computed")
        if isinstance(err, TimeoutError):  # before OSError, its base class
            return SandboxTimeout(f"took longer than {limit:g} s and was stopped")
        if isinstance(err, (EOFError, BrokenPipeError, OSError)):  # the worker died at its memory limit
            return self._too_much_memory()
        return None

    def _too_much_memory(self) -> SandboxMemoryError:
        return SandboxMemoryError(f"needed more than the {self.memory_mb} MB a worker may use and was stopped")

    def _replace_quietly(self, w: WorkerProcess) -> None:
        w.kill()
        with self._cond:
            self._all = [x for x in self._all if x is not w]

    def _give_back(self, w: WorkerProcess, new: bool = False) -> None:
        """``w`` joins the idle workers (a ``new`` one the pool's list too), or is killed once closed."""
        with self._cond:
            closed = self._closed
            if not closed:
                if new:
                    self._all = [x for x in self._all if x.alive()] + [w]
                self._idle.append(w)
                self._cond.notify_all()
        if closed:
            w.kill()

    def status(self, owner: str | None = None) -> dict:
        """Counts only, no text of any request: see :meth:`core.sandbox.line.FairLine.status`."""
        return self.line.status(owner)

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
