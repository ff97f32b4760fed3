"""The Many variables page through AppTest: a typed function, a moved point, the scan on a small
n range, the charts' data (the arrows are the exact gradient) and every notebook block run."""

import math
import re

import numpy as np
import pytest
import sympy as sp

from conftest import chart_series, charts, new_app, no_exception, open_tab, tab_labels

PAGE = "pages/many_variables.py"
FIELD, POINT = "∇f (jax.grad)", "∇f at (x₀, y₀)"


@pytest.fixture(scope="module")
def page():
    at = new_app()
    at.run()
    at.switch_page(PAGE).run()
    no_exception(at)
    at.selectbox(key="mv_f").set_value("typed").run()
    at.text_input(key="mv_expr").set_value("x sin y + y^2/4").run()
    at.slider(key="mv_x0").set_value(-0.75).run()
    at.slider(key="mv_y0").set_value(1.25).run()
    open_tab(at, "The cost of a gradient", PAGE)
    at.select_slider(key="mv_nmax").set_value(10).run()
    at.slider(key="mv_repeats").set_value(1).run()
    at.button(key="mv_scan_run").click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    return at


def _exact(x, y):
    return np.sin(y), x * np.cos(y) + y / 2


def test_arrows_are_the_exact_gradient(page):
    found = charts(open_tab(page, "At a point", PAGE))
    field = next(chart_series(c) for c in found if FIELD in chart_series(c))
    for name in (FIELD, POINT):
        d = field[name]
        ex, ey = _exact(d.x.to_numpy(), d.y.to_numpy())
        np.testing.assert_allclose(d.dfdx, ex, atol=1e-12)
        np.testing.assert_allclose(d.dfdy, ey, atol=1e-12)
    p = field[POINT]
    assert (p.x.iloc[0], p.y.iloc[0]) == (-0.75, 1.25)
    assert len(field[FIELD]) == 11 * 11
    # arrows point along the gradient
    d = field[FIELD]
    cross = (d.x_end - d.x) * d.dfdy - (d.y_end - d.y) * d.dfdx
    np.testing.assert_allclose(cross, 0, atol=1e-12)


def test_read_as_partials_and_error_table(page):
    open_tab(page, "∂f/∂x and ∂f/∂y", PAGE)
    latex = [e.value.strip("$\n") for e in page.get("latex")]
    assert any(s.startswith("f(x, y) = ") and r"\sin" in s for s in latex)
    x, y = sp.symbols("x y", real=True)
    assert any(sp.latex(sp.sin(y)) in s and s.startswith(r"\frac{\partial f}{\partial x}") for s in latex)
    err = next(d.value for d in page.dataframe if "method" in d.value.columns and "how" in d.value.columns)
    e = err.set_index("method")
    assert e.loc["jax.grad"].iloc[1:].max() < 1e-12 and e.loc["central"].iloc[1:].max() < 1e-8


def test_directional_curve_and_hessian(page):
    found = charts(open_tab(page, "At a point", PAGE))
    dirs = next(chart_series(c) for c in found if "jax.jvp" in chart_series(c))
    np.testing.assert_allclose(dirs["jax.jvp"].y, dirs["∇f·u"].y, atol=1e-13)
    th = np.radians(dirs["jax.jvp"]["θ (degrees)"].to_numpy())
    ex, ey = _exact(-0.75, 1.25)
    np.testing.assert_allclose(dirs["jax.jvp"].y, ex * np.cos(th) + ey * np.sin(th), atol=1e-12)
    h = next(d.value for d in open_tab(page, "The Hessian", PAGE).dataframe if "jax.hessian" in d.value.columns)
    # f = x sin y + y²/4: H = [[0, cos y], [cos y, −x sin y + 1/2]]
    want = [0.0, math.cos(1.25), math.cos(1.25), 0.75 * math.sin(1.25) + 0.5]
    np.testing.assert_allclose(h["jax.hessian"], want, atol=1e-12)
    np.testing.assert_allclose(h["SymPy (float64)"], want, atol=1e-12)


