"""Every code block the dashboard shows runs as pasted, in a fresh namespace, and computes
what the page shows beside it.

Each page is opened for several presets and typed functions; every Python block is
executed on its own (nothing from another block, nothing from the app). Where a block
ends in an expression, its value is compared with the number the page shows next to it.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest

from conftest import PAGES, TAB_KEYS, chart_frames, chart_series, charts, choose, new_app, no_exception, open_tab, tab_labels

FUNCTIONS = ["x^2", "composed:2", "abs(x)", "exp(-2*x) + 3*sin(3*x)", "2x sin x", "ln x"]


def run_block(code: str):
    """Execute ``code`` in a fresh namespace: (namespace, value of its last expression, stdout)."""
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    ns: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, "<block>", "exec"), ns)  # noqa: S102  (our own page's code, in a test)
        value = eval(compile(ast.Expression(last.value), "<block>", "eval"), ns) if last else None  # noqa: S307
    return ns, value, out.getvalue()


def python_blocks(at) -> list[str]:
    return [c.value for c in at.code if (c.language or "") == "python"]


@pytest.fixture(scope="module", params=FUNCTIONS)
def visited(request):
    """One session per function, with every page's Python blocks collected."""
    at = new_app()
    at.query_params.update({"race_n": "1k", "race_repeats": "1"})  # the race page's first look: small
    at.run()
    choose(at, request.param)
    pages = {}
    for i, page in enumerate(PAGES):
        if i:
            at.switch_page(page).run()
        no_exception(at)
        blocks = python_blocks(at)
        if page in TAB_KEYS:  # only the open tab is drawn: visit each
            for label in tab_labels(page)[1:]:
                open_tab(at, label, page)
                no_exception(at)
                blocks += python_blocks(at)
            open_tab(at, tab_labels(page)[0], page)
        pages[page] = (blocks, at)
        if page == "pages/home.py":
            pages["home_table"] = at.dataframe[0].value.copy()
            pages["home_chart"] = chart_series(charts(at)[0])
        if page == "pages/numerical.py":
            pages["numerical_error_chart"] = next(
                f for c in charts(at) if "along x" in str(json.loads(c.proto.spec).get("title", ""))
                for f in chart_frames(c) if {"x", "y", "clipped"} <= set(f.columns))
    return request.param, pages


def test_every_block_of_every_page_runs(visited):
    spec, pages = visited
    failures = []
    count = 0
    for page in PAGES:
        for code in pages[page][0]:
            count += 1
            try:
                run_block(code)
            except Exception as err:  # noqa: BLE001  (collected, reported together)
                failures.append(f"{page}: {type(err).__name__}: {err}\n{code[:300]}")
    assert count >= 20, count
    assert failures == [], "\n\n".join(failures)


def test_home_blocks_compute_the_slopes_in_the_table(visited):
    spec, pages = visited
    table = pages["home_table"].set_index("method")["f′(x₀)"]
    blocks = pages["pages/home.py"][0]
    sym = next(c for c in blocks if ".evalf()" in c)
    num = next(c for c in blocks if "(f(x0 + h) - f(x0 - h))" in c)
    jx = next(c for c in blocks if "jax.grad(f)(" in c and "vmap" not in c)
    want = table.to_dict()
    if not np.isfinite(want["symbolic"]):
        pytest.skip(f"f′ is undefined at the default x₀ for {spec}")  # nothing to compare with
    assert float(run_block(sym)[1]) == pytest.approx(want["symbolic"], rel=1e-9, abs=1e-12)
    assert float(run_block(num)[1]) == pytest.approx(want["numerical"], rel=1e-12, abs=1e-12)
    assert float(run_block(jx)[1]) == pytest.approx(want["autodiff"], rel=1e-12, abs=1e-12)


def test_home_chart_block_computes_the_charted_curves(visited):
    spec, pages = visited
    chart_code = next(c for c in pages["pages/home.py"][0] if "dfdx_numerical" in c)
    ns, _, _ = run_block(chart_code)
    series = pages["home_chart"]
    numerical = next(v for k, v in series.items() if k.startswith("numerical"))
    got = np.asarray(ns["dfdx_numerical"], dtype=float)
    want = numerical.y.to_numpy(dtype=float)
    finite = np.isfinite(got)
    np.testing.assert_allclose(got[finite][: len(want)], want[: finite.sum()], rtol=1e-9, atol=1e-9)


def test_numerical_gradient_block_matches_its_error_chart(visited):
    spec, pages = visited
    blocks, _ = pages["pages/numerical.py"]
    code = next(c for c in blocks if "error = abs(dfdx - fprime(xs))" in c)
    ns, _, _ = run_block(code)
    drawn = pages["numerical_error_chart"]  # the chart's own data: x, the error (or the floor), clipped
    error = pd.Series(np.asarray(ns["error"], dtype=float), index=np.asarray(ns["xs"], dtype=float))
    assert len(drawn) >= 10, spec
    at_x = error.reindex(drawn.x.to_numpy(dtype=float))
    assert at_x.notna().all(), spec  # every drawn point is a grid point of the block
    shown = np.where(drawn.clipped.to_numpy(dtype=bool), 0.0, drawn.y.to_numpy(dtype=float))
    np.testing.assert_allclose(at_x.to_numpy(), shown, rtol=1e-9, atol=0, err_msg=spec)


def test_race_code_blocks_run():
    at = new_app()
    at.run()
    at.switch_page("pages/speed_race.py").run()
    at.select_slider(key="race_n").set_value(1000).run()
    at.slider(key="race_repeats").set_value(1).run()
    at.button(key="race_run").click().run()
    no_exception(at)
    blocks = python_blocks(at)
    assert blocks
    failures = []
    for code in blocks:
        try:
            run_block(code)
        except Exception as err:  # noqa: BLE001
            failures.append(f"{type(err).__name__}: {err}\n{code[:400]}")
    assert failures == [], "\n\n".join(failures)
