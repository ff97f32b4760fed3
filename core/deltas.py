"""Dirac deltas dropped: the one rule for a derivative evaluated on numbers.

d²|x|/dx² is 2·δ(x), and δ(u) is 0 wherever u ≠ 0, which is every point a grid or a
random draw can hold except the kink itself. So before a derivative is lambdified or
compared at points, its deltas become 0; at the kink a delta is not a number at all
(:func:`core.symbolic.derivative_values` reports nan there). Only SymPy is imported:
the sandbox workers and the domain tools use this too.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["drop_deltas"]


def drop_deltas(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every Dirac delta replaced by 0 (off its spike a delta is 0)."""
    if expr.has(sp.DiracDelta):
        expr = expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    return expr
