"""The Function value: a real function of x known as text, as a SymPy expression and as NumPy/JAX callables.

:func:`core.expressions.parse_function` builds one from typed text and
:func:`core.presets.resolve` from a preset's id; :func:`function_from_expr`
wraps an expression the lab built itself. :attr:`Function.spec` is what the
picker and the URL store, and ``presets.resolve(fn.spec) == fn``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np
import sympy as sp

from .grammar import X

__all__ = ["Function", "numeric_form", "function_from_expr", "elementwise", "X"]

#: Exact numbers beyond this size are handed to NumPy/JAX as floats (they cannot take Python ints
#: that large: sin(10^300) would be an object array, or an OverflowError in JAX).
_FLOAT_EXACT = 2 ** 53


#: The inverse functions NumPy and JAX lack, as the ones they have of 1/u (the same on the real
#: line, SymPy's conventions). SymPy's printers write acot(u) as ``rewrite(atan)`` of the whole
#: subtree, which turned acos(x) inside it into a formula with abs(x) (not complex-analytic:
#: the complex step went wrong) and, for JAX, acoth(acos(x)) into complex logarithms (grad
#: refused the complex output). Rewritten here, only the outer function changes.
_RECIPROCAL_INVERSES = {sp.acot: sp.atan, sp.acoth: sp.atanh, sp.asec: sp.acos, sp.acsc: sp.asin,
                        sp.asech: sp.acosh, sp.acsch: sp.asinh}


def numeric_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every integer or fraction beyond 2^53 replaced by its Float, and acot,
    acoth, asec, acsc, asech, acsch written as atan, atanh, acos, asin, acosh, asinh of 1/u.

    What :class:`Function` lambdifies; the exact ``expr`` stays for display and diff.
    """
    big = {r: sp.Float(r, 17) for r in expr.atoms(sp.Rational)
           if abs(r.p) > _FLOAT_EXACT or r.q > _FLOAT_EXACT}
    if big:
        expr = expr.xreplace(big)
    for inverse, direct in _RECIPROCAL_INVERSES.items():
        if expr.has(inverse):
            expr = expr.replace(inverse, lambda u, direct=direct: direct(1 / u, evaluate=False))
    return expr


def elementwise(raw: Callable, xs) -> np.ndarray:
    """``raw`` (a lambdified NumPy function) on ``xs``, elementwise, in the float dtype of ``xs``.

    Integer input is promoted to float64, complex input stays complex; the result has the
    shape of ``xs`` (a constant comes back as a scalar from lambdify) and is real for real
    input; nan and inf where the function is undefined or overflows, without warnings.
    """
    arr = np.asarray(xs)
    if not np.issubdtype(arr.dtype, np.inexact):
        arr = arr.astype(np.float64)
    with np.errstate(all="ignore"):
        out = np.asarray(raw(arr))
    if out.shape != arr.shape:
        out = np.broadcast_to(out, arr.shape).copy()
    if np.iscomplexobj(out) and not np.iscomplexobj(arr):
        out = out.real
    return out.astype(arr.dtype, copy=False)


@dataclass(frozen=True, eq=False)
class Function:
    """A real function of one variable, known three ways.

    ``text`` is the normalised text or the preset id (its identity: equality and
    hashing use it; :attr:`spec` is the same string, named for what stores it),
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
    def spec(self) -> str:
        """What the function picker and the URL store for this function: a preset's id
        (``"sin(x)"``, ``"composed:3"``) or the normalised typed text. It is the
        Function's identity (``text``), so ``presets.resolve(fn.spec) == fn``."""
        return self.text

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
        from . import jax64  # noqa: F401  (64-bit on before any jax array exists)

        return sp.lambdify(self.symbol, self._numeric, modules="jax", cse=True)

    def numpy(self, xs):
        """Evaluate with NumPy, elementwise, in the float dtype of ``xs``.

        Points where f is undefined come back as ``nan`` (or ``inf`` where it
        overflows); no warning is raised for them. Integer input is promoted to
        float64, complex input stays complex (the complex-step method needs it).
        """
        return elementwise(self._numpy_raw, xs)

    def jax(self, xs):
        """Evaluate with ``jax.numpy``; traceable by ``grad``, ``vmap`` and ``jit``."""
        from .jax64 import jnp

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


def function_from_expr(expr: sp.Expr, text: str, label: str = "") -> Function:
    """Wrap a SymPy expression built by our own code (presets), never user text.

    ``text`` becomes the Function's identity and :attr:`~Function.spec`: give a
    preset's id, so that ``presets.resolve(fn.spec) == fn``.
    """
    return Function(text=text, expr=expr, label=label)
