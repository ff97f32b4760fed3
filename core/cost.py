"""The price of a numerical derivative: evaluations of f, by formula and counted.

A difference scheme evaluates f at its stencil for every derivative value, and a
gradient in p parameters needs one partial derivative per parameter. np.gradient
reuses its neighbours on a 1-D grid, but would need a whole grid in p dimensions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .expressions import Function
from .grid import gradient
from .schemes import SCHEMES, difference

__all__ = ["evaluations", "count_evaluations", "cost_table"]


def evaluations(scheme: str, n: int = 1, p: int = 1) -> dict[str, float]:
    """Evaluations of f a scheme needs: per derivative value, at n points, for a gradient in p.

    * ``per_value``: the stencil size (complex step: one *complex* evaluation).
    * ``n_points``: f′ at n points of a 1-D grid: stencil × n for the schemes
      (np.gradient, ``scheme="gradient"``, shares neighbours: n values).
    * ``p_params``: a gradient of f: Rᵖ → R at one point, one partial
      derivative per parameter: forward/backward p + 1 (f(x) is shared),
      central 2p, central4 4p, complex step p. np.gradient would need f on a
      whole grid in p dimensions (at least 2 points per axis: 2ᵖ values).
    """
    if scheme == "gradient":
        return {"per_value": 1.0, "n_points": float(n), "p_params": float(2**p) if p < 1000 else float("inf")}
    s = SCHEMES[scheme]
    shared = scheme in ("forward", "backward")
    return {"per_value": float(s.evaluations), "n_points": float(s.evaluations * n),
            "p_params": float(p + 1 if shared else s.evaluations * p)}


class _Counting:
    """A stand-in for a Function that counts the points f is evaluated at."""

    def __init__(self, fn: Function):
        self.fn, self.points = fn, 0

    def numpy(self, xs):
        arr = np.asarray(xs)
        self.points += int(arr.size)
        return self.fn.numpy(arr)


def count_evaluations(fn: Function, xs, scheme: str, h: float = 1e-6) -> int:
    """Points at which f was actually evaluated to get f′ on ``xs`` (measured, not assumed).

    ``scheme`` is a difference scheme or "gradient" (np.gradient on the grid xs).
    """
    counter = _Counting(fn)
    if scheme == "gradient":
        gradient(counter, xs)
    else:
        difference(counter, xs, h, scheme)
    return counter.points


def cost_table(fn: Function, n: int = 100, p: int = 10, lo: float = -5.0, hi: float = 5.0) -> pd.DataFrame:
    """Evaluations of f per method: per value, measured for n points on [lo, hi], and for p parameters.

    Columns: ``method, formula, order, per_value, n_points, p_params, counted, complex``.
    """
    xs = np.linspace(lo, hi, int(n))
    rows = [{"method": "np.gradient", "formula": "(f[i+1] − f[i−1]) / (x[i+1] − x[i−1])", "order": 2,
             **evaluations("gradient", n, p), "counted": count_evaluations(fn, xs, "gradient")}]
    for name, s in SCHEMES.items():
        rows.append({"method": s.label, "formula": s.formula, "order": s.order, **evaluations(name, n, p),
                     "counted": count_evaluations(fn, xs, name)})
    df = pd.DataFrame(rows)
    df["complex"] = df["method"] == SCHEMES["complex"].label
    return df
