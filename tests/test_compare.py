"""core.compare: every method on the same question, each answer with its reason."""

import numpy as np
import pytest

from core import compare, presets, reference


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_kink_table_gives_each_methods_answer(dtype):
    df = compare.kink_table(dtype)
    assert list(df["method"]) == ["JAX", "SymPy", "NumPy", "NumPy", "central difference"]
    np.testing.assert_allclose(df["d|x|/dx"], [1.0, 0.0, -0.5, 0.5, 0.0], atol=1e-6)
    assert df["d|x|/dx"].between(-1, 1).all()  # all are valid subgradients
    assert df["why"].str.len().gt(20).all()
    assert (df["dtype"] == dtype).all()
    h = 10 / 99  # the lab's grid skips 0: the NumPy rows sit at ±h/2
    assert list(df["where"]) == ["x = 0", "x = 0", f"x = {-h / 2:.4f}", f"x = {h / 2:.4f}", "x = 0"]


@pytest.mark.parametrize("spec", ["exp(-2*x) + 3*sin(3*x)", "x^3*sin(x) - 2/x", "log(x)*sqrt(x)", "composed:3"])
def test_higher_order_matches_sympy_in_float64(spec):
    fn = presets.resolve(spec)
    for x0 in (0.4, 1.1):
        table = compare.higher_order_at(fn, x0)
        assert list(table["JAX"]) == ["grad(f)", "grad(grad(f))", "grad(grad(grad(f)))"]
        for order in (1, 2, 3):
            row = table[table["order"] == order]
            want = float(reference.exact(fn, np.array([x0]), order)[0])
            assert row["SymPy value"].item() == want
            assert row["JAX value"].item() == pytest.approx(want, rel=1e-9), (spec, x0, order)
            assert row[reference.SCALED_ERROR].item() < 1e-9


def test_higher_order_in_float32_shows_its_rounding():
    table = compare.higher_order_at(presets.resolve("exp(-2*x) + 3*sin(3*x)"), 1.1, np.float32)
    assert (table["dtype"] == "float32").all()
    assert (table[reference.SCALED_ERROR] < 1e-5).all() and (table[reference.SCALED_ERROR] > 0).any()
