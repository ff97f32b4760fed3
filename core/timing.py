"""The race harness: how long each way of differentiating takes, measured honestly.

Each method has two phases, timed apart:

* ``setup``: the one-off work before the first result, starting from the SymPy
  expression of f: SymPy ``diff`` and ``lambdify`` for the symbolic methods,
  ``lambdify`` of f itself for the difference methods, ``lambdify`` to JAX plus
  tracing and XLA compilation (for the race's exact shape and dtype, triggered by
  one call on zeros) for ``autodiff``. It is done fresh every time it is timed: SymPy's cache is
  cleared first, and JAX gets a new Python function, so nothing is reused.
* ``evaluate``: one steady-state call on ``n`` points. A warm-up call comes
  first (its result is the one checked for accuracy); then each timed call
  recomputes everything from the input array, timed with a monotonic clock
  (``time.perf_counter``). JAX returns before its work is done, so every JAX
  call is followed by ``block_until_ready()`` inside the timed region.

Every method runs in the same dtype on the same grid, and its result is
compared with the exact derivative in float64 (on the points where both are
finite). JAX data is put on JAX's device (a GPU when JAX sees one) before the
clock starts; NumPy and SymPy always run on the CPU.

The lab (section 5) instead times each method once with ``time.time()``,
first-call costs included; :func:`lab_race` reproduces exactly that, so both
stories can be told side by side. :func:`verdicts` turns the lab's three
conclusions into claims with a measured ratio. :func:`scaling_n` and
:func:`scaling_depth` time the methods against the number of points and the
depth of the composed polynomial, inside a time budget.

One server process serves many students, so races run one at a time: every
public entry point here takes its turn in :data:`QUEUE` (pure ``threading``),
which keeps timings from disturbing each other and bounds the memory in use to
one race's arrays (see :func:`max_points`).
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sympy as sp

from . import presets, symbolic
from .bounds import TooLarge, check_derivative_size
from .expressions import Function, numeric_form
from .host import CLOUD_MEMORY, memory_available
from .memo import memo

__all__ = [
    "race", "lab_race", "verdicts", "scaling_n", "scaling_depth",
    "METHODS", "Method", "LAB_METHODS", "LAB_FIGURES",
    "grid", "max_points", "memory_available", "MAX_POINTS", "BYTES_PER_POINT", "CLOUD_MEMORY",
    "RaceQueue", "QueueFull", "QUEUE", "estimate_seconds", "estimate_method_seconds", "device_label", "race_code",
]

#: Absolute ceiling on the race size, whatever the host.
MAX_POINTS = 10_000_000
#: Peak bytes per float64 point of a race of a small function, with a margin: measured
#: about 190 for symbolic, numerical and central, 200 for autodiff and 430 for autodiff
#: without jit (which keeps every intermediate for the backward pass) at composed depth 6.
#: A longer function keeps more intermediates: see :func:`bytes_per_point`.
BYTES_PER_POINT = 500
#: Extra peak bytes per float64 point for each distinct node of f (each can be one
#: intermediate array kept for the backward pass): a product of 29 sines (88 distinct
#: nodes) peaked at about 760 bytes per point with every method.
BYTES_PER_NODE = 10
#: Time one method may spend on its timed calls before we stop repeating (seconds).
METHOD_BUDGET_S = 20.0

Progress = Callable[[str, float], None]


# --- memory: how large a race the host can afford --------------------------------

def _nice_floor(n: float) -> int:
    """The largest 1-2-5 number (1000, 2000, 5000, 10000, ...) not above n."""
    if n < 1000:
        return 1000
    exp = 10 ** int(math.floor(math.log10(n)))
    for m in (5, 2, 1):
        if m * exp <= n:
            return m * exp
    return exp


def bytes_per_point(fn: Function | None = None, dtype="float64") -> float:
    """Peak bytes per point of a race of ``fn`` with every method (an upper estimate).

    :data:`BYTES_PER_POINT`, or 100 + :data:`BYTES_PER_NODE` per distinct node of f when
    that is more, scaled by the dtype's size.
    """
    per = float(BYTES_PER_POINT)
    if fn is not None:
        per = max(per, 100.0 + BYTES_PER_NODE * len(set(sp.preorder_traversal(fn.expr))))
    return per * np.dtype(dtype).itemsize / 8


def max_points(dtype="float64", available: int | None = None, fn: Function | None = None) -> int:
    """The largest race size (a 1-2-5 number) that is safe on this host.

    Half of the memory still available (see :func:`memory_available`) divided by
    the race's peak bytes per point, never above what :data:`CLOUD_MEMORY` holds
    nor :data:`MAX_POINTS`. Races run one at a time, so one race's arrays are all
    the memory a race needs.
    """
    per_point = bytes_per_point(fn, dtype)
    avail = memory_available() if available is None else available
    budget = min(avail / 2, CLOUD_MEMORY)
    return max(1000, min(MAX_POINTS, _nice_floor(budget / per_point)))


# --- the methods: setup returns the callable that is timed --------------------------------

def _fresh_numpy(fn: Function) -> Callable:
    """f as a NumPy callable, lambdified anew (CSE on, as Function.numpy does)."""
    raw = sp.lambdify(fn.symbol, numeric_form(fn.expr), modules="numpy", cse=True)
    if fn.depends_on_x:
        return raw
    return lambda xs: np.broadcast_to(np.asarray(raw(xs), dtype=xs.dtype), xs.shape)


def _fresh_jax(fn: Function) -> Callable:
    """f as a jax.numpy function of a scalar, lambdified anew (a new object: no JAX cache hits)."""
    from ._jax import jnp

    raw = sp.lambdify(fn.symbol, numeric_form(fn.expr), modules="jax", cse=True)
    if fn.depends_on_x:
        return lambda x: raw(x)
    return lambda x: jnp.asarray(raw(x), dtype=jnp.result_type(x)) + 0 * x


def _derivative_expr(fn: Function) -> sp.Expr:
    d = numeric_form(symbolic.bounded_diff(fn.expr, fn.symbol, 1))  # fresh each setup, bounded first
    if d.has(sp.DiracDelta):  # zero everywhere a grid point can be but 0
        d = d.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    return d


def _setup_symbolic(fn: Function, dtype, n: int, cse: bool = True) -> Callable:
    d = _derivative_expr(fn)
    try:
        f = sp.lambdify(fn.symbol, d, modules="numpy", cse=cse)
    except (RecursionError, MemoryError, SyntaxError):
        raise TooLarge("f′'s generated code is too deeply nested for Python to compile") from None
    if fn.symbol in d.free_symbols:
        return f  # the generated function itself: nothing of ours in the timed call
    return lambda xs: np.broadcast_to(np.asarray(f(xs), dtype=xs.dtype), xs.shape)  # a constant f′


def _setup_symbolic_nocse(fn: Function, dtype, n: int) -> Callable:
    return _setup_symbolic(fn, dtype, n, cse=False)


def _setup_numerical(fn: Function, dtype, n: int) -> Callable:
    f = _fresh_numpy(fn)

    def run(xs):
        return np.gradient(f(xs), xs)

    return run


def central_step(dtype) -> float:
    """The central difference's best relative step: ε^(1/3) (truncation h² against round-off ε/h)."""
    return float(np.finfo(dtype).eps) ** (1.0 / 3.0)


