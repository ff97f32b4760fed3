"""The cost of a full gradient as the number of parameters n grows: why machine learning uses
reverse-mode autodiff.

Pure (no Streamlit). Three losses of n parameters as machine learning has them, on synthetic
data made here with a fixed seed (:func:`problem`): least squares and logistic regression on
:data:`SAMPLES` samples, and the n-dimensional Rosenbrock. The four ways to the gradient
(central differences: 2n evaluations of f; forward mode: n JVPs; reverse mode: one VJP;
symbolic: n SymPy partials) are :mod:`core.gradient_methods`; each is timed here in two
phases (setup: building/compiling; evaluate: one gradient after a warm-up, JAX results
waited for with ``block_until_ready``), symbolic only up to :data:`MAX_N` ``["symbolic"]``.

:func:`scan` takes the clock as an argument (a test passes a fake one) and a time budget; a
case predicted to pass the budget is skipped and says so. :func:`slope` fits log t against
log n, :func:`verdict` states the measured speed-up, :func:`memory` reads XLA's compiled
memory analysis of forward and reverse mode.
"""

from __future__ import annotations

import math
import time
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from .gradient_methods import MAX_N, METHODS, OverBudget, n_jvps, prepare
from .losses import LOSSES, SAMPLES, SEED, Problem, problem

__all__ = ["LOSSES", "METHODS", "MAX_N", "DEFAULT_NS", "SAMPLES", "SEED", "Problem", "problem",
           "prepare", "time_method", "scan", "slope", "slopes", "verdict", "memory", "ScanCancelled", "OverBudget"]

DEFAULT_NS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)
#: How each method's time grows with n, for the budget's predictions (central differences also
#: check the deadline as they go, so a case that grows faster stops itself).
_GROWTH = {"central": 1.0, "forward": 1.0, "reverse": 1.0, "symbolic": 2.0}


class ScanCancelled(RuntimeError):
    """The scan's ``cancelled()`` said True."""


def _on_device(method: str, w: np.ndarray):
    if method in ("forward", "reverse"):
        from .jax64 import jnp

        return jnp.asarray(w)
    return w


def time_method(method: str, prob: Problem, *, repeats: int = 5,
                clock: Callable[[], float] = time.perf_counter, deadline: Callable[[], bool] | None = None) -> dict:
    """Setup once, one warm-up gradient (counted, checked), then ``repeats`` timed gradients."""
    counter: dict = {}
    t0 = clock()
    grad = prepare(method, prob, counter, deadline)
    setup_s = clock() - t0
    w = _on_device(method, prob.w)
    g = np.asarray(grad(w), dtype=float)
    counts = dict(counter)
    samples = []
    for _ in range(max(1, int(repeats))):
        t = clock()
        grad(w)
        samples.append(clock() - t)
        if deadline is not None and deadline():
            break  # out of time: the samples so far
    exact = prob.exact_gradient()
    err = float(np.max(np.abs(g - exact)) / max(1.0, float(np.max(np.abs(exact)))))
    return {"setup_s": setup_s, "eval_s": float(np.median(samples)), "f_evals": counts.get("f", 0),
            "jvps": counts.get("jvp", 0), "vjps": counts.get("vjp", 0), "rel_error": err}


def time_f(prob: Problem, *, repeats: int = 5, clock: Callable[[], float] = time.perf_counter) -> float:
    """Median time of one jitted evaluation of f (compiled and warmed first)."""
    from .jax64 import jax, jnp

    f = jax.jit(prob.f_jax)
    w = jnp.asarray(prob.w)
    f(w).block_until_ready()
    samples = []
    for _ in range(max(1, int(repeats))):
        t = clock()
        f(w).block_until_ready()
        samples.append(clock() - t)
    return float(np.median(samples))


