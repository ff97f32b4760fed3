"""Every page renders through AppTest, reacts to its sliders and to the chosen function."""

import json

import numpy as np
import pytest
import sympy as sp

from core import presets, symbolic, timing
from core.bounds import TooLarge

from conftest import PAGES, chart_frames, chart_series, charts, choose, messages, new_app, no_exception


def test_home_draws_three_methods_with_right_data(app):
    chart = charts(app)[0]
    series = chart_series(chart)
    assert {"f(x)", "symbolic: SymPy diff (exact)", "numerical: np.gradient", "autodiff: JAX vmap(grad)"} <= set(series)
    sym = series["symbolic: SymPy diff (exact)"]
    assert len(sym) == 100  # the lab's 100 points by default
    np.testing.assert_allclose(sym.y, 2 * sym.x, atol=1e-12)  # f = x², f' = 2x
    ad = series["autodiff: JAX vmap(grad)"]
    np.testing.assert_allclose(ad.y, 2 * ad.x, atol=1e-12)


def test_home_slider_changes_points_and_range(app):
    app.slider(key="home_n").set_value(50).run()
    app.slider(key="home_range").set_value((0.0, 2.0)).run()
    no_exception(app)
    f = chart_series(charts(app)[0])["f(x)"]
    assert len(f) == 50 and f.x.min() == 0.0 and f.x.max() == 2.0


def test_home_tangent_table_lists_each_method_with_error(app):
    app.slider(key="home_range").set_value((-2.0, 2.0)).run()
    app.slider[2].set_value(1.5).run()  # the x₀ slider
    no_exception(app)
    table = app.dataframe[0].value
    assert list(table["method"]) == ["symbolic", "numerical", "autodiff"]
    np.testing.assert_allclose(table["f′(x₀)"], 3.0, rtol=1e-7)  # f'(1.5) = 3 for x²
    assert table.loc[0, "error vs exact"] == 0
    assert table.loc[1, "error vs exact"] < 1e-7


def test_typed_function_reaches_every_page():
    at = new_app()
    at.run()
    choose(at, "x^3 - 2*x")
    no_exception(at)
    sym = chart_series(charts(at)[0])["symbolic: SymPy diff (exact)"]
    np.testing.assert_allclose(sym.y, 3 * sym.x**2 - 2, atol=1e-9)
    for page in PAGES[1:4]:
        at.switch_page(page).run()
        no_exception(at)
        series = chart_series(charts(at)[0])
        exact = series["exact f′"]
        np.testing.assert_allclose(exact.y, 3 * exact.x**2 - 2, atol=1e-9)


def test_bad_typed_function_shows_message_not_traceback():
    at = new_app()
    at.run()
    choose(at, "sinn(x)")
    no_exception(at)
    assert any("unknown function 'sinn' at column 1; did you mean 'sin'?" in m for m in messages(at))
    for page in PAGES[1:]:
        at.switch_page(page).run()
        no_exception(at)
        assert any("sinn" in m for m in messages(at))
        assert not any("sinn" in e.value for e in at.error)  # never as Markdown


#: Typed functions the sweep takes beside the presets: undefined regions, poles, kinks, constants.
SWEEP_TYPED = ["x*exp(x)", "sin(x)/x", "sqrt(x)", "x^x", "7", "1/x", "tan(x)", "sqrt(-x)", "asin(x)", "x^(1/3)",
               "exp(x^2)"]


def _check_symbolic(at, fn, spec):
    """The Derivatives tab (the page's first view): f′, f″, f‴ drawn with the exact values."""
    for order, prime in ((1, "′"), (2, "″"), (3, "‴")):
        if order > 1:  # a click on its tab: only the open order is drawn
            at.session_state["sym_order"] = f"f{prime} (order {order})"
            at.run()
            no_exception(at)
        found = charts(at)
        assert len(found) == 1, spec
        d = chart_series(found[0])[f"exact f{prime}"]
        try:
            want = symbolic.derivative_values(fn, d.x.to_numpy(), order)
        except TooLarge:  # over the shared server's bound: the page had a worker compute it
            assert any("a sandbox worker computed it" in c.value for c in at.caption), spec
            want = np.asarray(sp.lambdify(fn.symbol, sp.diff(fn.expr, fn.symbol, order))(d.x.to_numpy()), dtype=float)
        np.testing.assert_allclose(d.y, want[np.isfinite(want)], rtol=1e-12, err_msg=spec)
    assert any(m.value.startswith("- $") for m in at.markdown), spec  # the rule of each term