def _setup_central(fn: Function, dtype, n: int) -> Callable:
    f = _fresh_numpy(fn)
    c = np.dtype(dtype).type(central_step(dtype))
    one = np.dtype(dtype).type(1)

    def run(xs):
        h = c * np.maximum(one, np.abs(xs))   # relative step, at least ε^(1/3)
        xp, xm = xs + h, xs - h
        return (f(xp) - f(xm)) / (xp - xm)     # divide by the step actually taken

    return run


def _setup_autodiff(fn: Function, dtype, n: int, jit: bool = True) -> Callable:
    from ._jax import jax, jnp

    g = jax.vmap(jax.grad(_fresh_jax(fn)))  # a new function object: nothing is cached yet
    if jit:
        # Trace and compile for exactly the race's shape and dtype (by a call on zeros,
        # so that evaluate times the same jit dispatch a student's df(xs) goes through).
        g = jax.jit(g)
        g(jnp.zeros(int(n), dtype=dtype)).block_until_ready()

    def run(xs):
        return g(xs).block_until_ready()

    return run


def _setup_autodiff_nojit(fn: Function, dtype, n: int) -> Callable:
    return _setup_autodiff(fn, dtype, n, jit=False)


@dataclass(frozen=True)
class Method:
    """One way to get f′ on a grid: what is timed in each phase, and the code a student writes."""

    name: str
    label: str
    setup: Callable[[Function, np.dtype, int], Callable]  # fresh, uncached preparation -> run(xs)
    setup_code: str                                        # what the setup phase times
    evaluate_code: str                                     # what the evaluate phase times
    jax: bool = False                                      # runs on JAX's device
    symbolic: bool = False                                 # its setup uses SymPy's cache


