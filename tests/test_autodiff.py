"""core.autodiff: JAX's grad on arrays and at a point, its pitfalls, jit timing, float32 against float64."""

import math

import numpy as np
import pytest

from core import autodiff, parse_function, presets, reference


def test_grad_of_x_squared_at_3_is_6_in_both_dtypes():
    fn = presets.resolve("x^2")
    assert autodiff.grad_at(fn, 3.0) == 6.0
    assert autodiff.grad_at(fn, 3.0, dtype=np.float32) == 6.0


def test_arrays_side_by_side_and_immutability():
    facts = autodiff.array_facts(dtype=np.float32)
    assert list(facts["made with"]) == ["np.array", "jnp.array"]
    assert facts["type"].iloc[0] == "numpy.ndarray" and "Array" in facts["type"].iloc[1]
    assert list(facts["dtype"]) == ["float32", "float32"]
    assert autodiff.backend() in facts["device"].iloc[1]
    msg = autodiff.item_assignment_error()
    assert msg.startswith("TypeError: ") and "immutable" in msg and ".at[idx].set(y)" in msg
    before, after = autodiff.at_set([1.0, 2.0, 3.0], 0, -2.5)
    np.testing.assert_array_equal(before, [1.0, 2.0, 3.0])  # out of place: the original is unchanged
    np.testing.assert_array_equal(after, [-2.5, 2.0, 3.0])


def test_the_pitfalls_give_jaxs_real_messages():
    fn = presets.resolve("x^2")
    msg = autodiff.integer_input_error(fn, 3)
    assert "grad requires real- or complex-valued inputs" in msg and "int" in msg
    msg = autodiff.array_output_error(fn, [1.0, 2.0, 3.0])
    assert "Gradient only defined for scalar-output functions. Output had shape: (3,)" in msg


def test_jit_timing_reports_both_variants_and_phases_within_budget():
    fn = presets.resolve("composed:2")
    df = autodiff.jit_timing(fn, n=1000, dtype="float32", repeats=3, budget_s=1.0)
    assert set(df["variant"]) == {"vmap(grad(f)), no jit", "jit(vmap(grad(f)))"}
    assert set(df["phase"]) <= {"first call", "steady state (median)"}
    assert (df["ms"] > 0).all() and (df["calls"] >= 1).all() and (df["calls"] <= 3).all()
    assert (df["dtype"] == "float32").all() and (df["points"] == 1000).all()


def test_composed_polynomial_overflows_in_float32_from_depth_4_not_in_float64():
    xs = np.linspace(-5, 5, 1000)
    for depth, expect_overflow in ((3, False), (4, True)):
        fn = presets.composed_polynomial(depth)
        d32 = autodiff.derivative(fn, xs.astype(np.float32))
        d64 = autodiff.derivative(fn, xs)
        assert d32.dtype == np.float32 and d64.dtype == np.float64
        assert bool((~np.isfinite(d32)).any()) is expect_overflow
        assert np.isfinite(d64).all()


def test_jaxprs_of_f_and_grad_f():
    fn = presets.resolve("sin(x)")
    assert "sin a" in str(autodiff.jaxpr(fn))
    assert "cos" in str(autodiff.grad_jaxpr(fn))
    assert "f32" in str(autodiff.jaxpr(fn, np.float32))
    assert math.isfinite(autodiff.derivative_at(fn, 0.3))


@pytest.mark.parametrize("spec", list(presets.PRESETS) + [
    "x^4 - 2*x", "sin(x)^2", "x*exp(x)", "sqrt(x)", "tan(x)", "atan(x)", "log(x^2 + 1)", "exp(sin(x))",
    "cosh(x) - sinh(x)", "x^x", "1/(1 + exp(-x))", "asin(x/2)", "pi*x^2 + e"])
def test_derivative_matches_exact_where_defined(spec):
    fn = presets.resolve(spec)
    xs = np.linspace(*presets.default_range(spec), 101)
    xs = xs[np.abs(xs) > 1e-9]  # skip the kinks at 0: conventions differ there (core.compare's kink table)
    want = reference.exact(fn, xs)
    got = autodiff.derivative(fn, xs)
    ok = np.isfinite(want)
    assert ok.sum() > 10
    # Near a zero of f' both sides carry rounding of the size of the largest terms.
    scale = np.abs(want[ok]).max()
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-9, atol=1e-9 + 1e-12 * scale)


def test_higher_orders_agree_with_exact_on_a_grid():
    fn = parse_function("sin(x)*exp(x)")
    xs = np.linspace(-2, 2, 21)
    for order in (2, 3):
        np.testing.assert_allclose(autodiff.derivative(fn, xs, order=order), reference.exact(fn, xs, order),
                                   rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(autodiff.derivative(fn, xs, order=0), fn.numpy(xs))


def test_nested_grad_is_grad_applied_order_times():
    fn = parse_function("x^4")
    assert float(autodiff.nested_grad(fn, 3)(2.0)) == 48.0  # 24·x
    assert float(autodiff.nested_grad(fn, 0)(2.0)) == 16.0
    assert autodiff.grad_at(fn, 2.0, 2) == 48.0 and autodiff.derivative_at(fn, 2.0, 1) == 32.0
    with pytest.raises(ValueError):
        autodiff.grad_function(fn, 0)  # grad at a point needs at least one grad
    with pytest.raises(ValueError):
        autodiff.derivative(fn, [1.0], order=4)


def test_abs_at_zero_takes_the_right_branch():
    assert autodiff.derivative_at(presets.resolve("abs(x)"), 0.0) == 1.0  # JAX takes the x >= 0 branch


def test_dtype_follows_input():
    fn = parse_function("x^2")
    assert autodiff.derivative(fn, np.ones(3, dtype=np.float32)).dtype == np.float32
    assert autodiff.derivative(fn, np.ones(3)).dtype == np.float64
    assert autodiff.derivative(fn, np.arange(3)).dtype == np.float64
    assert autodiff.derivative(fn, np.arange(3), jit=False).dtype == np.float64
