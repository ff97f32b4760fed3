"""What every sandbox operation shares: the formula read in the worker, the result made small.

:func:`parse` reads a formula's text (or a preset's id, ``composed:5``) with the lab's own
parser, inside the worker, never in the server; :func:`derivative` is its order-th
derivative; :func:`present` and :func:`summarise` turn a result into plain strings and
numbers that pickle small. SymPy is imported inside each function: the server imports
this package too (for the names in :data:`core.sandbox.ops.OPS`) and must stay light.
"""

from __future__ import annotations

__all__ = ["parse", "derivative", "present", "summarise", "MAX_DIFF_ORDER", "MAX_RESULT_CHARS",
           "MAX_LATEX_OPS"]

#: Highest derivative order a worker computes (each order can multiply the tree).
MAX_DIFF_ORDER = 10
#: Longest LaTeX or text returned; longer results are summarised.
MAX_RESULT_CHARS = 20_000
#: Derivatives larger than this (as a tree) get a note instead of LaTeX, as on the pages.
MAX_LATEX_OPS = 400


def summarise(s: str) -> str:
    if len(s) <= MAX_RESULT_CHARS:
        return s
    return s[: MAX_RESULT_CHARS // 2] + f" … [{len(s) - MAX_RESULT_CHARS // 2:,} more characters]"


def present(expr) -> dict:
    import sympy as sp

    ops = int(sp.count_ops(expr))
    text = summarise(sp.sstr(expr))
    latex = sp.latex(expr) if ops <= 2000 else r"\text{(%d operations: too big to typeset)}" % ops
    return {"text": text, "latex": summarise(latex), "ops": ops}


def parse(text: str, variables):
    """The expression of ``text``: a preset's id (``composed:5``) or typed text, parsed safely."""
    from .. import presets
    from ..expressions import parse_expression

    if tuple(variables) == ("x",) and text in presets.PRESETS:
        return presets.resolve(text).expr
    return parse_expression(text, tuple(variables))


def derivative(text, variables=("x",), order=1):
    """The order-th derivative of the parsed text in its first variable, and that variable."""
    import sympy as sp

    order = int(order)
    if not 0 <= order <= MAX_DIFF_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_DIFF_ORDER}")
    variables = tuple(variables) or ("x",)
    expr = parse(text, variables)
    x = next((s for s in expr.free_symbols if s.name == variables[0]), sp.Symbol(variables[0], real=True))
    return (expr if order == 0 else sp.diff(expr, x, order)), x
