"""Sandbox operations on a whole formula: expand, factor, simplify, diff, N(·, digits),
substitution, and the source lambdify writes. Each may run away on a short text
(``expand((x+1)^1000)``, ``N(pi, 10**6)``), which is why it runs in a worker.
"""

from __future__ import annotations

from .formula import derivative, parse, present, summarise

__all__ = ["expand", "factor", "simplify", "diff", "evalf", "subs", "lambdify_source"]


def expand(text, variables=("x",)):
    import sympy as sp

    return present(sp.expand(parse(text, variables)))


def factor(text, variables=("x",)):
    import sympy as sp

    return present(sp.factor(parse(text, variables)))


def simplify(text, variables=("x",)):
    import sympy as sp

    return present(sp.simplify(parse(text, variables)))


def diff(text, variables=("x",), order=1):
    """d^order/dv^order in the first variable v (order at most MAX_DIFF_ORDER)."""
    return present(derivative(text, variables, order)[0])


def evalf(text, variables=(), digits=15):
    """N(expr, digits) of a constant expression: the decimal expansion as text."""
    import sympy as sp

    digits = int(digits)
    if not 1 <= digits <= 1_000_000:
        raise ValueError("digits must be between 1 and 1,000,000")
    value = sp.N(parse(text, tuple(variables)), digits)
    return {"text": summarise(str(value)), "latex": summarise(str(value)), "ops": 0}


def subs(text, variables, values):
    """Substitute numbers for the variables and evaluate to a float (as the lab's evalf(subs=...))."""
    import sympy as sp

    expr = parse(text, variables)
    at = {s: sp.Float(values[s.name]) for s in expr.free_symbols if s.name in values}
    value = expr.evalf(subs=at)
    out = present(value)
    try:
        out["value"] = float(value)
    except TypeError:
        out["value"] = None
    return out


def lambdify_source(text, variables=("x",), cse=True):
    import inspect

    import sympy as sp

    expr = parse(text, variables)
    syms = [s for v in variables for s in expr.free_symbols if s.name == v] or [sp.Symbol(variables[0])]
    return {"text": summarise(inspect.getsource(sp.lambdify(syms, expr, "numpy", cse=bool(cse)))),
            "latex": "", "ops": int(sp.count_ops(expr))}
