"""core.taylor: JAX's coefficients (jet or nested jvp) against SymPy's series, radius, fallback."""

import math

import numpy as np
import pytest

from core import presets, taylor

#: A point in each preset's domain where f is analytic.
X0 = {"log(x)": 0.7, "1/x": 0.7, "abs(x)": 0.7, "abs(x) + sin(x)*cos(x)": 0.7}


@pytest.mark.parametrize("spec", [s for s in presets.PRESETS if s not in ("composed:5", "composed:6")])
def test_jax_matches_sympy_series(spec):
    fn = presets.resolve(spec)
    x0 = X0.get(spec, 0.3)
    order = 6
    jx = taylor.coefficients(fn, x0, order)
    ref = taylor.sympy_coefficients(fn.expr, x0, order)
    assert len(jx["coeffs"]) == order + 1
    assert taylor.agreement(jx["coeffs"], ref) < 1e-9, (jx, ref)
    assert jx["method"] == "jet (Taylor mode)"


@pytest.mark.parametrize("text,x0", [("tan x", 0.3), ("asin x", 0.2), ("atan x", 0.5), ("acos(x/2)", 0.1)])
def test_jet_lacks_a_rule_and_falls_back(text, x0):
    fn = presets.resolve(text)
    with pytest.raises(KeyError):  # jax.experimental.jet's missing rule for the primitive
        taylor.jet_coefficients(fn, x0, 4)
    jx = taylor.coefficients(fn, x0, 4)
    assert jx["method"] == "nested jvp" and "jet has no Taylor rule" in jx["fallback"]
    assert taylor.agreement(jx["coeffs"], taylor.sympy_coefficients(fn.expr, x0, 4)) < 1e-9


def test_nested_jvp_stops_within_its_budget():
    out = taylor.jvp_coefficients(presets.resolve("x^x"), 0.5, 10, budget_s=0.3)
    assert out["stopped"] is not None and len(out["coeffs"]) == out["stopped"]


def test_polynomial_is_exact_for_a_polynomial():
    fn = presets.resolve("2*x^3 - 3*x^2 + 5")
    cs = taylor.coefficients(fn, 1.5, 3)["coeffs"]
    xs = np.linspace(-2, 2, 9)
    assert np.allclose(taylor.polynomial(cs, 1.5, xs), fn.numpy(xs), rtol=1e-12)


@pytest.mark.parametrize("text,x0,r", [
    ("1/(1-x)", 0.3, 0.7), ("1/(1-x)", -2.0, 3.0), ("ln(1+x)", 0.5, 1.5), ("atan x", 1.0, math.sqrt(2)),
    ("1/(1+x^2)", 0.0, 1.0), ("sin x + e^x", 0.0, math.inf), ("tan x", 0.2, math.pi / 2 - 0.2),
    ("composed:2", 0.5, math.inf),
])
def test_radius(text, x0, r):
    got = taylor.radius(presets.resolve(text).expr, x0)["radius"]
    assert got == pytest.approx(r, rel=1e-9)


def test_radius_not_computed():
    assert taylor.radius(presets.resolve("abs(x)").expr, 1.0)["radius"] is None
    assert "not computed" in taylor.radius(presets.resolve("log(sin(x))").expr, 1.0)["why"]
