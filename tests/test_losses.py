"""The losses of n parameters: f in NumPy, JAX and SymPy agree, and the closed-form gradient is right."""

import numpy as np
import pytest
import sympy as sp

from core import losses
from core.jax64 import jax, jnp


@pytest.mark.parametrize("kind", list(losses.LOSSES))
def test_the_three_forms_of_f_and_its_gradient_agree(kind):
    prob = losses.problem(kind, 7)
    w = prob.w
    assert prob.f_numpy(w) == pytest.approx(float(prob.f_jax(jnp.asarray(w))), rel=1e-12)
    ws, expr = prob.sympy()
    assert float(expr.subs(dict(zip(ws, w)))) == pytest.approx(prob.f_numpy(w), rel=1e-10)
    np.testing.assert_allclose(prob.exact_gradient(), np.asarray(jax.grad(prob.f_jax)(jnp.asarray(w))),
                               rtol=1e-10, atol=1e-12)
    assert [float(sp.diff(expr, ws[0]).subs(dict(zip(ws, w))))] == pytest.approx([prob.exact_gradient()[0]])


def test_same_seed_same_data_and_unknown_losses_refused():
    a, b = losses.problem("logistic", 5), losses.problem("logistic", 5)
    np.testing.assert_array_equal(a.A, b.A)
    assert set(np.unique(a.b)) <= {-1.0, 1.0}
    with pytest.raises(ValueError, match="unknown loss"):
        losses.problem("hinge", 3)
