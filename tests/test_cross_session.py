"""Issue 17: what one student's visit computes, the next student with the same settings
reuses (Home's data and its chart's spec are cached for the whole server), and different
settings never share a result. Also: what Home draws is what its chart can show."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import streamlit as st

from core import symbolic
from ui import charts as ui_charts
from ui import panels

from conftest import chart_series, charts, choose, new_app, no_exception


@pytest.fixture
def counted(monkeypatch):
    """Calls of the exact derivative (the data) and of the Vega-Lite conversion (the chart),
    counted from a cold cache."""
    st.cache_data.clear()
    calls = {"derivative": 0, "chart": 0}
    derivative, to_vega_lite = symbolic.derivative_values, ui_charts.to_vega_lite

    def counting_derivative(*a, **k):
        calls["derivative"] += 1
        return derivative(*a, **k)

    def counting_chart(*a, **k):
        calls["chart"] += 1
        return to_vega_lite(*a, **k)

    monkeypatch.setattr(symbolic, "derivative_values", counting_derivative)
    monkeypatch.setattr(ui_charts, "to_vega_lite", counting_chart)
    yield calls
    st.cache_data.clear()


def _home(spec: str | None = None, x_range=None):
    at = new_app()
    at.run()
    no_exception(at)
    if spec is not None:
        choose(at, spec)
    if x_range is not None:
        at.slider(key="home_range").set_value(x_range).run()
    no_exception(at)
    return at, charts(at)[0]


def test_a_second_student_with_the_same_settings_computes_and_builds_nothing(counted):
    _, first = _home()
    after_first = dict(counted)
    assert after_first["derivative"] > 0 and after_first["chart"] > 0
    _, second = _home()
    assert counted == after_first, "the second session computed or built its chart again"
    assert second.proto.spec == first.proto.spec
    a, b = chart_series(first), chart_series(second)
    assert a.keys() == b.keys() and all(a[k].equals(b[k]) for k in a)


@pytest.mark.parametrize("change", [{"spec": "sin(x)"}, {"x_range": (0.0, 2.0)}], ids=["function", "range"])
def test_different_settings_never_share_a_result(counted, change):
    _, first = _home()
    before = dict(counted)
    _, other = _home(**change)
    assert counted["derivative"] > before["derivative"] and counted["chart"] > before["chart"]
    a, b = chart_series(first), chart_series(other)
    f = "f(x)"
    assert not np.array_equal(a[f][["x", "y"]].to_numpy(), b[f][["x", "y"]].to_numpy())


def test_home_draws_at_most_400_points_a_line_and_every_dot():
    at = new_app()
    at.run()
    at.slider(key="home_n").set_value(2000).run()
    no_exception(at)
    drawn = chart_series(charts(at)[0])
    assert len(drawn["numerical: np.gradient"]) == 2000  # every grid point
    for name in ("f(x)", "symbolic: SymPy diff (exact)", "autodiff: JAX vmap(grad)"):
        assert len(drawn[name]) <= panels.MAX_LINE_POINTS, name
    assert any("Every one of the 2000 grid points is drawn" in c.value for c in at.caption)


def test_thinning_keeps_every_gap_break_end_and_extreme():
    xs = np.linspace(-5, 5, 2000)
    y = np.tan(xs)
    y[(xs > -1) & (xs < -0.5)] = np.nan
    breaks = {"tan": [-3 * np.pi / 2, -np.pi / 2, np.pi / 2, 3 * np.pi / 2]}
    df = pd.concat([pd.DataFrame({"x": xs, "y": y, "series": "tan"}),
                    pd.DataFrame({"x": xs, "y": np.sin(xs), "series": "dots"})], ignore_index=True)
    thin = panels.thin_lines(df, breaks=breaks, keep=("dots",))
    assert (thin.series == "dots").sum() == 2000
    assert np.isfinite(thin.loc[thin.series == "tan", "y"]).sum() <= panels.MAX_LINE_POINTS
    full, cut = ui_charts.with_segments(df, breaks=breaks), ui_charts.with_segments(thin, breaks=breaks)
    assert full.segment.nunique() == cut.segment.nunique()
    for seg, g in full.groupby("segment"):
        h = cut[cut.segment == seg]
        assert (h.x.iloc[0], h.x.iloc[-1]) == (g.x.iloc[0], g.x.iloc[-1])
        assert (h.y.min(), h.y.max()) == (g.y.min(), g.y.max())


def test_a_long_table_is_capped_with_a_caption():
    from streamlit.testing.v1 import AppTest

    def page():
        import pandas as pd

        from ui import panels

        panels.table(pd.DataFrame({"i": range(1000)}), hide_index=True)

    at = AppTest.from_function(page).run()
    assert len(at.dataframe[0].value) == panels.MAX_TABLE_ROWS
    assert "The first 200 of 1000 rows are shown." in at.caption[0].value
