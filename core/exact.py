"""Exact numbers with bounds on their size, worked out BEFORE SymPy builds them.

Every value the parser builds is a :class:`V`: the SymPy expression, its float
value when it is a constant, and upper bounds of log2 of the numerators and
denominators of the exact numbers in it and of the exponent its powers of x can
combine to. :func:`add`, :func:`mul`, :func:`div`, :func:`pow` and :func:`call`
compute the result's bounds from the operands' (logarithms only: ``(1/3)^1000``
is never built to find out it is too small) and refuse, with
:class:`~core.messages.ExpressionError` and the column, a number over
:data:`~core.grammar.MAX_EXACT_BITS` bits, a constant outside float64's range
(1e-307 .. 1e300), an exponent over :data:`~core.grammar.MAX_EXPONENT` or powers
that combine past :data:`~core.grammar.MAX_COMBINED_EXPONENT`. A constant outside
a function's real domain (``log(0)``, ``asin(2)``) is refused here too.
"""

from __future__ import annotations

import cmath
import math
from dataclasses import dataclass

import sympy as sp

from .grammar import (
    MAX_COMBINED_EXPONENT,
    MAX_CONSTANT_LOG10,
    MAX_EXACT_BITS,
    MAX_EXPONENT,
    MAX_LITERAL,
    MIN_CONSTANT_LOG10,
    DomainError,
    Fn,
    need,
)
from .messages import ExpressionError

__all__ = ["V", "integer", "literal", "neg", "add", "mul", "div", "pow", "call", "bits_message"]


@dataclass
class V:
    """A built SymPy expression with what the bounds need to know about it.

    ``f``: its float value when it is a constant, else None. ``nb``/``db``: upper
    bounds of log2 of the numerators and denominators of the exact numbers in it
    (their size in bits, less one: 1 costs nothing, so 1^k and x^1000*x^1000 are free).
    ``ex``: upper bound of the exponent its powers of x can combine to.
    """

    expr: sp.Expr
    f: float | None
    nb: float
    db: float
    ex: float

    @property
    def const(self) -> bool:
        return self.f is not None


def _lg(v: float) -> float:
    return math.log10(abs(v)) if v else -math.inf


def _log2(k: int) -> float:
    return math.log2(abs(k)) if k else 0.0


def _log2_sum(a: float, b: float) -> float:
    """log2(2^a + 2^b), without overflow: the size of a sum of two sizes."""
    hi, lo = max(a, b), min(a, b)
    return hi + math.log2(1.0 + 2.0 ** (lo - hi))


def bits_message(bits: float) -> str:
    """The refusal of an exact number of about ``bits`` bits."""
    bits = math.ceil(bits) + 1
    return (f"this exact number would need about {bits:,} bits (at most {MAX_EXACT_BITS:,}, "
            f"about {int(MAX_EXACT_BITS * math.log10(2)):,} digits)")


def _fail(message: str, col: int | None):
    raise ExpressionError(message, col)


def integer(k: int) -> V:
    """The exact integer ``k`` (a superscript, a function's power)."""
    return V(sp.Integer(k), float(k), _log2(k), 0.0, 0)


def literal(t) -> V:
    """A number literal token (``t.value`` its text, ``t.col`` its column), checked before it is built."""
    s = t.value
    mant, _, expo = s.lower().partition("e")
    digits = mant.split(".")[0].lstrip("0")
    if len(digits) > 15 or (expo and int(expo) > 15) or (expo and int(expo) + len(digits) > 16):
        _fail(f"the number at column {t.col} is too large (at most {MAX_LITERAL:.0e})", t.col)
    if expo and int(expo) < -300:
        _fail(f"the number at column {t.col} is too small (at least 1e-300 unless it is 0)", t.col)
    if "." not in s and not expo:
        k = int(s)
        return V(sp.Integer(k), float(k), _log2(k), 0.0, 0)
    v = float(s)
    if not math.isfinite(v) or abs(v) > MAX_LITERAL:
        _fail(f"the number at column {t.col} is too large (at most {MAX_LITERAL:.0e})", t.col)
    if v and abs(v) < 1e-300:
        _fail(f"the number at column {t.col} is too small (at least 1e-300 unless it is 0)", t.col)
    # Built from the checked float, never from the text (Float('1e-999999') is slow).
    return V(sp.Float(v), v, 0.0, 0.0, 0)


