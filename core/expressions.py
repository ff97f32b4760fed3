"""Text a user typed -> :class:`Function`: the entry point of the school-maths grammar.

The text is never handed to ``eval``, ``exec``, ``sympify``, ``parse_expr`` or
Python's ``ast``/``compile``. :mod:`core.grammar` is the one table of what is
accepted (numbers, x, pi/π, e, + - * / ^ **, implicit products such as 2x and
x sin x, functions with or without parentheses, |x|, √x, x², a leading "y =" ...);
:mod:`core.tokens` and :mod:`core.parser` read the text and build the SymPy
expression themselves; :mod:`core.exact` refuses maths that would hang SymPy
(huge literals, exact numbers of thousands of bits, power towers, enormous
exponents) or that is undefined as a constant (``1/0``, ``log(0)``,
``sqrt(-1)``) before SymPy builds it; :mod:`core.messages` words the refusal.

The symbol is *real*, so ``d|x|/dx`` is ``sign(x)`` rather than the
unevaluable complex expression the lab shows. The names of those modules that
callers use are re-exported here (``Function`` and ``X`` live in :mod:`core.function`).
"""

from __future__ import annotations

import math

import sympy as sp

from .function import Function, function_from_expr, numeric_form
from .grammar import (
    ALIASES,
    FUNCTIONS,
    MAX_COMBINED_EXPONENT,
    MAX_CONSTANT_LOG10,
    MAX_DEPTH,
    MAX_EXACT_BITS,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_LITERAL,
    X,
)
from .messages import ExpressionError, format_error
from .parser import parse

__all__ = [
    "ExpressionError",
    "Function",
    "parse_function",
    "parse_expression",
    "function_from_expr",
    "numeric_form",
    "format_error",
    "FUNCTIONS",
    "ALIASES",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_LITERAL",
    "MAX_EXPONENT",
    "MAX_CONSTANT_LOG10",
    "MAX_COMBINED_EXPONENT",
    "MAX_EXACT_BITS",
    "X",
]


# --- parsing ------------------------------------------------------------------

def parse_expression(text: str, variables: tuple[str, ...] = ("x",)) -> sp.Expr:
    """Parse ``text`` into a SymPy expression in the given real variables.

    Raises :class:`ExpressionError` (a ``ValueError``) with a message that says
    what is wrong and where. Never evaluates the text as Python.
    """
    expr = parse(text, tuple(variables))
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ExpressionError("the formula contains an undefined or infinite constant (like 1/0)")
    if expr.has(sp.I):
        raise ExpressionError("the formula contains a complex constant; this lab works with real functions")
    for p in expr.atoms(sp.Pow):  # 0^g(x): SymPy's derivative is nan, never shown as "exact"
        if p.base.is_zero and p.exp.free_symbols:
            raise ExpressionError("0 to a power that depends on x is 0 for a positive power and "
                                  "undefined otherwise; it has no derivative to show (write 0 instead)")
    if not expr.free_symbols:
        _check_constant(expr)
    return expr


def _check_constant(expr: sp.Expr) -> None:
    """A formula that SymPy reduced to a constant (``asin(2 + x - x)``) must be a real number."""
    try:
        value = complex(sp.N(expr, 15))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        raise ExpressionError("the formula reduces to a constant that is not a real number") from None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        raise ExpressionError("the formula reduces to an undefined or infinite constant (like 1/0)")
    if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        raise ExpressionError(
            "the formula reduces to a complex constant; this lab works with real functions"
        )


def parse_function(text: str) -> Function:
    """Parse ``text`` into a :class:`Function` of the real variable x."""
    expr = parse_expression(text, ("x",))
    return Function(text=" ".join(text.split()), expr=expr)
