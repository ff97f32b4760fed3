"""A sandbox worker: its main loop, the parent's handle on it, and the protocol between them.

The pool (:mod:`core.sandbox.pool`) starts each worker as ``python -m
core.sandbox MB`` (see :class:`WorkerProcess`): a fresh interpreter, never a fork
of the server, which JAX forbids. The worker imports SymPy, sets its address-space
limit (``RLIMIT_AS``, :data:`DEFAULT_MEMORY_MB`), writes :data:`READY` and then
answers requests one at a time (:func:`main`).

The protocol: each message is a 4-byte big-endian length and then a pickle.
A request is ``(op, args, kwargs)`` with ``op`` a name in
:data:`~core.sandbox.ops.OPS`; the answer is ``(status, value, seconds)`` where
status is "ok" (value: the operation's dict), "expression" (the text did not
parse; value: the message), "error" (value: the exception in words) or
"memory" (the limit was hit). Only this package's own worker is ever on the
other end of the pipes, so unpickling is safe.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import subprocess
import sys
import time

from .ops import OPS

__all__ = ["main", "WorkerProcess", "Stopped", "DEFAULT_MEMORY_MB", "MIN_HEADROOM_MB", "STARTUP_TIMEOUT",
           "CANCEL_POLL_S", "HEADER", "READY"]

#: Address-space limit of a worker, in MB. SymPy + NumPy alone take about 360 MB of
#: address space (140 MB resident); under this limit a worker peaked at about 260 MB
#: resident before it was stopped (measured: a multinomial expand in tests/test_runaway.py).
DEFAULT_MEMORY_MB = 500
#: A worker always gets at least this much address space beyond what its imports took
#: (on another platform the imports may take more than on ours).
MIN_HEADROOM_MB = 96
#: Seconds a new worker may take to import SymPy before it counts as broken.
STARTUP_TIMEOUT = 60.0
#: How often ``cancelled()`` is asked while the worker runs, in seconds.
CANCEL_POLL_S = 0.25
#: The length prefix of every message, and the byte a worker writes once its imports are done.
HEADER = struct.Struct("!I")
READY = b"R"
#: The repository root: a worker runs there, with it on its path.
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --- the worker side --------------------------------------------------------

def _read_exact(stream, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def _address_space_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main(memory_mb: int = DEFAULT_MEMORY_MB) -> None:
    """The worker: import SymPy, limit its address space to ``memory_mb`` MB, answer requests until stdin closes."""
    import resource

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the channel
    from .. import expressions  # noqa: F401  (warm: SymPy imported before the first request)

    # The limit is set after the imports, so a platform where they take more address
    # space gets a worker that still starts (with MIN_HEADROOM_MB to work in), not one
    # that dies at import and turns every request into a memory error.
    mb = max(int(memory_mb), int(_address_space_mb()) + MIN_HEADROOM_MB)
    resource.setrlimit(resource.RLIMIT_AS, (mb * 1024 * 1024, mb * 1024 * 1024))
    out.write(READY)  # imports done: from now on a request's clock measures only its own work
    out.flush()

    while True:
        try:
            (size,) = HEADER.unpack(_read_exact(inp, HEADER.size))
            op, args, kwargs = pickle.loads(_read_exact(inp, size))
        except EOFError:
            return
        t0 = time.perf_counter()
        try:
            result = ("ok", OPS[op](*args, **kwargs))
        except MemoryError:
            result = ("memory", "")
        except Exception as err:  # noqa: BLE001  (every failure goes back as words)
            result = ("error", f"{type(err).__name__}: {err}")
            from ..messages import ExpressionError

            if isinstance(err, ExpressionError):
                result = ("expression", str(err))
        payload = pickle.dumps((result[0], result[1], time.perf_counter() - t0))
        out.write(HEADER.pack(len(payload)) + payload)
        out.flush()


# --- the parent side: a handle on one worker process ----------------------------

class Stopped(Exception):
    """The caller's cancelled() turned True while the worker was busy (internal)."""


class WorkerProcess:
    """One worker process (``python -m core.sandbox MB``) and the parent's end of its pipes."""

    def __init__(self, memory_mb: int):
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   PYTHONPATH=_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "core.sandbox", str(memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=_ROOT, env=env, close_fds=True,
        )
        self.ready = False

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass

    def _read(self, n: int, deadline: float, stop=None) -> bytes:
        """Read n bytes before ``deadline``; ``stop()`` is asked every CANCEL_POLL_S seconds."""
        fd = self.proc.stdout.fileno()
        buf = b""
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if stop is not None and stop():
                raise Stopped
            ready, _, _ = select.select([fd], [], [], min(left, CANCEL_POLL_S) if stop else left)
            if not ready:
                continue
            chunk = os.read(fd, n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def wait_ready(self, stop=None) -> None:
        """Wait (at most STARTUP_TIMEOUT s) until the worker has imported SymPy."""
        if not self.ready:
            if self._read(len(READY), time.monotonic() + STARTUP_TIMEOUT, stop) != READY:
                raise EOFError
            self.ready = True

    def call(self, op: str, args, kwargs, timeout: float, stop=None):
        self.wait_ready(stop)  # start-up time is not the request's time
        data = pickle.dumps((op, args, kwargs))
        self.proc.stdin.write(HEADER.pack(len(data)) + data)
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        (size,) = HEADER.unpack(self._read(HEADER.size, deadline, stop))
        return pickle.loads(self._read(size, deadline, stop))
