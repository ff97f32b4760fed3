"""Home: f and f′ from all three methods, drawn together, and the tangent at x₀."""

import numpy as np
import streamlit as st

from core import snippets
from ui import charts, data, entry, panels, state
from ui.safe import section

entry.require()  # the entry's work, even for a first deep link after a restart (ui/entry.py)

st.title("∂ The derivative lab")
st.markdown(
    "One function, differentiated three ways: **symbolically** (SymPy rewrites the formula), **numerically** "
    "(NumPy subtracts nearby values) and **automatically** (JAX runs the chain rule through the program). "
    "Pick a function in the sidebar (on a phone: **»** at the top left) or type your own."
)

fn = state.choose_function("home")

# The chart comes first on every screen (a phone's too); what sets it sits just above it, compactly.
c1, c2 = st.columns([3, 2])
lo, hi = state.x_range("home_range", where=c1, default=data.reading_range(state.spec()))
n = c2.slider("number of points", 10, 2000, 100, step=10, key="home_n", bind="query-params",
              help="The lab uses 100 points on [−5, 5]. np.gradient's accuracy depends on the spacing.")
with st.expander("↕ zoom the y-axis"):
    y1, y2 = st.columns(2)
    y_from = y1.number_input("y-axis from (empty: automatic)", value=None, key="home_ymin", bind="query-params",
                             format="%g", help="Zoom the y-axis of f. Empty: the range that holds the bulk of the values.")
    y_to = y2.number_input("y-axis to (empty: automatic)", value=None, key="home_ymax", bind="query-params",
                           format="%g")
if hi <= lo:
    st.warning("The x-range is empty: move the right end past the left one.")
    st.stop()
chart_box = st.container()  # filled below, once x₀ (set under the chart, by its table) is known

# x₀ is in the link; when the x-range moves past it, it moves back inside.
slope_head = st.container()
step = data.x0_step(lo, hi)
if "home_x0" in st.session_state and not lo <= float(st.session_state["home_x0"]) <= hi:
    st.session_state["home_x0"] = float(np.clip(st.session_state["home_x0"], lo, hi))
x0 = st.slider("tangent at x₀ (the table below; in the link)", float(lo), float(hi),
               float(lo + step * round((np.clip(1.0, lo, hi) - lo) / step)), step=step, format="%.3f",
               key="home_x0", bind="query-params",
               help="Sets the slopes in the table and goes into the link. To sweep the tangent across the "
                    "range, drag the slider under the chart: it moves in your browser, without a rerun.")


def _sig(v: float, digits: int = 10) -> str:
    return f"{v:.{digits}g}" if np.isfinite(v) else "—"


with chart_box, section("The chart of f and f′"):
    spec = state.spec()
    df = data.three_ways(spec, lo, hi, n)
    dom = data.analysis(spec, lo, hi)
    f_name = data.SERIES["f"]
    d_names = [data.SERIES[k] for k in ("symbolic", "numerical", "autodiff")]
    f_vals = df.loc[df.series == f_name, "y"]
    d_vals = df.loc[df.series.isin(d_names), "y"]
    split = charts.scales_differ(f_vals, d_vals)
    f_domain = charts.robust_domain(f_vals if split else df.y)
    if y_from is not None and y_to is not None and y_to > y_from:
        f_domain = [float(y_from), float(y_to)]
    elif y_from is not None or y_to is not None:
        st.caption("Set both ends of the y-axis (the upper above the lower) to zoom; until then it is automatic.")
    d_domain = charts.robust_domain(d_vals) if split else None
    breaks = data.line_breaks(spec, lo, hi)

    # Built once for every student with these settings; the lines carry what the chart can show.
    chart = panels.chart_spec(
        charts.curves, data.three_ways_drawn(spec, lo, hi, n), title=f"f and f′ on [{lo:g}, {hi:g}], {n} points, float64",
        y_title="f(x)" if split else "value",
        points=(data.SERIES["numerical"],), dashed=(data.SERIES["autodiff"],), breaks=breaks,
        y_domain=f_domain, right_axis=tuple(d_names) if split else (), right_title="f′(x)", right_domain=d_domain,
        tangent=data.tangents(spec, lo, hi), x0=float(x0), x0_step=step,
    )
    notes = ["The symbolic curve is exact; the autodiff curve (dashed) lies on it; the dots are "
             "np.gradient's estimates, least accurate at the two ends and wherever f bends sharply. "
             "The orange segment is the tangent at x₀: drag the slider under the chart to sweep it across."]
    if n > panels.MAX_LINE_POINTS:
        notes.append(f"Every one of the {n} grid points is drawn as a dot; each line is drawn through at most "
                     f"{panels.MAX_LINE_POINTS} of its points, the ends of every piece and its highs and lows kept "
                     "(all a chart this wide can show); the CSV has every point.")
    if split:
        notes.append("f and f′ differ in size by orders of magnitude, so f′ has its own axis on the right.")
    if dom.breaks(derivative=True):
        pts = ", ".join(_sig(p, 4) for p in dom.breaks(derivative=True)[:8])
        notes.append(f"Lines break at x = {pts} (a pole, a jump, a kink or the edge of where f exists); "
                     "nothing is drawn where f is undefined.")
    clipped = charts.clipped_counts(df[df.series == f_name] if split else df, f_domain)
    if split:
        clipped.update(charts.clipped_counts(df[df.series.isin(d_names)], d_domain))
    if clipped:
        parts = "; ".join(f"{k}: {v}" for k, v in clipped.items())
        notes.append(f"Points beyond the y-axis are marked by triangles on its edge ({parts}).")
    panels.chart_panel(
        chart, df, key="home_curves", caption=" ".join(notes),
        code=snippets.jax_def(fn) + "import numpy as np\nfrom sympy import diff, lambdify, symbols\n"
        f"\nxs = np.linspace({lo:g}, {hi:g}, {n})\n"
        "dfdx_numerical = np.gradient(f(xs), xs)\n"
        "dfdx_autodiff = jax.vmap(jax.grad(f))(xs)\n",
    )

