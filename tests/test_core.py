"""core as a notebook uses it: the README's lines, run as written."""

import numpy as np
import pandas as pd
import pytest
import sympy as sp

import core
from core import ExpressionError, autodiff, numerical, parse_function, presets, symbolic, timing
from core.expressions import X


def test_the_package_docstring_example():
    fn = core.parse_function("exp(-2*x) + 3*sin(3*x)")
    assert core.symbolic.derivative(fn) == 9 * sp.cos(3 * X) - 2 * sp.exp(-2 * X)
    assert str(core.symbolic.derivative(fn)) == "9*cos(3*x) - 2*exp(-2*x)"


def test_readme_notebook_lines():
    fn = parse_function("exp(-2*x) + 3*sin(3*x)")
    xs = np.linspace(-5, 5, 100)
    exact = symbolic.derivative_function(fn)(xs)
    np.testing.assert_allclose(numerical.gradient(fn, xs, edge_order=2), np.gradient(fn.numpy(xs), xs, edge_order=2))
    np.testing.assert_allclose(numerical.difference(fn, xs, 1e-6, "central"), exact, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(autodiff.derivative(fn, xs), exact, rtol=1e-12, atol=1e-12)
    with pytest.raises(ExpressionError, match="did you mean 'sin'"):
        parse_function("sinn(x)")
    assert issubclass(ExpressionError, ValueError)


def test_composed_polynomial_matches_lab_loop():
    def p(t):
        return 2 * t**3 - 3 * t**2 + 5

    fn = presets.composed_polynomial(3)
    xs = np.linspace(-1, 1.5, 9)
    np.testing.assert_allclose(fn.numpy(xs), p(p(p(xs))), rtol=1e-13)
    assert presets.resolve("composed:3") == fn
    with pytest.raises(ValueError):
        presets.composed_polynomial(7)


def test_race_structure_and_accuracy():
    df = timing.race(parse_function("x^2"), n=10_000, repeats=2)
    assert isinstance(df, pd.DataFrame)
    assert set(df["method"]) == {"symbolic", "numerical", "autodiff"}
    assert set(df["phase"]) == {"setup", "evaluate"}
    assert (df["median_ms"] > 0).all()
    ev = df[df.phase == "evaluate"].set_index("method")
    assert ev.loc["symbolic", "max_abs_error"] < 1e-12
    assert ev.loc["autodiff", "max_abs_error"] < 1e-12
    assert ev.loc["numerical", "max_abs_error"] > 0  # np.gradient's ends are first order
    assert (ev["runs"] == 2).all()
