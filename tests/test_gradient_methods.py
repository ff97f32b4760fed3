"""core.gradient_methods: each way to the gradient gives the exact one; forward mode is n JVPs;
symbolic is refused before SymPy's work grows past the bounds."""

import numpy as np
import pytest

from core import gradient_methods as gm
from core.losses import LOSSES, problem


@pytest.mark.parametrize("kind", list(LOSSES))
@pytest.mark.parametrize("method", list(gm.METHODS))
def test_each_method_gives_the_exact_gradient(kind, method):
    prob = problem(kind, 7)
    grad = gm.prepare(method, prob)
    w = np.asarray(prob.w)
    g = np.asarray(grad(w), dtype=float)
    exact = prob.exact_gradient()
    tol = 1e-7 if method == "central" else 1e-12
    np.testing.assert_allclose(g, exact, atol=tol * max(1, abs(exact).max()))


def test_symbolic_is_refused_before_it_grows():
    with pytest.raises(ValueError, match="nodes"):
        gm.prepare("symbolic", problem("least_squares", 60))


def test_forward_mode_counts_one_jvp_per_parameter():
    prob = problem("rosenbrock", 6)
    counter = {}
    gm.prepare("forward", prob, counter)(prob.w)
    assert counter == {"jvp": 6}
    np.testing.assert_allclose(np.asarray(gm.n_jvps(prob.f_jax)(prob.w)), prob.exact_gradient(), atol=1e-12)
