"""The operations a sandbox worker performs (:data:`OPS`), run inside the worker process only.

Each takes plain arguments (a formula's text or a preset id, numbers) and returns
plain data: a dict with at least ``text``, ``latex`` and ``ops`` (strings and
numbers that pickle small). The text is parsed with the lab's own parser
(:func:`core.expressions.parse_expression`) inside the worker, never in the
server, so work that runs away (``expand((x+1)^1000)``, ``simplify`` of a deep
composition, ``N(pi, 10**6)``) only ever costs a killable process. SymPy is
imported inside each operation: this module is imported by the server too (for
the names in :data:`OPS`) and must stay light there.
"""

from __future__ import annotations

import os
import time

__all__ = ["OPS", "MAX_DIFF_ORDER", "MAX_RESULT_CHARS", "MAX_LATEX_OPS", "MAX_CURVE_POINTS"]

#: Highest derivative order a worker computes (each order can multiply the tree).
MAX_DIFF_ORDER = 10
#: Longest LaTeX or text returned; longer results are summarised.
MAX_RESULT_CHARS = 20_000


def _summarise(s: str) -> str:
    if len(s) <= MAX_RESULT_CHARS:
        return s
    return s[: MAX_RESULT_CHARS // 2] + f" … [{len(s) - MAX_RESULT_CHARS // 2:,} more characters]"


def _present(expr) -> dict:
    import sympy as sp

    ops = int(sp.count_ops(expr))
    text = _summarise(sp.sstr(expr))
    latex = sp.latex(expr) if ops <= 2000 else r"\text{(%d operations: too big to typeset)}" % ops
    return {"text": text, "latex": _summarise(latex), "ops": ops}


def _parse(text: str, variables):
    """The expression of ``text``: a preset's id (``composed:5``) or typed text, parsed safely."""
    from .. import presets
    from ..expressions import parse_expression

    if tuple(variables) == ("x",) and text in presets.PRESETS:
        return presets.resolve(text).expr
    return parse_expression(text, tuple(variables))


def _op_expand(text, variables=("x",)):
    import sympy as sp

    return _present(sp.expand(_parse(text, variables)))


def _op_factor(text, variables=("x",)):
    import sympy as sp

    return _present(sp.factor(_parse(text, variables)))


def _op_simplify(text, variables=("x",)):
    import sympy as sp

    return _present(sp.simplify(_parse(text, variables)))


def _op_diff(text, variables=("x",), order=1):
    import sympy as sp

    order = int(order)
    if not 0 <= order <= MAX_DIFF_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_DIFF_ORDER}")
    expr = _parse(text, variables)
    sym = sorted(expr.free_symbols, key=lambda s: s.name)
    x = next((s for s in sym if s.name == variables[0]), sp.Symbol(variables[0], real=True))
    return _present(sp.diff(expr, x, order))


def _op_evalf(text, variables=(), digits=15):
    """N(expr, digits) of a constant expression: the decimal expansion as text."""
    import sympy as sp

    digits = int(digits)
    if not 1 <= digits <= 1_000_000:
        raise ValueError("digits must be between 1 and 1,000,000")
    value = sp.N(_parse(text, tuple(variables)), digits)
    return {"text": _summarise(str(value)), "latex": _summarise(str(value)), "ops": 0}


def _op_subs(text, variables, values):
    """Substitute numbers for the variables and evaluate to a float (as the lab's evalf(subs=...))."""
    import sympy as sp

    expr = _parse(text, variables)
    subs = {s: sp.Float(values[s.name]) for s in expr.free_symbols if s.name in values}
    value = expr.evalf(subs=subs)
    out = _present(value)
    try:
        out["value"] = float(value)
    except TypeError:
        out["value"] = None
    return out


def _op_lambdify_source(text, variables=("x",), cse=True):
    import inspect

    import sympy as sp

    expr = _parse(text, variables)
    syms = [s for v in variables for s in expr.free_symbols if s.name == v] or [sp.Symbol(variables[0])]
    return {"text": _summarise(inspect.getsource(sp.lambdify(syms, expr, "numpy", cse=bool(cse)))),
            "latex": "", "ops": int(sp.count_ops(expr))}