METHODS: dict[str, Method] = {
    m.name: m
    for m in [
        Method("symbolic", "SymPy diff + lambdify (CSE)", _setup_symbolic,
               "df = sp.lambdify(x, sp.diff(f, x), 'numpy', cse=True)", "df(xs)", symbolic=True),
        Method("symbolic_nocse", "SymPy diff + lambdify (no CSE, the lab's)", _setup_symbolic_nocse,
               "df = sp.lambdify(x, sp.diff(f, x), 'numpy')", "df(xs)", symbolic=True),
        Method("numerical", "NumPy np.gradient (evaluates f too)", _setup_numerical,
               "f = sp.lambdify(x, f, 'numpy', cse=True)", "np.gradient(f(xs), xs)"),
        Method("central", "central difference, h = ε^(1/3)·max(1, |x|)", _setup_central,
               "f = sp.lambdify(x, f, 'numpy', cse=True)\nc = np.finfo(xs.dtype).eps ** (1/3)",
               "h = c * np.maximum(1, np.abs(xs)); xp, xm = xs + h, xs - h\n(f(xp) - f(xm)) / (xp - xm)"),
        Method("autodiff", "JAX jit(vmap(grad))", _setup_autodiff,
               "f = sp.lambdify(x, f, 'jax', cse=True)\n"
               "df = jax.jit(jax.vmap(jax.grad(f)))\n"
               "df(jax.numpy.zeros(xs.shape, xs.dtype)).block_until_ready()   # trace + compile for this shape",
               "df(xs_jax).block_until_ready()", jax=True),
        Method("autodiff_nojit", "JAX vmap(grad), no jit", _setup_autodiff_nojit,
               "f = sp.lambdify(x, f, 'jax', cse=True)\ndf = jax.vmap(jax.grad(f))",
               "df(xs_jax).block_until_ready()", jax=True),
    ]
}

#: The lab's own three methods, the default of every race.
LAB_METHODS = ("symbolic", "numerical", "autodiff")


def device_label(method: str) -> str:
    """Where a method computes: 'cpu (NumPy)' or JAX's backend and device."""
    if not METHODS[method].jax:
        return "cpu (NumPy)"
    from ._jax import backend, device_name

    kind, name = backend(), device_name()
    return f"{kind} (JAX)" if name.lower() == kind else f"{kind} (JAX, {name})"


def grid(n: int, dtype="float64", lo: float = -5.0, hi: float = 5.0) -> np.ndarray:
    """The race grid: ``n`` evenly spaced points on [lo, hi] (the lab's [-5, 5])."""
    n = int(n)
    if not 3 <= n <= MAX_POINTS:
        raise ValueError(f"n must be between 3 and {MAX_POINTS:,}, got {n:,}")
    return np.linspace(lo, hi, n).astype(dtype)


def _errors(result, exact) -> tuple[float, float, int]:
    """Max absolute and relative error on the points where both are finite; and the
    count of points where the method gave nan/inf but the exact derivative is finite.

    The relative error is |error| / max(|f′|, 1): relative where |f′| ≥ 1 and
    absolute below, so that a zero of f′ (where any rounding is "infinitely"
    wrong relatively) does not swamp the figure.
    """
    res = np.asarray(result, dtype=np.float64)
    exact_ok = np.isfinite(exact)
    ok = exact_ok & np.isfinite(res)
    nonfinite = int((exact_ok & ~np.isfinite(res)).sum())
    if not ok.any():
        return float("nan"), float("nan"), nonfinite
    abs_err = np.abs(res[ok] - exact[ok])
    scale = np.maximum(np.abs(exact[ok]), 1.0)
    return float(abs_err.max()), float((abs_err / scale).max()), nonfinite


def _to_device(method: Method, xs: np.ndarray):
    if method.jax:
        from ._jax import jax, jnp

        return jax.block_until_ready(jnp.asarray(xs))  # on JAX's default device (GPU if any)
    return xs


def _clock() -> float:
    """The harness's clock: monotonic, high resolution. (Tests replace it.)"""
    return time.perf_counter()


def _time_calls(run: Callable, data, calls: int) -> list[float]:
    """Time ``calls`` separate calls of ``run(data)``; each result is dropped before the next.

    Nothing is carried from one call to the next: each call recomputes from ``data``.
    """
    times = []
    for _ in range(calls):
        t0 = _clock()
        out = run(data)
        times.append(_clock() - t0)
        del out
    return times


