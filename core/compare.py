"""Every method on the same question: the kink of |x| at 0, and higher derivatives at a point.

The methods agree wherever f is smooth (to rounding, or to the scheme's
truncation). Where they disagree, each one's answer follows from how it works:
this module puts them in one table with the reason next to each answer, and
measures them with the one error measure of :mod:`core.reference`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import autodiff, symbolic
from .expressions import Function, parse_function
from .grid import gradient
from .jax64 import jax, jnp
from .reference import SCALED_ERROR, errors, exact
from .schemes import difference, optimal_step

__all__ = ["LAB_GRID", "kink_table", "higher_order_at"]

#: The lab's grid: np.linspace(-5, 5, 100) (it skips 0: the points next to it are ±0.0505).
LAB_GRID = (-5.0, 5.0, 100)


def kink_table(dtype="float64") -> pd.DataFrame:
    """d|x|/dx at (or beside) 0 by each method, with the reason for its answer."""
    fn = parse_function("abs(x)")
    dt = np.dtype(dtype)
    jax_val = float(jax.grad(jnp.abs)(jnp.asarray(0.0, dtype=dt)))
    sym_expr = symbolic.derivative(fn)
    sym_val = float(symbolic.derivative_function(fn)(np.array([0.0], dtype=dt))[0])
    lo, hi, n = LAB_GRID
    grid = np.linspace(lo, hi, n).astype(dt)
    grad = gradient(fn, grid)
    mid = n // 2  # grid[mid - 1] < 0 < grid[mid]
    h = optimal_step("central", dt)
    central = float(difference(fn, np.array([0.0], dtype=dt), h, "central")[0])
    rows = [
        ("JAX", "jax.grad(jnp.abs)(0.0)", "x = 0", jax_val,
         "JAX's rule for abs takes the slope of the x ≥ 0 branch, so it reports +1 at the kink."),
        ("SymPy", f"diff(Abs(x), x) = {sym_expr} (x real), at 0", "x = 0", sym_val,
         "With a real symbol the derivative is sign(x), and SymPy defines sign(0) = 0."),
        ("NumPy", "np.gradient(abs(x), x) on np.linspace(-5, 5, 100)", f"x = {float(grid[mid - 1]):.4f}",
         float(grad[mid - 1]),
         "The grid skips 0; the stencil (f[i+1] − f[i−1]) / 2Δx here spans the kink, three quarters "
         "of it with slope −1 and one quarter with +1, so it averages to −0.5."),
        ("NumPy", "np.gradient(abs(x), x) on np.linspace(-5, 5, 100)", f"x = {float(grid[mid]):.4f}",
         float(grad[mid]), "Mirror image on the right of 0: one quarter of its stencil has slope −1, "
         "three quarters +1."),
        ("central difference", f"(|h| − |−h|) / 2h, h = {h:.1e}", "x = 0", central,
         "The two samples are mirror images, so their difference is exactly 0."),
    ]
    out = pd.DataFrame(rows, columns=["method", "how", "where", "d|x|/dx", "why"])
    out["dtype"] = dt.name
    return out


def higher_order_at(fn: Function, x0: float, dtype=np.float64) -> pd.DataFrame:
    """f′, f″, f‴ at x0 by nested ``grad`` against SymPy's exact values (float64).

    Columns: ``order, JAX, JAX value, SymPy value`` and the scaled error
    (:data:`core.reference.SCALED_ERROR`), then ``dtype``.
    """
    rows = []
    for order in (1, 2, 3):
        got = autodiff.grad_at(fn, x0, order, dtype)
        want = float(exact(fn, [x0], order)[0])
        rows.append((order, "grad(" * order + "f" + ")" * order, got, want,
                     errors([got], [want])["max_scaled"]))
    out = pd.DataFrame(rows, columns=["order", "JAX", "JAX value", "SymPy value", SCALED_ERROR])
    out["dtype"] = np.dtype(dtype).name
    return out