def _check_numerical(at, spec):
    """np.gradient's chart has the exact f′; the step explorer has data, or says f is undefined at x₀."""
    found = charts(at)
    assert len(found) >= 5, spec
    assert np.isfinite(chart_series(found[0])["exact f′"].y).any(), spec
    steps = [c for c in found if "Error against h" in str(json.loads(c.proto.spec).get("title", ""))]
    if steps:
        assert all((g.y.dropna() > 0).all() for g in chart_series(steps[0]).values()), spec
    else:
        assert any("undefined at x₀" in w.value for w in at.warning), spec


def _check_race(at, spec):
    """Every method raced (n = 1000, one timed call each): the page's first look, both phases charted."""
    no_exception(at)
    assert not at.error, (spec, [e.value for e in at.error])
    assert any(c.value.startswith("A first look, raced when the page opened: n = 1,000") for c in at.caption), spec
    bars = next(f for c in charts(at) for f in chart_frames(c) if {"method", "phase", "median_ms"} <= set(f.columns))
    assert set(bars.method) == set(timing.METHODS), spec  # lab mode per preset: test_timing_lab
    assert len(bars) == 2 * len(timing.METHODS) and np.isfinite(bars.median_ms).all(), spec


#: The race page's settings for the sweep (in the link, as a teacher would share them): small n,
#: one timed call, no lab's way, so the first look races every method.
SWEEP_RACE = {"race_n": "1k", "race_repeats": "1", "race_lab": "false"}


@pytest.mark.parametrize("spec", list(presets.PRESETS) + SWEEP_TYPED)
def test_every_page_renders_for_every_preset(spec):
    """The one sweep of every preset (and some typed functions) through every page."""
    at = new_app()
    # The symbolic page's worker limit at its top (8 s, not 3): the sweep checks what each
    # page draws, and must not fail because the tests share the cores (pytest -n).
    at.query_params["sym_limit"] = "8"
    at.query_params.update(SWEEP_RACE)
    at.run()
    at.session_state["race_methods"] = list(timing.METHODS)  # a multiselect: set as a click on each would
    choose(at, spec)
    fn = presets.resolve(spec)
    for page in PAGES:
        at.switch_page(page).run()
        no_exception(at)
        assert not at.error, [e.value for e in at.error]
        if page != "pages/speed_race.py":
            assert charts(at), f"no chart on {page}"
        if page == "pages/symbolic.py":
            _check_symbolic(at, fn, spec)
        elif page == "pages/numerical.py":
            _check_numerical(at, spec)
        elif page == "pages/speed_race.py" and spec in presets.PRESETS:
            _check_race(at, spec)


@pytest.mark.parametrize("page, key", [("pages/symbolic.py", "sym_range"), ("pages/numerical.py", "num_range"),
                                       ("pages/autodiff.py", "ad_range")])
def test_method_pages_follow_their_range_slider(app, page, key):
    app.switch_page(page).run()
    app.slider(key=key).set_value((1.0, 3.0)).run()
    no_exception(app)
    exact = chart_series(charts(app)[0])["exact f′"]
    assert exact.x.min() == 1.0 and exact.x.max() == 3.0
    np.testing.assert_allclose(exact.y, 2 * exact.x, atol=1e-12)


def test_speed_race_runs_and_charts_both_phases(app):
    app.switch_page("pages/speed_race.py").run()
    app.select_slider(key="race_n").set_value(1000).run()
    app.slider(key="race_repeats").set_value(2).run()
    app.button[0].click().run()
    no_exception(app)
    bars = charts(app)[0]
    data = [df for df in __import__("conftest").chart_frames(bars) if "phase" in df.columns][0]
    assert set(data.phase) == {"setup", "evaluate"}
    assert set(data.method) == {"symbolic", "numerical", "autodiff"}


def test_link_opens_on_the_same_function():
    at = new_app()
    at.query_params["f"] = "typed"
    at.query_params["expr"] = "sin(x)^2"
    at.run()
    no_exception(at)
    sym = chart_series(charts(at)[0])["symbolic: SymPy diff (exact)"]
    np.testing.assert_allclose(sym.y, np.sin(2 * sym.x), atol=1e-12)  # (sin² x)′ = sin 2x


def test_choice_is_written_to_the_url():
    at = new_app()
    at.run()
    choose(at, "composed:2")
    assert at.query_params["f"] == ["composed:2"] or at.query_params["f"] == "composed:2"
    choose(at, "x*exp(x)")
    qp = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert qp["f"] == "typed" and qp["expr"] == "x*exp(x)"


def test_unknown_preset_in_url_falls_back_quietly():
    at = new_app()
    at.query_params["f"] = "__import__('os')"
    at.run()
    no_exception(at)
    sym = chart_series(charts(at)[0])["symbolic: SymPy diff (exact)"]
    np.testing.assert_allclose(sym.y, 2 * sym.x, atol=1e-12)