# --- building, with the bounds -----------------------------------------------------

def _check_bits(nb: float, db: float, col: int):
    if max(nb, db) > MAX_EXACT_BITS:
        _fail(f"{bits_message(max(nb, db))} at column {col}; write a decimal (e.g. 0.5 "
              f"for 1/2) to compute it in floating point", col)


def _check_size(lg: float, col: int, what: str = "this constant"):
    if lg > MAX_CONSTANT_LOG10:
        _fail(f"{what} is too large to compute (more than 1e{MAX_CONSTANT_LOG10}) at column {col}; "
              f"use smaller numbers", col)
    if lg < MIN_CONSTANT_LOG10:
        _fail(f"{what} is too small to compute (less than 1e{MIN_CONSTANT_LOG10}, it would "
              f"be 0 in floating point) at column {col}", col)


def _check_ex(ex: float, col: int):
    if ex > MAX_COMBINED_EXPONENT:
        _fail(f"the powers combine to an exponent of {ex:.0f}, too large (at most "
              f"{MAX_COMBINED_EXPONENT:,} in size) at column {col}; (x^a)^b is x^(a*b) "
              f"and x^a*x^b is x^(a+b)", col)


def _settle(expr: sp.Expr, f: float | None, nb: float, db: float, ex: float, col: int) -> V:
    """A built value, with its bounds made exact where it is a number (1.0 + 1/3 is a
    Float: nothing exact left), and checked. A constant that only appeared by
    cancellation (x - x) gets its float."""
    if expr.is_Rational:
        nb, db = _log2(expr.p), _log2(expr.q)
    elif expr.is_Float:
        nb = db = 0.0
    _check_bits(nb, db, col)
    if f is None and not expr.free_symbols:
        try:
            c = complex(sp.N(expr, 15))
        except (TypeError, ValueError, OverflowError, ZeroDivisionError):
            _fail(f"the formula reduces to a constant that is not a real number at column {col}", col)
        if not (cmath.isfinite(c)):
            _fail(f"the formula reduces to an undefined or infinite constant (like 1/0) at "
                  f"column {col}", col)
        if abs(c.imag) > 1e-12 * max(1.0, abs(c.real)):
            _fail(f"the formula reduces to a complex constant at column {col}; this lab "
                  f"works with real functions", col)
        f = c.real
        if f:
            _check_size(_lg(f), col)
    return V(expr, f, nb, db, ex)


def neg(a: V) -> V:
    """-a (no bound changes)."""
    return V(-a.expr, None if a.f is None else -a.f, a.nb, a.db, a.ex)


def add(a: V, b: V, minus: bool, col: int) -> V:
    """a + b, or a - b when ``minus``: p/q + r/s = (ps + rq)/(qs) bounds the sizes."""
    nb = _log2_sum(a.nb + b.db, b.nb + a.db)
    db = a.db + b.db
    f = None
    if a.const and b.const:
        f = a.f - b.f if minus else a.f + b.f
        if f:
            _check_size(_lg(f), col)
    expr = a.expr - b.expr if minus else a.expr + b.expr
    return _settle(expr, f, nb, db, max(a.ex, b.ex), col)


def mul(a: V, b: V, col: int) -> V:
    """a·b: sizes add, and so do the exponents of x."""
    nb, db = a.nb + b.nb, a.db + b.db
    f = None
    if a.const and b.const:
        if a.f and b.f:
            _check_size(_lg(a.f) + _lg(b.f), col)
        f = a.f * b.f
    if not (a.const and b.const):
        _check_bits(nb, db, col)
    ex = a.ex + b.ex
    _check_ex(ex, col)
    return _settle(a.expr * b.expr, f, nb, db, ex, col)


