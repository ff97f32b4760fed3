"""The rule table of the evaluation traces: for each JAX primitive, its value and its partial derivatives.

As autodidax registers ``jvp_rules[sin_p] = sin_jvp``, each primitive here has a
named rule written for the maths, registered right below it: the arguments are the
primitive's inputs (``x``, or ``x, y``), ``out`` is the value it computed (so
exp's partial can be ``out`` itself) and a parameter of the primitive (the
exponent ``y`` of ``integer_pow``) comes as a keyword. A rule returns ∂out/∂arg for
each argument; the ``text`` next to it says the same for a reader, with {0}, {1}
for the arguments' names, {out} for the output's and {p} for the parameter.

Everything is NumPy on scalars of the trace's dtype, so rounding and overflow show
up as they do in JAX. JAX's conventions are kept where the maths has none: at a
kink |x| takes the slope of the x ≥ 0 branch, and 0·a^(−1) is 0 for a power 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Rule", "RULES"]


@dataclass(frozen=True)
class Rule:
    """One primitive: ``value(*args, **params)`` is its output, ``partials(*args, out=…, **params)``
    its ∂out/∂arg for each argument, ``text`` the same partials written for a reader."""

    value: Callable
    partials: Callable
    text: tuple[str, ...]


RULES: dict[str, Rule] = {}


def _one(x):
    return np.ones_like(x)


def _where(cond, a, b):
    return np.where(cond, a, b)[()]


# --- arithmetic -----------------------------------------------------------------

def neg_partials(x, *, out):
    return (-_one(x),)


RULES["neg"] = Rule(np.negative, neg_partials, ("−1",))


def add_partials(x, y, *, out):
    return (_one(x), _one(y))


RULES["add"] = RULES["add_any"] = Rule(np.add, add_partials, ("1", "1"))


def sub_partials(x, y, *, out):
    return (_one(x), -_one(y))


RULES["sub"] = Rule(np.subtract, sub_partials, ("1", "−1"))


def mul_partials(x, y, *, out):
    return (y, x)


RULES["mul"] = Rule(np.multiply, mul_partials, ("{1}", "{0}"))


def div_partials(x, y, *, out):
    return (1 / y, -x / y**2)


RULES["div"] = Rule(np.divide, div_partials, ("1/{1}", "−{0}/{1}²"))


def square_partials(x, *, out):
    return (2 * x,)


RULES["square"] = Rule(np.square, square_partials, ("2·{0}",))


def integer_pow(x, *, y):
    return x**y


def integer_pow_partials(x, *, out, y):
    # y·x^(y−1); for y = 0 the derivative is 0 (also at x = 0, as in JAX)
    return ((y * x ** (y - 1)) if y != 0 else 0 * x,)


RULES["integer_pow"] = Rule(integer_pow, integer_pow_partials, ("{p}·{0}^({p}−1)",))


def pow_partials(x, y, *, out):
    # ∂/∂x = y·x^(y−1) (0 when y = 0); ∂/∂y = ln(x)·x^y (0 at x = 0): JAX's conventions
    return (_where(y == 0, 0 * x, y * x ** (y - 1)),
            _where(x == 0, 0 * out, np.log(_where(x == 0, _one(x), x)) * out))


RULES["pow"] = Rule(np.power, pow_partials, ("{1}·{0}^({1}−1)", "ln({0})·{out}"))


def sqrt_partials(x, *, out):
    return (0.5 / out,)


RULES["sqrt"] = Rule(np.sqrt, sqrt_partials, ("1/(2·{out})",))


def rsqrt(x):
    return 1 / np.sqrt(x)


def rsqrt_partials(x, *, out):
    return (-0.5 * out / x,)


RULES["rsqrt"] = Rule(rsqrt, rsqrt_partials, ("−{out}/(2·{0})",))


def cbrt_partials(x, *, out):
    return (out / (3 * x),)


RULES["cbrt"] = Rule(np.cbrt, cbrt_partials, ("{out}/(3·{0})",))


# --- exponentials and logarithms ------------------------------------------------------

def exp_partials(x, *, out):
    return (out,)


RULES["exp"] = Rule(np.exp, exp_partials, ("{out}",))


def exp2_partials(x, *, out):
    return (np.log(2) * out,)


RULES["exp2"] = Rule(np.exp2, exp2_partials, ("ln 2·{out}",))


def expm1_partials(x, *, out):
    return (out + 1,)


RULES["expm1"] = Rule(np.expm1, expm1_partials, ("{out} + 1",))


def log_partials(x, *, out):
    return (1 / x,)


RULES["log"] = Rule(np.log, log_partials, ("1/{0}",))


def log1p_partials(x, *, out):
    return (1 / (1 + x),)


RULES["log1p"] = Rule(np.log1p, log1p_partials, ("1/(1 + {0})",))


def logistic(x):
    return 1 / (1 + np.exp(-x))


def logistic_partials(x, *, out):
    return (out * (1 - out),)


RULES["logistic"] = Rule(logistic, logistic_partials, ("{out}·(1 − {out})",))


# --- trigonometric and hyperbolic -----------------------------------------------------

def sin_partials(x, *, out):
    return (np.cos(x),)


RULES["sin"] = Rule(np.sin, sin_partials, ("cos({0})",))


def cos_partials(x, *, out):
    return (-np.sin(x),)


RULES["cos"] = Rule(np.cos, cos_partials, ("−sin({0})",))


def tan_partials(x, *, out):
    return (1 + out * out,)


RULES["tan"] = Rule(np.tan, tan_partials, ("1 + {out}²",))


def asin_partials(x, *, out):
    return (1 / np.sqrt(1 - x**2),)


RULES["asin"] = Rule(np.arcsin, asin_partials, ("1/√(1 − {0}²)",))


def acos_partials(x, *, out):
    return (-1 / np.sqrt(1 - x**2),)


RULES["acos"] = Rule(np.arccos, acos_partials, ("−1/√(1 − {0}²)",))


def atan_partials(x, *, out):
    return (1 / (1 + x**2),)


RULES["atan"] = Rule(np.arctan, atan_partials, ("1/(1 + {0}²)",))


def sinh_partials(x, *, out):
    return (np.cosh(x),)


RULES["sinh"] = Rule(np.sinh, sinh_partials, ("cosh({0})",))


def cosh_partials(x, *, out):
    return (np.sinh(x),)


RULES["cosh"] = Rule(np.cosh, cosh_partials, ("sinh({0})",))


def tanh_partials(x, *, out):
    return (1 - out * out,)


RULES["tanh"] = Rule(np.tanh, tanh_partials, ("1 − {out}²",))


def asinh_partials(x, *, out):
    return (1 / np.sqrt(x**2 + 1),)


RULES["asinh"] = Rule(np.arcsinh, asinh_partials, ("1/√({0}² + 1)",))


def acosh_partials(x, *, out):
    return (1 / np.sqrt(x**2 - 1),)


RULES["acosh"] = Rule(np.arccosh, acosh_partials, ("1/√({0}² − 1)",))


def atanh_partials(x, *, out):
    return (1 / (1 - x**2),)


RULES["atanh"] = Rule(np.arctanh, atanh_partials, ("1/(1 − {0}²)",))


# --- kinks: JAX picks one branch's slope at the kink (d|x|/dx = +1 at x = 0) -------------------

def abs_partials(x, *, out):
    return (_where(x >= 0, _one(x), -_one(x)),)


RULES["abs"] = Rule(np.abs, abs_partials, ("+1 if {0} ≥ 0 else −1",))


def sign_partials(x, *, out):
    return (0 * x,)


RULES["sign"] = Rule(np.sign, sign_partials, ("0",))


# --- plumbing ----------------------------------------------------------------------

def copy(x):
    return x


def copy_partials(x, *, out):
    return (_one(x),)


RULES["copy"] = RULES["copy_p"] = Rule(copy, copy_partials, ("1",))
