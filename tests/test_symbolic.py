"""core.symbolic beyond diff: exact numbers, the array lesson, rules, assumptions, swell."""

import numpy as np
import pytest
import sympy as sp

from core import parse_function, presets, symbolic
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


def test_abs_with_a_complex_symbol_cannot_be_evaluated_or_lambdified():
    z = symbolic.symbol_with("complex")
    rep = symbolic.evaluation_report(sp.Abs(z), z)
    assert rep["derivative"].has(sp.Derivative, sp.re, sp.im)
    text, kind, _ = rep["evalf"][-2.0]
    assert kind == "unevaluated" and "Derivative(re(x), x)" in text
    assert rep["lambdify_error"].startswith("PrintMethodNotImplementedError")
    assert rep["lenient_error"] == "NameError: name 'Derivative' is not defined"  # the lab's message
    assert "Derivative(re(x), x)" in rep["lenient_source"]
    assert rep["values"] is None


def test_abs_with_a_real_symbol_is_sign():
    s = symbolic.symbol_with("real")
    rep = symbolic.evaluation_report(sp.Abs(s), s)
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
    for name, expr, sym in symbolic.assumption_examples(assumption):
        got[name] = sp.sstr(sp.diff(expr, sym))
    assert got == want


def test_complex_assumption_keeps_sqrt_of_square_and_complex_abs():
    got = {name: sp.diff(e, s) for name, e, s in symbolic.assumption_examples("complex")}
    assert got["|x|"].has(sp.Derivative) and got["ln |x|"].has(sp.Derivative)
    assert sp.sstr(got["√(x²)"]) == "sqrt(x**2)/x"


def test_substituting_a_new_symbol_into_a_parsed_function():
    fn = parse_function("abs(x) + log(x)")
    pos, s = symbolic.with_assumption(fn.expr, fn.symbol, "positive")
    assert s.is_positive and pos == s + sp.log(s)
    cplx, z = symbolic.with_assumption(fn.expr, fn.symbol, "complex")
    assert z.is_real is None and sp.diff(cplx, z).has(sp.Derivative)
    with pytest.raises(ValueError):
        symbolic.symbol_with("imaginary")


def test_swell_metrics_tree_grows_fast_cse_and_jaxpr_linearly():
    rows = [symbolic.swell_metrics(d) for d in range(1, 7)]
    tree = [r["tree_ops"] for r in rows]
    assert tree == [4, 26, 94, 278, 742, 1862]
    cse = [r["cse_ops"] for r in rows]
    assert cse[-1] < tree[-1] / 10  # depth 6: sharing makes it over ten times smaller
    jx = [r["jaxpr_eqns"] for r in rows]
    steps = np.diff(jx)
    assert (steps > 0).all() and steps.max() == steps.min()  # the same equations added per level


def test_time_evaluation_skips_over_budget_and_measures_under_it():
    fn = presets.composed_polynomial(4)
    skipped = symbolic.time_evaluation(fn, 1_000_000, cse=False, budget_s=1e-6)
    assert skipped["seconds"] is None and skipped["estimate"] > 0 and "budget" in skipped["skipped"]
    done = symbolic.time_evaluation(fn, 2_000, cse=True, budget_s=60, repeats=2)
    assert done["seconds"] > 0 and done["skipped"] is None


def test_swell_table_has_a_row_per_depth_and_reports_progress():
    seen = []
    table = symbolic.swell_table(3, n=2_000, budget_s=60, repeats=1, progress=lambda d, what: seen.append(d))
    assert list(table["depth"]) == [1, 2, 3]
    assert {"tree_ops", "cse_ops", "jaxpr_eqns", "cse_s", "no_cse_s", "note"} <= set(table.columns)
    assert table[["cse_s", "no_cse_s"]].notna().all().all()
    assert sorted(set(seen)) == [1, 2, 3]
