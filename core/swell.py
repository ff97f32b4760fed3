"""Expression swell, measured: how big f′ of the composed polynomial grows, as a tree, a graph, a jaxpr.

SymPy's derivative of p(p(…p(x))) is a tree whose size grows exponentially with the
depth (each level of the chain rule copies the inner composition). Sharing common
subexpressions (CSE) turns it into a graph that grows linearly, and JAX's
``grad`` never builds the tree at all: its jaxpr gains the same few equations per
level. Evaluation time follows the size of the code: with and without CSE.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import pandas as pd

from . import presets
from .expressions import Function
from .symbolic import count_ops, cse_ops, derivative, derivative_function

__all__ = ["swell_metrics", "time_evaluation", "swell_table"]


def swell_metrics(depth: int) -> dict:
    """Sizes of the derivative of the composed polynomial of ``depth``, three ways.

    * ``tree_ops``: ``count_ops`` of SymPy's derivative, shared subtrees counted every time;
    * ``cse_ops``: operations once common subexpressions are computed once (a graph);
    * ``jaxpr_eqns``: equations in the jaxpr of ``jax.grad`` of f.
    """
    from . import autodiff  # JAX on first use: time_evaluation and the sizes need SymPy only

    fn = presets.composed_polynomial(depth)
    d = derivative(fn, 1)
    return {
        "depth": int(depth),
        "tree_ops": count_ops(d),
        "cse_ops": cse_ops(d),
        "jaxpr_eqns": len(autodiff.grad_jaxpr(fn).jaxpr.eqns),
    }


def _median_seconds(f: Callable, xs: np.ndarray, repeats: int) -> float:
    times = []
    for _ in range(max(1, int(repeats))):
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            np.asarray(f(xs))
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def time_evaluation(fn: Function, n: int, cse: bool, budget_s: float = 2.0, repeats: int = 3,
                    sample: int = 10_000, lo: float = -1.0, hi: float = 1.5) -> dict:
    """Seconds per call of ``lambdify(diff(f), cse=cse)`` on ``n`` float64 points, bounded.

    First the code is timed on ``sample`` points and the cost on ``n`` points
    estimated from it (evaluation is linear in the points). When ``repeats``
    calls would take more than ``budget_s`` the full measurement is skipped and
    only the estimate is returned (``skipped`` says why); otherwise the median
    of ``repeats`` calls (after one warm-up call) is returned.
    """
    n, sample = int(n), int(min(sample, n))
    f = derivative_function(fn, 1, bool(cse)).raw  # the code lambdify generated, as it is
    small = np.linspace(lo, hi, sample)
    per_point = _median_seconds(f, small, 1) / sample
    estimate = per_point * n
    if estimate * (repeats + 1) > budget_s:
        return {"seconds": None, "estimate": estimate, "skipped":
                f"skipped: about {estimate:.2g} s a call × {repeats + 1} calls is over the {budget_s:g} s budget"}
    xs = np.linspace(lo, hi, n)
    _median_seconds(f, xs, 1)  # warm-up
    return {"seconds": _median_seconds(f, xs, repeats), "estimate": estimate, "skipped": None}


def swell_table(max_depth: int, n: int = 1_000_000, budget_s: float = 2.0, repeats: int = 3,
                timing: bool = True, progress: Callable[[int, str], None] | None = None) -> pd.DataFrame:
    """One row per depth 1..max_depth: sizes and evaluation times with and without CSE.

    Times are medians of ``repeats`` calls on ``n`` float64 points in [-1, 1.5]
    (seconds, ``nan`` where skipped; the ``note`` column says why). ``progress``
    is called as ``progress(depth, what)`` before each step.
    """
    rows = []
    for depth in range(1, int(max_depth) + 1):
        if progress:
            progress(depth, "sizes")
        row = swell_metrics(depth)
        notes = []
        if timing:
            fn = presets.composed_polynomial(depth)
            for cse, col in ((True, "cse_s"), (False, "no_cse_s")):
                if progress:
                    progress(depth, "lambdify(cse=True)" if cse else "lambdify (no CSE)")
                t = time_evaluation(fn, n, cse, budget_s, repeats)
                row[col] = np.nan if t["seconds"] is None else t["seconds"]
                row[col.replace("_s", "_estimate_s")] = t["estimate"]
                if t["skipped"]:
                    notes.append(("CSE " if cse else "no CSE ") + t["skipped"])
        row["note"] = "; ".join(notes)
        rows.append(row)
    return pd.DataFrame(rows)
