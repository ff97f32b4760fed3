"""Exact numbers and their size bounds (core/exact.py, issue 11): too big is refused quickly,
before SymPy builds it; the extremes that fit are kept and evaluate as finite floats."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
import sympy as sp

from core import ExpressionError, parse_function
from core.exact import bits_message
from core.function import X
from core.grammar import MAX_EXACT_BITS

BOUNDED = [
    ("(((1/3)^1000)^1000)^1000", "too small"), ("((1/999999999999999)^1000)^1000", "too small"),
    ("(1+1/999999999999999)^1000", "bits"), ("((1/3)^1000)^10", "too small"),
    ("(1/3)^600*x*(1/3)^600*x*(1/3)^600", "bits"), ("(x/3)^1000*(x/7)^1000*(x/11)^1000", "bits"),
    ("2^1000", "too large"), ("10^299*10^299", "too large"), ("0.1^-1000", "too large"),
    ("9^9^9^9", "exponent is too large"), ("e^e^e^e", "exponent is too large"),
    ("(x^1000)^1000", "powers combine"), ("((x^10)^10)^100*x", "powers combine"),
    ("1" * 16, "too large"), ("1e-400", "too small"), ("0^x", "0 to a power"),
    ("sin(x)^0 * 0^(x^2)", "0 to a power"), ("(2x)^1000*(3x)^1000*(5x)^1000", "bits"),
]


@pytest.mark.parametrize("text, words", BOUNDED, ids=[ascii(t[:30]) for t, _ in BOUNDED])
def test_bounds_refuse_quickly(text, words):
    t0 = time.process_time()
    with pytest.raises(ExpressionError) as err:
        parse_function(text)
    assert words in str(err.value)
    assert time.process_time() - t0 < 1.0


@pytest.mark.parametrize("text", ["x^x^x^x^x^x", "x^1000*x^1000*x^1000", "(x+1)^1000", "(10x+1)^1000",
                                  "(1/3)^600*x", "sin(10^300)*x", "atan(10^300)*x", "exp(x/999999)^1000",
                                  "sqrt(999999999999989*999999999999997)*x", "0^0 + x", "(1.0 + 1/3)^1000*x"])
def test_valid_extremes_are_kept_and_evaluate(text):
    t0 = time.process_time()
    fn = parse_function(text)
    xs = np.linspace(0.5, 1.5, 5)
    assert fn.numpy(xs).shape == (5,)
    assert np.asarray(fn.jax(xs)).shape == (5,)
    assert time.process_time() - t0 < 5.0



@pytest.mark.parametrize("text", ["sin(10^300)", "sqrt(999999999999989*999999999999997)*x", "atan(10^300)*x"])
def test_big_exact_constants_evaluate_as_finite_floats(text):
    fn = parse_function(text)
    xs = np.linspace(-1, 1, 5)
    assert np.isfinite(fn.numpy(xs)).all()
    assert np.isfinite(np.asarray(fn.jax(xs))).all()


def test_exact_numbers_stay_exact_up_to_the_bound():
    assert parse_function("(1/3)^600*x").expr == sp.Rational(1, 3**600) * X
    assert parse_function("(3/2)^1000*(2/3)^1000*x").expr == X
    assert parse_function("(1.0 + 1/3)^1000*x").expr.args[0].is_Float  # a Float stays a Float: no bits


def test_the_bits_message_names_the_limit():
    assert f"at most {MAX_EXACT_BITS:,}" in bits_message(5000) and "5,001 bits" in bits_message(5000)
    with pytest.raises(ExpressionError, match="exact number would need about .* write a decimal"):
        parse_function("(1+1/999999999999999)^1000")


@pytest.mark.parametrize("text, words", [
    ("log(0)", "log(0) is undefined"), ("log(-1)", "complex"), ("sqrt(-1)", "complex, not real"),
    ("asin(2)", "only defined on [-1, 1]"), ("acosh(0)", "x >= 1"), ("log(2, 1)", "base of log(x, b)"),
    ("(-8)^(1/3)", "negative number to a fractional power"), ("0^-1", "zero to a negative power"),
    ("exp(1000)", "too large to compute"), ("x/(1-1)", "division by zero"),
])
def test_constants_outside_the_real_domain_are_refused_with_the_column(text, words):
    with pytest.raises(ExpressionError, match=re.escape(words)) as err:
        parse_function(text)
    assert err.value.column is not None