def _time_setups(method: Method, fn: Function, dtype, n: int, runs: int,
                 budget_s: float) -> tuple[list[float], Callable]:
    """Time ``runs`` fresh setups (fewer when one is slow); return the times and the last callable."""
    times, run = [], None
    for _ in range(runs):
        if method.symbolic:
            sp.core.cache.clear_cache()  # diff must not come from SymPy's cache
        t0 = _clock()
        run = method.setup(fn, dtype, n)
        times.append(_clock() - t0)
        if sum(times) * (len(times) + 1) / len(times) > budget_s / 4:
            break
    return times, run


def _stats(seconds: Sequence[float]) -> dict:
    ms = np.asarray(seconds, dtype=float) * 1e3
    return dict(median_ms=float(np.median(ms)), min_ms=float(ms.min()), max_ms=float(ms.max()), runs=len(ms))


def race(
    fn: Function,
    n: int = 1_000_000,
    methods: Sequence[str] = LAB_METHODS,
    repeats: int = 7,
    dtype: str = "float64",
    progress: Progress | None = None,
    *,
    lo: float = -5.0,
    hi: float = 5.0,
    setup_runs: int | None = None,
    budget_s: float = METHOD_BUDGET_S,
) -> pd.DataFrame:
    """Time each method's setup and evaluation; one row per (method, phase).

    Columns: method, phase, median_ms, min_ms, max_ms, runs, max_abs_error,
    max_rel_error, nonfinite, n, dtype, out_dtype, device. Errors are against
    the exact derivative in float64, on the points where both are finite (the
    relative one is |error| / max(|f′|, 1));
    ``nonfinite`` counts points where the method gave nan or inf but the exact
    derivative is finite. ``setup_runs`` defaults to min(repeats, 3). A
    method whose warm-up call shows that ``repeats`` calls would take longer
    than ``budget_s`` gets fewer timed calls (at least one); ``runs`` says how
    many. ``progress(message, fraction)`` is called between steps.
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError("dtype must be float32 or float64")
    repeats = max(1, int(repeats))
    methods = list(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; choose from {list(METHODS)}")
    setup_runs = min(repeats, 3) if setup_runs is None else max(1, int(setup_runs))
    xs = grid(n, dtype, lo, hi)
    exact = _exact(fn, xs)
    with np.errstate(all="ignore"):  # nan and inf where f′ is undefined or overflows: counted, not warned
        rows = _race_methods(fn, n, methods, repeats, dtype, progress, xs, exact, setup_runs, budget_s)
    if progress:
        progress("done", 1.0)
    return pd.DataFrame(rows)


def _race_methods(fn, n, methods, repeats, dtype, progress, xs, exact, setup_runs, budget_s) -> list[dict]:
    rows = []
    for i, name in enumerate(methods):
        method = METHODS[name]
        if progress:
            progress(f"{name}: setup ({method.label})", i / len(methods))
        setups, run = _time_setups(method, fn, dtype, int(n), setup_runs, budget_s)
        data = _to_device(method, xs)
        if progress:
            progress(f"{name}: warm-up call on {n:,} points", (i + 0.3) / len(methods))
        t0 = _clock()
        result = run(data)  # warm-up, and the result we check
        warm = _clock() - t0
        abs_err, rel_err, nonfinite = _errors(result, exact)
        out_dtype = str(result.dtype)
        del result
        calls = max(1, min(repeats, int(budget_s / max(warm, 1e-9))))
        if progress:
            progress(f"{name}: evaluate ×{calls}", (i + 0.5) / len(methods))
        evals = _time_calls(run, data, calls)
        del data, run
        common = dict(max_abs_error=abs_err, max_rel_error=rel_err, nonfinite=nonfinite, n=int(n),
                      dtype=dtype.name, out_dtype=out_dtype, device=device_label(name))
        rows.append(dict(method=name, phase="setup", **_stats(setups), **common))
        rows.append(dict(method=name, phase="evaluate", **_stats(evals), **common))
    return rows


def _exact(fn: Function, xs: np.ndarray) -> np.ndarray:
    from .symbolic import derivative_values

    return derivative_values(fn, xs.astype(np.float64))


# --- the lab's way: one shot, time.time(), first calls included --------------------------

#: The lab's printed figures (ms, 10^6 points), for the functions it raced.
LAB_FIGURES: dict[str, dict[str, float]] = {
    "x^2": {"symbolic": 4.97, "numerical": 46.4, "autodiff": 62.7},
    "composed:3": {"symbolic": 357.3, "autodiff": 226.1},
}

LAB_CODE = {
    "symbolic": "res = lambdify(x, diff(f(x), x), 'numpy')(x_array_large)",
    "numerical": "res = np.gradient(f(x_array_large), x_array_large)",
    "autodiff": "res = vmap(grad(f))(jnp.array(x_array_large.astype('float32')))",
}


def _lab_f_of_x(fn: Function) -> sp.Expr:
    """``f(x)`` as the lab builds it inside its timed line (the loop for the composed polynomial)."""
    depth = presets.composed_depth(fn)
    if depth:
        t = fn.symbol
        for _ in range(depth):
            t = presets.lab_polynomial(t)
        return t
    return fn.expr


def lab_race(
    fn: Function,
    n: int = 1_000_000,
    methods: Sequence[str] = LAB_METHODS,
    *,
    lo: float = -5.0,
    hi: float = 5.0,
    cold: bool = True,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """The lab's measurement: each method once, with ``time.time()``, first-call costs included.

    Symbolic is ``lambdify(x, diff(f(x), x), 'numpy')(xs)`` (no CSE; building
    f(x), ``diff`` and ``lambdify`` all inside the clock), numerical
    ``np.gradient(f(xs), xs)``, autodiff ``vmap(grad(f))(jnp.array(xs.astype('float32')))``
    (no jit, float32, and no wait for the result: the clock stops when JAX
    returns). With ``cold`` SymPy's cache is cleared first, as in the lab's
    fresh notebook. JAX's compile caches are *not* cleared: they belong to the
    whole server, and clearing them would make every other student's jitted
    functions recompile. So the autodiff figure here includes tracing and the
    compiling of anything new, but is lower than a fresh notebook's. One row per method: ``ms`` (the lab's figure),
    ``ready_ms`` (until the result really exists), dtype, errors, ``lab_ms``
    (what the lab printed, where it raced this function) and the code.
    """
    from ._jax import jax, jnp

    xs = np.linspace(lo, hi, int(n))  # the lab's grid: float64
    exact = _exact(fn, xs)
    f_np = fn.numpy
    f_jax = fn.jax
    rows = []
    for i, name in enumerate(methods):
        if name not in LAB_CODE:
            raise ValueError(f"the lab only raced {list(LAB_CODE)}, not {name!r}")
        if progress:
            progress(f"lab mode: {name}, once with time.time()", i / len(methods))
        if cold:
            sp.core.cache.clear_cache()
        if name == "symbolic":  # the lab's diff runs inside its timing: bound it first
            check_derivative_size(_lab_f_of_x(fn), fn.symbol)
        tic = time.time()
        if name == "symbolic":
            x = fn.symbol
            with np.errstate(all="ignore"):
                res = sp.lambdify(x, sp.diff(_lab_f_of_x(fn), x), "numpy")(xs)
        elif name == "numerical":
            with np.errstate(all="ignore"):
                res = np.gradient(f_np(xs), xs)
        else:
            res = jax.vmap(jax.grad(f_jax))(jnp.array(xs.astype("float32")))
        toc = time.time()
        if name == "autodiff":
            res = res.block_until_ready()
        ready = time.time()
        res = np.broadcast_to(np.asarray(res), xs.shape)
        abs_err, rel_err, nonfinite = _errors(res, exact)
        rows.append(dict(
            method=name, phase="lab (one shot)", ms=1e3 * (toc - tic), ready_ms=1e3 * (ready - tic),
            dtype="float32" if name == "autodiff" else "float64", max_abs_error=abs_err,
            max_rel_error=rel_err, nonfinite=nonfinite, n=int(n),
            lab_ms=LAB_FIGURES.get(fn.text, {}).get(name, float("nan")), code=LAB_CODE[name],
        ))
        del res
    if progress:
        progress("done", 1.0)
    return pd.DataFrame(rows)


# --- the lab's verdicts, as claims with a measured ratio -------------------------------------

#: "Similar" in the lab's second verdict: within this factor of each other.
SIMILAR = 2.0


def verdicts(
    n: int = 1_000_000,
    repeats: int = 5,
    dtype: str = "float64",
    *,
    depths: tuple[int, int] = (1, 3),
    progress: Progress | None = None,
    cold: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Test the lab's three conclusions, in lab mode and in honest mode.

    Races x² (symbolic, numerical, autodiff) and the composed polynomial at the
    two ``depths`` (symbolic, autodiff), both ways: the lab's one-shot timing and
    the harness's steady-state evaluate medians (symbolic with CSE, autodiff
    jitted, all in ``dtype``; symbolic without CSE is shown too for the last claim).
    Returns (claims, measurements): claims has one row per (claim, mode) with
    the ratio, the test and whether it holds; measurements has every time used.
    """
    from .presets import composed_polynomial, resolve

    square = resolve("x^2")
    shallow, deep = (composed_polynomial(d) for d in depths)
    plan = [("x^2", square, LAB_METHODS), (shallow.text, shallow, ("symbolic", "autodiff")),
            (deep.text, deep, ("symbolic", "autodiff"))]
    meas = []
    steps = 2 * len(plan)
    for k, (spec, fn, methods) in enumerate(plan):
        sub = _sub_progress(progress, 2 * k, steps, f"{spec}: ")
        lab = lab_race(fn, n, methods, cold=cold, progress=sub)
        meas += [dict(function=spec, mode="lab", method=r.method, ms=r.ms) for r in lab.itertuples()]
        honest_methods = list(methods) + (["symbolic_nocse"] if spec != "x^2" else [])
        sub = _sub_progress(progress, 2 * k + 1, steps, f"{spec}: ")
        hon = race(fn, n, honest_methods, repeats, dtype, sub)
        ev = hon[hon.phase == "evaluate"]
        meas += [dict(function=spec, mode="honest", method=r.method, ms=r.median_ms) for r in ev.itertuples()]
    m = pd.DataFrame(meas)

    def t(spec, mode, method):
        return float(m[(m.function == spec) & (m["mode"] == mode) & (m.method == method)].ms.iloc[0])

    rows = []
    for mode in ("lab", "honest"):
        sym, num, ad = (t("x^2", mode, k) for k in LAB_METHODS)
        ratio = num / max(sym, ad)
        rows.append(dict(claim="numerical is slowest", mode=mode, function="x²",
                         comparison="numerical ÷ slower of symbolic, autodiff", ratio=ratio,
                         test="ratio > 1", holds=bool(ratio > 1)))
        ratio = max(sym, ad) / min(sym, ad)
        rows.append(dict(claim="symbolic and autodiff are similar for x²", mode=mode, function="x²",
                         comparison=("symbolic ÷ autodiff" if sym >= ad else "autodiff ÷ symbolic")
                         + " (slower ÷ faster)", ratio=ratio,
                         test=f"ratio ≤ {SIMILAR:g}", holds=bool(ratio <= SIMILAR)))
        variants = [("symbolic", "")] if mode == "lab" else [("symbolic", " (CSE)"),
                                                             ("symbolic_nocse", " without CSE")]
        for sym_name, note in variants:
            r1 = t(shallow.text, mode, sym_name) / t(shallow.text, mode, "autodiff")
            r2 = t(deep.text, mode, sym_name) / t(deep.text, mode, "autodiff")
            rows.append(dict(claim="autodiff wins as the graph grows", mode=mode + note,
                             function=f"p composed {depths[0]}× and {depths[1]}×",
                             comparison=f"symbolic ÷ autodiff at depth {depths[1]} (at depth {depths[0]}: {r1:.3g})",
                             ratio=r2, test=f"ratio > 1 and above depth {depths[0]}'s",
                             holds=bool(r2 > 1 and r2 > r1)))
    claims = pd.DataFrame(rows)
    claims["n"] = int(n)
    claims["dtype"] = np.where(claims["mode"] == "lab", "float64 (autodiff float32)", np.dtype(dtype).name)
    return claims, m


