"""Many variables: partial derivatives of f(x, y) three ways, the gradient field, the directional
derivative and the Hessian; then the cost of a full gradient as the number of parameters grows,
and why machine learning uses reverse-mode autodiff. Sections live in ui.many_variables(_cost)."""

import streamlit as st

from ui import entry, state
from ui import many_variables as sections
from ui.many_variables_cost import cost_section
from ui.safe import section

entry.require()  # the entry's work, even for a first deep link after a restart (ui/entry.py)

st.title("🧮 Many variables")
st.markdown("The slopes of f(x, y) along x and along y, its **partial derivatives**, make the **gradient** "
            "∇f: the direction of steepest ascent. Each is computed three ways (SymPy, NumPy, JAX); the "
            "last tab measures what a gradient of n variables costs, the question machine learning asks.")

spec = sections.choose()
with st.sidebar:
    state.share_control()  # the same "copy a link" as every page: this page's settings travel in it


def point_sliders(direction: bool = True) -> tuple[float, float, float]:
    """x₀, y₀ and (where a direction is used) θ, in the link, under the chart of the tab that uses them."""
    c1, c2, c3 = st.columns(3)
    x0 = c1.slider("x₀", sections.LO, sections.HI, 0.5, step=0.05, key="mv_x0", bind="query-params")
    y0 = c2.slider("y₀", sections.LO, sections.HI, 0.5, step=0.05, key="mv_y0", bind="query-params")
    theta = c3.slider("direction θ (degrees)", 0, 360, 45, step=5, key="mv_theta", bind="query-params",
                      help="u = (cos θ, sin θ): the direction of the directional derivative.") if direction else 0
    return float(x0), float(y0), float(theta)


# The gradient field (the chart this page exists for) is the first tab, its point's sliders under
# it, so a phone shows the chart on its first screen; the partials' formulas and errors come next.
tabs = st.tabs(["At a point", "∂f/∂x and ∂f/∂y", "The Hessian", "The cost of a gradient"],
               key="mv_tab", bind="query-params")
# Only the open tab is computed; it travels in the link (?mv_tab=…).
if spec is not None:
    if tabs[0].open:
        with tabs[0]:
            chart = st.container()  # drawn above the sliders that set it
            x0, y0, theta = point_sliders()
            with chart, section("The gradient field"):
                sections.field_section(spec, x0, y0)
            with section("The directional derivative"):
                sections.directional_section(spec, x0, y0, theta)
    if tabs[1].open:
        with tabs[1], section("The partial derivatives"):
            sections.partials_section(spec)
    if tabs[2].open:
        with tabs[2]:
            x0, y0, _ = point_sliders(direction=False)
            with section("The Hessian"):
                sections.hessian_section(spec, x0, y0)
if tabs[3].open:
    with tabs[3], section("The cost of a gradient"):
        cost_section()

entry.finish()  # the real navigation, after a run without dashboard.py (ui/entry.py)
