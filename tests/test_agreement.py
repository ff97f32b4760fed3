"""core.agreement: an expression evaluated at points (deltas 0, complex values nan), the
relative gap, and whether two expressions agree at seeded random points."""

import numpy as np
import sympy as sp

from core.agreement import POINTS, evaluate, numeric_agreement, relative_gap, sample
from core.expressions import X


def test_evaluate_drops_deltas_and_turns_complex_values_into_nan():
    xs = np.array([-4.0, 1.0, 4.0])
    assert list(evaluate(X + sp.DiracDelta(X), X, xs)) == [-4.0, 1.0, 4.0]
    out = evaluate(sp.sqrt(X), X, xs.astype(complex))
    assert np.isnan(out[0]) and out[2] == 2.0
    assert list(evaluate(sp.Integer(3), X, xs)) == [3.0, 3.0, 3.0]  # a constant has the points' shape


def test_the_gap_is_relative_away_from_zero_and_absolute_near_it():
    assert np.allclose(relative_gap(np.array([100.0, 1e-3]), np.array([101.0, 2e-3])), [1 / 101, 1e-3], rtol=1e-12)
    assert (sample(-1, 1) == sample(-1, 1)).all() and len(sample(-1, 1)) == 40 * POINTS


def test_agreement_is_found_and_the_worst_point_is_named():
    assert numeric_agreement(sp.sin(2 * X), 2 * sp.sin(X) * sp.cos(X))["agree"]
    far = numeric_agreement(X**2, X**2 + 1e-6 * X)
    assert not far["agree"] and far["points"] == POINTS and far["worst"] is not None
    none = numeric_agreement(sp.log(X), sp.log(X), lo=-5, hi=-1)  # no real value anywhere
    assert none["points"] == 0 and not none["agree"]