def scan(kind: str = "rosenbrock", ns: Sequence[int] = DEFAULT_NS, methods: Sequence[str] = tuple(METHODS),
         *, repeats: int = 5, budget_s: float = 60.0, clock: Callable[[], float] = time.perf_counter,
         max_n: dict | None = None, progress: Callable[[str, float], None] | None = None,
         cancelled: Callable[[], bool] | None = None) -> pd.DataFrame:
    """Time each method's full gradient at each n (ascending), within ``budget_s`` by ``clock``.

    One row per (n, method) with setup_s, eval_s (median), f_s (one jitted f at that n), ratio
    (eval_s / f_s), the counts of f evaluations / JVPs / VJPs in one gradient, rel_error against
    the exact gradient, and status: "ok", or why the case was not run.
    """
    caps = {**MAX_N, **(max_n or {})}
    ns = sorted({int(n) for n in ns if int(n) >= 1})
    start = clock()
    last: dict[str, tuple[int, float]] = {}
    done: set[str] = set()
    rows = []
    steps = max(1, len(ns) * len(methods))
    for k, n in enumerate(ns):
        if cancelled is not None and cancelled():
            raise ScanCancelled("the scan was stopped: the page was rerun or closed")
        prob = problem(kind, n)
        f_s = time_f(prob, repeats=repeats, clock=clock)
        for j, m in enumerate(methods):
            base = dict(kind=kind, n=n, method=m, setup_s=np.nan, eval_s=np.nan, f_s=f_s, ratio=np.nan,
                        f_evals=0, jvps=0, vjps=0, rel_error=np.nan)
            left = budget_s - (clock() - start)
            if n > caps.get(m, math.inf):
                rows.append({**base, "status": f"skipped: above this method's cap n ≤ {caps[m]:,}"})
                continue
            if m in done:
                rows.append({**base, "status": "skipped: stopped at a smaller n"})
                continue
            if m in last:
                n0, t0 = last[m]
                predicted = t0 * (n / n0) ** _GROWTH[m]
                if predicted > left:
                    done.add(m)
                    rows.append({**base, "status": f"skipped: predicted {predicted:.3g} s, over the "
                                                   f"{max(left, 0):.3g} s left of the {budget_s:g} s budget"})
                    continue
            if progress:
                progress(f"{m} at n = {n:,}", (k * len(methods) + j) / steps)
            t = clock()
            try:
                r = time_method(m, prob, repeats=repeats, clock=clock,
                                deadline=lambda: clock() - start > budget_s)
            except ValueError as err:  # TooLarge / OverBudget: SymPy's work would be too big or too long
                done.add(m)
                rows.append({**base, "status": f"skipped: {err}"})
                continue
            last[m] = (n, max(clock() - t, 1e-9))
            rows.append({**base, **r, "ratio": r["eval_s"] / f_s if f_s > 0 else np.nan, "status": "ok"})
    if progress:
        progress("done", 1.0)
    return pd.DataFrame(rows)


def slope(df: pd.DataFrame, method: str, lo: int = 10, hi: int | None = None) -> float:
    """Least-squares slope of log(eval time) against log n, over lo ≤ n ≤ hi (nan: < 2 points)."""
    d = df[(df.method == method) & (df.status == "ok") & (df.n >= lo) & (df.eval_s > 0)]
    if hi is not None:
        d = d[d.n <= hi]
    if d.n.nunique() < 2:
        return math.nan
    return float(np.polyfit(np.log(d.n.astype(float)), np.log(d.eval_s.astype(float)), 1)[0])


def slopes(df: pd.DataFrame, lo: int = 10, hi: int | None = None) -> dict[str, float]:
    return {m: slope(df, m, lo, hi) for m in df.method.unique()}


def verdict(df: pd.DataFrame) -> dict | None:
    """The largest n where reverse mode and central differences both ran, and the speed-up."""
    ok = df[df.status == "ok"]
    rev = ok[ok.method == "reverse"].set_index("n").eval_s
    cen = ok[ok.method == "central"].set_index("n").eval_s
    common = sorted(set(rev.index) & set(cen.index))
    if not common:
        return None
    n = common[-1]
    r = float(cen[n] / rev[n])
    times = f"{r:,.0f}" if r >= 100 else f"{r:.3g}"
    return {"n": int(n), "ratio": r, "text": f"at n = {n:,} parameters, reverse mode is {times}× faster "
                                               "than central differences"}


def memory(kind: str, n: int) -> pd.DataFrame:
    """XLA's compiled memory analysis (bytes) of f, forward mode (n JVPs) and reverse mode at n."""
    from .jax64 import jax, jnp

    prob = problem(kind, n)
    w = jnp.asarray(prob.w)

    rows = []
    for name, fun in (("f alone", prob.f_jax), ("forward (n JVPs)", n_jvps(prob.f_jax)),
                      ("reverse (jax.grad)", jax.grad(prob.f_jax))):
        stats = jax.jit(fun).lower(w).compile().memory_analysis()  # None where XLA has none
        got = {a: int(getattr(stats, a, 0) or 0) if stats is not None else -1
               for a in ("temp_size_in_bytes", "argument_size_in_bytes", "output_size_in_bytes")}
        rows.append({"what": name, "n": n, "temporaries (bytes)": got["temp_size_in_bytes"],
                     "arguments (bytes)": got["argument_size_in_bytes"],
                     "output (bytes)": got["output_size_in_bytes"]})
    return pd.DataFrame(rows)
