"""core.cost: the evaluations of f each method needs, by formula and counted."""

import numpy as np

from core import cost, presets
from core.schemes import SCHEMES


def test_evaluations_counted_match_formulae():
    fn = presets.resolve("exp(-2*x) + 3*sin(3*x)")
    xs = np.linspace(-5, 5, 50)
    for scheme, s in SCHEMES.items():
        assert cost.count_evaluations(fn, xs, scheme) == s.evaluations * 50
        assert cost.evaluations(scheme, 50, 7)["n_points"] == s.evaluations * 50
    assert cost.count_evaluations(fn, xs, "gradient") == 50
    assert cost.evaluations("forward", p=1000)["p_params"] == 1001
    assert cost.evaluations("central", p=1000)["p_params"] == 2000
    assert cost.evaluations("central4", p=1000)["p_params"] == 4000
    assert cost.evaluations("complex", p=1000)["p_params"] == 1000
    assert cost.evaluations("gradient", p=10)["p_params"] == 1024  # a grid in 10 dimensions


def test_cost_table_has_a_row_per_method():
    fn = presets.resolve("exp(-2*x) + 3*sin(3*x)")
    table = cost.cost_table(fn, 100, 10)
    assert list(table.method) == ["np.gradient"] + [s.label for s in SCHEMES.values()]
    assert list(table.counted) == [100, 200, 200, 200, 400, 100]
    assert list(table.complex) == [False, False, False, False, False, True]
