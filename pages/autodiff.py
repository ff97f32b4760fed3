"""Automatic differentiation with JAX: vmap(grad(f)) against the exact derivative."""

import streamlit as st

from core import snippets
from ui import charts, data, state

st.title("🤖 Automatic differentiation (JAX)")
st.markdown("JAX traces your function into a small program of primitives and runs the chain rule "
            "through it. `grad` differentiates a scalar function; `vmap` maps it over an array.")

fn = state.choose_function("autodiff")
lo0, hi0 = state.default_range()
lo, hi = st.slider("x-range", -10.0, 10.0, (lo0, hi0), step=0.25, key="ad_range", bind="query-params")
if hi <= lo:
    st.warning("The x-range is empty: move the right end past the left one.")
    st.stop()

df = data.method_vs_exact(state.spec(), "autodiff", lo, hi, 400)
st.altair_chart(charts.curves(df, title="jax.vmap(jax.grad(f)) against the exact f′ (float64)",
                              y_title="f′(x)", dashed=(data.SERIES["autodiff"],)), width="stretch")
st.code(snippets.jax_def(fn) + f"\nxs = jnp.linspace({lo:g}, {hi:g}, 400)\ndfdx = jax.vmap(jax.grad(f))(xs)\n",
        language="python")
