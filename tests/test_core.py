"""core against exact derivatives, for every preset and a dozen typed functions."""

import numpy as np
import pandas as pd
import pytest
import sympy as sp

from core import autodiff, numerical, parse_function, presets, symbolic, timing
from core.expressions import X

# Derivatives worked out by hand (not by SymPy), as a student would check them.
BY_HAND = {
    "x^2": 2 * X,
    "x^3": 3 * X**2,
    "2*x^3 - 3*x^2 + 5": 6 * X**2 - 6 * X,
    "1/x": -1 / X**2,
    "exp(x)": sp.exp(X),
    "log(x)": 1 / X,
    "sin(x)": sp.cos(X),
    "cos(x)": -sp.sin(X),
    "abs(x)": sp.sign(X),
    "abs(x) + sin(x)*cos(x)": sp.sign(X) + sp.cos(X) ** 2 - sp.sin(X) ** 2,
    "exp(-2*x) + 3*sin(3*x)": 9 * sp.cos(3 * X) - 2 * sp.exp(-2 * X),
}

TYPED = {
    "x^4 - 2*x": 4 * X**3 - 2,
    "sin(x)^2": 2 * sp.sin(X) * sp.cos(X),
    "x*exp(x)": sp.exp(X) + X * sp.exp(X),
    "sqrt(x)": 1 / (2 * sp.sqrt(X)),
    "tan(x)": 1 + sp.tan(X) ** 2,
    "atan(x)": 1 / (1 + X**2),
    "log(x^2 + 1)": 2 * X / (X**2 + 1),
    "exp(sin(x))": sp.cos(X) * sp.exp(sp.sin(X)),
    "cosh(x) - sinh(x)": sp.sinh(X) - sp.cosh(X),
    "x^x": X**X * (sp.log(X) + 1),
    "1/(1 + exp(-x))": sp.exp(-X) / (1 + sp.exp(-X)) ** 2,
    "asin(x/2)": 1 / (2 * sp.sqrt(1 - X**2 / 4)),
    "pi*x^2 + e": 2 * sp.pi * X,
}


def _grid(spec):
    lo, hi = presets.default_range(spec)
    xs = np.linspace(lo, hi, 101)
    return xs


@pytest.mark.parametrize("spec", list(BY_HAND) + list(TYPED))
def test_symbolic_matches_hand_derivative(spec):
    fn = presets.resolve(spec)
    want = {**BY_HAND, **TYPED}[spec]
    assert sp.simplify(symbolic.derivative(fn) - want) == 0


@pytest.mark.parametrize("spec", list(presets.PRESETS) + list(TYPED))
def test_autodiff_matches_exact_where_defined(spec):
    fn = presets.resolve(spec)
    xs = _grid(spec)
    xs = xs[np.abs(xs) > 1e-9]  # skip the kinks at 0: conventions differ there (see kink tests)
    exact = symbolic.derivative_values(fn, xs)
    got = autodiff.derivative(fn, xs)
    ok = np.isfinite(exact)
    assert ok.sum() > 10
    # Near a zero of f' both sides carry rounding of the size of the largest terms.
    scale = np.abs(exact[ok]).max()
    np.testing.assert_allclose(got[ok], exact[ok], rtol=1e-9, atol=1e-9 + 1e-12 * scale)


@pytest.mark.parametrize("spec", list(presets.PRESETS))
def test_numerical_gradient_close_inside_smooth_regions(spec):
    fn = presets.resolve(spec)
    xs = np.linspace(*presets.default_range(spec), 2001)
    exact = symbolic.derivative_values(fn, xs)
    got = numerical.gradient(fn, xs, edge_order=2)
    inner = slice(5, -5)
    ok = np.isfinite(exact[inner]) & (np.abs(xs[inner]) > 0.05) & np.isfinite(got[inner])
    err = np.abs(got[inner][ok] - exact[inner][ok]) / np.maximum(1, np.abs(exact[inner][ok]))
    assert np.median(err) < 1e-2  # second order: h² · f‴ / 6, largest for the steep depth-6 polynomial


def test_composed_polynomial_matches_lab_loop():
    def p(t):
        return 2 * t**3 - 3 * t**2 + 5

    fn = presets.composed_polynomial(3)
    xs = np.linspace(-1, 1.5, 9)
    np.testing.assert_allclose(fn.numpy(xs), p(p(p(xs))), rtol=1e-13)
    assert presets.resolve("composed:3") == fn


def test_composed_depth_bounds():
    with pytest.raises(ValueError):
        presets.composed_polynomial(7)


def test_cse_shrinks_the_swell():
    d = symbolic.derivative(presets.composed_polynomial(6))
    assert symbolic.cse_ops(d) < symbolic.count_ops(d) / 10
    assert symbolic.count_ops(symbolic.derivative(presets.composed_polynomial(1))) == 4


def test_derivative_function_with_and_without_cse_agree():
    fn = presets.composed_polynomial(4)
    xs = np.linspace(-1, 1.2, 50)
    a = symbolic.derivative_function(fn, cse=True)(xs)
    b = symbolic.derivative_function(fn, cse=False)(xs)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_higher_orders_agree():
    fn = parse_function("sin(x)*exp(x)")
    xs = np.linspace(-2, 2, 21)
    for order in (2, 3):
        np.testing.assert_allclose(autodiff.derivative(fn, xs, order=order),
                                   symbolic.derivative_values(fn, xs, order=order), rtol=1e-9, atol=1e-12)


def test_abs_conventions_at_zero():
    fn = presets.resolve("abs(x)")
    assert autodiff.derivative_at(fn, 0.0) == 1.0          # JAX takes the x >= 0 branch
    assert symbolic.derivative_values(fn, [0.0])[0] == 0.0  # sign(0) = 0
    xs = np.linspace(-5, 5, 100)                           # the lab's grid skips 0
    g = numerical.gradient(fn, xs)
    i = np.searchsorted(xs, 0.0)
    np.testing.assert_allclose(g[[i - 1, i]], [-0.5, 0.5], atol=1e-12)


def test_autodiff_dtype_follows_input():
    fn = parse_function("x^2")
    assert autodiff.derivative(fn, np.ones(3, dtype=np.float32)).dtype == np.float32
    assert autodiff.derivative(fn, np.ones(3)).dtype == np.float64
    assert autodiff.derivative(fn, np.arange(3)).dtype == np.float64


@pytest.mark.parametrize("scheme, tol", [("forward", 1e-6), ("backward", 1e-6), ("central", 1e-9),
                                         ("central4", 1e-11), ("complex", 1e-14)])
def test_difference_schemes_at_their_best_step(scheme, tol):
    fn = parse_function("exp(-2*x) + 3*sin(3*x)")
    x = np.array([1.0])
    exact = symbolic.derivative_values(fn, x)[0]
    got = numerical.difference(fn, x, numerical.optimal_step(scheme), scheme)[0]
    assert abs(got - exact) < tol


def test_complex_step_gives_zero_for_abs():
    fn = parse_function("abs(x)")
    assert numerical.difference(fn, np.array([2.0]), 1e-20, "complex")[0] == 0.0


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