# Operations on the order-th derivative of a student's f (text parsed in the worker).

#: Derivatives larger than this (as a tree) get a note instead of LaTeX, as on the pages.
MAX_LATEX_OPS = 400


def _derivative(text, variables=("x",), order=1):
    """The order-th derivative of the parsed text in its first variable, and that variable."""
    import sympy as sp

    order = int(order)
    if not 0 <= order <= MAX_DIFF_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_DIFF_ORDER}")
    variables = tuple(variables) or ("x",)
    expr = _parse(text, variables)
    x = next((s for s in expr.free_symbols if s.name == variables[0]), sp.Symbol(variables[0], real=True))
    return (expr if order == 0 else sp.diff(expr, x, order)), x


def _op_count_ops(text, variables=("x",), order=1):
    """count_ops of the order-th derivative (as a tree): ``ops`` (and ``value``) an int."""
    import sympy as sp

    d, _ = _derivative(text, variables, order)
    ops = int(sp.count_ops(d))
    return {"text": str(ops), "latex": str(ops), "ops": ops, "value": ops}


def _op_latex(text, variables=("x",), order=1, max_ops=MAX_LATEX_OPS):
    """LaTeX of the order-th derivative, or a note of its size when over ``max_ops`` operations."""
    import sympy as sp

    d, _ = _derivative(text, variables, order)
    ops = int(sp.count_ops(d))
    if ops > int(max_ops):
        latex = r"\text{(a tree of %d operations: too big to print)}" % ops
    else:
        latex = _summarise(sp.latex(d))
    return {"text": _summarise(sp.sstr(d)), "latex": latex, "ops": ops}


def _op_evalf_point(text, at, variables=("x",), order=1, digits=15):
    """The order-th derivative at x = ``at``: ``value`` (a finite float, or None when the
    number is complex, not a number, or outside float range) and ``text`` (SymPy's value
    printed to ``digits`` significant digits: 1.97007111401705e+434 stays readable)."""
    import math

    import sympy as sp

    digits = int(digits)
    if not 1 <= digits <= 50:
        raise ValueError("digits must be between 1 and 50")
    d, x = _derivative(text, variables, order)
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
    return {"value": value, "kind": kind, "text": _summarise(sp.sstr(v)), "latex": _summarise(sp.latex(v))
            if sp.count_ops(v) <= MAX_LATEX_OPS else r"\text{(too big to print)}", "ops": int(sp.count_ops(d))}


def _lambdified(text, variables, order, cse):
    import sympy as sp

    from ..deltas import drop_deltas

    d, x = _derivative(text, variables, order)
    return sp.lambdify(x, drop_deltas(d), modules="numpy", cse=bool(cse)), d


def _op_derivative_source(text, variables=("x",), order=1, cse=True):
    """The NumPy source ``lambdify`` generates for the order-th derivative (CSE on by default)."""
    import inspect

    import sympy as sp

    f, d = _lambdified(text, variables, order, cse)
    return {"text": _summarise(inspect.getsource(f)), "latex": "", "ops": int(sp.count_ops(d))}


def _op_check_compile(text, variables=("x",), order=1, cse=True):
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


#: Most points of a curve a worker evaluates.
MAX_CURVE_POINTS = 5_000


def _op_domain(text, lo=-5.0, hi=5.0):
    """SymPy's domain tools on f of x over [lo, hi] (core.domain_sympy): not bounded in time,
    so they run here, where the pool's time limit stops them."""
    import sympy as sp

    from core.domain_sympy import analysis

    expr = _parse(text, ("x",))
    x = next((s for s in expr.free_symbols if s.name == "x"), sp.Symbol("x", real=True))
    out = analysis(expr, x, float(lo), float(hi))
    return {"text": "", "latex": "", "ops": 0, **out}


