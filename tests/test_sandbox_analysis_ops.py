"""Sandbox operations behind the pages' unbounded analyses (core/sandbox/analysis_ops.py), in-process."""

from core.sandbox import OPS


def test_answers_and_derivations_are_proved_by_simplify():
    assert OPS["equivalent"]("2x", "x^2")["verdict"] == "zero"
    assert OPS["equivalent"]("2x + 1", "x^2")["verdict"] == "nonzero"
    assert OPS["steps_proof"]("x^2")["verdict"] == "zero"
    assert OPS["steps_simplify"]("x sin x")["text"] == "x*cos(x) + sin(x)"


def test_domain_and_taylor_series_come_back_as_plain_numbers():
    assert OPS["domain"]("sqrt(x)", -1.0, 1.0)["undefined"] == ((-1.0, 0.0, True, False),)
    assert OPS["series"]("exp(x)", 0.0, 3)["coeffs"] == [1.0, 1.0, 0.5, 1 / 6]
    assert [n for n, _ in OPS["series_timing"]("exp(x)", 0.0, (1, 2), 1.0)["timings"]] == [1, 2]
