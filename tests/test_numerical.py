"""core.numerical: np.gradient's errors, the kink stencil, secants, the step sweep, orders, cost."""

import numpy as np
import pytest

from core import numerical, parse_function, presets

LAB = "exp(-2*x) + 3*sin(3*x)"
HS = np.logspace(-16, 0, 321)


@pytest.fixture(scope="module")
def lab():
    return presets.resolve(LAB)


@pytest.fixture(scope="module")
def sweep64(lab):
    return numerical.step_sweep(lab, 1.0, HS, dtype="float64")


@pytest.fixture(scope="module")
def sweep32(lab):
    return numerical.step_sweep(lab, 1.0, HS, dtype="float32")


def test_existing_api_unchanged(lab):
    assert list(numerical.SCHEMES) == ["forward", "backward", "central", "central4", "complex"]
    assert numerical.SCHEMES["central4"].order == 4 and numerical.SCHEMES["complex"].evaluations == 1
    x = np.array([1.0])
    assert numerical.difference(lab, x, 1e-6, "central").dtype == np.float64
    assert numerical.optimal_step("central") == pytest.approx(np.finfo(float).eps ** (1 / 3))


def test_gradient_errors_edges_stand_out(lab):
    xs = np.linspace(-5, 5, 100)
    df = numerical.gradient_errors(lab, xs, edge_order=1)
    assert list(df["part"].iloc[[0, -1]]) == ["edge", "edge"] and (df["part"].iloc[1:-1] == "interior").all()
    np.testing.assert_allclose(df["approx"], np.gradient(lab.numpy(xs), xs))
    # FACTS: at x = -5 exact -44060, np.gradient -39894 (edge_order 1), -43544 (edge_order 2)
    assert df["exact"].iloc[0] == pytest.approx(-44060, rel=1e-4)
    assert df["approx"].iloc[0] == pytest.approx(-39894, rel=1e-4)
    df2 = numerical.gradient_errors(lab, xs, edge_order=2)
    assert df2["approx"].iloc[0] == pytest.approx(-43544, rel=1e-4)
    assert df["error"].iloc[0] > 10 * df["error"].iloc[1:-1].max() / 2