def div(a: V, b: V, col: int, bcol: int) -> V:
    """a/b (``bcol``: where b starts, for "division by zero")."""
    if b.f == 0 or (b.f is None and b.expr.is_zero):
        _fail(f"division by zero at column {bcol}", bcol)
    nb, db = a.nb + b.db, a.db + b.nb
    f = None
    if a.const and b.const:
        if a.f:
            _check_size(_lg(a.f) - _lg(b.f), col)
        f = a.f / b.f
    if not (a.const and b.const):
        _check_bits(nb, db, col)
    ex = a.ex + b.ex
    _check_ex(ex, col)
    return _settle(a.expr / b.expr, f, nb, db, ex, col)


def pow(a: V, b: V, col: int, bcol: int) -> V:
    """a^b: a constant exponent is at most MAX_EXPONENT and multiplies the sizes; a constant base
    and exponent must give a real number inside float64's range."""
    f = None
    if b.const:
        if not abs(b.f) <= MAX_EXPONENT:
            _fail(f"the exponent is too large (at most {MAX_EXPONENT} in size) at column {bcol}", bcol)
        integral = b.expr.is_Integer
        k = abs(b.f)
        if a.const:
            if a.f == 0 and b.f < 0:
                _fail(f"zero to a negative power is undefined (division by zero) at column {col}", col)
            if a.f < 0 and not float(b.f).is_integer():
                _fail(f"a negative number to a fractional power is complex, not real "
                      f"(column {col})", col)
            if a.f:
                _check_size(b.f * _lg(a.f), col, "this power")
                f = math.copysign(abs(a.f) ** b.f, a.f if float(b.f).is_integer() and b.f % 2 else 1.0)
            else:
                f = 1.0 if b.f == 0 else 0.0
        if a.expr.is_Float or (a.expr.is_Add and not a.const):
            nb, db = a.nb, a.db  # (x/3 + 1)^k stays unexpanded; a Float stays a Float
        elif isinstance(a.expr, sp.exp):
            nb, db = a.nb + _log2(int(k) + 1), a.db + _log2(int(k) + 1)  # exp(a)^k = exp(k*a)
        elif integral:
            nb, db = k * a.nb, k * a.db
            if b.f < 0:
                nb, db = db, nb
        else:
            m = max(a.nb, a.db)
            nb = db = k * m + m
        ex = 0 if a.const else max(a.ex, 1) * k
    else:
        if a.f == 0 or (a.f is None and a.expr.is_zero):
            _fail(f"0 to a power that depends on x at column {col} is 0 for a positive "
                  f"power and undefined otherwise; it has no derivative to show (write 0 "
                  f"instead)", col)
        nb = db = max(a.nb, a.db, b.nb, b.db)
        ex = max(a.ex, b.ex)
    _check_bits(nb, db, col)
    _check_ex(ex, col)
    return _settle(a.expr ** b.expr, f, nb, db, ex, col)


def call(fn: Fn, args: list[V], col: int) -> V:
    """fn(*args): on constants, the function's real domain is checked and its value computed first."""
    if len(args) not in fn.nargs:
        _fail(f"{fn.name}() takes exactly one argument, got {len(args)} (column {col})", col)
    f = None
    if all(a.const for a in args):
        vals = [a.f for a in args]
        try:
            if fn.check:
                fn.check(vals[0])
            if len(vals) == 2:
                need(vals[1] > 0 and vals[1] != 1, "the base of log(x, b) must be positive and not 1")
            f = float(fn.value(*vals))
        except DomainError as err:
            _fail(f"{err} (column {col})", col)
        except ZeroDivisionError:
            _fail(f"{fn.name}() is undefined (infinite) at this constant (column {col})", col)
        except (OverflowError, ValueError):
            _fail(f"{fn.name}() of this constant is too large to compute (column {col})", col)
        if not math.isfinite(f):
            _fail(f"{fn.name}() of this constant is too large to compute (column {col})", col)
        if f:
            _check_size(_lg(f), col)
    a = args[0]
    nb, db = a.nb + a.db, a.db  # sqrt(p/q) = sqrt(p*q)/q at worst
    for other in args[1:]:
        nb, db = max(nb, other.nb + other.db), max(db, other.db)
    _check_bits(nb, db, col)
    ex = a.ex if fn.name in ("abs", "sign", "sqrt", "cbrt") else (0 if a.const else 1)
    return _settle(fn.build(*[x.expr for x in args]), f, nb, db, ex, col)
