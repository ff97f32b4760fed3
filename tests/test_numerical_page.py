"""The Numerical page through AppTest: every chart's data and every table checked against the maths."""

import json

import numpy as np
import pytest

from core import presets

from conftest import chart_frames, chart_series, charts, new_app, no_exception

LAB = "exp(-2*x) + 3*sin(3*x)"
PAGE = "pages/numerical.py"


def f(x):
    return np.exp(-2 * x) + 3 * np.sin(3 * x)


def fprime(x):
    return -2 * np.exp(-2 * x) + 9 * np.cos(3 * x)


def open_page(spec: str = LAB, **query):
    """The Numerical page opened straight from a link (one script run, no Home page, no JAX)."""
    at = new_app()
    at.switch_page(PAGE)
    if spec in presets.PRESETS:
        at.query_params["f"] = spec
    else:
        at.query_params["f"], at.query_params["expr"] = "typed", spec
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    no_exception(at)
    assert at.title[0].value.startswith("📏")
    return at


def chart_titled(at, text: str):
    found = [c for c in charts(at) if text in str(json.loads(c.proto.spec).get("title", ""))]
    assert found, f"no chart titled like {text!r}"
    return found[0]


def table_with(at, column: str):
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with column {column!r}"
    return found[0]


def step_series(chart) -> dict:  # the step chart and the error along x
    """The step chart's series, each with the error it shows: ``y``, or 0 where ``clipped``
    (an error of exactly 0, drawn at the floor; the chart computes its tooltip's error so)."""
    return {name: g.assign(error=np.where(g["clipped"].astype(bool), 0.0, g["y"]))
            for name, g in chart_series(chart).items()}


def one_frame(chart, column: str):
    frames = [df for df in chart_frames(chart) if column in df.columns]
    assert len(frames) == 1
    return frames[0]


@pytest.fixture(scope="module")
def lab():
    """The page on the lab's function with every control at its default (read-only tests)."""
    return open_page()


# --- np.gradient --------------------------------------------------------------------------

def test_gradient_points_over_exact_curve(lab):
    s = chart_series(chart_titled(lab, "np.gradient on 100 points"))
    exact, approx = s["exact f′"], s["np.gradient, edge_order=1"]
    np.testing.assert_allclose(exact.y, fprime(exact.x), rtol=1e-12, atol=1e-12)
    xs = np.linspace(-5, 5, 100)
    np.testing.assert_allclose(approx.x, xs)
    np.testing.assert_allclose(approx.y, np.gradient(f(xs), xs), rtol=1e-12)
    assert approx.y.iloc[0] == pytest.approx(-39894, rel=1e-4)  # FACTS: 9.5 % off at x = -5


def test_error_along_x_edges_stand_out(lab):
    s = step_series(chart_titled(lab, "along x"))  # the error: y, or 0 where clipped
    edges = s["edges: one-sided, order 1, error ∝ h"]
    inner = s["interior: central difference, error ∝ h²"]
    xs = np.linspace(-5, 5, 100)
    g = np.gradient(f(xs), xs)
    assert list(edges.x) == [-5.0, 5.0] and len(inner) == 98
    np.testing.assert_allclose(edges.error, np.abs(g - fprime(xs))[[0, -1]], rtol=1e-9)
    np.testing.assert_allclose(inner.error, np.abs(g - fprime(xs))[1:-1], rtol=1e-9, atol=1e-12)
    assert edges.error.iloc[0] > 10 * inner.error.max()
    assert (inner.y > 0).all()  # log axis: nothing at 0


def test_edge_order_two_shrinks_the_edges():
    at = open_page()
    at.radio(key="num_edge").set_value(2).run()
    no_exception(at)
    approx = chart_series(chart_titled(at, "np.gradient on 100 points"))["np.gradient, edge_order=2"]
    assert approx.y.iloc[0] == pytest.approx(-43544, rel=1e-4)  # FACTS: 1.2 % off
    edges = step_series(chart_titled(at, "along x"))["edges: one-sided, order 2, error ∝ h²"]
    assert edges.error.iloc[0] == pytest.approx(abs(approx.y.iloc[0] - fprime(-5.0)), rel=1e-9)
    assert edges.error.iloc[0] < 600  # down from 4166 with edge_order=1


