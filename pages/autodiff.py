"""Automatic differentiation with JAX: arrays, grad and its pitfalls, vmap and jit, the lab's
gallery, the kink of |x|, the jaxpr and its evaluation traces, higher orders, float32 vs float64.
Sections live in ui.autodiff_sections."""

import streamlit as st

from ui import autodiff_sections as sections
from ui import entry, state, taylor_sections
from ui.safe import guarded, section

entry.require()  # the entry's work, even for a first deep link after a restart (ui/entry.py)

st.title("🤖 Automatic differentiation (JAX)")
st.markdown("JAX traces your function into a small program of primitives and applies the chain rule "
            "to that program: exact up to rounding, with no step size and no expression swell. "
            "`grad` differentiates a scalar function, `vmap` maps it over an array, `jit` compiles it.")

fn = state.choose_function("autodiff")
spec = state.spec()
c1, c2, c3 = st.columns([3, 2, 2])
lo, hi = state.x_range("ad_range", where=c1)
x0 = c2.slider("point x₀", -10.0, 10.0, 3.0, step=0.05, key="ad_x0", bind="query-params",
               help="Where grad, the traces and the higher derivatives are evaluated.")
dtype = c3.radio("dtype", ["float64", "float32"], horizontal=True, key="ad_dtype", bind="query-params",
                 help="Reruns every computation on the page in this precision.")
if hi <= lo:
    st.warning("The x-range is empty: move the right end past the left one.")
    st.stop()

stats = []
where = sections.at_x0(spec, x0, dtype, lo, hi)  # f defined at x₀? a pole? an overflow? (for every "—")
with section("The main chart"):
    stats.append({"what": "f′ on the x-range (400 points), vmap(grad)", **sections.main_chart(fn, spec, lo, hi, dtype)})

# Only the open tab is computed; the open tab travels in the link (?ad_tab=…).
tabs = st.tabs(["JAX arrays", "grad and its pitfalls", "Gallery", "The kink of |x|", "Inside autodiff",
                "Higher order", "float32 vs float64", "Taylor polynomials"], key="ad_tab", bind="query-params")
if tabs[0].open:
    with tabs[0]:
        st.fragment(guarded(sections.arrays, "JAX arrays"))(dtype)
if tabs[1].open:
    with tabs[1]:
        with section("grad at x₀"):
            sections.grad_point(fn, spec, x0, dtype, where)
        st.fragment(guarded(sections.pitfalls, "grad and its pitfalls"))(fn, spec, x0, dtype)
if tabs[2].open:
    with tabs[2], section("The gallery"):
        sections.gallery(dtype)
if tabs[3].open:
    with tabs[3], section("The kink of |x|"):
        sections.kink_panel(dtype)
if tabs[4].open:
    with tabs[4], section("Inside autodiff"):
        sections.inside(fn, spec, x0, dtype, where)
if tabs[5].open:
    with tabs[5], section("Higher order"):
        sections.higher_order(fn, spec, lo, hi, x0, dtype, where)
if tabs[6].open:
    with tabs[6], section("float32 vs float64"):
        sections.precision(spec, dtype, stats + sections.precision_rows(spec, lo, hi, x0, dtype))
if tabs[7].open:
    with tabs[7]:
        st.fragment(guarded(taylor_sections.taylor_section, "Taylor polynomials"))(fn, spec, lo, hi)

entry.finish()  # the real navigation, after a run without dashboard.py (ui/entry.py)
