"""The Function value (core/function.py): evaluation with NumPy and JAX, identity, and its spec."""

import numpy as np
import pytest
import sympy as sp

from core import parse_function, presets
from core.function import X, function_from_expr, numeric_form


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
    assert not fn.depends_on_x and parse_function("x - 1").depends_on_x


def test_undefined_points_are_nan_not_warnings():
    fn = parse_function("log(x)")
    with np.errstate(all="raise"):
        out = fn.numpy(np.array([-1.0, 0.0, 1.0]))
    assert np.isnan(out[0]) and np.isinf(out[1]) and out[2] == 0


def test_float32_stays_float32_and_integers_become_floats():
    fn = parse_function("sin(x)*0.5")
    assert fn.numpy(np.ones(3, dtype=np.float32)).dtype == np.float32
    assert fn.numpy(np.arange(3)).dtype == np.float64


def test_equality_and_hash_follow_the_normalised_text():
    assert parse_function("x^2") == parse_function(" x^2 ")
    assert len({parse_function("x^2"), parse_function("x^2")}) == 1
    assert parse_function("x^2") != parse_function("x*x")  # the same maths, typed differently


def test_numeric_form_turns_only_huge_exact_numbers_into_floats():
    big = sp.Integer(10) ** 300
    assert numeric_form(big * X + sp.Rational(1, 3)) == sp.Float(big, 17) * X + sp.Rational(1, 3)
    assert numeric_form(X / 3) == X / 3


@pytest.mark.parametrize("spec", [*presets.PRESETS, "sin x cos x", "  x^2 +   1 "])
def test_the_spec_resolves_back_to_the_same_function(spec):
    fn = presets.resolve(spec)
    assert fn.spec == " ".join(spec.split())
    again = presets.resolve(fn.spec)
    assert again == fn and again.expr == fn.expr


def test_a_preset_keeps_its_label_and_a_typed_function_its_text():
    assert presets.resolve("composed:2").spec == "composed:2"
    assert presets.resolve("composed:2").name != "composed:2"  # shown by its label
    typed = function_from_expr(X**2, text="x^2")
    assert typed.spec == "x^2" and typed.name == "x^2"


@pytest.mark.parametrize("text", ["acot(acos(x))", "acoth(acos(x))", "asec(acos(x))", "acsc(x^2 + 1)",
                                  "asech(x/3 + 0.5)", "acsch(sin(x))"])
def test_reciprocal_inverses_stay_analytic_for_the_complex_step_and_real_for_jax(text):
    """SymPy prints acot(u) as rewrite(atan) of the whole subtree: acos(x) inside became a formula
    with abs(x), so the complex step went wrong, and acoth(acos(x)) became complex logarithms for
    JAX, which grad refused. numeric_form writes the outer function as atan/atanh/… of 1/u."""
    from core import autodiff, numerical, symbolic

    fn = parse_function(text)
    xs = np.linspace(-2.0, 2.0, 17) + 0.0123
    with np.errstate(all="ignore"):
        f = fn.numpy(xs)
        exact = symbolic.derivative_values(fn, xs)
        ad = autodiff.derivative(fn, xs)  # raised TypeError (complex output) for acoth(acos(x))
        cs = numerical.difference(fn, xs, 1e-30, "complex")
    ok = np.isfinite(f) & np.isfinite(exact)
    assert ok.sum() >= 1, text
    np.testing.assert_allclose(ad[ok], exact[ok], rtol=1e-9, atol=1e-12, err_msg=text)
    np.testing.assert_allclose(cs[ok], exact[ok], rtol=1e-9, atol=1e-12, err_msg=text)
