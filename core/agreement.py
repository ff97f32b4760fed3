"""Two expressions compared at numbers: the one way the lab evaluates a symbolic answer on
points and measures how far apart two answers are.

:func:`evaluate` lambdifies an expression (Dirac deltas dropped, the tree counted first)
and returns real float64 values, nan where the value is complex. :func:`sample` draws
the seeded random points, :func:`relative_gap` is the distance between two values
(relative, absolute near 0), and :func:`numeric_agreement` puts them together: do a
and b agree at :data:`POINTS` random points where both are finite? The answer check
(:mod:`core.equivalence`) and the step-by-step derivation's check
(:mod:`core.derivation`) both use these.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .bounds import check_work
from .deltas import drop_deltas
from .expressions import X

__all__ = ["evaluate", "sample", "relative_gap", "numeric_agreement", "RTOL", "POINTS", "SEED"]

#: Relative tolerance of a numerical comparison (at least absolute near 0).
RTOL = 1e-9
#: Random points compared, and their seed (the same points on every run).
POINTS = 20
SEED = 16


def evaluate(expr: sp.Expr, x, xs: np.ndarray) -> np.ndarray:
    """``expr`` at ``xs`` in float64: deltas count as 0, a complex value (beyond round-off) is nan."""
    expr = drop_deltas(expr)
    check_work(expr, "the expression")
    with np.errstate(all="ignore"):
        out = np.asarray(sp.lambdify(x, expr, "numpy", cse=True)(xs))
    out = np.broadcast_to(out, xs.shape)
    if np.iscomplexobj(out):
        out = np.where(np.abs(out.imag) <= 1e-12 * np.abs(out.real), out.real, np.nan)
    return out.astype(float)


def sample(lo: float, hi: float, points: int = POINTS, seed: int = SEED) -> np.ndarray:
    """40 × ``points`` seeded uniform draws from [lo, hi]: enough are left once the points
    where an expression is undefined are dropped."""
    return np.random.default_rng(seed).uniform(lo, hi, 40 * points)


def relative_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a − b| relative to the larger of |a|, |b| and 1 (so absolute near 0)."""
    with np.errstate(all="ignore"):
        return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)


def numeric_agreement(a: sp.Expr, b: sp.Expr, x: sp.Symbol = X, lo: float = -5.0, hi: float = 5.0,
                      points: int = POINTS, rtol: float = RTOL, seed: int = SEED) -> dict:
    """Compare ``a`` and ``b`` at ``points`` seeded random points of [lo, hi] where both are finite.

    Returns ``agree``, ``points`` (how many were compared), ``max_rel`` and the first ``worst``
    point (x, a, b) where they differ by more than ``rtol`` (by :func:`relative_gap`).
    Dirac deltas count as 0 (they vanish at every point a random draw can hit).
    """
    xs = sample(lo, hi, points, seed)
    va, vb = evaluate(a, x, xs), evaluate(b, x, xs)
    ok = np.isfinite(va) & np.isfinite(vb)
    xs, va, vb = xs[ok][:points], va[ok][:points], vb[ok][:points]
    rel = relative_gap(va, vb)
    worst = int(np.argmax(rel)) if rel.size else None
    return {"agree": bool(rel.size and rel.max() <= rtol), "points": int(rel.size),
            "max_rel": float(rel.max()) if rel.size else float("nan"),
            "worst": (float(xs[worst]), float(va[worst]), float(vb[worst])) if worst is not None else None}
