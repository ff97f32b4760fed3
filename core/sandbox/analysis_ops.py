"""Sandbox operations behind the pages' analyses that SymPy does not bound in time: the
domain of f (:mod:`core.domain_sympy`), a student's answer checked by ``simplify``
(:mod:`core.equivalence`), the step-by-step derivation simplified and proved
(:mod:`core.derivation`), and Taylor coefficients by ``series`` (:mod:`core.taylor`).
"""

from __future__ import annotations

from .formula import derivative, parse, present

__all__ = ["domain", "equivalent", "steps_simplify", "steps_proof", "series", "series_timing"]


def domain(text, lo=-5.0, hi=5.0):
    """SymPy's domain tools on f of x over [lo, hi] (core.domain_sympy): not bounded in time,
    so they run here, where the pool's time limit stops them."""
    import sympy as sp

    from core.domain_sympy import analysis

    expr = parse(text, ("x",))
    x = next((s for s in expr.free_symbols if s.name == "x"), sp.Symbol("x", real=True))
    out = analysis(expr, x, float(lo), float(hi))
    return {"text": "", "latex": "", "ops": 0, **out}


def equivalent(answer, spec, order=1):
    """Is simplify(answer − the order-th derivative of spec) 0? (core.equivalence: issue 16)."""
    from ..equivalence import simplify_difference

    return simplify_difference(parse(answer, ("x",)), derivative(spec, ("x",), order)[0])


def steps_simplify(spec):
    """The step-by-step derivation's last line (core.derivation), simplified."""
    import sympy as sp

    from ..derivation import derive

    d = derive(parse(spec, ("x",)))
    return {"too_long": True, "text": "", "latex": "", "ops": 0} if d.too_long else present(sp.simplify(d.result))


def steps_proof(spec):
    """simplify(derivation's last line − diff(f, x)): "zero", "nonzero" or "unknown"."""
    from ..derivation import derive
    from ..equivalence import simplify_difference

    d = derive(parse(spec, ("x",)))
    if d.too_long:
        return {"verdict": "unknown", "too_long": True, "text": "", "latex": "", "ops": 0}
    return simplify_difference(d.result, derivative(spec, ("x",), 1)[0])


def series(spec, x0=0.0, order=5):
    """Taylor coefficients c0 … cn of spec at x0 by SymPy's series (core.taylor)."""
    from ..taylor import sympy_coefficients

    return {"coeffs": sympy_coefficients(parse(spec, ("x",)), float(x0), int(order)),
            "text": "", "latex": "", "ops": 0}


def series_timing(spec, x0=0.0, orders=(1, 2, 4, 6, 8, 10), budget_s=3.0):
    """Seconds SymPy's series takes per order, until budget_s is spent (core.taylor)."""
    from ..taylor import sympy_timings

    return {"timings": sympy_timings(parse(spec, ("x",)), float(x0), [int(n) for n in orders], float(budget_s)),
            "text": "", "latex": "", "ops": 0}