def _op_curve(text, order=1, lo=-5.0, hi=5.0, n=400, max_ops=MAX_LATEX_OPS):
    """The order-th derivative of a function of x on ``linspace(lo, hi, n)`` (float64), with its
    LaTeX (or a note of its size) and its tree's operation count: for derivatives too large to
    compute in the shared server. Dirac deltas count as 0 (away from 0, as on the pages)."""
    import numpy as np
    import sympy as sp

    from ..deltas import drop_deltas

    n = int(n)
    if not 2 <= n <= MAX_CURVE_POINTS:
        raise ValueError(f"n must be between 2 and {MAX_CURVE_POINTS}")
    d, x = _derivative(text, ("x",), order)
    ops = int(sp.count_ops(d))
    latex = (r"\text{(a tree of %d operations: too big to print)}" % ops if ops > int(max_ops)
             else _summarise(sp.latex(d)))
    d = drop_deltas(d)
    xs = np.linspace(float(lo), float(hi), n)
    with np.errstate(all="ignore"):
        ys = np.broadcast_to(np.asarray(sp.lambdify(x, d, "numpy", cse=True)(xs), dtype=float), xs.shape)
    return {"text": "", "latex": latex, "ops": ops, "values": [float(v) for v in ys]}


def _op_equivalent(answer, spec, order=1):
    """Is simplify(answer − the order-th derivative of spec) 0? (core.equivalence: issue 16)."""
    from ..equivalence import simplify_difference

    return simplify_difference(_parse(answer, ("x",)), _derivative(spec, ("x",), order)[0])


def _op_steps_simplify(spec):
    """The step-by-step derivation's last line (core.derivation), simplified."""
    import sympy as sp

    from ..derivation import derive

    d = derive(_parse(spec, ("x",)))
    return {"too_long": True, "text": "", "latex": "", "ops": 0} if d.too_long else _present(sp.simplify(d.result))


def _op_steps_proof(spec):
    """simplify(derivation's last line − diff(f, x)): "zero", "nonzero" or "unknown"."""
    from ..derivation import derive
    from ..equivalence import simplify_difference

    d = derive(_parse(spec, ("x",)))
    if d.too_long:
        return {"verdict": "unknown", "too_long": True, "text": "", "latex": "", "ops": 0}
    return simplify_difference(d.result, _derivative(spec, ("x",), 1)[0])


def _op_series(spec, x0=0.0, order=5):
    """Taylor coefficients c0 … cn of spec at x0 by SymPy's series (core.taylor)."""
    from ..taylor import sympy_coefficients

    return {"coeffs": sympy_coefficients(_parse(spec, ("x",)), float(x0), int(order)),
            "text": "", "latex": "", "ops": 0}


def _op_series_timing(spec, x0=0.0, orders=(1, 2, 4, 6, 8, 10), budget_s=3.0):
    """Seconds SymPy's series takes per order, until budget_s is spent (core.taylor)."""
    from ..taylor import sympy_timings

    return {"timings": sympy_timings(_parse(spec, ("x",)), float(x0), [int(n) for n in orders], float(budget_s)),
            "text": "", "latex": "", "ops": 0}


def _op_sleep(seconds=1.0):
    """Sleep (for tests of waiting, limits and cancellation)."""
    time.sleep(float(seconds))
    return {"text": "slept", "latex": "", "ops": 0, "pid": os.getpid()}


def _op_ping():
    return {"text": "pong", "latex": "", "ops": 0, "pid": os.getpid()}


#: The operations a worker performs, by name. Arguments are plain text and numbers.
OPS = {
    "expand": _op_expand,
    "factor": _op_factor,
    "simplify": _op_simplify,
    "diff": _op_diff,
    "evalf": _op_evalf,
    "subs": _op_subs,
    "lambdify_source": _op_lambdify_source,
    "count_ops": _op_count_ops,
    "latex": _op_latex,
    "evalf_point": _op_evalf_point,
    "derivative_source": _op_derivative_source,
    "check_compile": _op_check_compile,
    "curve": _op_curve,
    "domain": _op_domain,
    "equivalent": _op_equivalent,
    "steps_simplify": _op_steps_simplify,
    "steps_proof": _op_steps_proof,
    "series": _op_series,
    "series_timing": _op_series_timing,
    "ping": _op_ping,
    "sleep": _op_sleep,
}
