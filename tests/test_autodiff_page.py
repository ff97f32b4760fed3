"""The Automatic (JAX) page: the values it displays, checked through AppTest."""

import math
import re

import numpy as np
import pytest

from core import presets, symbolic
from core.reference import SCALED_ERROR

from conftest import chart_series, charts, choose, new_app, no_exception, open_tab

PAGE = "pages/autodiff.py"


def _page(spec: str | None = None):
    at = new_app()
    at.run()
    at.switch_page(PAGE).run()
    if spec:
        choose(at, spec)
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    return at


def _table(at, column: str):
    """The first dataframe on the page that has ``column``."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with a {column!r} column")


def _shown(at, column: str):
    """The first table with ``column`` as the student reads it (its cells' display text)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    for d in at.dataframe:
        if column in d.value.columns:
            shown = d.proto.arrow_data.styler.display_values
            return convert_arrow_bytes_to_pandas_df(shown) if shown else d.value.astype(str)
    raise AssertionError(f"no table with a {column!r} column")


def _no_raw_numbers(table) -> None:
    """No None, nan, inf or Python's e-notation in any cell a student reads."""
    for cell in table.astype(str).to_numpy().ravel():
        assert not re.search(r"\b(None|nan|inf)\b|\de[+-]\d", cell), cell


def _metric(at, start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(start))


def _codes(at) -> str:
    return "\n".join(c.value for c in at.code)


def _step_slider(at):
    return next(s for s in at.slider if s.label == "step")


@pytest.fixture(scope="module")
def default_page():
    at = _page()
    at.slider(key="ad_x0").set_value(3.0).run()
    no_exception(at)
    return at


def test_grad_of_x_squared_at_3_is_6(default_page):
    at = default_page
    open_tab(at, "grad and its pitfalls", PAGE)
    assert _metric(at, "jax.grad(f)(x₀), float64") == "6"
    assert _metric(at, "exact f′(x₀)") == "6"
    main = chart_series(charts(at)[0])
    ad = main["autodiff: JAX vmap(grad)"]
    np.testing.assert_allclose(ad.y, 2 * ad.x, atol=1e-12)


def test_three_failures_show_their_real_messages_and_fixes(default_page):
    at = open_tab(default_page, "grad and its pitfalls", PAGE)
    codes = _codes(at)
    assert "grad requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), " \
           "but got int64" in codes
    assert "Gradient only defined for scalar-output functions. Output had shape: (3,)." in codes
    text = " ".join(m.value for m in at.markdown)
    assert "`jax.grad(f)(3.0)` = **6**" in text
    assert "`jax.vmap(jax.grad(f))(xs)` = **[2, 4, 6]**" in text
    timing = next(i.value for i in at.info if i.value.startswith("Without jit"))
    assert "with jit" in timing and "faster" in timing and "compiles" in timing
    bars = charts(at)[1]
    assert bars.proto.spec and "vmap(grad(f)), no jit" in bars.proto.spec
    assert "JAX arrays are immutable" in _codes(open_tab(at, "JAX arrays", PAGE))


def test_kink_panel_shows_1_0_and_half(default_page):
    kink = _table(open_tab(default_page, "The kink of |x|", PAGE), "d|x|/dx")
    values = dict(zip(kink["method"] + " " + kink["where"], kink["d|x|/dx"]))
    assert values["JAX x = 0"] == 1.0
    assert values["SymPy x = 0"] == 0.0
    assert values["NumPy x = -0.0505"] == pytest.approx(-0.5)
    assert values["NumPy x = 0.0505"] == pytest.approx(0.5)
    assert values["central difference x = 0"] == 0.0


def test_forward_trace_of_x_squared_and_step_slider(default_page):
    at = open_tab(default_page, "Inside autodiff", PAGE)
    fwd = _table(at, "tangent")
    assert list(fwd["equation"]) == ["a = x₀", "b = integer_pow[y=2] a"]
    assert fwd["tangent"].iloc[-1] == 6.0 and fwd["value"].iloc[-1] == 9.0
    _step_slider(at).set_value(0).run()
    no_exception(at)
    assert len(_table(at, "tangent")) == 1  # the walk shows rows up to the step
    assert "{ lambda ; a:f64[]. let b:f64[] = integer_pow[y=2] a in (b,) }" in _codes(at)


def test_at_set_sliders_update_a_new_array(default_page):
    at = open_tab(default_page, "JAX arrays", PAGE)
    at.slider(key="ad_i").set_value(0).run()
    at.slider(key="ad_v").set_value(-2.0).run()
    no_exception(at)
    code = next(c.value for c in at.code if "y = x.at[" in c.value)
    assert "y = x.at[0].set(-2)" in code and "[1. 2. 3.]   (unchanged)" in code and "[-2.  2.  3.]" in code


@pytest.mark.parametrize("spec, x0", [("exp(-2*x) + 3*sin(3*x)", 1.0), ("x^3*sin(x) - 2/x", 1.3),
                                      ("log(x)*sqrt(x) + tan(x)", 0.45)])
def test_typed_function_trace_and_second_derivative_match_sympy(spec, x0):
    at = _page(spec)
    at.slider(key="ad_x0").set_value(x0).run()
    no_exception(at)
    fn = presets.resolve(spec)
    exact = [float(symbolic.derivative_values(fn, np.array([x0]), k)[0]) for k in (1, 2, 3)]
    fwd = _table(open_tab(at, "Inside autodiff", PAGE), "tangent")
    assert fwd["tangent"].iloc[-1] == pytest.approx(exact[0], rel=1e-12)
    rev_at = at
    higher = _table(open_tab(at, "Higher order", PAGE), "SymPy value (float64)")
    for k in (1, 2, 3):
        row = higher[higher["order"] == k]
        assert row["SymPy value (float64)"].item() == pytest.approx(exact[k - 1], rel=1e-14)
        assert row["JAX value (float64)"].item() == pytest.approx(exact[k - 1], rel=1e-9)
    d2 = next(chart_series(c) for c in charts(at) if "JAX grad(grad(f))" in chart_series(c))
    np.testing.assert_allclose(d2["JAX grad(grad(f))"].y, d2["exact f″ (SymPy)"].y, rtol=1e-9, atol=1e-9)
    # the reverse sweep ends on the same number
    open_tab(rev_at, "Inside autodiff", PAGE)
    at.radio(key="ad_mode").set_value("reverse (grad)").run()
    no_exception(at)
    rev = _table(at, "adjoint")
    assert rev["pass"].iloc[-1] == "backward"
    assert rev["adjoint"].iloc[-1] == pytest.approx(exact[0], rel=1e-12)


def test_gallery_counts_undefined_points_as_gaps():
    at = open_tab(_page(), "Gallery", PAGE)
    at.selectbox(key="ad_gallery").set_value("log(x)").run()
    no_exception(at)
    series = next(chart_series(c) for c in charts(at) if "f(x)" in chart_series(c))
    f, ad, exact = series["f(x)"], series["autodiff: JAX vmap(grad)"], series["exact f′"]
    # the chart keeps only finite points (gaps elsewhere) on the 101-point grid that holds x = 0
    assert len(f) == 50 and (f.x > 0).all()  # ln x: nan for x < 0, −inf at 0
    assert len(exact) == 50  # f′ is undefined wherever f is
    # JAX's rule gives 1/x for x < 0 too, but there is no f there: no f′ drawn either
    assert len(ad) == 50 and (ad.x > 0).all()
    np.testing.assert_allclose(ad.y, 1 / ad.x, rtol=1e-12)
    captions = " ".join(c.value for c in at.caption)
    assert "f(x): 51 of 101" in captions and "exact f′: 51 of 101" in captions
    assert "autodiff: JAX vmap(grad): 51 of 101" in captions
    assert "JAX still returns a finite f′" in captions


def test_main_chart_of_ln_x_compares_only_where_f_is_defined():
    at = _page("log(x)")
    at.slider(key="ad_range").set_value((-5.0, 5.0)).run()
    no_exception(at)
    main = chart_series(charts(at)[0])
    jax_d, exact = main["autodiff: JAX vmap(grad)"], main["exact f′"]
    assert len(jax_d) and (jax_d.x > 0).all() and (exact.x > 0).all()  # nothing drawn for x ≤ 0
    np.testing.assert_allclose(jax_d.y, 1 / jax_d.x, rtol=1e-12)
    captions = " ".join(c.value for c in at.caption)
    assert "autodiff: JAX vmap(grad): 200 of 400" in captions and "exact f′: 200 of 400" in captions
    assert "over the 200 points where f′ exists" in captions
    assert "JAX still returns a finite f′" in captions


def test_float32_switch_reruns_and_says_the_composed_polynomial_overflows():
    at = _page("composed:4")
    at.slider(key="ad_range").set_value((-5.0, 5.0)).run()
    at.radio(key="ad_dtype").set_value("float32").run()
    no_exception(at)
    assert not at.error
    assert any("float32" in w.value and "overflowed" in w.value for w in at.warning)
    open_tab(at, "float32 vs float64", PAGE)
    summary = _table(at, f"largest {SCALED_ERROR}")
    assert (summary["dtype"] == "float32").all()
    assert summary["non-finite where exact is finite"].iloc[0] > 0
    ov = _table(at, "f non-finite (of 1000)")
    row32 = ov[ov["dtype"] == "float32"].iloc[0]
    row64 = ov[ov["dtype"] == "float64"].iloc[0]
    assert row32["JAX f′ non-finite (of 1000)"] > 500 and row64["JAX f′ non-finite (of 1000)"] == 0
    assert "overflows to inf from depth 4" in " ".join(m.value for m in at.markdown)
    assert _metric(open_tab(at, "grad and its pitfalls", PAGE), "jax.grad(f)(x₀), float32")


@pytest.mark.parametrize("spec", ["log(x)", "1/x", "sqrt(x)"])
def test_undefined_points_render_without_exception(spec):
    at = _page(spec)
    at.slider(key="ad_x0").set_value(0.0).run()
    no_exception(at)
    assert not at.error
    fwd = _table(open_tab(at, "Inside autodiff", PAGE), "tangent")
    no_exception(at)
    assert not math.isfinite(fwd["tangent"].iloc[-1])  # ±inf at 0, as jax.grad gives


HIGHER = ("JAX value ({dtype})", "SymPy value (float64)", SCALED_ERROR)


def _higher_cells(at, dtype: str = "float64") -> dict[int, tuple[str, str, str]]:
    """The f′, f″, f‴ table as read: {order: (JAX, SymPy, error)}."""
    table = _shown(open_tab(at, "Higher order", PAGE), "SymPy value (float64)")
    _no_raw_numbers(table)
    cols = [c.format(dtype=dtype) for c in HIGHER]
    return {int(o): tuple(str(r[c]) for c in cols) for o, (_, r) in zip(range(1, 4), table.iterrows())}


def _read_at(spec: str, x0: float):
    """The page at x₀: the higher-order table's cells and the forward trace, as read."""
    at = _page(spec)
    at.slider(key="ad_x0").set_value(x0).run()
    no_exception(at)
    cells = _higher_cells(at)
    trace = _shown(open_tab(at, "Inside autodiff", PAGE), "tangent")
    _no_raw_numbers(trace)
    return at, cells, trace


def test_ln_x_at_a_negative_x0_reads_f_undefined_not_jax_numbers():
    at, cells, trace = _read_at("log(x)", -2.0)
    # JAX's rule would give f′ = −0.5 and SymPy's 1/x too: neither is a derivative of ln x at −2
    assert all(c == ("— f undefined here",) * 3 for c in cells.values()), cells
    assert list(trace["value"]) == ["-2", "— f undefined here"]
    assert list(trace["tangent"]) == ["1", "-0.5"]  # what jvp computes, shown as it is: the lesson
    at = open_tab(at, "grad and its pitfalls", PAGE)
    assert _metric(at, "f(x₀)") == "— f undefined here" and _metric(at, "exact f′(x₀)") == "— f undefined here"
    assert _metric(at, "jax.grad(f)(x₀)") == "-0.5"


def test_one_over_x_at_its_pole_reads_a_dash_and_why():
    at, cells, trace = _read_at("1/x", 0.0)
    assert all(c == ("— f undefined here (a pole)",) * 3 for c in cells.values()), cells
    assert list(trace["value"]) == ["0", "— f undefined here (a pole)"]
    assert trace["local derivatives"].iloc[-1].endswith("= −∞")
    at.radio(key="ad_mode").set_value("reverse (grad)").run()
    rev = _shown(at, "adjoint")
    _no_raw_numbers(rev)
    passes = _table(at, "adjoint")["pass"]
    assert (rev["adjoint"][passes == "forward"] == "").all()  # adjoints come in the backward pass
    assert rev["adjoint"].iloc[-1] == "— f undefined here (a pole)"


_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def _read_number(text: str) -> float:
    """A number as the page writes it ("3.20778106 × 10⁷", "−2.5", "0") back to a float."""
    mantissa, _, power = text.replace("−", "-").partition(" × 10")
    return abs(float(mantissa) * 10.0 ** int(power.translate(_SUPERSCRIPT) or 0))


def test_tan_near_its_pole_reads_significant_digits():
    at = _page("tan(x)")
    at.slider(key="ad_range").set_value((-1.5, 1.5)).run()
    at.slider(key="ad_x0").set_value(1.55).run()  # 0.02 left of π/2: f‴ is 3.2 × 10⁷
    no_exception(at)
    cells = _higher_cells(at)
    assert cells[1][:2] == ("2312.540478", "2312.540478")
    assert cells[2][:2] == ("222366.8737", "222366.8737")
    assert cells[3][:2] == ("3.20778106 × 10⁷", "3.20778106 × 10⁷")
    for order, cell in cells.items():  # float64: the difference (third column) is rounding, or 0
        assert cell[2] == "0" or _read_number(cell[2]) <= 1e-12 * _read_number(cell[1]), (order, cell)
    at.radio(key="ad_dtype").set_value("float32").run()
    cells = _higher_cells(at, "float32")
    assert cells[1][0] == "2312.53" and cells[1][1] == "2312.540478"  # float32 holds 7 digits
    assert cells[3][0] == "3.207752 × 10⁷" and re.fullmatch(r"9\.\d\d × 10⁻⁶", cells[3][2]), cells


def test_composed_depth_6_in_float32_says_it_overflows():
    at = _page("composed:6")
    at.slider(key="ad_range").set_value((-1.0, 1.5)).run()
    at.slider(key="ad_x0").set_value(1.0).run()
    at.radio(key="ad_dtype").set_value("float32").run()
    no_exception(at)
    cells = _higher_cells(at, "float32")
    assert cells[1] == ("— overflows float32", "0", "— overflows float32"), cells
    assert cells[2] == ("— overflows float32", "5.401836271 × 10¹⁷⁰", "— overflows float32"), cells
    assert cells[3][1:] == ("— not computed (switch it on above)",) * 2, cells  # SymPy's f‴ takes seconds here
    trace = _shown(open_tab(at, "Inside autodiff", PAGE), "tangent")
    _no_raw_numbers(trace)
    assert trace["value"].iloc[-1] == "— overflows float32"
    summary = _shown(open_tab(at, "float32 vs float64", PAGE), f"largest {SCALED_ERROR}")
    _no_raw_numbers(summary)
    assert summary[f"largest {SCALED_ERROR}"].iloc[0] == "— JAX's value overflows float32"
    # in float64 the same point is finite: 2.68 × 10¹⁵⁴ away from the exact 0, rounding amplified by f″
    at.radio(key="ad_dtype").set_value("float64").run()
    cells = _higher_cells(at)
    assert cells[1] == ("2.681561586 × 10¹⁵⁴", "0", "2.68 × 10¹⁵⁴"), cells


@pytest.mark.parametrize("spec, says", [("composed:6", True), ("x^2", False)])
def test_a_huge_error_from_rounding_is_called_rounding_with_its_bound(spec, says):
    """Depth 6 at x₀ = 1 (float64): grad is 2.68 × 10¹⁵⁴ off SymPy, within Home's computed rounding
    bound (ui.data.agreement), so the page says it is rounding and gives the bound; x² says nothing."""
    from ui.autodiff_sections import sig
    from ui.data import agreement

    at = _page(spec)
    at.slider(key="ad_x0").set_value(1.0).run()
    for tab in ("grad and its pitfalls", "Higher order"):
        open_tab(at, tab, PAGE)
        no_exception(at)
        notes = [c.value for c in at.caption if "is rounding, not a wrong derivative" in c.value]
        if not says:
            assert notes == [], (tab, notes)
            continue
        agree = agreement(spec, 1.0)
        assert agree["difference"] > 1e150 and agree["agree"] and agree["amplified"]
        assert len(notes) == 1, tab
        assert f"|grad − SymPy| = {sig(agree['difference'], 3)}" in notes[0]
        assert f"8ε(|f′| + |x₀·f″|) = {sig(agree['bound'], 3)}" in notes[0]
        assert "2.68 × 10¹⁵⁴" in notes[0]
