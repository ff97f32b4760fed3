"""Scaling scans: time against the number of points, and against the depth of the composed polynomial.

Each scan runs :func:`core.timing.harness.race` once per (size or depth, method)
inside a time budget, and skips (saying why in ``status``) what its last time
predicts would not fit.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sympy as sp

from ..expressions import Function
from ..presets import composed_polynomial
from ..symbolic import count_ops, cse_ops
from .harness import Progress, race, sub_progress
from .methods import LAB_METHODS
from .queue import one_at_a_time

__all__ = ["scaling_n", "scaling_depth", "DEPTH_METHODS"]


def _skip_row(**kw) -> dict:
    return dict(median_ms=float("nan"), min_ms=float("nan"), max_ms=float("nan"), runs=0, **kw)


@one_at_a_time
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
            sub = sub_progress(progress, step, total, f"n = {n:,}: ")
            df = race(fn, n, [name], repeats, dtype, sub, lo=lo, hi=hi, setup_runs=1,
                      budget_s=max(left, 1.0) / 2)
            ev = df[df.phase == "evaluate"].iloc[0]
            last[name] = (n, ev.median_ms / 1e3)
            rows.append(dict(method=name, n=n, median_ms=ev.median_ms, min_ms=ev.min_ms, max_ms=ev.max_ms,
                             runs=int(ev.runs), setup_ms=float(df[df.phase == "setup"].median_ms.iloc[0]),
                             status="ok", dtype=np.dtype(dtype).name))
    return pd.DataFrame(rows)


#: The methods of the depth scan: with and without CSE, with and without jit.
DEPTH_METHODS = ("symbolic", "symbolic_nocse", "autodiff", "autodiff_nojit")


@one_at_a_time
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
            sub = sub_progress(progress, i * len(methods) + j, total, f"depth {d}: ")
            df = race(fn, n, [name], repeats, dtype, sub, setup_runs=1, budget_s=max(left, 1.0) / 2)
            ev = df[df.phase == "evaluate"].iloc[0]
            last[name] = (d, ev.median_ms / 1e3)
            rows.append(dict(median_ms=ev.median_ms, min_ms=ev.min_ms, max_ms=ev.max_ms, runs=int(ev.runs),
                             setup_ms=float(df[df.phase == "setup"].median_ms.iloc[0]), status="ok", **common))
    return pd.DataFrame(rows)
