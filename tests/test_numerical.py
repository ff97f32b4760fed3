"""core.numerical: the notebook's one import for the NumPy method keeps every name it had."""

import numpy as np
import pytest

from core import cost, grid, numerical, parse_function, schemes, stepsize


def test_readme_calls_work():
    fn = parse_function("exp(-2*x) + 3*sin(3*x)")
    xs = np.linspace(-5, 5, 100)
    np.testing.assert_allclose(numerical.gradient(fn, xs, edge_order=2), np.gradient(fn.numpy(xs), xs, edge_order=2))
    d = numerical.difference(fn, xs, 1e-6, "central")
    assert d.dtype == np.float64 and d.shape == xs.shape
    assert numerical.difference(fn, xs, 1e-6)[3] == d[3]  # central is the default
    assert numerical.optimal_step("central") == pytest.approx(np.finfo(float).eps ** (1 / 3))


def test_every_name_resolves_to_its_concept_module():
    assert numerical.SCHEMES is schemes.SCHEMES and numerical.secants is schemes.secants
    assert numerical.gradient_errors is grid.gradient_errors and numerical.kink_stencil is grid.kink_stencil
    for name in ("step_sweep", "best_steps", "theory_lines", "taylor_derivatives", "convergence", "fit_order",
                 "ZERO_FLOOR"):
        assert getattr(numerical, name) is getattr(stepsize, name)
    for name in ("evaluations", "count_evaluations", "cost_table"):
        assert getattr(numerical, name) is getattr(cost, name)
    assert set(numerical.__all__) <= set(dir(numerical))
