"""core.schemes: each difference scheme's formula, best step and notebook code, and its secant lines."""

import numpy as np
import pytest

from core import parse_function, presets, reference, schemes
from core.schemes import SCHEMES

LAB = "exp(-2*x) + 3*sin(3*x)"


@pytest.fixture(scope="module")
def lab():
    return presets.resolve(LAB)


def test_the_five_schemes_their_orders_and_costs():
    assert list(SCHEMES) == ["forward", "backward", "central", "central4", "complex"]
    assert [s.order for s in SCHEMES.values()] == [1, 1, 2, 4, 2]
    assert [s.evaluations for s in SCHEMES.values()] == [2, 2, 2, 4, 1]
    assert SCHEMES["central4"].label == "fourth-order central" and SCHEMES["complex"].label == "complex step"


def test_best_steps_balance_truncation_and_roundoff():
    eps64, eps32 = np.finfo(np.float64).eps, np.finfo(np.float32).eps
    assert schemes.optimal_step("central") == pytest.approx(eps64 ** (1 / 3))
    assert schemes.optimal_step("forward", np.float32) == pytest.approx(eps32 ** (1 / 2))
    assert schemes.optimal_step("central4") == pytest.approx(eps64 ** (1 / 5))
    assert schemes.optimal_step("complex") == 1e-20 and schemes.optimal_step("complex", np.float32) == 1e-10
    assert SCHEMES["central"].optimal_step() == schemes.optimal_step("central")


@pytest.mark.parametrize("scheme, tol", [("forward", 1e-6), ("backward", 1e-6), ("central", 1e-9),
                                         ("central4", 1e-11), ("complex", 1e-14)])
def test_each_scheme_at_its_best_step(lab, scheme, tol):
    x = np.array([1.0])
    exact = reference.exact(lab, x)[0]
    got = schemes.difference(lab, x, schemes.optimal_step(scheme), scheme)[0]
    assert abs(got - exact) < tol


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_the_notebook_code_computes_what_difference_computes(lab, scheme):
    x0, h = 1.0, 1e-3
    scope = {"np": np, "f": lab.numpy, "x0": np.float64(x0), "h": h}
    pasted = eval(SCHEMES[scheme].code, scope)  # what a student pastes after defining f, x0 and h
    assert float(pasted) == pytest.approx(schemes.difference(lab, np.array([x0]), h, scheme)[0], rel=1e-14)


def test_dtype_follows_the_input_and_unknown_schemes_are_refused(lab):
    assert schemes.difference(lab, np.array([1.0]), 1e-6, "central").dtype == np.float64
    assert schemes.difference(lab, np.array([1.0], np.float32), 1e-3, "complex").dtype == np.float32
    assert schemes.difference(lab, [1, 2], 1e-6).dtype == np.float64
    with pytest.raises(ValueError, match="unknown scheme"):
        schemes.difference(lab, [1.0], 1e-6, "sideways")


def test_complex_step_gives_zero_for_abs():
    fn = parse_function("abs(x)")
    assert schemes.difference(fn, np.array([2.0]), 1e-20, "complex")[0] == 0.0


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_secants_converge_to_tangent(lab, scheme):
    hs = [0.5, 0.1, 1e-3, 1e-5]
    df = schemes.secants(lab, 1.0, hs, scheme, window=(0.5, 1.5))
    exact = -2 * np.exp(-2) + 9 * np.cos(3)
    slopes = df.groupby("h", sort=False)["slope"].first()
    errs = np.abs(slopes.to_numpy() - exact)
    assert errs[-1] < 1e-4 and np.all(np.diff(errs) < 0)  # forward at h = 1e-5: |f″|·h/2 ≈ 2e-5
    lines = df[df.kind == "line"]
    assert len(lines) == 2 * len(hs) and set(lines.x) == {0.5, 1.5}
    for _, g in lines.groupby("h"):  # every line has the scheme's slope
        assert (g.y.iloc[1] - g.y.iloc[0]) / 1.0 == pytest.approx(g.slope.iloc[0], rel=1e-9)
    stencil = df[df.kind == "stencil"]
    if scheme == "complex":
        assert stencil.empty
    else:
        assert len(stencil) == len(hs) * len(SCHEMES[scheme].offsets)
        np.testing.assert_allclose(stencil.y, lab.numpy(stencil.x.to_numpy()))
    if scheme in ("forward", "backward", "central"):  # a chord through its stencil points
        g = df[df.h == 0.5]
        p = g[g.kind == "stencil"]
        line = g[g.kind == "line"]
        fit = line.y.iloc[0] + line.slope.iloc[0] * (p.x - line.x.iloc[0])
        np.testing.assert_allclose(fit, p.y, rtol=1e-9)