def _sub_progress(progress: Progress | None, k: int, steps: int, prefix: str = "") -> Progress | None:
    if progress is None:
        return None
    return lambda msg, frac: progress(prefix + msg, (k + min(frac, 1.0)) / steps)


# --- scaling: time against n, and against the depth of the composition -------------------------

def _skip_row(**kw) -> dict:
    return dict(median_ms=float("nan"), min_ms=float("nan"), max_ms=float("nan"), runs=0, **kw)


def scaling_n(
    fn: Function,
    ns: Sequence[int] = (1_000, 10_000, 100_000, 1_000_000),
    methods: Sequence[str] = LAB_METHODS,
    repeats: int = 3,
    dtype: str = "float64",
    *,
    lo: float = -5.0,
    hi: float = 5.0,
    budget_s: float = 30.0,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Evaluate time (median) of each method against n, within ``budget_s`` seconds in all.

    Sizes go up; a method's next size is skipped (status says why) when its
    time so far, scaled linearly in n, predicts more than the budget left.
    Columns: method, n, median_ms, min_ms, max_ms, runs, setup_ms, status, dtype.
    """
    ns = sorted(int(k) for k in ns)
    rows, start = [], time.perf_counter()
    last: dict[str, tuple[int, float]] = {}
    total = len(ns) * len(methods)
    for i, n in enumerate(ns):
        for j, name in enumerate(methods):
            step = i * len(methods) + j
            left = budget_s - (time.perf_counter() - start)
            if name in last:
                n0, t0 = last[name]
                guess = t0 * n / n0 * (repeats + 2)
                if guess > left:
                    rows.append(_skip_row(method=name, n=n, setup_ms=float("nan"), dtype=np.dtype(dtype).name,
                                          status=f"skipped: about {guess:.1f} s expected, {max(left, 0):.1f} s "
                                                 f"of the {budget_s:g} s budget left"))
                    continue
            sub = _sub_progress(progress, step, total, f"n = {n:,}: ")
            df = race(fn, n, [name], repeats, dtype, sub, lo=lo, hi=hi, setup_runs=1,
                      budget_s=max(left, 1.0) / 2)
            ev = df[df.phase == "evaluate"].iloc[0]
            last[name] = (n, ev.median_ms / 1e3)
            rows.append(dict(method=name, n=n, median_ms=ev.median_ms, min_ms=ev.min_ms, max_ms=ev.max_ms,
                             runs=int(ev.runs), setup_ms=float(df[df.phase == "setup"].median_ms.iloc[0]),
                             status="ok", dtype=np.dtype(dtype).name))
    return pd.DataFrame(rows)


DEPTH_METHODS = ("symbolic", "symbolic_nocse", "autodiff", "autodiff_nojit")


def scaling_depth(
    n: int = 1_000_000,
    depths: Sequence[int] = (1, 2, 3, 4, 5, 6),
    methods: Sequence[str] = DEPTH_METHODS,
    repeats: int = 3,
    dtype: str = "float64",
    *,
    budget_s: float = 60.0,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Evaluate and setup time of each method against the depth of the composed polynomial.

    Within ``budget_s`` seconds in all: a method's next depth is skipped (status
    says why) when its last time, scaled by how much its code grows (the
    derivative's tree size for symbolic without CSE, its CSE'd size otherwise),
    predicts more than the budget left. Columns: method, depth, median_ms,
    min_ms, max_ms, runs, setup_ms, tree_ops, cse_ops, status, n, dtype.
    """
    from .presets import composed_polynomial
    from .symbolic import count_ops, cse_ops

    depths = sorted(int(d) for d in depths)
    sizes = {}
    for d in depths:
        expr = sp.diff(composed_polynomial(d).expr, composed_polynomial(d).symbol)
        sizes[d] = (count_ops(expr), cse_ops(expr))
    rows, start = [], time.perf_counter()
    last: dict[str, tuple[int, float]] = {}
    total = len(depths) * len(methods)
    for i, d in enumerate(depths):
        fn = composed_polynomial(d)
        tree, graph = sizes[d]
        for j, name in enumerate(methods):
            left = budget_s - (time.perf_counter() - start)
            common = dict(method=name, depth=d, tree_ops=tree, cse_ops=graph, n=int(n), dtype=np.dtype(dtype).name)
            if name in last:
                d0, t0 = last[name]
                k = 0 if name == "symbolic_nocse" else 1
                growth = sizes[d][k] / max(sizes[d0][k], 1)
                guess = t0 * growth * (repeats + 2)
                if guess > left:
                    rows.append(_skip_row(setup_ms=float("nan"), **common,
                                          status=f"skipped: about {guess:.1f} s expected, {max(left, 0):.1f} s "
                                                 f"of the {budget_s:g} s budget left"))
                    continue
            sub = _sub_progress(progress, i * len(methods) + j, total, f"depth {d}: ")
            df = race(fn, n, [name], repeats, dtype, sub, setup_runs=1, budget_s=max(left, 1.0) / 2)
            ev = df[df.phase == "evaluate"].iloc[0]
            last[name] = (d, ev.median_ms / 1e3)
            rows.append(dict(median_ms=ev.median_ms, min_ms=ev.min_ms, max_ms=ev.max_ms, runs=int(ev.runs),
                             setup_ms=float(df[df.phase == "setup"].median_ms.iloc[0]), status="ok", **common))
    return pd.DataFrame(rows)


# --- one race at a time: a process-wide queue ---------------------------------------------

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
    ``slot`` (so :func:`verdicts` can call :func:`race`). :meth:`status` shows a
    ticket's label only to its own owner. Pure ``threading``.
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


def _one_at_a_time(func):
    """Run ``func`` in its turn in :data:`QUEUE` (a caller may take the turn first, with
    its own estimate and waiting messages: the nested call then passes through)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with QUEUE.slot(func.__name__):
            return func(*args, **kwargs)

    return wrapper


race = _one_at_a_time(race)
lab_race = _one_at_a_time(lab_race)
verdicts = _one_at_a_time(verdicts)
scaling_n = _one_at_a_time(scaling_n)
scaling_depth = _one_at_a_time(scaling_depth)


#: Rough cost per point per operation of one evaluation (seconds), for wait estimates only.
_NS_PER_OP = {"symbolic": 4e-9, "symbolic_nocse": 4.6e-9, "numerical": 5e-9, "central": 10e-9,
              "autodiff": 1e-9, "autodiff_nojit": 8e-9}


@memo(max_entries=512, ttl_s=3600, max_bytes=2**20, sizeof=lambda v: 100)
def _op_counts(fn: Function) -> tuple[int, int, int]:
    """Operations in f′ as a tree and after CSE, and in f after CSE (remembered per function)."""
    from .symbolic import count_ops, cse_ops, derivative

    d = derivative(fn)
    return count_ops(d), cse_ops(d), cse_ops(fn.expr)


def estimate_method_seconds(fn: Function, n: int, method: str, repeats: int) -> float:
    """A rough guess of one method's share of :func:`race` (setup, warm-up and timed calls).

    Counts operations (the derivative's tree for symbolic without CSE, its CSE'd
    graph otherwise) and assumes a few nanoseconds per point per operation:
    good to a factor of a few, which is enough to tell a student how long to
    wait or to skip a method that would take minutes. ``repeats=0`` estimates
    a single call (the lab's one shot).
    """
    tree, graph, f_ops = _op_counts(fn)
    ops = {"symbolic_nocse": tree, "numerical": f_ops + 3, "central": 2 * f_ops + 6}.get(method, graph)
    per_call = _NS_PER_OP.get(method, 5e-9) * n * max(ops, 1)
    if repeats <= 0:  # one shot, as the lab times it
        return float(0.2 + per_call)
    calls = max(1, min(int(repeats), int(METHOD_BUDGET_S / max(per_call, 1e-9))))
    return float(0.2 + per_call * (calls + 1))


def estimate_seconds(fn: Function, n: int, methods: Sequence[str], repeats: int, lab: bool = True) -> float:
    """A rough guess of how long :func:`race` (plus :func:`lab_race` when ``lab``) takes, for
    telling waiting students how long their turn is in coming. Cheap: counts operations."""
    total = sum(estimate_method_seconds(fn, n, m, repeats) for m in methods)
    if lab:
        total += sum(estimate_method_seconds(fn, n, m, 0) for m in ("symbolic_nocse", "numerical",
                                                                    "autodiff_nojit")) + 0.5
    return float(total)


# --- the code that produced each number -------------------------------------------------------

def race_code(fn_def: str, n: int, dtype: str, method: str, repeats: int, lo: float = -5.0,
              hi: float = 5.0) -> str:
    """Notebook code that times ``method`` the way :func:`race` does (``fn_def`` defines sympy f)."""
    m = METHODS[method]
    lines = [fn_def.rstrip(), "import time", "import numpy as np"]
    if m.jax:
        lines += ["import jax", "jax.config.update('jax_enable_x64', True)   # float64 is a choice, not an accident"]
    lines += [f"xs = np.linspace({lo:g}, {hi:g}, {int(n)}).astype('{dtype}')"]
    if m.jax:
        lines.append("xs_jax = jax.device_put(xs)   # on JAX's device (a GPU when it sees one)")
    body = m.evaluate_code.split("\n")
    lines += ["", "# setup, timed apart (SymPy's cache cleared first, so diff is really done)",
              "sp.core.cache.clear_cache()", "t0 = time.perf_counter()", m.setup_code,
              "setup_ms = 1e3 * (time.perf_counter() - t0)",
              "", "# evaluate: one warm-up call, then the median of separate timed calls", *body,
              "times = []", f"for _ in range({int(repeats)}):", "    t0 = time.perf_counter()",
              *("    " + b for b in body[:-1]), f"    out = {body[-1]}",
              "    times.append(1e3 * (time.perf_counter() - t0))",
              "print(f'setup {setup_ms:.3g} ms, evaluate {np.median(times):.3g} ms')"]
    return "\n".join(lines) + "\n"
