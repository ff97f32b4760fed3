"""The parser: what it accepts, what it refuses, and what it says when it refuses."""

import numpy as np
import pytest
import sympy as sp

from core import ExpressionError, parse_expression, parse_function
from core.expressions import X, format_error


@pytest.mark.parametrize("text, expected", [
    ("x^2", X**2),
    ("x**2", X**2),
    ("2*x^3 - 3*x^2 + 5", 2 * X**3 - 3 * X**2 + 5),
    ("exp(-2*x) + 3*sin(3*x)", sp.exp(-2 * X) + 3 * sp.sin(3 * X)),
    ("abs(x)", sp.Abs(X)),
    ("1/x", 1 / X),
    ("log(x)", sp.log(X)),
    ("sqrt(x)", sp.sqrt(X)),
    ("e^x", sp.exp(X)),
    ("pi*x", sp.pi * X),
    ("  sin( x )\t", sp.sin(X)),
    ("-x", -X),
    ("atan(x) + tanh(x)", sp.atan(X) + sp.tanh(X)),
    ("5", sp.Integer(5)),
    ("2x", 2 * X),
    ("f(x) = x^2", X**2),
    ("x − 1", X - 1),
    ("x²", X**2),
])
def test_accepts_formulas(text, expected):
    assert sp.simplify(parse_function(text).expr - expected) == 0


def test_symbol_is_real_so_abs_differentiates_to_sign():
    fn = parse_function("abs(x)")
    assert sp.diff(fn.expr, X) == sp.sign(X)


def test_caret_means_power_with_power_precedence():
    assert parse_function("x^2+1").expr == X**2 + 1


@pytest.mark.parametrize("text, words", [
    ("sinn(x)", ["unknown function 'sinn'", "column 1", "did you mean 'sin'"]),
    ("x2", ["number right after 'x'", "column 2", "x^2", "2*x"]),
    ("x.__class__", ["attribute", "column 2"]),
    ("x[0]", ["indexing", "column 2"]),
    ("__import__('os')", ["'_'", "no Python internals", "column 1"]),
    ("import os", ["import", "statements are not allowed"]),
    ("lambda: 1", ["lambda", "Python"]),
    ("[x for x in (1,)]", ["indexing", "column 1"]),
    ("f'{x}'", ["unknown name 'f'", "column 1"]),
    ("'x'", ["text in quotes"]),
    ("x if x else 1", ["'if'", "Python"]),
    ("x == 1", ["'='", "column 3"]),
    ("y + 1", ["unknown name 'y'", "allowed names"]),
    ("1/0", ["division by zero", "column 3"]),
    ("log(0)", ["log(0)"]),
    ("sqrt(-1)", ["complex"]),
    ("9**9**9**9", ["exponent is too large"]),
    ("1e999999", ["too large"]),
    ("1" * 40, ["too large"]),
    ("x" * 400, ["too long"]),
    ("(" * 30 + "x" + ")" * 30, ["nested too deeply"]),
    ("", ["empty"]),
    ("x+", ["ends with '+'"]),
    ("(x", ["never closed"]),
    ("x = x^2", ["'='", "right-hand side"]),
    ("ｘ+1", ["U+FF58", "looks like 'x'"]),
    ("x\u202e+1", ["control character", "U+202E"]),
    ("x – 1", ["minus", "U+2013"]),
    ("sin(x, 2)", ["exactly one argument"]),
    ("x % 2", ["'%'"]),
    ("x # note", ["comments", "column 3"]),
])
def test_rejects_with_clear_message(text, words):
    with pytest.raises(ExpressionError) as err:
        parse_function(text)
    message = str(err.value)
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"
    assert isinstance(err.value, ValueError)


def test_error_carries_column():
    with pytest.raises(ExpressionError) as err:
        parse_function("x + sinn(x)")
    assert err.value.column == 5


def test_two_variables_when_asked():
    y = sp.Symbol("y", real=True)
    assert parse_expression("2*x^2 - x*y", ("x", "y")) == 2 * X**2 - X * y
    with pytest.raises(ExpressionError):
        parse_expression("2*x^2 - x*y")


def test_function_evaluates_with_numpy_and_jax():
    fn = parse_function("exp(-2*x) + 3*sin(3*x)")
    xs = np.linspace(-1, 1, 7)
    want = np.exp(-2 * xs) + 3 * np.sin(3 * xs)
    np.testing.assert_allclose(fn.numpy(xs), want, rtol=1e-14)
    np.testing.assert_allclose(np.asarray(fn.jax(xs)), want, rtol=1e-14)


def test_constant_function_broadcasts():
    fn = parse_function("5")
    assert fn.numpy(np.arange(4.0)).tolist() == [5.0] * 4
    assert np.asarray(fn.jax(np.arange(3.0))).shape == (3,)


def test_undefined_points_are_nan_not_warnings():
    fn = parse_function("log(x)")
    with np.errstate(all="raise"):
        out = fn.numpy(np.array([-1.0, 0.0, 1.0]))
    assert np.isnan(out[0]) and np.isinf(out[1]) and out[2] == 0


def test_float32_stays_float32():
    fn = parse_function("sin(x)*0.5")
    assert fn.numpy(np.ones(3, dtype=np.float32)).dtype == np.float32


def test_equality_and_hash_follow_text():
    assert parse_function("x^2") == parse_function(" x^2 ")
    assert len({parse_function("x^2"), parse_function("x^2")}) == 1


def test_format_error_points_at_the_column():
    text = "x + sinn(x)"
    with pytest.raises(ExpressionError) as err:
        parse_function(text)
    shown = format_error(text, err.value).splitlines()
    assert shown[0] == text
    assert shown[1] == "    ^"
    assert shown[2] == str(err.value)


def test_big_constants_evaluate_as_floats():
    for text in ["sin(10^300)", "sqrt(999999999999989*999999999999997)*x", "atan(10^300)*x"]:
        fn = parse_function(text)
        xs = np.linspace(-1, 1, 5)
        assert np.isfinite(fn.numpy(xs)).all()
        assert np.isfinite(np.asarray(fn.jax(xs))).all()
