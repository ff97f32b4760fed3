"""AppTests of issue 16's sections: Steps and Check my answer (Symbolic page), Taylor polynomials
(Automatic page). Driven like a student; what the page says is checked word for word where it matters."""

import pytest

from conftest import chart_series, charts, choose, messages, new_app, no_exception, open_tab


def _page(path):
    at = new_app()
    at.run()
    at.switch_page(path).run()
    no_exception(at)
    return at


def _texts(at):
    return [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.success] + \
        [w.value for w in at.warning] + [e.value for e in at.error] + [i.value for i in at.info]


@pytest.fixture(scope="module")
def sym():
    return _page("pages/symbolic.py")


def test_steps_of_the_running_example_and_its_proof(sym):
    open_tab(sym, "Steps", "pages/symbolic.py")
    choose(sym, "2*x^3 - 3*x^2 + 5")
    no_exception(sym)
    texts = _texts(sym)
    assert any("sum rule" in t for t in texts)
    assert any(r"f'(x) = 6 x^{2} - 6 x" in tex.value for tex in sym.latex)
    assert any("Equal to SymPy's `diff(f, x)`: decided by **simplification**" in t for t in texts)


def test_steps_depth_six_is_too_long_and_level_slider_hides(sym):
    open_tab(sym, "Steps", "pages/symbolic.py")
    choose(sym, "composed:6")
    assert any("too long to show step by step" in w.value for w in sym.warning)
    choose(sym, "composed:3")
    sym.slider(key="steps_level").set_value(0).run()
    no_exception(sym)
    assert any("deeper steps hidden" in c.value for c in sym.caption)


def test_check_my_answer_three_verdicts(sym):
    open_tab(sym, "Check my answer", "pages/symbolic.py")
    choose(sym, "abs(x)")
    sym.text_input(key="check_answer").set_value("x/|x|").run()
    no_exception(sym)
    assert any(w.value.startswith("Equal except at x = 0") for w in sym.warning)
    sym.text_input(key="check_answer").set_value("sign x").run()
    assert any(s.value.startswith("Equivalent") for s in sym.success)
    choose(sym, "sin(x)")
    sym.text_input(key="check_answer").set_value("-cos x").run()
    no_exception(sym)
    assert any(e.value.startswith("Not equivalent: at x = ") for e in sym.error)
    series = {}
    for c in charts(sym):
        series.update(chart_series(c))
    assert {"SymPy's f′", "your answer"} <= set(series)
    sym.text_input(key="check_answer").set_value("2x +").run()
    assert any("This answer cannot be read" in m for m in messages(sym))
    sym.radio(key="check_order").set_value(2).run()
    sym.text_input(key="check_answer").set_value("-sin x").run()
    assert any(s.value.startswith("Equivalent") for s in sym.success)


def test_taylor_tab_jet_and_fallback():
    at = open_tab(_page("pages/autodiff.py"), "Taylor polynomials", "pages/autodiff.py")
    choose(at, "sin(x)")
    no_exception(at)
    assert any("JAX method used: **jet (Taylor mode)**" in c.value for c in at.caption)
    metric = next(m for m in at.metric if m.label.startswith("largest relative difference"))
    assert float(metric.value) < 1e-9
    names = set()
    for c in charts(at):
        names |= set(chart_series(c))
    assert {"f(x)", "T3(x)"} <= names
    choose(at, "tan(x)")
    at.slider(key="taylor_order").set_value(6).run()
    no_exception(at)
    assert any("fell back to nested jvp" in i.value for i in at.info)
    at.toggle(key="taylor_timing").set_value(True).run()
    no_exception(at)
    assert any(d.value.index.name == "order" for d in at.dataframe)
