"""One race at a time: a process-wide, first-come-first-served queue (pure ``threading``).

One server process serves many students. Every public entry point of the race
(:func:`~core.timing.harness.race`, :func:`~core.timing.lab.lab_race`,
:func:`~core.timing.verdicts.lab_claims`, the scaling scans) is decorated with
:func:`one_at_a_time` where it is defined, so it takes its turn in :data:`QUEUE`:
timings do not disturb each other and the memory in use is bounded by one race's
arrays (see :func:`core.timing.sizing.max_points`). A page takes the turn first
with its own estimate and waiting messages (``with QUEUE.slot(...)``); the
decorated call inside then passes straight through.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["RaceQueue", "QUEUE", "QueueFull", "QueueSessionLimit", "QueueCancelled", "one_at_a_time"]


class QueueFull(RuntimeError):
    """Too many races are already waiting; try again in a minute."""


class QueueSessionLimit(QueueFull):
    """This owner (browser session) already has a race running or waiting."""


class QueueCancelled(RuntimeError):
    """The waiting caller's ``cancelled()`` said True (its page reran or closed)."""


@dataclass(eq=False)
class _Ticket:
    label: str
    estimate_s: float
    owner: object = None  # who asked (a session id); the thread when not given
    thread: int = field(default_factory=threading.get_ident)
    joined: float = field(default_factory=time.monotonic)
    started: float | None = None

    def __post_init__(self) -> None:
        if self.owner is None:
            self.owner = self.thread

    @property
    def public(self) -> str:
        """What another session may see of this ticket: no label (it holds the student's text)."""
        return f"a race (≈{self.estimate_s:.0f} s)"


class RaceQueue:
    """First come, first served: one race runs at a time in this process.

    ``with queue.slot(label, estimate_s, on_wait, owner=..., cancelled=...):`` blocks
    until it is this caller's turn. While waiting, ``on_wait(position, wait_s)`` is
    called every ``poll_s`` seconds, outside the lock (position 1 = next in line;
    wait_s the estimated seconds until the turn comes, from the estimates of the
    races ahead), and ``cancelled()`` at least every 0.25 s: when it says True the
    ticket leaves and :class:`QueueCancelled` is raised. An exception raised by
    ``on_wait`` or ``cancelled`` (Streamlit stopping a script run, say) leaves the
    queue cleanly too.

    Each ``owner`` (a browser session's id; the calling thread when not given) may
    hold one ticket, running or waiting (``max_per_owner``): one more raises
    :class:`QueueSessionLimit`; past ``max_waiting`` tickets in all, :class:`QueueFull`.
    Re-entrant: a thread that holds the turn passes straight through a nested
    ``slot`` (so :func:`~core.timing.verdicts.lab_claims` can call :func:`race`).
    :meth:`status` shows a ticket's label only to its own owner. Pure ``threading``.
    """

    def __init__(self, max_waiting: int = 30, max_per_owner: int = 1):
        self.max_waiting = max_waiting
        self.max_per_owner = max(1, int(max_per_owner))
        self._cond = threading.Condition()
        self._tickets: list[_Ticket] = []

    def _wait_for(self, ticket: _Ticket) -> tuple[int, float]:
        idx = self._tickets.index(ticket)
        now = time.monotonic()
        wait = 0.0
        for t in self._tickets[:idx]:
            if t.started is not None:
                wait += max(t.estimate_s - (now - t.started), 0.5)
            else:
                wait += t.estimate_s
        return idx, wait

    def status(self, owner: object = None) -> dict:
        """What is running and how many wait (for a page to show before anyone presses Run).

        ``running`` is the running race's label when it is ``owner``'s (the calling
        thread's when not given), else "a race (≈N s)": never another session's text.
        ``mine`` is ``owner``'s place: 0 running, k ≥ 1 k-th in line, None not queued.
        """
        me = threading.get_ident() if owner is None else owner
        with self._cond:
            now = time.monotonic()
            running = next((t for t in self._tickets if t.started is not None), None)
            mine = next((i for i, t in enumerate(self._tickets) if t.owner == me), None)
            if mine is not None and running is None:
                mine += 1
            return dict(running=(running.label if running.owner == me else running.public) if running else None,
                        running_for_s=(now - running.started) if running else 0.0,
                        waiting=sum(t.started is None for t in self._tickets),
                        wait_s=sum(t.estimate_s for t in self._tickets if t.started is None)
                        + (max(running.estimate_s - (now - running.started), 0.5) if running else 0.0),
                        mine=mine)

    @contextmanager
    def slot(self, label: str = "race", estimate_s: float = 1.0,
             on_wait: Callable[[int, float], None] | None = None, poll_s: float = 0.5,
             owner: object = None, cancelled: Callable[[], bool] | None = None) -> Iterator[float]:
        """Wait for this caller's turn, hold it for the ``with`` body; yields seconds waited."""
        ticket = _Ticket(label, max(float(estimate_s), 0.1), owner)
        with self._cond:
            head = self._tickets[0] if self._tickets else None
            nested = head is not None and head.started is not None and head.thread == ticket.thread
        if nested:
            yield 0.0
            return
        with self._cond:
            if sum(t.owner == ticket.owner for t in self._tickets) >= self.max_per_owner:
                raise QueueSessionLimit("you already have a race running or waiting (here or in another tab); "
                                        "wait for it to finish before you start another")
            if len(self._tickets) >= self.max_waiting:
                raise QueueFull(f"{len(self._tickets)} races are already queued; try again in a minute")
            self._tickets.append(ticket)
        check_s = min(poll_s, 0.25)
        next_report = next_check = time.monotonic()
        try:
            while True:
                with self._cond:
                    if self._tickets[0] is ticket:
                        ticket.started = time.monotonic()
                        break
                    position, wait = self._wait_for(ticket)
                now = time.monotonic()
                if cancelled is not None and now >= next_check:
                    next_check = now + check_s
                    if cancelled():
                        raise QueueCancelled("stopped: the page was rerun or closed before its turn came")
                if on_wait and now >= next_report:
                    next_report = now + poll_s
                    on_wait(position, wait)
                with self._cond:
                    if self._tickets[0] is not ticket:
                        due = min(next_report if on_wait else now + poll_s,
                                  next_check if cancelled is not None else now + poll_s)
                        self._cond.wait(max(due - time.monotonic(), 0.005))
            yield ticket.started - ticket.joined
        finally:
            with self._cond:
                self._tickets.remove(ticket)
                self._cond.notify_all()


#: The process-wide queue every race takes its turn in.
QUEUE = RaceQueue()


def one_at_a_time(func):
    """Decorator: run ``func`` in its turn in :data:`QUEUE` (a caller may take the turn first, with
    its own estimate and waiting messages: the nested call then passes through)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with QUEUE.slot(func.__name__):
            return func(*args, **kwargs)

    return wrapper
