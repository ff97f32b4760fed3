"""The Symbolic page, driven like a student: sliders, buttons, switches; values checked."""

import numpy as np
import pytest

from conftest import chart_series, charts, choose, messages, new_app, no_exception, open_tab

PAGE = "pages/symbolic.py"


@pytest.fixture
def page():
    at = new_app()
    at.run()
    at.switch_page(PAGE).run()
    no_exception(at)
    return at


def _latex(at):
    return [e.value for e in at.latex]


def _codes(at):
    return [c.value for c in at.code]


def _df(at, first_column):
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def test_sqrt_slider_shows_exact_form_float_and_N(page):
    open_tab(page, 'Exact numbers', PAGE)
    assert any(r"\sqrt{18} = 3 \sqrt{2}" in t for t in _latex(page))
    assert "import math\n\nmath.sqrt(18)  # 4.242640687119285" in _codes(page)
    assert "from sympy import *\n\nN(sqrt(18), 8)\n# 4.2426407" in _codes(page)
    page.slider(key="sym_n").set_value(50).run()
    page.select_slider(key="sym_digits").set_value(30).run()
    no_exception(page)
    assert any(r"\sqrt{50} = 5 \sqrt{2}" in t for t in _latex(page))
    assert "from sympy import *\n\nN(sqrt(50), 30)\n# 7.07106781186547524400844362105" in _codes(page)
    page.slider(key="sym_n").set_value(49).run()
    assert any(r"\sqrt{49} = 7" in t for t in _latex(page))
    page.text_input(key="sym_const").set_value("pi").run()
    assert "from sympy import *\n\nN(pi, 30)\n# 3.14159265358979323846264338328" in _codes(page)
    assert not page.error


def test_playground_lab_step_expand_factor_and_substitute(page):
    open_tab(page, 'x and y', PAGE)
    assert page.metric[0].value == "4.0"  # the lab: (2x² − xy) at x = −1, y = 2
    assert "subs={x: -1, y: 2}" in page.metric[0].label
    assert any(r"\operatorname{factor}(\text{expr}) = x \left(2 x - y\right)" in t for t in _latex(page))
    page.button(key="sym_step_lab").click().run()
    no_exception(page)
    assert page.text_input(key="sym_xy").value == "x*((2*x^2 - x*y) + x*y + x^3)"
    tex = _latex(page)
    assert any(r"\text{expr} = x \left(x^{3} + 2 x^{2}\right)" in t for t in tex)  # the lab's x(x³ + 2x²)
    assert any(r"\operatorname{expand}(\text{expr}) = x^{4} + 2 x^{3}" in t for t in tex)
    assert any(r"\operatorname{factor}(\text{expr}) = x^{3} \left(x + 2\right)" in t for t in tex)
    page.slider(key="sym_x").set_value(2.0).run()
    page.slider(key="sym_y").set_value(0.0).run()
    assert page.metric[0].value == "32.0"  # 2⁴ + 2·2³
    page.button(key="sym_step_reset").click().run()
    page.slider(key="sym_x").set_value(-1.0).run()
    page.slider(key="sym_y").set_value(2.0).run()
    assert page.metric[0].value == "4.0"


def test_typed_two_variable_expression_and_bad_text(page):
    open_tab(page, 'x and y', PAGE)
    page.text_input(key="sym_xy").set_value("(x + y)^2").run()
    assert any(r"\operatorname{expand}(\text{expr}) = x^{2} + 2 x y + y^{2}" in t for t in _latex(page))
    assert page.metric[0].value == "1.0"  # (−1 + 2)²
    page.text_input(key="sym_xy").set_value("x + z").run()
    no_exception(page)
    assert any("unknown name 'z'" in m for m in messages(page))
    assert not any("z" in e.value for e in page.error)  # the headline never quotes the input


