"""Numerical differentiation with NumPy: np.gradient against the exact derivative."""

import streamlit as st

from core import snippets
from ui import charts, data, state

st.title("📏 Numerical differentiation (NumPy)")
st.markdown("`np.gradient` never looks at the formula: it subtracts neighbouring values of f on a grid "
            "and divides by the spacing. It is only an approximation, worst at the ends and at kinks.")

fn = state.choose_function("numerical")
lo0, hi0 = state.default_range()
c1, c2 = st.columns([3, 2])
lo, hi = c1.slider("x-range", -10.0, 10.0, (lo0, hi0), step=0.25, key="num_range", bind="query-params")
n = c2.slider("number of points", 5, 2000, 100, step=5, key="num_n", bind="query-params")
if hi <= lo:
    st.warning("The x-range is empty: move the right end past the left one.")
    st.stop()

df = data.method_vs_exact(state.spec(), "numerical", lo, hi, n)
st.altair_chart(charts.curves(df, title=f"np.gradient on {n} points against the exact f′ (float64)",
                              y_title="f′(x)", points=(data.SERIES["numerical"],)), width="stretch")
st.code(snippets.numpy_def(fn) + f"\nxs = np.linspace({lo:g}, {hi:g}, {n})\ndfdx = np.gradient(f(xs), xs)\n",
        language="python")
