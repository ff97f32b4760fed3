"""Numerical differentiation with NumPy: np.gradient, difference schemes, the step size, kinks, cost.

The lab's sections 3.1 and 3.2, live. Each section is a function in
ui/numerical_sections.py; the maths is in core/numerical.py.
"""

import streamlit as st

from ui import entry, state
from ui import numerical_sections as sec
from ui.safe import section

entry.require()  # the entry's work, even for a first deep link after a restart (ui/entry.py)

st.title("📏 Numerical differentiation (NumPy)")
st.markdown("Numerical differentiation never looks at the formula: it subtracts nearby values of f and "
            "divides by their distance. It works for any f you can evaluate, and it is never exact: "
            "the formula drops Taylor terms (truncation) and the subtraction loses digits (round-off).")

fn = state.choose_function("numerical")
spec = state.spec()
c1, c2 = st.columns([3, 2])
lo, hi = state.x_range("num_range", where=c1)
n = c2.slider("number of points", 5, 2000, 100, step=1, key="num_n", bind="query-params",
              help="The lab uses 100 points on [−5, 5]. The spacing is h = (b − a)/(n − 1).")
if hi <= lo:
    st.warning("The x-range is empty: move the right end past the left one.")
    st.stop()

with section("np.gradient"):
    sec.gradient_section(fn, spec, lo, hi, n)
with section("The kink of |x|"):
    sec.kink_section()
x0 = h = None
with section("Difference schemes at a point"):
    x0, h = sec.point_section(fn, spec, lo, hi)
if x0 is not None:
    with section("Error against step size"):
        sec.step_section(fn, spec, x0, h)
with section("Convergence order"):
    sec.order_section(fn, spec, lo, hi)
with section("What each scheme costs"):
    sec.cost_section(fn, spec, lo, hi, n)

entry.finish()  # the real navigation, after a run without dashboard.py (ui/entry.py)
