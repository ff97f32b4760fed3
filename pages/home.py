"""Home: f and f′ from all three methods, drawn together, and the tangent at x₀."""

import numpy as np
import streamlit as st

from core import snippets
from ui import charts, data, panels, state
from ui.safe import section

st.title("∂ The derivative lab")
st.markdown(
    "A live companion to the lab *Differentiation in Python*. One function, differentiated three ways: "
    "**symbolically** (SymPy rewrites the formula), **numerically** (NumPy subtracts nearby values) and "
    "**automatically** (JAX runs the chain rule through the program)."
)
st.markdown(
    "**Start here:** pick a function in the sidebar (on a phone, open it with **»** at the top left) "
    "or type your own, then move the sliders below: the chart shows f and f′ from all three methods. "
    "Then open a method's page to see how it works and what it costs."
)

# Where to go next: one link per page, with what it shows.
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

fn = state.choose_function("home")

c1, c2 = st.columns([3, 2])
lo, hi = state.x_range("home_range", where=c1)
n = c2.slider("number of points", 10, 2000, 100, step=10, key="home_n", bind="query-params",
              help="The lab uses 100 points on [−5, 5]. np.gradient's accuracy depends on the spacing.")
if hi <= lo:
    st.warning("The x-range is empty: move the right end past the left one.")
    st.stop()

# No key: when the x-range changes, the x₀ slider starts afresh inside the new range.
x0 = st.slider("tangent at x₀", float(lo), float(hi), float(np.clip(1.0, lo, hi)), step=(hi - lo) / 200,
               format="%.3f")

with section("The chart of f and f′"):
    df = data.three_ways(state.spec(), lo, hi, n)
    point = data.at_point(state.spec(), float(x0))
    slope = float(point.loc[point.method == "symbolic", "f′(x₀)"].iloc[0])
    y0 = float(fn.numpy(np.array([x0]))[0])

    chart = charts.curves(
        df, title=f"f and f′ on [{lo:g}, {hi:g}], {n} points, float64", y_title="value",
        points=(data.SERIES["numerical"],), dashed=(data.SERIES["autodiff"],),
    )
    if np.isfinite(y0) and np.isfinite(slope):
        chart = charts.tangent_overlay(chart, x0, y0, slope, lo, hi)
    panels.chart_panel(
        chart, df, key="home_curves",
        caption="The symbolic curve is exact; the autodiff curve (dashed) lies on it; the dots are "
                "np.gradient's estimates, least accurate at the two ends and wherever f bends sharply.",
        code=snippets.jax_def(fn) + "import numpy as np\nfrom sympy import diff, lambdify, symbols\n"
        f"\nxs = np.linspace({lo:g}, {hi:g}, {n})\n"
        "dfdx_numerical = np.gradient(f(xs), xs)\n"
        "dfdx_autodiff = jax.vmap(jax.grad(f))(xs)\n",
    )

    st.subheader(f"The slope at x₀ = {x0:.4g}")
    st.dataframe(
        point.style.format({"f′(x₀)": "{:.12g}", "error vs exact": "{:.2e}"}),
        hide_index=True, width="stretch",
    )
    st.caption("All three in float64. The central difference uses the step h ≈ ε^(1/3)·max(1, |x₀|) that "
               "balances truncation against round-off; autodiff and symbolic agree to rounding.")

    with st.expander("🐍 the slope at x₀ three ways, in a notebook"):
        st.code(snippets.sympy_def(fn) + f"dfdx = diff(f, x)\ndfdx.subs(x, {x0!r}).evalf()\n", language="python")
        st.code(snippets.numpy_def(fn) + f"x0 = {x0!r}\nh = {data.central_step(x0)!r}  # ε^(1/3)·max(1, |x₀|)\n"
                "(f(x0 + h) - f(x0 - h)) / (2 * h)\n",
                language="python")
        st.code(snippets.jax_def(fn) + f"jax.grad(f)({x0!r})\n", language="python")
