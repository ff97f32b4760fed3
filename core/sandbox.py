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
import heapq
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "Sandbox", "SandboxError", "SandboxTimeout", "SandboxMemoryError", "SandboxBusy",
    "SandboxSessionLimit", "SandboxRateLimited", "SandboxCancelled",
    "get_sandbox", "OPS", "DEFAULT_TIMEOUT", "DEFAULT_MEMORY_MB", "MAX_TIMEOUT",
]

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
#: How often ``cancelled()`` is asked, while waiting and while the worker runs, in seconds.
CANCEL_POLL_S = 0.25
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


class SandboxSessionLimit(SandboxError):
    """The same owner (browser session) already has a request running or waiting."""


class SandboxRateLimited(SandboxError):
    """The owner started too many heavy requests in the last minute; ``retry_after`` says how long to wait."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = float(retry_after)


class SandboxCancelled(SandboxError):
    """The caller's ``cancelled()`` turned True (its page reran or closed); the request was dropped."""


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
    """The expression of ``text``: a preset's id (``composed:5``) or typed text, parsed safely."""
    from core import presets
    from core.expressions import parse_expression

    if tuple(variables) == ("x",) and text in presets.PRESETS:
        return presets.resolve(text).expr
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


# Operations on the order-th derivative of a student's f (text parsed in the worker).

#: Derivatives larger than this (as a tree) get a note instead of LaTeX, as on the pages.
MAX_LATEX_OPS = 400


def _derivative(text, variables=("x",), order=1):
    """The order-th derivative of the parsed text in its first variable, and that variable."""
    import sympy as sp

    order = int(order)
    if not 0 <= order <= MAX_DIFF_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_DIFF_ORDER}")
    variables = tuple(variables) or ("x",)
    expr = _parse(text, variables)
    x = next((s for s in expr.free_symbols if s.name == variables[0]), sp.Symbol(variables[0], real=True))
    return (expr if order == 0 else sp.diff(expr, x, order)), x


def _op_count_ops(text, variables=("x",), order=1):
    """count_ops of the order-th derivative (as a tree): ``ops`` (and ``value``) an int."""
    import sympy as sp

    d, _ = _derivative(text, variables, order)
    ops = int(sp.count_ops(d))
    return {"text": str(ops), "latex": str(ops), "ops": ops, "value": ops}


def _op_latex(text, variables=("x",), order=1, max_ops=MAX_LATEX_OPS):
    """LaTeX of the order-th derivative, or a note of its size when over ``max_ops`` operations."""
    import sympy as sp

    d, _ = _derivative(text, variables, order)
    ops = int(sp.count_ops(d))
    if ops > int(max_ops):
        latex = r"\text{(a tree of %d operations: too big to print)}" % ops
    else:
        latex = _summarise(sp.latex(d))
    return {"text": _summarise(sp.sstr(d)), "latex": latex, "ops": ops}


def _op_evalf_point(text, at, variables=("x",), order=1, digits=15):
    """The order-th derivative at x = ``at``: ``value`` (a finite float, or None when the
    number is complex, not a number, or outside float range) and ``text`` (SymPy's value
    printed to ``digits`` significant digits: 1.97007111401705e+434 stays readable)."""
    import math

    import sympy as sp

    digits = int(digits)
    if not 1 <= digits <= 50:
        raise ValueError("digits must be between 1 and 50")
    d, x = _derivative(text, variables, order)
    v = d.evalf(digits, subs={x: sp.Float(float(at), digits)})
    value, kind = None, "unevaluated"
    if v.is_number:
        kind = "complex"
        if v.is_comparable:
            kind = "real"
            try:
                f = float(v)
            except (TypeError, ValueError, OverflowError):
                f = math.nan
            if not math.isfinite(f) or (f == 0.0 and not v.is_zero):
                kind = "out of float range"
            else:
                value = f
    return {"value": value, "kind": kind, "text": _summarise(sp.sstr(v)), "latex": _summarise(sp.latex(v))
            if sp.count_ops(v) <= MAX_LATEX_OPS else r"\text{(too big to print)}", "ops": int(sp.count_ops(d))}


