"""np.gradient on a grid: the derivative from values of f at the grid points, and where its error lives.

Inside the grid ``np.gradient`` takes the second-order central difference
(f[i+1] − f[i−1]) / (x[i+1] − x[i−1]); at the two ends a one-sided difference of
order ``edge_order``. It needs no evaluations of f beyond the grid itself, and it
cannot be better than the grid: at a kink its stencil averages both sides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .expressions import Function
from .reference import exact

__all__ = ["gradient", "gradient_errors", "kink_stencil"]


def gradient(fn: Function, xs, edge_order: int = 1) -> np.ndarray:
    """``np.gradient(f(xs), xs)``: the derivative estimated from values on a grid.

    Inside the grid it is the second-order central difference
    (f[i+1] − f[i−1]) / (x[i+1] − x[i−1]) (for uneven spacing, its weighted
    form); at the two ends a one-sided difference of order ``edge_order``
    (1 or 2). It costs no extra evaluations beyond f on the grid.
    """
    xs = np.asarray(xs)
    if not np.issubdtype(xs.dtype, np.inexact):
        xs = xs.astype(np.float64)
    if edge_order not in (1, 2):
        raise ValueError("edge_order must be 1 or 2")
    if xs.size < edge_order + 1:
        raise ValueError(f"np.gradient needs at least {edge_order + 1} points")
    with np.errstate(all="ignore"):
        return np.gradient(fn.numpy(xs), xs, edge_order=edge_order)


def gradient_errors(fn: Function, xs, edge_order: int = 1) -> pd.DataFrame:
    """np.gradient against the exact f′ (:func:`core.reference.exact`), point by point (float64).

    Columns: ``x``, ``exact``, ``approx`` (np.gradient), ``error`` = |approx − exact|
    and ``part``: "edge" for the two end points (one-sided difference of order
    ``edge_order``, error ~ h^edge_order) and "interior" for the rest (central,
    error ≈ h²·|f‴(x)|/6). Undefined values stay nan.
    """
    xs = np.asarray(xs, dtype=np.float64)
    approx = gradient(fn, xs, edge_order)
    want = exact(fn, xs)
    with np.errstate(all="ignore"):
        error = np.abs(approx - want)
    part = np.full(xs.size, "interior", dtype=object)
    part[[0, -1]] = "edge"
    return pd.DataFrame({"x": xs, "exact": want, "approx": approx, "error": error, "part": part})


def kink_stencil(fn: Function, xs, at: float = 0.0, count: int = 3) -> pd.DataFrame:
    """What np.gradient does at the grid points nearest ``at`` (a kink), from its stencil.

    At an interior point i np.gradient (uniform grid) returns

        g[i] = (f[i+1] − f[i−1]) / (x[i+1] − x[i−1]),

    the slope of the chord over the two neighbours. For f = |x| on
    linspace(−5, 5, 100) the points beside 0 are x = ±h/2 (h = 10/99); the
    chord from −3h/2 to h/2 gives (h/2 − 3h/2) / 2h = −0.5, and its mirror +0.5,
    although f′ = ∓1 there. With an odd number of points 0 is on the grid: the
    chord over (−h, h) gives 0 at x = 0 (the average of −1 and 1) and its
    neighbours, whose chords no longer straddle the kink, are exact (±1).

    Returns the ``count`` points nearest ``at``, sorted by x, with the stencil
    values: ``i, x, x_left, x_right, f_left, f_right, gradient, exact``.
    """
    xs = np.asarray(xs, dtype=np.float64)
    g = gradient(fn, xs)
    f = fn.numpy(xs)
    want = exact(fn, xs)
    nearest = np.sort(np.argsort(np.abs(xs - at), kind="stable")[:count])
    rows = []
    for i in nearest:
        lft = max(i - 1, 0)
        rgt = min(i + 1, xs.size - 1)
        rows.append({"i": int(i), "x": xs[i], "x_left": xs[lft], "x_right": xs[rgt],
                     "f_left": f[lft], "f_right": f[rgt], "gradient": g[i], "exact": want[i]})
    return pd.DataFrame(rows)
