"""core.symbolic: diff (exact, bounded, in the real symbol x), lambdify, exact numbers, the rules of each term."""

import numpy as np
import pytest
import sympy as sp

from core import parse_function, presets, symbolic
from core.bounds import TooLarge
from core.expressions import X


def test_sqrt_is_kept_exact_next_to_the_float():
    r = symbolic.exact_sqrt(18)
    assert r["text"] == "3*sqrt(2)" and r["latex"] == r"3 \sqrt{2}"
    assert r["float"] == 4.242640687119285
    assert r["float_exact_decimal"].startswith("4.24264068711928477")  # what the double really holds
    assert symbolic.exact_sqrt(16)["text"] == "4" and symbolic.exact_sqrt(16)["is_exact_integer"]
    assert symbolic.exact_sqrt(200)["text"] == "10*sqrt(2)"
    with pytest.raises(ValueError):
        symbolic.exact_sqrt(0)


@pytest.mark.parametrize("text, name", [("x^2", "Pow"), ("sin(x)", "sin"), ("x + 1", "Add"),
                                        ("2*x", "Mul"), ("x", "Symbol"), ("abs(x)", "Abs")])
def test_calling_an_expression_on_an_array_gives_the_real_type_error(text, name):
    expr = parse_function(text).expr
    assert symbolic.call_on_array(expr, np.array([1, 2, 3])) == f"TypeError: '{name}' object is not callable"


def test_lambdify_writes_numpy_source_that_works_on_arrays():
    f, source = symbolic.lambdify_source(X**2, X)
    assert "def _lambdifygenerated(x):" in source and "return x**2" in source
    np.testing.assert_array_equal(f(np.array([1, 2, 3])), [1, 4, 9])


def _rules(spec):
    fn = presets.resolve(spec)
    return [r["rule"] for r in symbolic.rule_breakdown(fn.expr, fn.symbol)]


@pytest.mark.parametrize("spec, rules", [
    ("x^2", ["power"]),
    ("1/x", ["power"]),
    ("exp(x)", ["exponential"]),
    ("sin(x)", ["elementary"]),
    ("x*exp(x)", ["product"]),
    ("sin(x)/x", ["quotient"]),
    ("x^x", ["general power"]),
    ("2^x", ["exponential"]),
    ("2*x^3 - 3*x^2 + 5", ["constant", "constant multiple · power", "constant multiple · power"]),
    ("exp(-2*x) + 3*sin(3*x)", ["constant multiple · elementary · chain", "exponential · chain"]),
    ("composed:2", ["constant", "constant multiple · power · chain", "constant multiple · power · chain"]),
])
def test_each_term_is_labelled_with_its_rule(spec, rules):
    assert sorted(_rules(spec)) == sorted(rules)


def test_rule_rows_add_up_to_the_derivative_and_name_the_inner_function():
    fn = parse_function("exp(-2*x) + 3*sin(3*x)")
    rows = symbolic.rule_breakdown(fn.expr, X)
    chain = {r["inner"] for r in rows}
    assert chain == {"3 x", "- 2 x"}
    derivs = {r["derivative"] for r in rows}
    assert derivs == {sp.latex(9 * sp.cos(3 * X)), sp.latex(-2 * sp.exp(-2 * X))}
    big = symbolic.rule_breakdown(presets.composed_polynomial(5).expr, X, max_ops=50)
    assert any(r"\text{(a tree of" in r["derivative"] for r in big)


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


@pytest.mark.parametrize("spec", list(BY_HAND))
def test_derivative_matches_the_hand_derivative(spec):
    assert sp.simplify(symbolic.derivative(presets.resolve(spec)) - BY_HAND[spec]) == 0


def test_derivative_function_with_and_without_cse_agree():
    fn = presets.composed_polynomial(4)
    xs = np.linspace(-1, 1.2, 50)
    a = symbolic.derivative_function(fn, cse=True)(xs)
    b = symbolic.derivative_function(fn, cse=False)(xs)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert "x" in symbolic.derivative_source(fn, 1, cse=True) and "def " in symbolic.derivative_source(fn)


def test_derivative_function_keeps_shape_and_dtype():
    fn = parse_function("2*x + 1")
    out = symbolic.derivative_function(fn)(np.zeros((2, 3), dtype=np.float32))
    assert out.shape == (2, 3) and out.dtype == np.float32 and (out == 2).all()


def test_abs_at_zero_is_sign_of_zero_and_its_second_derivative_undefined():
    fn = presets.resolve("abs(x)")
    assert symbolic.derivative_values(fn, [0.0])[0] == 0.0  # sign(0) = 0
    assert symbolic.derivative(fn, 2).has(sp.DiracDelta)     # d²|x|/dx² = 2·δ(x)
    d2 = symbolic.derivative_values(fn, [-1.0, 0.0, 1.0], 2)
    assert d2[0] == 0.0 and np.isnan(d2[1]) and d2[2] == 0.0  # δ is 0 off its spike, undefined on it


def test_orders_beyond_the_lab_and_oversized_steps_are_refused():
    fn = parse_function("sin(x)")
    assert symbolic.derivative(fn, 0) == fn.expr
    with pytest.raises(ValueError, match="between 0 and 3"):
        symbolic.derivative(fn, 4)
    product = sp.Mul(*[sp.sin(k * X) for k in range(1, 30)])
    with pytest.raises(TooLarge, match="second derivative"):
        symbolic.bounded_diff(product, X, 2)