def _lambdified(text, variables, order, cse):
    import sympy as sp

    from core.symbolic import _drop_deltas

    d, x = _derivative(text, variables, order)
    return sp.lambdify(x, _drop_deltas(d), modules="numpy", cse=bool(cse)), d


def _op_derivative_source(text, variables=("x",), order=1, cse=True):
    """The NumPy source ``lambdify`` generates for the order-th derivative (CSE on by default)."""
    import inspect

    import sympy as sp

    f, d = _lambdified(text, variables, order, cse)
    return {"text": _summarise(inspect.getsource(f)), "latex": "", "ops": int(sp.count_ops(d))}


def _op_check_compile(text, variables=("x",), order=1, cse=True):
    """Lambdify the order-th derivative and call it once on a small float array.

    ``ok`` True, or False with ``error`` (e.g. "RecursionError: maximum recursion depth
    exceeded ..."): proof that compiling the generated code works before the server does it.
    """
    import numpy as np
    import sympy as sp

    try:
        f, d = _lambdified(text, variables, order, cse)
        with np.errstate(all="ignore"):
            np.asarray(f(np.linspace(-1.0, 1.0, 5)))
    except MemoryError:
        raise
    except Exception as err:  # noqa: BLE001  (the words go back to the page)
        from core.expressions import ExpressionError

        if isinstance(err, ExpressionError):
            raise
        msg = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"[:500]
        return {"ok": False, "error": msg, "text": msg, "latex": "", "ops": 0}
    return {"ok": True, "error": None, "text": "ok", "latex": "", "ops": int(sp.count_ops(d))}


#: Most points of a curve a worker evaluates.
MAX_CURVE_POINTS = 5_000


def _op_curve(text, order=1, lo=-5.0, hi=5.0, n=400, max_ops=MAX_LATEX_OPS):
    """The order-th derivative of a function of x on ``linspace(lo, hi, n)`` (float64), with its
    LaTeX (or a note of its size) and its tree's operation count: for derivatives too large to
    compute in the shared server. Dirac deltas count as 0 (away from 0, as on the pages)."""
    import numpy as np
    import sympy as sp

    n = int(n)
    if not 2 <= n <= MAX_CURVE_POINTS:
        raise ValueError(f"n must be between 2 and {MAX_CURVE_POINTS}")
    d, x = _derivative(text, ("x",), order)
    ops = int(sp.count_ops(d))
    latex = (r"\text{(a tree of %d operations: too big to print)}" % ops if ops > int(max_ops)
             else _summarise(sp.latex(d)))
    if d.has(sp.DiracDelta):
        d = d.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    xs = np.linspace(float(lo), float(hi), n)
    with np.errstate(all="ignore"):
        ys = np.broadcast_to(np.asarray(sp.lambdify(x, d, "numpy", cse=True)(xs), dtype=float), xs.shape)
    return {"text": "", "latex": latex, "ops": ops, "values": [float(v) for v in ys]}


def _op_equivalent(answer, spec, order=1):
    """Is simplify(answer − the order-th derivative of spec) 0? (core.equivalence: issue 16)."""
    from core.equivalence import simplify_difference

    return simplify_difference(_parse(answer, ("x",)), _derivative(spec, ("x",), order)[0])


def _op_steps_simplify(spec):
    """The step-by-step derivation's last line (core.derivation), simplified."""
    import sympy as sp

    from core.derivation import derive

    d = derive(_parse(spec, ("x",)))
    return {"too_long": True, "text": "", "latex": "", "ops": 0} if d.too_long else _present(sp.simplify(d.result))


def _op_steps_proof(spec):
    """simplify(derivation's last line − diff(f, x)): "zero", "nonzero" or "unknown"."""
    from core.derivation import derive
    from core.equivalence import simplify_difference

    d = derive(_parse(spec, ("x",)))
    if d.too_long:
        return {"verdict": "unknown", "too_long": True, "text": "", "latex": "", "ops": 0}
    return simplify_difference(d.result, _derivative(spec, ("x",), 1)[0])


