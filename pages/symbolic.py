"""Symbolic differentiation with SymPy: the exact derivative and the code lambdify makes."""

import streamlit as st

from core import snippets, symbolic
from ui import charts, data, state

st.title("🔣 Symbolic differentiation (SymPy)")
st.markdown("SymPy applies the sum, product and chain rules to the formula itself and returns a new, "
            "exact formula. `lambdify` then turns it into a NumPy function you can call on an array.")

fn = state.choose_function("symbolic")
lo0, hi0 = state.default_range()
lo, hi = st.slider("x-range", -10.0, 10.0, (lo0, hi0), step=0.25, key="sym_range", bind="query-params")
if hi <= lo:
    st.warning("The x-range is empty: move the right end past the left one.")
    st.stop()

tex, ops = data.derivative_latex(state.spec(), 1)
st.latex(r"f'(x) = " + tex)
st.caption(f"The derivative as a tree has {ops} operations.")

df = data.method_vs_exact(state.spec(), "symbolic", lo, hi, 400)
st.altair_chart(charts.curves(df, title="lambdify(diff(f)) against the exact f′ (float64)", y_title="f′(x)",
                              dashed=(data.SERIES["symbolic"],)), width="stretch")

st.code(snippets.sympy_def(fn) + "dfdx = diff(f, x)\ndfdx_numpy = lambdify(x, dfdx, 'numpy', cse=True)\n",
        language="python")
with st.expander("The Python source lambdify generated"):
    st.code(symbolic.derivative_source(fn), language="python")