def test_range_and_points_sliders_drive_the_grid():
    at = open_page()
    at.slider(key="num_range").set_value((0.0, 2.0)).run()
    at.slider(key="num_n").set_value(21).run()
    no_exception(at)
    approx = chart_series(chart_titled(at, "np.gradient on 21 points"))["np.gradient, edge_order=1"]
    xs = np.linspace(0, 2, 21)
    np.testing.assert_allclose(approx.x, xs)
    np.testing.assert_allclose(approx.y, np.gradient(f(xs), xs), rtol=1e-12)


# --- the kink of |x| -----------------------------------------------------------------------

def test_kink_on_the_labs_grid_gives_half(lab):
    pts = chart_series(chart_titled(lab, "np.gradient of |x| near 0"))["np.gradient, 100 points"]
    h = 10 / 99
    beside = pts[np.isclose(np.abs(pts.x), h / 2)].sort_values("x")
    np.testing.assert_allclose(beside.y, [-0.5, 0.5], atol=1e-12)
    others = pts[np.abs(pts.x) > h]
    np.testing.assert_allclose(others.y, np.sign(others.x), atol=1e-12)
    exact = chart_series(chart_titled(lab, "np.gradient of |x| near 0"))["exact f′ = sign(x)"]
    assert exact.loc[exact.x == 0, "y"].isna().all()  # undefined at the kink: a gap
    table = table_with(lab, "x_left")
    two = table[np.isclose(np.abs(table.x), h / 2)]
    np.testing.assert_allclose(two["np.gradient"], [-0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose((two.f_right - two.f_left) / (two.x_right - two.x_left), two["np.gradient"])
    assert any("= **-0.5000**" in m.value for m in lab.markdown)


def test_kink_with_an_odd_grid_that_includes_zero():
    at = open_page()
    at.slider(key="num_kink_n").set_value(101).run()
    no_exception(at)
    pts = chart_series(chart_titled(at, "np.gradient of |x| near 0"))["np.gradient, 101 points"]
    near = pts[np.abs(pts.x) < 0.15].sort_values("x")
    np.testing.assert_allclose(near.x, [-0.1, 0, 0.1], atol=1e-12)
    np.testing.assert_allclose(near.y, [-1, 0, 1], atol=1e-12)
    table = table_with(at, "x_left")
    np.testing.assert_allclose(table["np.gradient"], [-1, 0, 1], atol=1e-12)
    assert any("odd" in m.value and "0 is on the grid" in m.value for m in at.markdown)


def test_kink_grid_comes_from_the_link():
    at = open_page(num_kink_n="101")
    pts = chart_series(chart_titled(at, "np.gradient of |x| near 0"))
    assert "np.gradient, 101 points" in pts


# --- finite differences at x0 ------------------------------------------------------------------

def test_secants_turn_into_the_tangent():
    at = open_page()
    at.radio(key="num_scheme").set_value("central").run()
    at.slider(key="num_log_h").set_value(-3.0).run()
    no_exception(at)
    data = one_frame(chart_titled(at, "lines at x₀ = 1"), "kind")
    tangent = data[data.kind == "tangent"]
    slope_t = np.diff(tangent.y.to_numpy())[0] / np.diff(tangent.x.to_numpy())[0]
    assert slope_t == pytest.approx(fprime(1.0), rel=1e-12)
    lines = data[data.kind == "line"]
    hs = list(dict.fromkeys(lines.h))
    assert len(hs) == 5 and hs[-1] == pytest.approx(1e-3) and hs == sorted(hs, reverse=True)
    errors = []
    for h in hs:
        ln = lines[lines.h == h]
        slope = np.diff(ln.y.to_numpy())[0] / np.diff(ln.x.to_numpy())[0]
        assert slope == pytest.approx((f(1 + h) - f(1 - h)) / (2 * h), rel=1e-9)
        errors.append(abs(slope - fprime(1.0)))
    assert np.all(np.diff(errors) < 0) and errors[-1] < 1e-4  # |f‴|·h²/6 ≈ 1.3e-5 at h = 1e-3
    stencil = data[data.kind == "stencil"]
    np.testing.assert_allclose(stencil.y, f(stencil.x.to_numpy()), rtol=1e-12)
    curve = data[data.kind == "curve"]
    np.testing.assert_allclose(curve.y, f(curve.x.to_numpy()), rtol=1e-12)


def test_every_scheme_at_the_chosen_step():
    at = open_page()
    at.slider(key="num_log_h").set_value(-6.0).run()
    no_exception(at)
    table = table_with(at, "f′(x₀) estimate").set_index("method")
    assert list(table.index) == ["forward", "backward", "central", "fourth-order central", "complex step"]
    h = 1e-6
    assert table.loc["forward", "f′(x₀) estimate"] == pytest.approx((f(1 + h) - f(1)) / h, rel=1e-12)
    assert table.loc["central", "|error|"] < 1e-9
    assert table.loc["complex step", "|error|"] < 1e-10  # truncation |f‴|·h²/6 ≈ 1.3e-11
    assert 1e-7 < table.loc["forward", "|error|"] < 1e-4  # |f″|·h/2 ≈ 6e-6
    assert list(table["evaluations of f"]) == [2, 2, 2, 4, 1]
    assert (table["dtype"] == "float64").all()


def test_undefined_point_warns_instead_of_failing():
    at = open_page("log(x)")
    x0 = [s for s in at.slider if s.label == "x₀"][0]
    x0.set_value(-2.0).run()
    no_exception(at)
    assert any("undefined at x₀ = -2" in w.value for w in at.warning)


# --- the step-size explorer ------------------------------------------------------------------

def test_best_steps_float64(lab):
    best = table_with(lab, "best h (measured)")
    b64 = best[best.dtype == "float64"].set_index("scheme")
    assert b64.loc["central", "error there"] < 1e-9                       # done-when
    assert 3e-7 < b64.loc["central", "best h (measured)"] < 2e-5           # FACTS: 1.8e-6
    assert b64.loc["complex step", "error there"] < 1e-13                  # done-when
    assert b64.loc["fourth-order central", "error there"] < 1e-11
    assert b64.loc["forward", "error there"] < 1e-7


def test_step_chart_data_float64(lab):
    chart = chart_titled(lab, "Error against h at x₀ = 1, float64")
    s = step_series(chart)
    central = s["central"]
    assert central.h.min() == pytest.approx(1e-16) and central.h.max() == pytest.approx(1.0)
    for h in (1e-1, 1e-4, 1e-8):
        row = central.iloc[int(np.argmin(np.abs(np.log(central.h / h))))]
        steps = np.logspace(-16, 0, 321)
        hh = steps[np.argmin(np.abs(steps - row.h))]  # the step it was measured at (the chart sends h as float32)
        assert row.error == pytest.approx(abs((f(1 + hh) - f(1 - hh)) / (2 * hh) - fprime(1.0)), rel=1e-6, abs=1e-15)
    cx = s["complex step"]
    assert cx.loc[cx.h <= 1e-8, "error"].max() <= 4e-15                    # flat down to 1e-16
    assert (s["forward"].loc[np.isclose(s["forward"].h, 1e-16, rtol=1e-6, atol=0), "error"] > 1).all()   # the subtraction gives 0
    best = s["best h: central (float64)"]
    assert len(best) == 1 and best.error.iloc[0] < 1e-9
    assert best.error.iloc[0] == pytest.approx(central.error.min())
    # theory lines: truncation slopes 1, 2, 4 and round-off slope -1
    slopes = {}
    for name, g in s.items():
        if name.startswith("theory"):
            assert len(g) == 2 and g.h.min() == pytest.approx(1e-16)  # a power of h: straight, its ends draw it
            slopes[name] = np.polyfit(np.log(g.h), np.log(g.y), 1)[0]
    assert sorted(round(v) for v in slopes.values()) == [-1, 1, 2, 4]
    ro = s[[k for k in s if "round-off" in k][0]]
    assert ro.y.iloc[0] * ro.h.iloc[0] == pytest.approx(np.finfo(float).eps * abs(f(1.0)), rel=1e-9)


def test_step_chart_float32():
    at = open_page()
    at.radio(key="num_dtype").set_value("float32").run()
    no_exception(at)
    s = step_series(chart_titled(at, "float32"))
    assert "best h: forward (float32)" in s and "best h: central (float32)" in s
    assert 5e-6 < s["best h: forward (float32)"].h.iloc[0] < 1e-3          # FACTS: near 3e-5
    assert 3e-4 < s["best h: central (float32)"].h.iloc[0] < 1e-2          # FACTS: near 1.8e-3
    assert s["best h: central (float32)"].error.iloc[0] > 1e-7             # float32 cannot do 1e-10
    assert any("ε = 1.2e-07" in k for k in s)


def test_zero_errors_are_clipped_and_said():
    at = open_page("x^2")
    s = step_series(chart_titled(at, "Error against h"))
    central = s["central"]
    zeros = central[central.error == 0]
    assert len(zeros) >= 3 and zeros.clipped.all() and np.allclose(zeros.y, 1e-18, rtol=1e-6)
    assert (central.y > 0).all()
    assert any("exactly 0" in c.value and "1e-18" in c.value for c in at.caption)


def test_scheme_filter():
    at = open_page()
    at.multiselect(key="num_schemes").set_value(["complex"]).run()
    no_exception(at)
    s = chart_series(chart_titled(at, "Error against h"))
    measured = {k for k in s if not k.startswith(("theory", "best"))}
    assert measured == {"complex step"}


# --- convergence order -----------------------------------------------------------------------

def test_fitted_orders(lab):
    orders = table_with(lab, "order, interior").set_index("edge_order")
    assert orders.loc[1, "order, interior"] == pytest.approx(2, abs=0.1)  # done-when
    assert orders.loc[2, "order, interior"] == pytest.approx(2, abs=0.1)
    assert orders.loc[1, "order, all points (with edges)"] == pytest.approx(1, abs=0.1)
    assert orders.loc[2, "order, all points (with edges)"] == pytest.approx(2, abs=0.1)


def test_convergence_chart_data(lab):
    s = chart_series(chart_titled(lab, "against n"))
    inner = s["interior (central; both edge orders)"]
    all1, all2 = s["all points, edge_order=1"], s["all points, edge_order=2"]
    assert inner.n.min() == 10 and inner.n.max() == 10000
    for n in (100, 1000):
        row = inner[inner.n == n]
        if len(row):
            xs = np.linspace(-5, 5, n)
            err = np.abs(np.gradient(f(xs), xs) - fprime(xs))
            assert row.y.iloc[0] == pytest.approx(err[1:-1].max(), rel=1e-9)
    assert (all1.y.to_numpy() >= inner.y.to_numpy()).all() and (all2.y.to_numpy() >= inner.y.to_numpy()).all()
    fine = inner.n >= 1000
    slope = np.polyfit(np.log(inner.n[fine]), np.log(inner.y[fine]), 1)[0]
    assert slope == pytest.approx(-2, abs=0.1)


# --- cost ----------------------------------------------------------------------------------

def test_cost_table_and_bars():
    at = open_page()
    at.select_slider(key="num_p").set_value(1000).run()
    no_exception(at)
    table = table_with(at, "per derivative value").set_index("method")
    assert list(table["counted: f′ at 100 points"]) == [100, 200, 200, 200, 400, 100]
    assert list(table["per derivative value"]) == [1, 2, 2, 2, 4, 1]
    bars = one_frame(chart_titled(at, "Evaluations of f"), "evaluations")
    p = bars[bars.what == "one gradient in 1,000 parameters"].set_index("method")["evaluations"]
    assert p.to_dict() == {"forward": 1001, "backward": 1001, "central": 2000, "fourth-order central": 4000,
                           "complex step": 1000}
    counted = bars[bars.what.str.startswith("f′ at 100")].set_index("method")["evaluations"]
    assert counted["np.gradient"] == 100 and counted["fourth-order central"] == 400


# --- robustness ------------------------------------------------------------------------------

