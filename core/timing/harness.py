"""The race harness: how long each method takes, measured honestly, and how accurate it is.

Each method (:mod:`core.timing.methods`) has two phases, timed apart:

* ``setup``: the one-off work before the first result, done fresh every time it
  is timed (SymPy's cache is cleared first for the symbolic methods; JAX gets a
  new Python function, so nothing is reused): :func:`time_setups`.
* ``evaluate``: one steady-state call on ``n`` points. First comes the **warm-up**
  (:func:`warm_up`): one untimed-for-the-median call whose result is the one
  checked for accuracy and whose duration decides how many timed calls fit the
  budget. Then each timed call recomputes everything from the input array, on
  :func:`clock` (``time.perf_counter``, monotonic): :func:`time_calls`. JAX
  returns before its work is done, so every JAX call is followed by
  ``block_until_ready()`` inside the timed region (the methods' ``run`` does it).

Every method runs in the same dtype on the same grid (:func:`grid`), and its
result is compared with the exact derivative in float64 (:func:`core.reference.exact`)
by :func:`core.reference.errors`: the accuracy columns (:func:`accuracy`). JAX data
is put on JAX's device (a GPU when JAX sees one) before the clock starts; NumPy
and SymPy always run on the CPU.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import sympy as sp

from ..expressions import Function
from ..reference import errors, exact
from .methods import LAB_METHODS, METHODS, Method, device_label
from .queue import one_at_a_time
from .sizing import MAX_POINTS

__all__ = ["race", "grid", "warm_up", "time_setups", "time_calls", "accuracy", "clock", "sub_progress",
           "Progress", "METHOD_BUDGET_S"]

#: Time one method may spend on its timed calls before we stop repeating (seconds).
METHOD_BUDGET_S = 20.0

#: ``progress(message, fraction)``: what a long call reports between its steps.
Progress = Callable[[str, float], None]


def clock() -> float:
    """The harness's clock: monotonic, high resolution (``time.perf_counter``). Tests replace it."""
    return time.perf_counter()


def grid(n: int, dtype="float64", lo: float = -5.0, hi: float = 5.0) -> np.ndarray:
    """The race grid: ``n`` evenly spaced points on [lo, hi] (the lab's [-5, 5])."""
    n = int(n)
    if not 3 <= n <= MAX_POINTS:
        raise ValueError(f"n must be between 3 and {MAX_POINTS:,}, got {n:,}")
    return np.linspace(lo, hi, n).astype(dtype)


def sub_progress(progress: Progress | None, k: int, steps: int, prefix: str = "") -> Progress | None:
    """Step ``k`` of ``steps`` of a longer job: maps a call's own 0..1 onto its share of ``progress``."""
    if progress is None:
        return None
    return lambda msg, frac: progress(prefix + msg, (k + min(frac, 1.0)) / steps)


def accuracy(result, want: np.ndarray) -> dict:
    """The race's accuracy columns of ``result`` against the exact f′ ``want`` (see
    :func:`core.reference.errors`): max_abs_error, max_scaled_error, nonfinite."""
    e = errors(result, want)
    return dict(max_abs_error=e["max_abs"], max_scaled_error=e["max_scaled"], nonfinite=e["nonfinite"])


def _to_device(method: Method, xs: np.ndarray):
    if method.jax:
        from ..jax64 import jax, jnp

        return jax.block_until_ready(jnp.asarray(xs))  # on JAX's default device (GPU if any)
    return xs


def time_setups(method: Method, fn: Function, dtype, n: int, runs: int,
                budget_s: float) -> tuple[list[float], Callable]:
    """Time ``runs`` fresh setups (fewer when one is slow); return the times and the last callable."""
    times, run = [], None
    for _ in range(runs):
        if method.symbolic:
            sp.core.cache.clear_cache()  # diff must not come from SymPy's cache
        t0 = clock()
        run = method.setup(fn, dtype, n)
        times.append(clock() - t0)
        if sum(times) * (len(times) + 1) / len(times) > budget_s / 4:
            break
    return times, run


def warm_up(run: Callable, data) -> tuple[object, float]:
    """The race's warm-up: one call of ``run(data)`` before the timed ones.

    Returns its result (the one checked for accuracy) and its seconds (which
    decide how many timed calls fit the budget). Not part of the medians.
    """
    t0 = clock()
    result = run(data)
    return result, clock() - t0


def time_calls(run: Callable, data, calls: int) -> list[float]:
    """Time ``calls`` separate calls of ``run(data)``; each result is dropped before the next.

    Nothing is carried from one call to the next: each call recomputes from ``data``.
    """
    times = []
    for _ in range(calls):
        t0 = clock()
        out = run(data)
        times.append(clock() - t0)
        del out
    return times


def _stats(seconds: Sequence[float]) -> dict:
    ms = np.asarray(seconds, dtype=float) * 1e3
    return dict(median_ms=float(np.median(ms)), min_ms=float(ms.min()), max_ms=float(ms.max()), runs=len(ms))


@one_at_a_time
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
    """Time each method's setup and evaluation; one row per (method, phase). Takes its turn in the queue.

    Columns: method, phase, median_ms, min_ms, max_ms, runs, max_abs_error,
    max_scaled_error, nonfinite, n, dtype, out_dtype, device. Errors are against
    the exact derivative in float64, on the points where both are finite (the
    scaled one is |error| / max(|f′|, 1), :data:`core.reference.SCALED_ERROR`);
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
    want = exact(fn, xs)
    rows = []
    with np.errstate(all="ignore"):  # nan and inf where f′ is undefined or overflows: counted, not warned
        for i, name in enumerate(methods):
            rows += _race_one(METHODS[name], fn, int(n), repeats, dtype, xs, want, setup_runs, budget_s,
                              sub_progress(progress, i, len(methods)))
    if progress:
        progress("done", 1.0)
    return pd.DataFrame(rows)


def _race_one(method: Method, fn: Function, n: int, repeats: int, dtype: np.dtype, xs: np.ndarray,
              want: np.ndarray, setup_runs: int, budget_s: float, progress: Progress | None) -> list[dict]:
    """One method's two rows: its setups, its warm-up and accuracy, its timed calls."""
    name = method.name
    if progress:
        progress(f"{name}: setup ({method.label})", 0.0)
    setups, run = time_setups(method, fn, dtype, n, setup_runs, budget_s)
    data = _to_device(method, xs)
    if progress:
        progress(f"{name}: warm-up call on {n:,} points", 0.3)
    result, warm = warm_up(run, data)
    common = dict(**accuracy(result, want), n=n, dtype=dtype.name, out_dtype=str(result.dtype),
                  device=device_label(name))
    del result
    calls = max(1, min(repeats, int(budget_s / max(warm, 1e-9))))
    if progress:
        progress(f"{name}: evaluate ×{calls}", 0.5)
    evals = time_calls(run, data, calls)
    del data, run
    return [dict(method=name, phase="setup", **_stats(setups), **common),
            dict(method=name, phase="evaluate", **_stats(evals), **common)]
