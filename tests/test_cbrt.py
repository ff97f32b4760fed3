"""The real cube root (core/cbrt.py): cbrt(-8) = -2 in SymPy, NumPy, JAX and LaTeX."""

import jax
import numpy as np
import sympy as sp

from core import parse_function
from core.cbrt import cbrt
from core.function import X

x = X


def test_cbrt_is_the_real_cube_root():
    fn = parse_function("cbrt(x)")
    np.testing.assert_allclose(fn.numpy(np.array([-8.0, 0.0, 27.0])), [-2.0, 0.0, 3.0])
    assert parse_function("cbrt(-8) x").expr == -2 * x
    assert sp.latex(fn.expr) == r"\sqrt[3]{x}"



def test_cbrt_derivative_and_jax_agree_off_zero():
    assert sp.diff(cbrt(x), x) == 1 / (3 * cbrt(x) ** 2)
    fn = parse_function("∛x")
    xs = np.array([-8.0, -1.0, 0.5, 27.0])
    np.testing.assert_allclose(np.asarray(fn.jax(xs)), [-2.0, -1.0, 0.5 ** (1 / 3), 3.0], rtol=1e-14)
    grads = np.asarray(jax.vmap(jax.grad(fn.jax))(jax.numpy.asarray(xs)))
    np.testing.assert_allclose(grads, 1 / (3 * np.cbrt(xs) ** 2), rtol=1e-12)
