"""What every sandbox operation shares (core/sandbox/formula.py): presets read by id, long results summarised."""

import pytest

from core.sandbox import OPS
from core.sandbox.formula import MAX_DIFF_ORDER, derivative


def test_presets_are_read_by_their_id():
    assert OPS["count_ops"]("composed:1", order=0)["ops"] == OPS["count_ops"]("2*x^3 - 3*x^2 + 5", order=0)["ops"]
    assert OPS["diff"]("x^3", order=2)["text"] == "6*x"


def test_long_results_are_summarised():
    res = OPS["expand"]("(x+1)^300")
    assert len(res["text"]) < 11_000 and "more characters" in res["text"]


def test_the_derivative_is_taken_in_the_first_variable_and_its_order_bounded():
    d, v = derivative("x^2 y", ("y", "x"), 1)
    assert v.name == "y" and str(d) == "x**2"
    with pytest.raises(ValueError, match=f"between 0 and {MAX_DIFF_ORDER}"):
        derivative("x", ("x",), -1)