def test_runaway_work_is_stopped_and_the_page_stays_usable(page):
    open_tab(page, 'x and y', PAGE)
    page.slider(key="sym_limit").set_value(1).run()
    page.text_input(key="sym_xy").set_value("(x+1)^1000*(x-1)^1000*(x+2)^1000").run()
    no_exception(page)
    errors = messages(page)
    assert any("expand(expr)" in e and "took longer than 1 s" in e for e in errors), errors
    open_tab(page, "Exact numbers", PAGE)
    page.select_slider(key="sym_digits").set_value(1_000_000).run()
    no_exception(page)
    assert any("N(sqrt(18), 1000000)" in e and "took longer than 1 s" in e for e in messages(page))
    # Everything else still answers.
    page.select_slider(key="sym_digits").set_value(8).run()
    assert "from sympy import *\n\nN(sqrt(18), 8)\n# 4.2426407" in _codes(page)
    open_tab(page, "x and y", PAGE)
    page.button(key="sym_step_reset").click().run()
    no_exception(page)
    assert not page.error
    assert page.metric[0].value == "4.0"


def test_sympy_expression_is_not_callable_and_lambdify_fixes_it(page):
    open_tab(page, 'Arrays & lambdify', PAGE)
    codes = _codes(page)
    assert any("TypeError: 'Pow' object is not callable" in c for c in codes)
    assert any("def _lambdifygenerated(x):\n    return x**2" in c for c in codes)
    assert any("# array([1, 4, 9])" in c for c in codes)
    choose(page, "sin(x)")
    codes = _codes(page)
    assert any("TypeError: 'sin' object is not callable" in c for c in codes)
    assert any("return sin(x)" in c for c in codes)
    assert any("# array([0.841471, 0.909297, 0.14112])" in c for c in codes)


def test_three_orders_in_latex_and_charts_with_rules():
    at = new_app()
    at.run()
    choose(at, "exp(-2*x) + 3*sin(3*x)")
    at.switch_page(PAGE).run()
    no_exception(at)
    tex = _latex(at)
    assert any(t.startswith("$$\n\\frac{df}{dx} = 9 \\cos{\\left(3 x \\right)} - 2 e^{- 2 x}") for t in tex)
    want = {1: lambda x: 9 * np.cos(3 * x) - 2 * np.exp(-2 * x),
            2: lambda x: -27 * np.sin(3 * x) + 4 * np.exp(-2 * x),
            3: lambda x: -81 * np.cos(3 * x) - 8 * np.exp(-2 * x)}
    for order, prime in ((1, "′"), (2, "″"), (3, "‴")):
        at.session_state["sym_order"] = f"f{prime} (order {order})"  # a click on its tab: only it is drawn
        at.run()
        assert len(charts(at)) == 1
        series = chart_series(charts(at)[0])
        if order == 3:
            assert any(r"\frac{d^{3}f}{dx^{3}} = - 81 \cos{\left(3 x \right)} - 8 e^{- 2 x}" in t for t in _latex(at))
        d = series[f"exact f{prime}"]
        np.testing.assert_allclose(d.y, want[order](d.x), rtol=1e-9, atol=1e-9)
        f = series["f(x)"]
        np.testing.assert_allclose(f.y, np.exp(-2 * f.x) + 3 * np.sin(3 * f.x), rtol=1e-12)
    rules = "\n".join(m.value for m in at.markdown)
    assert "sum rule" in rules
    assert "**exponential · chain**" in rules and "**constant multiple · elementary · chain**" in rules
    at.session_state["sym_order"] = "f′ (order 1)"
    at.slider(key="sym_range").set_value((0.0, 1.0)).run()
    d = chart_series(charts(at)[0])["exact f′"]
    assert d.x.min() == 0.0 and d.x.max() == 1.0


