"""Symbolic work that may run away, done in worker processes that can be killed.

Some short, valid formulas make SymPy work for minutes (``expand((x+1)^1000)``,
``simplify`` of a deep composition, ``N(pi, 10**6)``). Big-integer arithmetic
holds Python's GIL, so a thread cannot be interrupted and every other session
of the Streamlit server would freeze. A separate *process* can be killed.

:class:`Sandbox` keeps a few worker processes warm (``python -m core.sandbox``:
a fresh interpreter, never a fork of the server, which JAX forbids). A request
names an operation from :data:`OPS` and plain arguments (text, numbers); the
worker parses the text with our own safe parser and returns plain data
(strings and numbers). When a request takes longer than its time limit, or the
worker exceeds its memory limit (``RLIMIT_AS``), the worker is killed, a new
one is started, and the caller gets :class:`SandboxTimeout` or
:class:`SandboxMemoryError` with a message a student can read.

Parent and worker speak length-prefixed pickles over the worker's stdin and
stdout; only this module's own worker is ever on the other end.
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
import time

__all__ = [
    "Sandbox", "SandboxError", "SandboxTimeout", "SandboxMemoryError", "SandboxBusy",
    "get_sandbox", "OPS", "DEFAULT_TIMEOUT", "DEFAULT_MEMORY_MB",
]

#: Seconds a request may run before its worker is killed.
DEFAULT_TIMEOUT = 5.0
#: Address-space limit of a worker, in MB. SymPy + NumPy alone take about 360 MB of
#: address space (140 MB resident); under this limit a worker peaked at about 260 MB
#: resident before it was stopped (measured: a multinomial expand in tests/test_runaway.py).
DEFAULT_MEMORY_MB = 500
#: A worker always gets at least this much address space beyond what its imports took
#: (on another platform the imports may take more than on ours).
MIN_HEADROOM_MB = 96
#: Highest derivative order a worker computes (each order can multiply the tree).
MAX_DIFF_ORDER = 10
#: Longest LaTeX or text returned; longer results are summarised.
MAX_RESULT_CHARS = 20_000

_HEADER = struct.Struct("!I")
_READY = b"R"
#: Seconds a new worker may take to import SymPy before it counts as broken.
STARTUP_TIMEOUT = 60.0
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SandboxError(RuntimeError):
    """The symbolic operation failed; the message says why in plain words."""


class SandboxTimeout(SandboxError):
    """The operation ran past its time limit and was stopped."""


class SandboxMemoryError(SandboxError):
    """The operation needed more memory than a worker may use and was stopped."""


class SandboxBusy(SandboxError):
    """Every worker stayed busy for longer than the caller was willing to wait."""


# --- the worker side --------------------------------------------------------

def _summarise(s: str) -> str:
    if len(s) <= MAX_RESULT_CHARS:
        return s
    return s[: MAX_RESULT_CHARS // 2] + f" … [{len(s) - MAX_RESULT_CHARS // 2:,} more characters]"


def _present(expr) -> dict:
    import sympy as sp

    ops = int(sp.count_ops(expr))
    text = _summarise(sp.sstr(expr))
    latex = sp.latex(expr) if ops <= 2000 else r"\text{(%d operations: too big to typeset)}" % ops
    return {"text": text, "latex": _summarise(latex), "ops": ops}


def _parse(text: str, variables):
    from core.expressions import parse_expression

    return parse_expression(text, tuple(variables))


def _op_expand(text, variables=("x",)):
    import sympy as sp

    return _present(sp.expand(_parse(text, variables)))


def _op_factor(text, variables=("x",)):
    import sympy as sp

    return _present(sp.factor(_parse(text, variables)))


def _op_simplify(text, variables=("x",)):
    import sympy as sp

    return _present(sp.simplify(_parse(text, variables)))


def _op_diff(text, variables=("x",), order=1):
    import sympy as sp

    order = int(order)
    if not 0 <= order <= MAX_DIFF_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_DIFF_ORDER}")
    expr = _parse(text, variables)
    sym = sorted(expr.free_symbols, key=lambda s: s.name)
    x = next((s for s in sym if s.name == variables[0]), sp.Symbol(variables[0], real=True))
    return _present(sp.diff(expr, x, order))


def _op_evalf(text, variables=(), digits=15):
    """N(expr, digits) of a constant expression: the decimal expansion as text."""
    import sympy as sp

    digits = int(digits)
    if not 1 <= digits <= 1_000_000:
        raise ValueError("digits must be between 1 and 1,000,000")
    value = sp.N(_parse(text, tuple(variables)), digits)
    return {"text": _summarise(str(value)), "latex": _summarise(str(value)), "ops": 0}


def _op_subs(text, variables, values):
    """Substitute numbers for the variables and evaluate to a float (as the lab's evalf(subs=...))."""
    import sympy as sp

    expr = _parse(text, variables)
    subs = {s: sp.Float(values[s.name]) for s in expr.free_symbols if s.name in values}
    value = expr.evalf(subs=subs)
    out = _present(value)
    try:
        out["value"] = float(value)
    except TypeError:
        out["value"] = None
    return out


def _op_lambdify_source(text, variables=("x",), cse=True):
    import inspect

    import sympy as sp

    expr = _parse(text, variables)
    syms = [s for v in variables for s in expr.free_symbols if s.name == v] or [sp.Symbol(variables[0])]
    return {"text": _summarise(inspect.getsource(sp.lambdify(syms, expr, "numpy", cse=bool(cse)))),
            "latex": "", "ops": int(sp.count_ops(expr))}


def _op_ping():
    return {"text": "pong", "latex": "", "ops": 0, "pid": os.getpid()}


#: The operations a worker performs, by name. Arguments are plain text and numbers.
OPS = {
    "expand": _op_expand,
    "factor": _op_factor,
    "simplify": _op_simplify,
    "diff": _op_diff,
    "evalf": _op_evalf,
    "subs": _op_subs,
    "lambdify_source": _op_lambdify_source,
    "ping": _op_ping,
}


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


def _worker_main(memory_mb: int) -> None:
    import resource

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the channel
    import core.expressions  # noqa: F401  (warm: SymPy imported before the first request)

    # The limit is set after the imports, so a platform where they take more address
    # space gets a worker that still starts (with MIN_HEADROOM_MB to work in), not one
    # that dies at import and turns every request into a memory error.
    mb = max(int(memory_mb), int(_address_space_mb()) + MIN_HEADROOM_MB)
    resource.setrlimit(resource.RLIMIT_AS, (mb * 1024 * 1024, mb * 1024 * 1024))
    out.write(_READY)  # imports done: from now on a request's clock measures only its own work
    out.flush()

    while True:
        try:
            (size,) = _HEADER.unpack(_read_exact(inp, _HEADER.size))
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
            from core.expressions import ExpressionError

            if isinstance(err, ExpressionError):
                result = ("expression", str(err))
        payload = pickle.dumps((result[0], result[1], time.perf_counter() - t0))
        out.write(_HEADER.pack(len(payload)) + payload)
        out.flush()


# --- the server side ----------------------------------------------------------

class _Worker:
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

    def _read(self, n: int, deadline: float) -> bytes:
        fd = self.proc.stdout.fileno()
        buf = b""
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def wait_ready(self) -> None:
        """Wait (at most STARTUP_TIMEOUT s) until the worker has imported SymPy."""
        if not self.ready:
            if self._read(len(_READY), time.monotonic() + STARTUP_TIMEOUT) != _READY:
                raise EOFError
            self.ready = True

    def call(self, op: str, args, kwargs, timeout: float):
        self.wait_ready()  # start-up time is not the request's time
        data = pickle.dumps((op, args, kwargs))
        self.proc.stdin.write(_HEADER.pack(len(data)) + data)
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        (size,) = _HEADER.unpack(self._read(_HEADER.size, deadline))
        return pickle.loads(self._read(size, deadline))


class Sandbox:
    """A small pool of killable worker processes for runaway symbolic work.

    ``run(op, *args, timeout=..., **kwargs)`` returns the operation's result
    (a dict with at least "text", "latex", "ops", and "seconds") or raises a
    :class:`SandboxError` subclass, or :class:`~core.ExpressionError` when the
    text does not parse. Safe to call from many threads at once.
    """

    def __init__(self, workers: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 memory_mb: int = DEFAULT_MEMORY_MB, wait: float = 30.0):
        self.size = max(1, int(workers))
        self.timeout = float(timeout)
        self.memory_mb = int(memory_mb)
        self.wait = float(wait)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self.killed = 0  # workers stopped for running past a limit
        for _ in range(self.size):
            self._start()

    def _start(self) -> None:
        w = _Worker(self.memory_mb)
        with self._lock:
            self._all = [x for x in self._all if x.alive()] + [w]
        self._idle.put(w)

    def _replace(self, w: _Worker) -> None:
        w.kill()
        self.killed += 1
        self._start()

    def busy(self) -> int:
        """How many workers are working right now."""
        return self.size - self._idle.qsize()

    def run(self, op: str, *args, timeout: float | None = None, **kwargs) -> dict:
        if op not in OPS:
            raise ValueError(f"unknown sandbox operation {op!r}")
        limit = self.timeout if timeout is None else float(timeout)
        try:
            w = self._idle.get(timeout=self.wait)
        except queue.Empty:
            raise SandboxBusy(
                f"all {self.size} symbolic workers stayed busy for {self.wait:.0f} s; try again in a moment"
            ) from None
        if not w.alive():
            self._replace(w)
            w = self._idle.get(timeout=self.wait)
        try:
            w.wait_ready()
        except (TimeoutError, EOFError, OSError):
            self._replace(w)
            raise SandboxError(f"a symbolic worker did not start within {STARTUP_TIMEOUT:g} s; try again") from None
        try:
            status, value, seconds = w.call(op, args, kwargs, limit)
        except TimeoutError:
            self._replace(w)
            raise SandboxTimeout(f"took longer than {limit:g} s and was stopped") from None
        except (EOFError, BrokenPipeError, OSError):
            self._replace(w)
            raise SandboxMemoryError(
                f"needed more than the {self.memory_mb} MB a worker may use and was stopped"
            ) from None
        if status == "memory":
            self._replace(w)
            raise SandboxMemoryError(f"needed more than the {self.memory_mb} MB a worker may use and was stopped")
        self._idle.put(w)
        if status == "expression":
            from .expressions import ExpressionError

            raise ExpressionError(value)
        if status == "error":
            raise SandboxError(value)
        value["seconds"] = seconds
        return value

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
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
    from .timing import memory_available

    return 1 if memory_available() < 1.5 * 2**30 else 2


def get_sandbox() -> Sandbox:
    """The process-wide sandbox, created on first use with :func:`default_workers` workers."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Sandbox(workers=default_workers())
            atexit.register(_DEFAULT.close)
        return _DEFAULT


if __name__ == "__main__":
    _worker_main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MEMORY_MB)
