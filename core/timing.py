"""The race harness: how long each way of differentiating takes, measured honestly.

Each method has two phases, timed apart:

* ``setup``: the one-off work before the first result (SymPy ``diff`` and
  ``lambdify``; JAX tracing and XLA compilation), done fresh each time it is timed;
* ``evaluate``: one steady-state call on ``n`` points, after a warm-up call,
  timed with a monotonic clock (``time.perf_counter``); JAX results are waited
  for with ``block_until_ready()`` because JAX returns before the work is done.

Every method runs in the same dtype on the same grid, and its result is
compared with the exact derivative in float64.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import sympy as sp

from .expressions import Function
from .symbolic import derivative_values

__all__ = ["race", "METHODS", "Method", "grid", "MAX_POINTS"]

#: Largest race size: 10^7 float64 points is 80 MB per array, a few arrays live at once.
MAX_POINTS = 10_000_000


@dataclass(frozen=True)
class Method:
    name: str
    label: str
    code: str                                   # what a student would write
    setup: Callable[[Function, np.dtype], Callable]  # fresh, uncached preparation


def _setup_symbolic(fn: Function, dtype, cse: bool = True):
    d = sp.diff(fn.expr, fn.symbol)
    if d.has(sp.DiracDelta):
        d = d.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    f = sp.lambdify(fn.symbol, d, modules="numpy", cse=cse)

    def run(xs):
        with np.errstate(all="ignore"):
            out = np.asarray(f(xs))
        return np.broadcast_to(out, xs.shape) if out.shape != xs.shape else out

    return run


def _setup_numerical(fn: Function, dtype):
    f = fn._numpy_raw if hasattr(fn, "_numpy_raw") else fn.numpy

    def run(xs):
        with np.errstate(all="ignore"):
            ys = np.asarray(f(xs))
            if ys.shape != xs.shape:
                ys = np.broadcast_to(ys, xs.shape)
            return np.gradient(ys, xs)

    return run


def _setup_autodiff(fn: Function, dtype, jit: bool = True):
    from ._jax import jax, jnp

    g = jax.vmap(jax.grad(lambda x: fn.jax(x)))  # a new function: nothing cached
    g = jax.jit(g) if jit else g

    def run(xs):
        return g(xs).block_until_ready()

    # Setup ends when the first call has traced and compiled.
    run(jnp.zeros(8, dtype=dtype))
    return run


METHODS: dict[str, Method] = {
    m.name: m
    for m in [
        Method("symbolic", "SymPy diff + lambdify (CSE)",
               "df = sp.lambdify(x, sp.diff(f, x), 'numpy', cse=True)\ndf(xs)", _setup_symbolic),
        Method("numerical", "NumPy np.gradient",
               "np.gradient(f(xs), xs)", _setup_numerical),
        Method("autodiff", "JAX jit(vmap(grad))",
               "df = jax.jit(jax.vmap(jax.grad(f)))\ndf(xs).block_until_ready()", _setup_autodiff),
    ]
}


def grid(n: int, dtype="float64", lo: float = -5.0, hi: float = 5.0) -> np.ndarray:
    """The race grid: ``n`` evenly spaced points on [lo, hi] (the lab's [-5, 5])."""
    n = int(n)
    if not 3 <= n <= MAX_POINTS:
        raise ValueError(f"n must be between 3 and {MAX_POINTS:,}, got {n:,}")
    return np.linspace(lo, hi, n).astype(dtype)


def _errors(result, exact) -> tuple[float, float]:
    res = np.asarray(result, dtype=np.float64)
    ok = np.isfinite(exact) & np.isfinite(res)
    if not ok.any():
        return float("nan"), float("nan")
    abs_err = np.abs(res[ok] - exact[ok])
    scale = np.maximum(np.abs(exact[ok]), np.finfo(np.float64).tiny)
    return float(abs_err.max()), float((abs_err / scale).max())


def _to_device(name: str, xs: np.ndarray):
    if name.startswith("autodiff"):
        from ._jax import jnp

        return jnp.asarray(xs)
    return xs


def race(
    fn: Function,
    n: int = 1_000_000,
    methods=("symbolic", "numerical", "autodiff"),
    repeats: int = 7,
    dtype: str = "float64",
    progress: Callable[[str, float], None] | None = None,
) -> pd.DataFrame:
    """Time each method's setup and evaluation; one row per (method, phase).

    Columns: method, phase, median_ms, min_ms, max_ms, runs, max_abs_error,
    max_rel_error, nonfinite, n, dtype. Errors are against the exact
    derivative in float64, on the finite points; ``nonfinite`` counts points
    where the method gave nan or inf but the exact derivative is finite.
    ``progress(message, fraction)`` is called between steps when given.
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError("dtype must be float32 or float64")
    repeats = max(1, int(repeats))
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; choose from {list(METHODS)}")
    xs = grid(n, dtype)
    exact = derivative_values(fn, xs.astype(np.float64))
    rows = []
    setup_runs = min(repeats, 3)
    for i, name in enumerate(methods):
        method = METHODS[name]
        if progress:
            progress(f"{method.label}: setup", i / len(methods))
        setups = []
        for _ in range(setup_runs):
            t0 = time.perf_counter()
            run = method.setup(fn, dtype)
            setups.append(time.perf_counter() - t0)
        data = _to_device(name, xs)
        result = run(data)  # warm-up, and the result we check
        abs_err, rel_err = _errors(result, exact)
        nonfinite = int((~np.isfinite(np.asarray(result, dtype=np.float64)) & np.isfinite(exact)).sum())
        if progress:
            progress(f"{method.label}: evaluate ×{repeats}", (i + 0.5) / len(methods))
        evals = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            run(data)
            evals.append(time.perf_counter() - t0)
        del result
        for phase, times in (("setup", setups), ("evaluate", evals)):
            ms = np.asarray(times) * 1e3
            rows.append(dict(
                method=name, phase=phase, median_ms=float(np.median(ms)), min_ms=float(ms.min()),
                max_ms=float(ms.max()), runs=len(ms), max_abs_error=abs_err, max_rel_error=rel_err,
                nonfinite=nonfinite, n=int(n), dtype=dtype.name,
            ))
    if progress:
        progress("done", 1.0)
    return pd.DataFrame(rows)
