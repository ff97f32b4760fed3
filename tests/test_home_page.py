"""Home tells the truth about the function: gaps, breaks, y-range, tangent, link, claims."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core import domain, presets
from ui import charts as ui_charts

from conftest import chart_series, charts, choose, new_app, no_exception

SPECS = ["log(x)", "1/x", "abs(x)", "tan(x)", "sqrt(1-x^2)", "x^x", "composed:6"]
F = "f(x)"
DERIVATIVES = ("symbolic: SymPy diff (exact)", "numerical: np.gradient", "autodiff: JAX vmap(grad)")


@pytest.fixture(scope="module")
def session():
    at = new_app()
    at.run()
    no_exception(at)
    return at


def _view(at, spec):
    choose(at, spec)
    no_exception(at)
    lo, hi = at.slider(key="home_range").value
    chart = charts(at)[0]
    return presets.resolve(spec), float(lo), float(hi), chart, chart_series(chart)


def _y_domains(spec_json: str) -> list:
    found = []

    def walk(node):
        if isinstance(node, dict):
            y = node.get("encoding", {}).get("y")
            if isinstance(y, dict) and isinstance(y.get("scale"), dict) and "domain" in y["scale"]:
                found.append(y["scale"]["domain"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(spec_json))
    return found


@pytest.mark.parametrize("spec", SPECS)
def test_home_draws_only_where_f_exists_and_never_joins_across_a_break(session, spec):
    fn, lo, hi, chart, series = _view(session, spec)
    dom = domain.analyse(fn, lo, hi)
    for name in (F,) + DERIVATIVES:
        s = series[name]
        assert domain.mask(fn, s.x.to_numpy(), dom).all(), f"{name} drawn where f is undefined"
        cuts = np.asarray(dom.breaks(derivative=name != F) + tuple(e for u in dom.undefined for e in u[:2]))
        for _, g in s.groupby("segment"):
            xs = np.sort(g.x.to_numpy())
            for a, b in zip(xs[:-1], xs[1:]):
                assert not ((cuts >= a) & (cuts <= b)).any(), f"{name} joins {a:g} and {b:g} across a break"
    # the default y-range holds at least 90 % of the finite points of f
    ydom = _y_domains(chart.proto.spec)[0]
    fy = series[F].y.to_numpy()
    assert np.mean((fy >= ydom[0]) & (fy <= ydom[1])) >= 0.9


def test_gaps_are_counted_where_f_is_undefined(session):
    fn, lo, hi, chart, series = _view(session, "log(x)")
    assert (lo, hi) == (0.0, 5.0)  # ln x reads on (0, 5]
    assert len(series[F]) == 99  # x = 0 is left out
    captions = " ".join(c.value for c in session.caption)
    assert "f(x): 1 of 100" in captions


def test_breaks_at_poles_and_kinks(session):
    _, _, _, _, series = _view(session, "tan(x)")
    assert series[F].segment.nunique() == 5  # four poles on [−5, 5]
    _, _, _, _, series = _view(session, "abs(x)")
    assert series[F].segment.nunique() == 1  # |x| itself is whole
    assert series["symbolic: SymPy diff (exact)"].segment.nunique() == 2  # its derivative jumps at 0


def test_tangent_is_its_own_short_series_moved_in_the_browser(session):
    _, lo, hi, chart, series = _view(session, "x^2")
    tan = series[ui_charts.TANGENT]
    one = tan[tan.x0 == tan.x0.iloc[0]]
    assert one.x.max() - one.x.min() <= 0.21 * (hi - lo)  # a short segment, not a full line
    spec = json.loads(chart.proto.spec)
    params = [p for p in spec.get("params", []) if p.get("name") == "x0"]
    assert params and params[0]["bind"]["input"] == "range"
    assert ui_charts.TANGENT in json.dumps(spec, ensure_ascii=False)  # in the legend's domain


def test_x0_is_in_the_link():
    at = new_app()
    at.query_params["f"] = "log(x)"
    at.query_params["home_x0"] = "2.5"
    at.run()
    no_exception(at)
    assert at.slider(key="home_x0").value == pytest.approx(2.5)
    assert any("x₀ = 2.5" in h.value for h in at.subheader)


def test_the_agreement_claim_is_computed(session):
    choose(session, "composed:6")
    session.slider(key="home_x0").set_value(1.0).run()
    no_exception(session)
    text = " ".join(c.value for c in session.caption)
    assert "agree to rounding" in text and "rounding amplified" in text, text
    table = session.dataframe[0].value
    assert table.loc[0, "f′(x₀)"] == 0.0  # p′(1) = 0: the exact f′(1) is 0
    choose(session, "x^2")
    session.slider(key="home_x0").set_value(1.5).run()
    text = " ".join(c.value for c in session.caption)
    assert "agree to rounding" in text and "amplified" not in text


def test_undefined_values_are_dashes_with_a_reason(session):
    choose(session, "1/x")
    session.slider(key="home_x0").set_value(0.0).run()
    no_exception(session)
    notes = list(session.dataframe[0].value["note"])
    assert all(n.startswith("—") for n in notes), notes


def test_palette_reads_on_light_and_dark():
    def lum(hexc):
        c = [int(hexc[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    def contrast(a, b):
        la, lb = sorted((lum(a), lum(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)

    methods = ["f(x)", "exact", "symbolic", "numerical", "autodiff", "tangent"]
    colours = [ui_charts.PALETTE[m] for m in methods]
    assert len(set(colours)) == len(colours)
    for m in methods:
        assert contrast(ui_charts.PALETTE[m], "#0E1117") >= 3.0, m  # Streamlit's dark background
        assert contrast(ui_charts.PALETTE[m], "#FFFFFF") >= 2.0, m  # sky is the weakest on white (2.2)
