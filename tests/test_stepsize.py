"""core.stepsize: error against h (the step sweep, theory lines, best steps) and against n (orders)."""

import numpy as np
import pytest

from core import parse_function, presets, stepsize

LAB = "exp(-2*x) + 3*sin(3*x)"
HS = np.logspace(-16, 0, 321)


@pytest.fixture(scope="module")
def lab():
    return presets.resolve(LAB)


@pytest.fixture(scope="module")
def sweep64(lab):
    return stepsize.step_sweep(lab, 1.0, HS, dtype="float64")


@pytest.fixture(scope="module")
def sweep32(lab):
    return stepsize.step_sweep(lab, 1.0, HS, dtype="float32")


def test_step_sweep_float64_matches_facts(sweep64):
    best = stepsize.best_steps(sweep64).set_index("scheme")
    assert best.loc["central", "error"] < 1e-9
    assert 3e-7 < best.loc["central", "best_h"] < 2e-5          # FACTS: 1.8e-6
    assert best.loc["forward", "error"] < 1e-7                    # FACTS: 3.6e-8
    assert 1e-10 < best.loc["forward", "best_h"] < 1e-7
    assert best.loc["central4", "error"] < 1e-11                 # FACTS: 4e-13
    assert 3e-5 < best.loc["central4", "best_h"] < 3e-3
    assert best.loc["central", "theory_h"] == pytest.approx(np.finfo(float).eps ** (1 / 3))
    cx = sweep64[sweep64.scheme == "complex"]
    assert cx[cx.h <= 1e-8]["error"].max() <= 4e-15              # flat down to 1e-16
    # every difference formula is off by about 9 at h = 1e-16 (FACTS)
    tiny = sweep64[(sweep64.h == 1e-16) & (sweep64.scheme != "complex")]
    assert (tiny.error > 1).all()
    # at h = 1e-12 forward is off by ~7e-4
    fwd = sweep64[(sweep64.scheme == "forward")]
    assert 1e-4 < fwd.loc[np.isclose(fwd.h, 1e-12, rtol=1e-6, atol=0), "error"].iloc[0] < 1e-2


def test_step_sweep_float32(sweep32):
    assert (sweep32.dtype == "float32").all()
    best = stepsize.best_steps(sweep32).set_index("scheme")
    assert 5e-6 < best.loc["forward", "best_h"] < 1e-3           # FACTS: near 3e-5
    assert 3e-4 < best.loc["central", "best_h"] < 1e-2           # FACTS: near 1.8e-3
    assert best.loc["central", "error"] > 1e-7                   # float32 cannot do better than ~ε^(2/3)
    assert best.loc["complex", "error"] < 1e-6


def test_zero_errors_are_clipped_not_lost():
    fn = parse_function("x^2")
    sw = stepsize.step_sweep(fn, 1.0, np.array([0.5, 0.25]), schemes=("central",))
    assert (sw.error == 0).all() and sw.clipped.all()
    assert (sw.error_plot == stepsize.ZERO_FLOOR["float64"]).all()


def test_taylor_derivatives_at_a_point(lab):
    d = stepsize.taylor_derivatives(lab, 1.0, orders=(2, 3))
    assert d[2] == pytest.approx(abs(4 * np.exp(-2) - 27 * np.sin(3)), rel=1e-12)
    assert d[3] == pytest.approx(abs(-8 * np.exp(-2) - 81 * np.cos(3)), rel=1e-12)
    assert np.isnan(stepsize.taylor_derivatives(parse_function("sqrt(x)"), -1.0, orders=(2,))[2])  # complex there


def test_theory_lines_slopes_and_roundoff(lab):
    th = stepsize.theory_lines(lab, 1.0, HS)
    assert set(th.slope) == {1, 2, 4, -1}
    for p, g in th.groupby("slope"):
        s = np.polyfit(np.log(g.h), np.log(g.error), 1)[0]
        assert s == pytest.approx(p, abs=1e-9)
    f1 = abs(lab.numpy(np.array([1.0]))[0])
    ro = th[th.slope == -1].set_index("h")["error"]
    assert ro.loc[1.0] == pytest.approx(np.finfo(float).eps * f1)
    # |f''(1)|/2 = |4e^-2 - 27 sin 3|/2
    t1 = th[th.slope == 1].set_index("h")["error"]
    assert t1.loc[1.0] == pytest.approx(abs(4 * np.exp(-2) - 27 * np.sin(3)) / 2, rel=1e-9)


def test_theory_lines_skip_vanishing_terms():
    th = stepsize.theory_lines(parse_function("2*x + 1"), 1.0, HS)
    assert set(th.slope) == {-1}


@pytest.mark.parametrize("spec", ["log(x)", "sqrt(x)", "1/x"])
def test_undefined_points_do_not_break_the_sweep(spec):
    fn = parse_function(spec)
    for x0 in (-1.0, 0.0, 1e-3):
        sw = stepsize.step_sweep(fn, x0, HS[::10])
        th = stepsize.theory_lines(fn, x0, HS[::10])
        stepsize.best_steps(sw)
        assert np.isfinite(th.error).all()


def test_convergence_orders(lab):
    ns = np.unique(np.geomspace(10, 10000, 25).astype(int))
    df1, o1 = stepsize.convergence(lab, -5, 5, ns, edge_order=1)
    df2, o2 = stepsize.convergence(lab, -5, 5, ns, edge_order=2)
    assert o1["interior"] == pytest.approx(2, abs=0.1)
    assert o1["all"] == pytest.approx(1, abs=0.1)
    assert o2["all"] == pytest.approx(2, abs=0.1)
    np.testing.assert_allclose(df1["interior"], df2["interior"])  # the interior is the same formula
    assert (df1["all"] >= df1["interior"]).all()


def test_convergence_of_exact_cases_is_not_fitted():
    _, o = stepsize.convergence(parse_function("x^2"), -5, 5, [10, 30, 100, 300, 1000], 2)
    assert np.isnan(o["interior"]) and np.isnan(o["all"])


def test_fit_order():
    ns = np.array([10, 100, 1000])
    assert stepsize.fit_order(ns, 3.0 / ns**2) == pytest.approx(2)
    assert np.isnan(stepsize.fit_order(ns, [0, 0, 0]))