slope_head.subheader(f"The slope at x₀ = {_sig(x0, 4)}")
with section("The slope at x₀"):
    point = data.at_point(state.spec(), float(x0))
    st.dataframe(
        point.style.format({"f′(x₀)": _sig, "error vs exact": lambda v: f"{v:.2e}" if np.isfinite(v) else "—"}),
        hide_index=True, width="stretch",
    )
    agree = data.agreement(state.spec(), float(x0))
    if not agree["finite"]:
        claim = ("Autodiff and symbolic cannot be compared at this x₀: f′ or f″ is not a finite number here "
                 "(see the note column).")
    else:
        how = (f"|autodiff − symbolic| = {agree['difference']:.3g}, within the rounding bound "
               f"8ε(|f′| + |x₀·f″|) = {agree['bound']:.3g}" if agree["agree"] else
               f"|autodiff − symbolic| = {agree['difference']:.3g}, more than the rounding bound "
               f"8ε(|f′| + |x₀·f″|) = {agree['bound']:.3g}")
        claim = ("autodiff and symbolic agree to rounding" if agree["agree"] else
                 "autodiff and symbolic differ by more than rounding explains") + f" ({how})."
        if agree["amplified"]:
            claim += (f" The bound is large because f″(x₀) = {agree['second']:.3g} is huge next to f′(x₀) = "
                      f"{agree['symbolic']:.3g}: rounding x₀ to float64 alone moves f′ by about ε·|x₀·f″|, so a "
                      "large difference here is rounding amplified, not a wrong derivative.")
    st.caption("All three in float64. The central difference uses the step h ≈ ε^(1/3)·max(1, |x₀|) that "
               "balances truncation against round-off; " + claim)

    with st.expander("🐍 the slope at x₀ three ways, in a notebook"):
        st.code(snippets.sympy_def(fn) + f"dfdx = diff(f, x)\ndfdx.subs(x, {x0!r}).evalf()\n", language="python")
        st.code(snippets.numpy_def(fn) + f"x0 = {x0!r}\nh = {data.central_step(x0)!r}  # ε^(1/3)·max(1, |x₀|)\n"
                "(f(x0 + h) - f(x0 - h)) / (2 * h)\n",
                language="python")
        st.code(snippets.jax_def(fn) + f"jax.grad(f)({x0!r})\n", language="python")

# Where to go next: one link per page, with what it shows (after the chart: a phone sees the chart first).
st.subheader("Where next")
_NEXT = [
    ("pages/symbolic.py", "Symbolic (SymPy)", "🔣", "exact derivatives, lambdify, expression swell"),
    ("pages/numerical.py", "Numerical (NumPy)", "📏", "np.gradient, step sizes, kinks"),
    ("pages/autodiff.py", "Automatic (JAX)", "🤖", "grad, vmap, jit and their pitfalls"),
    ("pages/speed_race.py", "Speed race", "⏱️", "what each method costs, setup apart"),
    ("pages/many_variables.py", "Many variables", "🧮", "∂f/∂x, ∂f/∂y, and why ML uses autodiff"),
]
for col, (target, label, icon, what) in zip(st.columns(len(_NEXT)), _NEXT):
    with col.container(border=True):
        st.page_link(target, label=label, icon=icon)
        st.caption(what)

entry.finish()  # the real navigation, after a run without dashboard.py (ui/entry.py)
