"""core.presets: the lab's polynomial is written once; its source, preset and label are read from it."""

import sympy as sp

from core import parse_function, presets
from core.expressions import X


def test_the_polynomial_source_preset_and_label_are_one_polynomial():
    p = presets.lab_polynomial(X)
    assert presets.P_SOURCE == "2*x**3 - 3*x**2 + 5"
    assert parse_function(presets.P_SPEC).expr == p
    assert presets.PRESETS[presets.P_SPEC].label == "2x³ − 3x² + 5"
    assert presets.composed_polynomial(2).expr == presets.lab_polynomial(p) == presets.compose(X, 2)
    t = sp.Symbol("t")
    assert sp.expand(presets.lab_polynomial(t)) == 2 * t**3 - 3 * t**2 + 5


def test_composed_ids_round_trip():
    assert presets.composed_depth(presets.composed_spec(4)) == 4
    assert presets.composed_depth("x^2") is None and presets.composed_depth("composed:99") is None
