"""core.multivariate: ∂f/∂x and ∂f/∂y of every preset and some typed functions, by every method,
against SymPy at sample points; the Hessian's values and symmetry; D_u f two ways."""

import numpy as np
import pytest
import sympy as sp

from core import ExpressionError
from core import multivariate as mv
from core.bounds import TooLarge

TYPED = ["x sin y", "e^(x y) + y^3", "x^2 y - 3y", "sqrt(x^2 + y^2 + 1)", "cos(x) / (2 + sin y)"]
POINTS = [(0.3, 0.7), (-1.2, 0.45), (1.55, -1.35)]
#: Largest error allowed per method at a sample point (np.gradient on the 0.1 grid is O(h²)).
TOL = {"central": 1e-6, "np.gradient": None, "jax.grad": 1e-11, "jax.jacfwd": 1e-11, "jax.jacrev": 1e-11}


def _sympy_partials(text):
    x, y = sp.symbols("x y", real=True)
    e = mv.resolve(text).expr
    return x, y, sp.diff(e, x), sp.diff(e, y)


@pytest.mark.parametrize("text", list(mv.PRESETS) + TYPED)
def test_partials_by_every_method_match_sympy(text):
    fn = mv.resolve(text)
    x, y, fx, fy = _sympy_partials(text)
    assert mv.partials(fn) == (fx, fy)
    r = mv.grid_partials(fn, -2.0, 2.0, 41)
    X, Y = r["X"], r["Y"]
    for px, py in [(0.3, 0.7), (-1.2, 0.4), (1.5, -1.3)]:  # grid points (spacing 0.1)
        i, j = int(round((px + 2) / 0.1)), int(round((py + 2) / 0.1))
        assert X[i, j] == pytest.approx(px) and Y[i, j] == pytest.approx(py)
        ex = float(fx.subs({x: X[i, j], y: Y[i, j]}).evalf(20))
        ey = float(fy.subs({x: X[i, j], y: Y[i, j]}).evalf(20))
        scale = max(1.0, abs(ex), abs(ey))
        for m, tol in TOL.items():
            gx, gy = r[m][0][i, j], r[m][1][i, j]
            if tol is None:  # second-order differences on the 0.1 grid: within a few percent of |f''|
                tol = 0.2 * scale
            assert abs(gx - ex) <= tol * scale, (m, gx, ex)
            assert abs(gy - ey) <= tol * scale, (m, gy, ey)
    err = mv.errors(r).set_index("method")
    assert list(err.index) == list(mv.METHODS)
    assert err.loc["jax.grad"].iloc[1:].max() < 1e-9
    assert err.loc["np.gradient"].iloc[1:].max() > err.loc["central"].iloc[1:].max()


@pytest.mark.parametrize("text", list(mv.PRESETS) + TYPED[:3])
@pytest.mark.parametrize("p", POINTS)
def test_point_gradient_hessian_and_directional(text, p):
    fn = mv.resolve(text)
    x, y = sp.symbols("x y", real=True)
    at = {x: p[0], y: p[1]}
    g = mv.point_gradient(fn, *p)
    H = sp.hessian(fn.expr, (x, y))
    Hv = np.array([[float(H[i, j].subs(at).evalf(20)) for j in range(2)] for i in range(2)])
    np.testing.assert_allclose(g["jax"], g["exact"], rtol=1e-12, atol=1e-12)
    h = mv.hessian_at(fn, *p)
    np.testing.assert_allclose(h["sympy"], Hv, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(h["jax"], Hv, rtol=1e-10, atol=1e-9)
    assert h["sym_gap_sympy"] <= 1e-12 * max(1, abs(Hv).max())
    assert h["sym_gap_jax"] <= 1e-10 * max(1, abs(Hv).max())
    d = mv.directional(fn, *p)
    np.testing.assert_allclose(d.jvp, d.grad_dot_u, atol=1e-10 * max(1, abs(d.jvp).max()))
    # at θ = 0 and 90° the directional derivative is ∂f/∂x and ∂f/∂y
    assert d.jvp.iloc[0] == pytest.approx(g["exact"][0], abs=1e-10)
    k = int(np.argmin(np.abs(d.theta - np.pi / 2)))
    assert d.jvp.iloc[k] == pytest.approx(g["exact"][1], abs=1e-9 * max(1, abs(g["exact"][1])))


def test_presets_are_the_issues_functions():
    x, y = sp.symbols("x y", real=True)
    exprs = [mv.resolve(p).expr for p in mv.PRESETS]
    assert exprs == [2 * x**2 - x * y, x**2 - y**2, (1 - x) ** 2 + 100 * (y - x**2) ** 2, sp.exp(-x**2 - y**2)]


def test_kink_and_constant_functions():
    fn = mv.resolve("|x| + y^2")
    h = mv.hessian_at(fn, 0.5, 0.5)  # 2·DiracDelta(x) is 0 off the kink
    np.testing.assert_allclose(h["sympy"], [[0, 0], [0, 2]])
    c = mv.resolve("5")
    r = mv.grid_partials(c, -1, 1, 5)
    for m in mv.METHODS:
        assert np.all(r[m][0] == 0) and np.all(r[m][1] == 0)


def test_bad_text_and_too_large():
    with pytest.raises(ExpressionError):
        mv.resolve("x +* y")
    with pytest.raises(ExpressionError):
        mv.resolve("z + x")
    big = mv.resolve("*".join(f"sin({k}x+y)" for k in range(1, 26)))  # f″ bound 120,177 nodes
    with pytest.raises(TooLarge):
        mv.hessian(big)
