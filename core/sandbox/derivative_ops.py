"""Sandbox operations on the order-th derivative of a student's f: its size, its LaTeX,
its value at a point, the code lambdify generates for it (and proof that it compiles),
and its curve on a grid, for derivatives too large to compute in the shared server.
"""

from __future__ import annotations

from .formula import MAX_LATEX_OPS, derivative, summarise

__all__ = ["count_ops", "latex", "evalf_point", "derivative_source", "check_compile", "curve",
           "MAX_CURVE_POINTS"]

#: Most points of a curve a worker evaluates.
MAX_CURVE_POINTS = 5_000


def count_ops(text, variables=("x",), order=1):
    """count_ops of the order-th derivative (as a tree): ``ops`` (and ``value``) an int."""
    import sympy as sp

    d, _ = derivative(text, variables, order)
    ops = int(sp.count_ops(d))
    return {"text": str(ops), "latex": str(ops), "ops": ops, "value": ops}


def latex(text, variables=("x",), order=1, max_ops=MAX_LATEX_OPS):
    """LaTeX of the order-th derivative, or a note of its size when over ``max_ops`` operations."""
    import sympy as sp

    d, _ = derivative(text, variables, order)
    ops = int(sp.count_ops(d))
    return {"text": summarise(sp.sstr(d)), "latex": _latex_or_size(d, ops, max_ops), "ops": ops}


def _latex_or_size(d, ops: int, max_ops) -> str:
    """LaTeX of ``d``, or a note of its size when it has more than ``max_ops`` operations."""
    import sympy as sp

    if ops > int(max_ops):
        return r"\text{(a tree of %d operations: too big to print)}" % ops
    return summarise(sp.latex(d))


def evalf_point(text, at, variables=("x",), order=1, digits=15):
    """The order-th derivative at x = ``at``: ``value`` (a finite float, or None when the
    number is complex, not a number, or outside float range) and ``text`` (SymPy's value
    printed to ``digits`` significant digits: 1.97007111401705e+434 stays readable)."""
    import math

    import sympy as sp

    digits = int(digits)
    if not 1 <= digits <= 50:
        raise ValueError("digits must be between 1 and 50")
    d, x = derivative(text, variables, order)
    v = d.evalf(digits, subs={x: sp.Float(float(at), digits)})
    value, kind = None, "unevaluated"
    if v.is_number:
        kind = "complex"
        if v.is_comparable:
            kind = "real"
            try:
                f = float(v)
            except (TypeError, ValueError, OverflowError):
                f = math.nan
            if not math.isfinite(f) or (f == 0.0 and not v.is_zero):
                kind = "out of float range"
            else:
                value = f
    return {"value": value, "kind": kind, "text": summarise(sp.sstr(v)), "latex": summarise(sp.latex(v))
            if sp.count_ops(v) <= MAX_LATEX_OPS else r"\text{(too big to print)}", "ops": int(sp.count_ops(d))}


def _lambdified(text, variables, order, cse):
    import sympy as sp

    from ..deltas import drop_deltas

    d, x = derivative(text, variables, order)
    return sp.lambdify(x, drop_deltas(d), modules="numpy", cse=bool(cse)), d


def derivative_source(text, variables=("x",), order=1, cse=True):
    """The NumPy source ``lambdify`` generates for the order-th derivative (CSE on by default)."""
    import inspect

    import sympy as sp

    f, d = _lambdified(text, variables, order, cse)
    return {"text": summarise(inspect.getsource(f)), "latex": "", "ops": int(sp.count_ops(d))}


def check_compile(text, variables=("x",), order=1, cse=True):
    """Lambdify the order-th derivative and call it once on a small float array.

    ``ok`` True, or False with ``error`` (e.g. "RecursionError: maximum recursion depth
    exceeded ..."): proof that compiling the generated code works before the server does it.
    """
    import numpy as np
    import sympy as sp

    try:
        f, d = _lambdified(text, variables, order, cse)
        with np.errstate(all="ignore"):
            np.asarray(f(np.linspace(-1.0, 1.0, 5)))
    except MemoryError:
        raise
    except Exception as err:  # noqa: BLE001  (the words go back to the page)
        from ..messages import ExpressionError

        if isinstance(err, ExpressionError):
            raise
        msg = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"[:500]
        return {"ok": False, "error": msg, "text": msg, "latex": "", "ops": 0}
    return {"ok": True, "error": None, "text": "ok", "latex": "", "ops": int(sp.count_ops(d))}


def curve(text, order=1, lo=-5.0, hi=5.0, n=400, max_ops=MAX_LATEX_OPS):
    """The order-th derivative of a function of x on ``linspace(lo, hi, n)`` (float64), with its
    LaTeX (or a note of its size) and its tree's operation count: for derivatives too large to
    compute in the shared server. Dirac deltas count as 0 (away from 0, as on the pages)."""
    import numpy as np
    import sympy as sp

    from ..deltas import drop_deltas

    n = int(n)
    if not 2 <= n <= MAX_CURVE_POINTS:
        raise ValueError(f"n must be between 2 and {MAX_CURVE_POINTS}")
    d, x = derivative(text, ("x",), order)
    ops = int(sp.count_ops(d))
    xs = np.linspace(float(lo), float(hi), n)
    with np.errstate(all="ignore"):
        ys = np.broadcast_to(np.asarray(sp.lambdify(x, drop_deltas(d), "numpy", cse=True)(xs), dtype=float), xs.shape)
    return {"text": "", "latex": _latex_or_size(d, ops, max_ops), "ops": ops, "values": [float(v) for v in ys]}