def test_scan_ran_with_small_n_and_states_its_verdict(page):
    found = charts(open_tab(page, "The cost of a gradient", PAGE))
    scan = next(chart_series(c) for c in found if any(k.startswith("reverse (slope") for k in chart_series(c)))
    for d in scan.values():
        assert sorted(d.n) == [1, 2, 5, 10][: len(d)] and (d.y > 0).all()
    cen = next(d for k, d in scan.items() if k.startswith("central"))
    assert list(cen.f_evals) == [2 * n for n in cen.n]
    verdict = [s.value for s in page.success]
    assert len(verdict) == 1 and verdict[0].startswith("At n = 10 parameters, reverse mode is ")
    mem = next(d.value for d in page.dataframe if "temporaries (bytes)" in d.value.columns)
    assert list(mem.what) == ["f alone", "forward (n JVPs)", "reverse (jax.grad)"]


def _run(text: str):
    """Run a block as pasted, in a fresh namespace; its ``answer``."""
    ns: dict = {}
    exec(compile(text, "<notebook>", "exec"), ns)  # noqa: S102  (our own generated code)
    return ns["answer"]


def _number_after(texts, label: str) -> float:
    """The number that follows ``label`` in one of ``texts`` (as the page prints it)."""
    for t in texts:
        m = re.search(re.escape(label) + r"\s*([-+0-9.e]+)", t)
        if m:
            return float(m.group(1).rstrip("."))
    raise AssertionError(f"{label!r} not shown: {texts}")


def test_every_code_block_runs_and_gives_the_pages_number(page):
    """Each tab's blocks, run as pasted, give the number the page shows beside them."""
    count = 0

    def visit(label):
        nonlocal count
        at = open_tab(page, label, PAGE)
        no_exception(at)
        blocks = [c.value for c in at.code if c.language == "python"]
        count += len(blocks)
        return blocks, at

    blocks, at = visit("∂f/∂x and ∂f/∂y")
    dfdx, dfdy = _run(next(b for b in blocks if "diff(f, x)" in b))
    latex = [e.value.strip("$\n") for e in at.get("latex")]
    assert r"\frac{\partial f}{\partial x} = " + sp.latex(dfdx) in latex
    assert r"\frac{\partial f}{\partial y} = " + sp.latex(dfdy) in latex
    table = next(d.value for d in at.dataframe if "max |error| ∂f/∂y" in d.value.columns).set_index("method")
    gap = _run(next(b for b in blocks if "np.gradient" in b))
    np.testing.assert_allclose(gap, table.loc["np.gradient", "max |error| ∂f/∂y"], rtol=1e-9)

    blocks, at = visit("At a point")
    gx, gy = _run(next(b for b in blocks if "argnums=(0, 1)" in b))
    metrics = {m.label: float(m.value) for m in at.metric}
    np.testing.assert_allclose((gx, gy), (metrics["∂f/∂x (jax.grad)"], metrics["∂f/∂y (jax.grad)"]), rtol=1e-9)
    du = _run(next(b for b in blocks if "jax.jvp" in b))
    np.testing.assert_allclose(du, _number_after([c.value for c in at.caption], "D_u f ="), rtol=1e-9)

    blocks, at = visit("The Hessian")
    h = _run(next(b for b in blocks if "jax.hessian" in b))
    table = next(d.value for d in at.dataframe if "jax.hessian" in d.value.columns)
    np.testing.assert_allclose(h.ravel(), table["jax.hessian"].to_numpy(), rtol=1e-12)

    blocks, at = visit("The cost of a gradient")
    err = _run(next(b for b in blocks if "gc.problem" in b))
    np.testing.assert_allclose(err, _number_after([c.value for c in at.caption], "largest difference"),
                               rtol=1e-2, atol=1e-300)  # the caption prints 3 digits
    assert count >= 6 and sorted(tab_labels(PAGE)) == sorted(["∂f/∂x and ∂f/∂y", "At a point", "The Hessian",
                                                               "The cost of a gradient"])


def test_a_refused_text_shows_the_caret_never_markdown():
    at = new_app()
    at.run()
    at.switch_page(PAGE).run()
    at.selectbox(key="mv_f").set_value("typed").run()
    at.text_input(key="mv_expr").set_value("x +* **bold** y").run()
    no_exception(at)
    assert [e.value for e in at.error] == ["This function cannot be used; see where below."]
    plain = [c.value for c in at.code if c.language in (None, "", "plaintext")]
    assert any("^" in c and "x +* **bold** y" in c for c in plain)
    assert not any("**bold**" in m.value for m in at.markdown)
