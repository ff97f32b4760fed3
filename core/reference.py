"""The reference every method is measured against, and the one way errors are measured.

The exact derivative is SymPy's ``diff``, lambdified and evaluated in float64
(:func:`exact`). Errors of a method's values against it (:func:`errors`):

* the **absolute error** |got − exact|;
* the **scaled error** |got − exact| / max(|exact|, 1): relative where |f′| ≥ 1 and
  absolute below, so a zero of f′ (where rounding is "infinitely" wrong relatively)
  does not swamp the figure. This is the one "relative" measure of the dashboard;
  every page calls it by this name.

Both are taken over the points where the exact value and the method's value are
finite; ``nonfinite`` counts the points where the exact value is finite but the
method gave nan or inf (overflow, or a 0/0 on the way).
"""

from __future__ import annotations

import math

import numpy as np

from .expressions import Function

__all__ = ["exact", "errors", "scaled_error", "SCALED_ERROR"]

#: What the scaled error is called on screen.
SCALED_ERROR = "error / max(|f′|, 1)"


def exact(fn: Function, xs, order: int = 1) -> np.ndarray:
    """The exact order-th derivative of ``fn`` on ``xs``, in float64 (nan where undefined)."""
    from .symbolic import derivative_values

    return derivative_values(fn, np.asarray(xs, dtype=np.float64), order)


def scaled_error(got, want) -> np.ndarray:
    """|got − want| / max(|want|, 1), elementwise (nan where either is not finite)."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    with np.errstate(all="ignore"):
        out = np.abs(got - want) / np.maximum(np.abs(want), 1.0)
    return np.where(np.isfinite(got) & np.isfinite(want), out, np.nan)


def errors(got, want) -> dict:
    """``max_abs``, ``max_scaled`` (see :func:`scaled_error`), ``nonfinite`` and ``points``
    (where ``want`` is finite) of a method's values ``got`` against the exact ``want``."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    ok = np.isfinite(want)
    both = ok & np.isfinite(got)
    out = {"nonfinite": int((ok & ~np.isfinite(got)).sum()), "points": int(ok.sum()),
           "max_abs": math.nan, "max_scaled": math.nan}
    if both.any():
        out["max_abs"] = float(np.abs(got[both] - want[both]).max())
        out["max_scaled"] = float(scaled_error(got[both], want[both]).max())
    return out