def test_kink_on_the_labs_grid_gives_half():
    st = numerical.kink_stencil(presets.resolve("abs(x)"), np.linspace(-5, 5, 100), count=2)
    h = 10 / 99
    np.testing.assert_allclose(st["x"], [-h / 2, h / 2])
    np.testing.assert_allclose(st["gradient"], [-0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(st["exact"], [-1, 1])
    # the stencil: chord over the two neighbours
    np.testing.assert_allclose(st["f_left"], [3 * h / 2, h / 2])
    np.testing.assert_allclose(st["f_right"], [h / 2, 3 * h / 2])
    np.testing.assert_allclose((st.f_right - st.f_left) / (st.x_right - st.x_left), st["gradient"])


def test_kink_with_zero_on_the_grid():
    st = numerical.kink_stencil(presets.resolve("abs(x)"), np.linspace(-5, 5, 101), count=3)
    np.testing.assert_allclose(st["x"], [-0.1, 0, 0.1], atol=1e-12)
    np.testing.assert_allclose(st["gradient"], [-1, 0, 1], atol=1e-12)


@pytest.mark.parametrize("scheme", list(numerical.SCHEMES))
def test_secants_converge_to_tangent(lab, scheme):
    hs = [0.5, 0.1, 1e-3, 1e-5]
    df = numerical.secants(lab, 1.0, hs, scheme, window=(0.5, 1.5))
    exact = -2 * np.exp(-2) + 9 * np.cos(3)
    slopes = df.groupby("h", sort=False)["slope"].first()
    errs = np.abs(slopes.to_numpy() - exact)
    assert errs[-1] < 1e-4 and np.all(np.diff(errs) < 0)  # forward at h = 1e-5: |f″|·h/2 ≈ 2e-5
    lines = df[df.kind == "line"]
    assert len(lines) == 2 * len(hs) and set(lines.x) == {0.5, 1.5}
    # every line has the scheme's slope
    for h, g in lines.groupby("h"):
        assert (g.y.iloc[1] - g.y.iloc[0]) / 1.0 == pytest.approx(g.slope.iloc[0], rel=1e-9)
    stencil = df[df.kind == "stencil"]
    if scheme == "complex":
        assert stencil.empty
    else:
        assert len(stencil) == len(hs) * len(numerical.SCHEMES[scheme].offsets)
        np.testing.assert_allclose(stencil.y, lab.numpy(stencil.x.to_numpy()))
    if scheme in ("forward", "backward", "central"):  # a chord through its stencil points
        g = df[df.h == 0.5]
        p = g[g.kind == "stencil"]
        line = g[g.kind == "line"]
        fit = line.y.iloc[0] + line.slope.iloc[0] * (p.x - line.x.iloc[0])
        np.testing.assert_allclose(fit, p.y, rtol=1e-9)


def test_step_sweep_float64_matches_facts(sweep64):
    best = numerical.best_steps(sweep64).set_index("scheme")
    assert best.loc["central", "error"] < 1e-9
    assert 3e-7 < best.loc["central", "best_h"] < 2e-5          # FACTS: 1.8e-6
    assert best.loc["forward", "error"] < 1e-7                    # FACTS: 3.6e-8
    assert 1e-10 < best.loc["forward", "best_h"] < 1e-7
    assert best.loc["central4", "error"] < 1e-11                 # FACTS: 4e-13
    assert 3e-5 < best.loc["central4", "best_h"] < 3e-3
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
    best = numerical.best_steps(sweep32).set_index("scheme")
    assert 5e-6 < best.loc["forward", "best_h"] < 1e-3           # FACTS: near 3e-5
    assert 3e-4 < best.loc["central", "best_h"] < 1e-2           # FACTS: near 1.8e-3
    assert best.loc["central", "error"] > 1e-7                   # float32 cannot do better than ~ε^(2/3)
    assert best.loc["complex", "error"] < 1e-6


def test_zero_errors_are_clipped_not_lost():
    fn = parse_function("x^2")
    sw = numerical.step_sweep(fn, 1.0, np.array([0.5, 0.25]), schemes=("central",))
    assert (sw.error == 0).all() and sw.clipped.all()
    assert (sw.error_plot == numerical.ZERO_FLOOR["float64"]).all()


def test_theory_lines_slopes_and_roundoff(lab):
    th = numerical.theory_lines(lab, 1.0, HS)
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
    th = numerical.theory_lines(parse_function("2*x + 1"), 1.0, HS)
    assert set(th.slope) == {-1}


@pytest.mark.parametrize("spec", ["log(x)", "sqrt(x)", "1/x"])
def test_undefined_points_do_not_break_the_sweep(spec):
    fn = parse_function(spec)
    for x0 in (-1.0, 0.0, 1e-3):
        sw = numerical.step_sweep(fn, x0, HS[::10])
        th = numerical.theory_lines(fn, x0, HS[::10])
        numerical.best_steps(sw)
        assert np.isfinite(th.error).all()


def test_convergence_orders(lab):
    ns = np.unique(np.geomspace(10, 10000, 25).astype(int))
    df1, o1 = numerical.convergence(lab, -5, 5, ns, edge_order=1)
    df2, o2 = numerical.convergence(lab, -5, 5, ns, edge_order=2)
    assert o1["interior"] == pytest.approx(2, abs=0.1)
    assert o1["all"] == pytest.approx(1, abs=0.1)
    assert o2["all"] == pytest.approx(2, abs=0.1)
    np.testing.assert_allclose(df1["interior"], df2["interior"])  # the interior is the same formula
    assert (df1["all"] >= df1["interior"]).all()


def test_convergence_of_exact_cases_is_not_fitted():
    _, o = numerical.convergence(parse_function("x^2"), -5, 5, [10, 30, 100, 300, 1000], 2)
    assert np.isnan(o["interior"]) and np.isnan(o["all"])


def test_fit_order():
    ns = np.array([10, 100, 1000])
    assert numerical.fit_order(ns, 3.0 / ns**2) == pytest.approx(2)
    assert np.isnan(numerical.fit_order(ns, [0, 0, 0]))


def test_evaluations_counted_match_formulae(lab):
    xs = np.linspace(-5, 5, 50)
    for scheme, s in numerical.SCHEMES.items():
        assert numerical.count_evaluations(lab, xs, scheme) == s.evaluations * 50
        assert numerical.evaluations(scheme, 50, 7)["n_points"] == s.evaluations * 50
    assert numerical.count_evaluations(lab, xs, "gradient") == 50
    assert numerical.evaluations("forward", p=1000)["p_params"] == 1001
    assert numerical.evaluations("central", p=1000)["p_params"] == 2000
    assert numerical.evaluations("central4", p=1000)["p_params"] == 4000
    assert numerical.evaluations("complex", p=1000)["p_params"] == 1000
    table = numerical.cost_table(lab, 100, 10)
    assert list(table.counted) == [100, 200, 200, 200, 400, 100]
