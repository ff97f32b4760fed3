"""A function applied to its argument (core/function_calls.py): sin x, sin 2x, sin^2 x,
sin⁻¹ x, log(x, 2), and where a bare argument ends. Checked by value, as in test_parser."""

from __future__ import annotations

import pytest
import sympy as sp
from test_parser import _same, _values, x

from core import ExpressionError, parse_function
from core.cbrt import cbrt

CALLS = [
    ("sin x", sp.sin(x)),
    ("ln x", sp.log(x)),
    ("ln(x)", sp.log(x)),
    ("log x", sp.log(x)),
    ("sec x", 1 / sp.cos(x)),
    ("cot(x)", 1 / sp.tan(x)),
    ("arcsin(x/4)", sp.asin(x / 4)),
    ("asinh(x)", sp.asinh(x)),
    ("log10(x)", sp.log(x) / sp.log(10)),
    ("log2 x", sp.log(x) / sp.log(2)),
    ("log(x, 2)", sp.log(x) / sp.log(2)),
    ("log(8, 2) x", 3 * x),
    ("cbrt(x)", cbrt(x)),
    ("cbrt(x - 8)", sp.sign(x - 8) * sp.Abs(x - 8) ** sp.Rational(1, 3)),
    ("sin^2 x", sp.sin(x) ** 2),
    ("sin²x", sp.sin(x) ** 2),
    ("sin^2(x) + cos^2(x)", sp.Integer(1)),
    ("sin^-1 (x/4)", sp.asin(x / 4)),
    ("sin⁻¹(x/4)", sp.asin(x / 4)),
    ("tan^-1 x", sp.atan(x)),
    ("cosh^-1 (x + 1)", sp.acosh(x + 1)),
    ("cot^-1 x", sp.atan(1 / x)),
    ("sin x^2", sp.sin(x**2)),
    ("sin x cos x", sp.sin(x) * sp.cos(x)),
    ("sin 2x + 1", sp.sin(2 * x) + 1),
    ("sin 2x", sp.sin(2 * x)),
    ("sin2x", sp.sin(2 * x)),
    ("sinxcosx", sp.sin(x) * sp.cos(x)),
    ("ln sin x", sp.log(sp.sin(x))),
    ("sin -x", sp.sin(-x)),
    ("sqrt x", sp.sqrt(x)),
    ("sgn(x - 1)", sp.sign(x - 1)),
    ("cosec x", 1 / sp.sin(x)),
    ("arsinh x", sp.asinh(x)),
    ("sin x/2", sp.sin(x) / 2),
]


@pytest.mark.parametrize("text, meaning", CALLS, ids=[ascii(t) for t, _ in CALLS])
def test_calls_read_as_students_mean(text, meaning):
    _same(_values(parse_function(text).expr), _values(meaning))


@pytest.mark.parametrize("text, words", [
    ("sin^-2 x", "only trigonometric and hyperbolic functions have ^-1"),
    ("ln^-1 x", "only trigonometric and hyperbolic functions have ^-1"),
    ("sin^0 x", "must be a whole number from 1"),
    ("sin^x x", "write a whole number"),
    ("sin", "needs an argument"),
    ("sin(x, 2)", "takes exactly one argument"),
    ("log(x, 2", "never closed"),
])
def test_powers_and_arguments_a_function_cannot_take_are_refused(text, words):
    with pytest.raises(ExpressionError, match=words.replace("^", "\\^")):
        parse_function(text)
