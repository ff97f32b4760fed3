"""core.autodiff: grad at a point, its pitfalls, jit timing, the kink, higher order, float32 vs float64."""

import math

import numpy as np
import pytest

from core import autodiff, presets, symbolic


def test_grad_of_x_squared_at_3_is_6_in_both_dtypes():
    fn = presets.resolve("x^2")
    assert autodiff.grad_at(fn, 3.0) == 6.0
    assert autodiff.grad_at(fn, 3.0, dtype=np.float32) == 6.0
    assert autodiff.grad_function(fn, 1) is autodiff.grad_function(fn, 1)  # compiled once, shared


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


def test_compare_counts_overflow_and_uses_relative_difference():
    c = autodiff.compare([1.0, 2.2, np.inf, 5.0, 0.1], [1.0, 2.0, 3.0, np.nan, 0.0])
    assert c["max_rel"] == pytest.approx(0.1)  # 0.2/2 beats |0.1 − 0| (absolute where exact is 0)
    assert c["overflow"] == 1 and c["points"] == 4


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_kink_table_gives_each_methods_answer(dtype):
    df = autodiff.kink_table(dtype)
    assert list(df["method"]) == ["JAX", "SymPy", "NumPy", "NumPy", "central difference"]
    np.testing.assert_allclose(df["d|x|/dx"], [1.0, 0.0, -0.5, 0.5, 0.0], atol=1e-6)
    assert df["d|x|/dx"].between(-1, 1).all()  # all are valid subgradients
    assert df["why"].str.len().gt(20).all()
    assert (df["dtype"] == dtype).all()


@pytest.mark.parametrize("spec", ["exp(-2*x) + 3*sin(3*x)", "x^3*sin(x) - 2/x", "log(x)*sqrt(x)", "composed:3"])
def test_higher_order_matches_sympy_in_float64(spec):
    fn = presets.resolve(spec)
    for x0 in (0.4, 1.1):
        table = autodiff.higher_order_at(fn, x0)
        for order in (1, 2, 3):
            exact = float(symbolic.derivative_values(fn, np.array([x0]), order)[0])
            got = table.loc[table["order"] == order, "JAX value"].item()
            assert got == pytest.approx(exact, rel=1e-9), (spec, x0, order)


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
