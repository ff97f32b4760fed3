"""Sandbox operations on the order-th derivative (core/sandbox/derivative_ops.py), in-process."""

import pytest

from core.sandbox import OPS


def test_operations_on_the_derivative():
    assert OPS["count_ops"]("sin(x)^2")["ops"] == 4
    assert r"\cos" in OPS["latex"]("sin(x)^2", order=2)["latex"]
    big = OPS["latex"]("(x+1)^3*sin(x)^4*exp(x)^2", max_ops=5)
    assert "too big to print" in big["latex"] and big["ops"] > 5
    v = OPS["evalf_point"]("x^3", 2.0)
    assert v["value"] == 12.0 and v["text"] == "12.0000000000000"
    huge = OPS["evalf_point"]("exp(x)^1000", 1.0)
    assert huge["value"] is None and "e+437" in huge["text"]
    assert OPS["evalf_point"]("sqrt(x - 5)", 1.0, order=0)["value"] is None  # complex
    src = OPS["derivative_source"]("sin(x)^2")["text"]
    assert src.startswith("def _lambdifygenerated(x):") and "cos(x)" in src
    assert OPS["check_compile"]("abs(x)", order=2)["ok"] is True


def test_a_curve_of_the_derivative():
    res = OPS["curve"]("x^2", order=1, lo=-1.0, hi=1.0, n=3)
    assert res["values"] == [-2.0, 0.0, 2.0] and res["latex"] == "2 x"
    with pytest.raises(ValueError, match="n must be between"):
        OPS["curve"]("x^2", n=10**6)
