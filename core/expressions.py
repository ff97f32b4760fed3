"""Text a user typed -> :class:`Function`, by the school-maths grammar in :mod:`core.grammar`.

The text is never handed to ``eval``, ``exec``, ``sympify``, ``parse_expr`` or
Python's ``ast``/``compile``: :mod:`core.grammar` tokenizes it and builds the
SymPy expression itself, and it is the one place that says what is accepted
(numbers, x, pi/π, e, + - * / ^ **, implicit products such as 2x and x sin x,
functions with or without parentheses, |x|, √x, x², a leading "y =" ...).
Maths that would hang SymPy (huge literals, exact numbers of thousands of bits,
power towers, enormous exponents) or that is undefined as a constant (``1/0``,
``log(0)``, ``sqrt(-1)``) is refused there too, before SymPy builds it.

The symbol is *real*, so ``d|x|/dx`` is ``sign(x)`` rather than the
unevaluable complex expression the lab shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np
import sympy as sp

from .grammar import (ALIASES, FUNCTIONS, MAX_COMBINED_EXPONENT, MAX_CONSTANT_LOG10, MAX_DEPTH,
                      MAX_EXACT_BITS, MAX_EXPONENT, MAX_LENGTH, MAX_LITERAL, X, ExpressionError,
                      format_error, parse)

__all__ = [
    "ExpressionError",
    "Function",
    "parse_function",
    "parse_expression",
    "function_from_expr",
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

#: Exact numbers beyond this size are handed to NumPy/JAX as floats (they cannot take Python ints
#: that large: sin(10^300) would be an object array, or an OverflowError in JAX).
_FLOAT_EXACT = 2 ** 53


def numeric_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every integer or fraction beyond 2^53 replaced by its Float.

    What :class:`Function` lambdifies; the exact ``expr`` stays for display and diff.
    """
    big = {r: sp.Float(r, 17) for r in expr.atoms(sp.Rational)
           if abs(r.p) > _FLOAT_EXACT or r.q > _FLOAT_EXACT}
    return expr.xreplace(big) if big else expr


# --- the Function ---------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Function:
    """A real function of one variable, known three ways.

    ``text`` is the normalised text (its identity: equality and hashing use it),
    ``expr`` the SymPy expression in the real symbol :data:`X`, ``label`` a
    short human name. :meth:`numpy` and :meth:`jax` evaluate callables generated
    from ``expr`` with common subexpressions shared (``lambdify(cse=True)``),
    so a composed function is evaluated as a graph, not as an exponential tree.
    """

    text: str
    expr: sp.Expr
    label: str = ""
    symbol: sp.Symbol = field(default=X)

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Function) and other.text == self.text

    def __repr__(self) -> str:
        return f"Function({self.text!r})"

    @property
    def name(self) -> str:
        """What to call the function on screen."""
        return self.label or self.text

    @property
    def latex(self) -> str:
        """LaTeX of the parsed expression (never of the text): the "read as" line."""
        return sp.latex(self.expr)

    @cached_property
    def _numeric(self) -> sp.Expr:
        return numeric_form(self.expr)

    @cached_property
    def _numpy_raw(self) -> Callable:
        return sp.lambdify(self.symbol, self._numeric, modules="numpy", cse=True)

    @cached_property
    def _jax_raw(self) -> Callable:
        from . import _jax  # noqa: F401  (64-bit on before any jax array exists)

        return sp.lambdify(self.symbol, self._numeric, modules="jax", cse=True)

    def numpy(self, xs):
        """Evaluate with NumPy, elementwise, in the float dtype of ``xs``.

        Points where f is undefined come back as ``nan`` (or ``inf`` where it
        overflows); no warning is raised for them. Integer input is promoted to
        float64, complex input stays complex (the complex-step method needs it).
        """
        arr = np.asarray(xs)
        if not np.issubdtype(arr.dtype, np.inexact):
            arr = arr.astype(np.float64)
        with np.errstate(all="ignore"):
            out = np.asarray(self._numpy_raw(arr))
        if out.shape != arr.shape:  # a constant function returns a scalar
            out = np.broadcast_to(out, arr.shape).copy()
        if out.dtype != arr.dtype:
            if np.iscomplexobj(out) and not np.iscomplexobj(arr):
                out = out.real
            out = out.astype(arr.dtype)
        return out

    def jax(self, xs):
        """Evaluate with ``jax.numpy``; traceable by ``grad``, ``vmap`` and ``jit``."""
        from ._jax import jnp

        out = self._jax_raw(xs)
        shape = jnp.shape(xs)
        # A constant function returns a Python number (an int for "5" or "x - x"):
        # give it the input's shape and float dtype, or grad refuses it.
        if jnp.shape(out) != shape or not jnp.issubdtype(jnp.result_type(out), jnp.inexact):
            out = jnp.broadcast_to(jnp.asarray(out, dtype=jnp.result_type(xs)), shape)
        return out

    @property
    def depends_on_x(self) -> bool:
        """False for a constant function."""
        return self.symbol in self.expr.free_symbols


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


def function_from_expr(expr: sp.Expr, text: str, label: str = "") -> Function:
    """Wrap a SymPy expression built by our own code (presets), never user text."""
    return Function(text=text, expr=expr, label=label)