def _op_series(spec, x0=0.0, order=5):
    """Taylor coefficients c0 … cn of spec at x0 by SymPy's series (core.taylor)."""
    from core.taylor import sympy_coefficients

    return {"coeffs": sympy_coefficients(_parse(spec, ("x",)), float(x0), int(order)),
            "text": "", "latex": "", "ops": 0}


def _op_series_timing(spec, x0=0.0, orders=(1, 2, 4, 6, 8, 10), budget_s=3.0):
    """Seconds SymPy's series takes per order, until budget_s is spent (core.taylor)."""
    from core.taylor import sympy_timings

    return {"timings": sympy_timings(_parse(spec, ("x",)), float(x0), [int(n) for n in orders], float(budget_s)),
            "text": "", "latex": "", "ops": 0}


def _op_sleep(seconds=1.0):
    """Sleep (for tests of waiting, limits and cancellation)."""
    time.sleep(float(seconds))
    return {"text": "slept", "latex": "", "ops": 0, "pid": os.getpid()}


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
    "count_ops": _op_count_ops,
    "latex": _op_latex,
    "evalf_point": _op_evalf_point,
    "derivative_source": _op_derivative_source,
    "check_compile": _op_check_compile,
    "curve": _op_curve,
    "equivalent": _op_equivalent,
    "steps_simplify": _op_steps_simplify,
    "steps_proof": _op_steps_proof,
    "series": _op_series,
    "series_timing": _op_series_timing,
    "ping": _op_ping,
    "sleep": _op_sleep,
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

class _Stopped(Exception):
    """The caller's cancelled() turned True while the worker was busy (internal)."""


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

    def _read(self, n: int, deadline: float, stop=None) -> bytes:
        """Read n bytes before ``deadline``; ``stop()`` is asked every CANCEL_POLL_S seconds."""
        fd = self.proc.stdout.fileno()
        buf = b""
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if stop is not None and stop():
                raise _Stopped
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
            if self._read(len(_READY), time.monotonic() + STARTUP_TIMEOUT, stop) != _READY:
                raise EOFError
            self.ready = True

    def call(self, op: str, args, kwargs, timeout: float, stop=None):
        self.wait_ready(stop)  # start-up time is not the request's time
        data = pickle.dumps((op, args, kwargs))
        self.proc.stdin.write(_HEADER.pack(len(data)) + data)
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        (size,) = _HEADER.unpack(self._read(_HEADER.size, deadline, stop))
        return pickle.loads(self._read(size, deadline, stop))


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
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []
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
        w = _Worker(self.memory_mb)
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

    def _replace(self, w: _Worker) -> None:
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

    def _try_take(self, req: _Request) -> _Worker | None:
        """Give ``req`` a worker if it is first in line and one is idle (lock held)."""
        if not self._line or self._line[0] is not req or not self._idle:
            return None
        self._line.popleft()
        w = self._idle.pop(0)
        req.started = time.monotonic()
        self._running.add(req)
        self._cond.notify_all()  # the next in line may find another idle worker
        return w

    def _wait_turn(self, req: _Request, on_wait, cancelled) -> _Worker:
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
        w: _Worker | None = None
        try:
            w = self._wait_turn(req, on_wait, cancelled)
            if not w.alive():  # died while idle: a fresh one takes its place
                self._replace_quietly(w)
                w = _Worker(self.memory_mb)
                with self._cond:
                    self._all.append(w)
            try:
                w.wait_ready(cancelled)
            except _Stopped:
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
            except _Stopped:
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
            from .expressions import ExpressionError

            raise ExpressionError(value)
        if status == "error":
            raise SandboxError(value)
        value["seconds"] = seconds
        return value

    def _replace_quietly(self, w: _Worker) -> None:
        w.kill()
        with self._cond:
            self._all = [x for x in self._all if x is not w]

    def _give_back(self, w: _Worker) -> None:
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
    from . import host

    return 1 if host.memory_available() < 1.5 * 2**30 else 2


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