def test_abs_done_right_and_assumption_switch():
    at = new_app()
    at.run()
    choose(at, "abs(x)")
    at.switch_page(PAGE).run()
    open_tab(at, "|x| and assumptions", PAGE)
    no_exception(at)
    codes = _codes(at)
    assert any("NameError: name 'Derivative' is not defined" in c for c in codes)
    assert any(c.startswith("PrintMethodNotImplementedError") for c in codes)
    assert any("# array([1, -1, 0])" in c for c in codes)  # sign(x) on [1, -2, 0]
    tex = _latex(at)
    assert any(r"\frac{d}{dx}|x| = \operatorname{sign}{\left(x \right)}" in t for t in tex)
    assert any(r"\left. \frac{d}{d x} \operatorname{re}{\left(x\right)} \right|_{\substack{ x=-2.0 }}" in t
               for t in tex)  # evalf at −2 stays unevaluated

    table = _df(at, "f").set_index("f")  # complex by default
    assert "Derivative" in table.loc["your f", "f′ as SymPy gives it"]
    assert table.loc["your f", "f′(-2) by evalf"].startswith("unevaluated")
    assert table.loc["|x|", "lambdify"].startswith("PrintMethodNotImplementedError")

    at.radio(key="sym_assume").set_value("real").run()
    no_exception(at)
    table = _df(at, "f").set_index("f")
    assert table.loc["your f", "f′ as SymPy gives it"] == "sign(x)"
    assert table.loc["|x|", "f′ as SymPy gives it"] == "sign(x)"
    assert table.loc["your f", "f′(-2) by evalf"] == "-1.00000000000000"
    assert table.loc["your f", "lambdify"] == "works"
    assert any(r"\text{your } f{:}\quad \frac{df}{dx} = \operatorname{sign}{\left(x \right)}" in t
               for t in _latex(at))

    at.radio(key="sym_assume").set_value("positive").run()
    table = _df(at, "f").set_index("f")
    assert table.loc["your f", "f′ as SymPy gives it"] == "1"
    assert table.loc["ln |x|", "f′ as SymPy gives it"] == "1/x"
    assert table.loc["√x", "f′(-2) by evalf"].startswith("complex")


def test_swell_depth_six_cse_smaller_than_tree_and_timing(page):
    open_tab(page, 'Expression swell', PAGE)
    page.slider(key="sym_depth").set_value(6).run()
    no_exception(page)
    sizes = _df(page, "depth")
    assert list(sizes["depth"]) == [1, 2, 3, 4, 5, 6]
    six = sizes.set_index("depth").loc[6]
    assert six["tree ops (count_ops)"] == 1862
    assert six["ops after CSE"] < six["tree ops (count_ops)"]
    assert six["jaxpr equations of grad"] < six["tree ops (count_ops)"]
    lines = chart_series(charts(page)[0])  # the tab's own chart
    assert set(lines) == {"SymPy derivative as a tree (count_ops)", "after common subexpressions (cse)",
                          "JAX jaxpr of grad (equations)"}
    assert list(lines["SymPy derivative as a tree (count_ops)"]["value"]) == [4, 26, 94, 278, 742, 1862]

    page.slider(key="sym_depth").set_value(3).run()
    page.select_slider(key="sym_points").set_value(1_000).run()
    page.button(key="sym_time").click().run()
    no_exception(page)
    times = next(d.value for d in page.dataframe if "lambdify(cse=True), ms" in d.value.columns)
    assert list(times["depth"]) == [1, 2, 3]
    assert (times["lambdify(cse=True), ms"] > 0).all()
    assert (times["no CSE: estimate, ms"] > 0).all()
    timed = chart_series(charts(page)[1])  # the timing chart, after the sizes chart
    assert set(timed) == {"lambdify(cse=True)", "lambdify, no CSE"}
    # The result stays when another widget moves; it goes when the depth changes.
    page.slider(key="sym_limit").set_value(2).run()
    assert any("lambdify(cse=True), ms" in d.value.columns for d in page.dataframe)
    page.slider(key="sym_depth").set_value(2).run()
    assert not any("lambdify(cse=True), ms" in d.value.columns for d in page.dataframe)




def test_ln_x_has_no_derivative_where_it_is_undefined():
    at = new_app()
    at.run()
    choose(at, "log(x)")
    at.switch_page(PAGE).run()
    at.slider(key="sym_range").set_value((-5.0, 5.0)).run()
    no_exception(at)
    series = chart_series(charts(at)[0])
    f, d = series["f(x)"], series["exact f′"]
    assert (f.x > 0).all() and (d.x > 0).all() and len(d) == 200  # 400 points, half of them x < 0
    np.testing.assert_allclose(d.y, 1 / d.x, rtol=1e-12)
    captions = " ".join(c.value for c in at.caption)
    assert "f(x): 200 of 400" in captions and "exact f′: 200 of 400" in captions

    open_tab(at, "|x| and assumptions", PAGE)
    at.radio(key="sym_assume").set_value("real").run()
    no_exception(at)
    table = _df(at, "f").set_index("f")
    assert table.loc["your f", "f′(-2) by evalf"].startswith("— f is undefined at x = -2 for a real x")
    assert table.loc["your f", "f′(2) by evalf"] == "0.500000000000000"
    assert "f is undefined at x = -2, 0" in table.loc["your f", "lambdify"]
