"""Dirac deltas dropped: the one rule for a derivative evaluated on numbers.

d²|x|/dx² is 2·δ(x), and δ(u) is 0 wherever u ≠ 0, which is every point a grid or a
random draw can hold except the kink itself. So before a derivative is lambdified or
compared at points, its deltas become 0 (:func:`drop_deltas`); on its spike a delta is
not a number at all (:func:`delta_value` is nan there, :func:`on_spike` says where).
Only SymPy and NumPy are imported: the sandbox workers and the domain tools use this too.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["drop_deltas", "delta_value", "on_spike"]


def drop_deltas(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every Dirac delta replaced by 0 (off its spike a delta is 0)."""
    if expr.has(sp.DiracDelta):
        expr = expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    return expr


def delta_value(u, *_):
    """δ(u) as a number, for lambdify's ``{"DiracDelta": delta_value}``: 0 off the spike, nan on it."""
    return np.where(np.asarray(u) == 0, np.nan, 0.0)


def on_spike(expr: sp.Expr, x: sp.Symbol, xs) -> np.ndarray:
    """True at the points of ``xs`` where a Dirac delta of ``expr`` is on its spike (its argument
    is 0 there: |x − 1|″ = 2·δ(x − 1) at x = 1), where :func:`drop_deltas`' 0 is not the value."""
    xs = np.asarray(xs, dtype=np.float64)
    hit = np.zeros(xs.shape, dtype=bool)
    for delta in expr.atoms(sp.DiracDelta):
        u = sp.lambdify(x, delta.args[0], "numpy")
        with np.errstate(all="ignore"):
            hit |= np.broadcast_to(np.asarray(u(xs)) == 0, xs.shape)
    return hit
