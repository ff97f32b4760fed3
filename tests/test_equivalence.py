"""core.equivalence: right answers in other forms, wrong ones caught, 'equal except at'."""

import pytest

from core import parse_expression, presets, symbolic
from core.equivalence import compare, simplify_difference, undefined_points, verdict


def _check(spec, answer, order=1, simplify=True):
    fn = presets.resolve(spec)
    target = symbolic.derivative(fn, order)
    a = parse_expression(answer)
    lo, hi = presets.default_range(spec)
    num = compare(fn.expr, target, a, fn.symbol, lo, hi)
    sym = {"ok": True, **simplify_difference(a, target)} if simplify else {"ok": False}
    return verdict(num, sym)


@pytest.mark.parametrize("spec,answer,order", [
    ("sin(x)^2", "sin 2x", 1), ("sin(x)^2", "2 sin x cos x", 1), ("exp(x^2)", "2x·e^(x^2)", 1),
    ("exp(x^2)", "2x e^(x²)", 1), ("abs(x)", "sign x", 1), ("log(x)", "1/x", 1), ("x^3", "6x", 2),
    ("tan(x)", "sec² x", 1), ("tan(x)", "1 + tan(x)^2", 1), ("x^x", "x^x (ln x + 1)", 1),
    ("sqrt(x)", "1/(2√x)", 1), ("1/x", "-x^(-2)", 1),
])
def test_right_answers_in_other_forms(spec, answer, order):
    v = _check(spec, answer, order)
    assert v["verdict"] == "equivalent", v
    assert v["decided_by"] == "simplification"
    v = _check(spec, answer, order, simplify=False)  # the worker timed out: evaluation decides
    assert (v["verdict"], v["decided_by"]) == ("equivalent", "evaluation")


@pytest.mark.parametrize("spec,answer", [
    ("sin(x)^2", "-sin 2x"), ("exp(x^2)", "4x e^(x^2)"), ("exp(x^2)", "x e^(x^2)"), ("sin(x)", "-cos x"),
    ("x^3", "3x^2 + 1"), ("log(x)", "1/x + 0.000001"), ("sqrt(x)", "-1/(2√x)"),
])
def test_wrong_answers_are_caught(spec, answer):
    v = _check(spec, answer)
    assert v["verdict"] == "not_equivalent" and v["decided_by"] == "evaluation", v
    x, want, have = v["at"]
    assert want != have


@pytest.mark.parametrize("spec,answer,at", [
    ("abs(x)", "x/|x|", [0.0]), ("abs(x) + x", "x/|x| + 1", [0.0]), ("abs(x-1)", "(x-1)/|x-1|", [1.0]),
    ("abs(x^2-4)", "2x (x^2-4)/|x^2-4|", [-2.0, 2.0]),
])
def test_differ_only_where_undefined(spec, answer, at):
    v = _check(spec, answer)
    assert v["verdict"] == "equal_except", v
    assert [p[0] for p in v["except_at"]] == at


def test_second_derivative_and_undefined_points():
    assert _check("sin(x)", "-sin x", 2)["verdict"] == "equivalent"
    assert _check("sin(x)", "sin x", 2)["verdict"] == "not_equivalent"
    assert undefined_points([parse_expression("|x^2 - 1| + sqrt(x)")]) == [-1.0, 0.0, 1.0]
