"""core.assumptions: what SymPy may assume about x changes d/dx, and what evaluating it really says."""

import pytest
import sympy as sp

from core import assumptions, parse_function


def test_abs_with_a_complex_symbol_cannot_be_evaluated_or_lambdified():
    z = assumptions.symbol_with("complex")
    rep = assumptions.evaluation_report(sp.Abs(z), z)
    assert rep["derivative"].has(sp.Derivative, sp.re, sp.im)
    text, kind, _ = rep["evalf"][-2.0]
    assert kind == "unevaluated" and "Derivative(re(x), x)" in text
    assert rep["lambdify_error"].startswith("PrintMethodNotImplementedError")
    assert rep["lenient_error"] == "NameError: name 'Derivative' is not defined"  # the lab's message
    assert "Derivative(re(x), x)" in rep["lenient_source"]
    assert rep["values"] is None


def test_abs_with_a_real_symbol_is_sign():
    s = assumptions.symbol_with("real")
    rep = assumptions.evaluation_report(sp.Abs(s), s)
    assert rep["derivative"] == sp.sign(s) and rep["text"] == "sign(x)"
    assert rep["evalf"][-2.0][:2] == ("-1.00000000000000", "real")
    assert rep["values"] == {1.0: 1.0, -2.0: -1.0, 0.0: 0.0}
    assert rep["lambdify_error"] is None


@pytest.mark.parametrize("assumption, want", [
    ("real", {"|x|": "sign(x)", "√x": "1/(2*sqrt(x))", "ln x": "1/x", "ln |x|": "sign(x)/Abs(x)",
              "√(x²)": "sign(x)"}),
    ("positive", {"|x|": "1", "√x": "1/(2*sqrt(x))", "ln x": "1/x", "ln |x|": "1/x", "√(x²)": "1"}),
])
def test_assumptions_change_abs_sqrt_log_derivatives(assumption, want):
    got = {}
    for name, expr, sym in assumptions.assumption_examples(assumption):
        got[name] = sp.sstr(sp.diff(expr, sym))
    assert got == want


def test_complex_assumption_keeps_sqrt_of_square_and_complex_abs():
    got = {name: sp.diff(e, s) for name, e, s in assumptions.assumption_examples("complex")}
    assert got["|x|"].has(sp.Derivative) and got["ln |x|"].has(sp.Derivative)
    assert sp.sstr(got["√(x²)"]) == "sqrt(x**2)/x"


def test_substituting_a_new_symbol_into_a_parsed_function():
    fn = parse_function("abs(x) + log(x)")
    pos, s = assumptions.with_assumption(fn.expr, fn.symbol, "positive")
    assert s.is_positive and pos == s + sp.log(s)
    cplx, z = assumptions.with_assumption(fn.expr, fn.symbol, "complex")
    assert z.is_real is None and sp.diff(cplx, z).has(sp.Derivative)
    with pytest.raises(ValueError):
        assumptions.symbol_with("imaginary")
