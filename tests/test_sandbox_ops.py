"""The operations a sandbox worker performs (core/sandbox/ops.py).

Each operation is a plain function of plain arguments: most are checked here
in-process (quick), and a few through a real worker, as the pages call them.
"""

import pytest

from core import ExpressionError
from core.sandbox import MAX_DIFF_ORDER, OPS, Sandbox


@pytest.fixture(scope="module")
def sandbox():
    sb = Sandbox(workers=1, timeout=10)
    yield sb
    sb.close()


def test_expand_factor_and_substitute_through_a_worker(sandbox):
    assert sandbox.run("expand", "x*(x^3 + 2*x^2)")["text"] == "x**4 + 2*x**3"
    assert sandbox.run("factor", "x^4 + 2*x^3")["text"] == "x**3*(x + 2)"
    res = sandbox.run("subs", "2*x^2 - x*y", ("x", "y"), {"x": -1, "y": 2})
    assert res["value"] == 4.0 and res["seconds"] >= 0


def test_bad_text_comes_back_as_expression_error(sandbox):
    with pytest.raises(ExpressionError, match="did you mean 'sin'"):
        sandbox.run("expand", "sinn(x)")


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


def test_presets_are_read_by_their_id():
    assert OPS["count_ops"]("composed:1", order=0)["ops"] == OPS["count_ops"]("2*x^3 - 3*x^2 + 5", order=0)["ops"]
    assert OPS["diff"]("x^3", order=2)["text"] == "6*x"


def test_a_curve_of_the_derivative():
    res = OPS["curve"]("x^2", order=1, lo=-1.0, hi=1.0, n=3)
    assert res["values"] == [-2.0, 0.0, 2.0] and res["latex"] == "2 x"
    with pytest.raises(ValueError, match="n must be between"):
        OPS["curve"]("x^2", n=10**6)


def test_limits_on_the_arguments():
    with pytest.raises(ValueError, match=f"order must be between 0 and {MAX_DIFF_ORDER}"):
        OPS["diff"]("x^2", order=MAX_DIFF_ORDER + 1)
    with pytest.raises(ValueError, match="digits must be between"):
        OPS["evalf"]("pi", digits=10**7)
    assert OPS["evalf"]("pi", digits=20)["text"] == "3.1415926535897932385"


def test_long_results_are_summarised():
    res = OPS["expand"]("(x+1)^300")
    assert len(res["text"]) < 11_000 and "more characters" in res["text"]
