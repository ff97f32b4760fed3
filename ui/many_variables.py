"""Sections of the Many variables page, part 1: f(x, y), its partials three ways, the gradient
field, the directional derivative and the Hessian. (The cost scan is ui.many_variables_cost.)

Each section calls :mod:`core.multivariate` through a cached wrapper keyed by the spec text
and plain numbers, builds an Altair chart here and lays it out. Every notebook snippet is
shown by :func:`code`, which also records the number the page shows for it, so a test can run
each snippet in a fresh namespace and compare its ``answer`` with the page's.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
import sympy as sp

from core import ExpressionError
from core import multivariate as mv
from core.expressions import format_error

from . import charts, panels

TYPED = "typed"
DEFAULT_TEXT = "x sin y + y^2/4"
LO, HI, N = -2.0, 2.0, 41
#: Every 4th grid point carries an arrow of the gradient field.
ARROW_EVERY = 4
FIELD, POINT = "∇f (jax.grad)", "∇f at (x₀, y₀)"


def code(text: str) -> None:
    """A notebook snippet: it runs as pasted, ends by printing ``answer``, a number the page shows."""
    st.code(text, language="python")


def fmt(v: float) -> str:
    return f"{v:.10g}"


# --- the picker ----------------------------------------------------------------------

def choose() -> str | None:
    """Preset selectbox + typed text (both in the URL); the spec, or None after a refusal."""
    options = list(mv.PRESETS) + [TYPED]
    c1, c2 = st.columns([2, 3])
    choice = c1.selectbox("f(x, y)", options, key="mv_f", bind="query-params",
                          format_func=lambda o: "✏️ type your own…" if o == TYPED else mv.PRESETS[o].label)
    spec = choice
    if choice == TYPED:
        text = c2.text_input("your f(x, y)", DEFAULT_TEXT, key="mv_expr", bind="query-params", max_chars=300,
                             help="As on paper: 2xy, x sin y, x² − y², e^(x y), |x| + y, √(x² + y²).")
        try:
            mv.resolve(text)
        except ExpressionError as err:
            st.error("This function cannot be used; see where below.", icon="✏️")
            st.code(format_error(text, err), language=None)
            return None
        spec = text
    else:
        c2.caption(mv.PRESETS[choice].why)
    st.latex("f(x, y) = " + sp.latex(mv.resolve(spec).expr))  # how the choice was read
    return spec


# --- cached computations -------------------------------------------------------------

@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def grid_data(spec: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The heat map's cells, the arrows' data and the error table, on [LO, HI]²."""
    fn = mv.resolve(spec)
    r = mv.grid_partials(fn, LO, HI, N)
    X, Y = r["X"], r["Y"]
    d = (HI - LO) / (N - 1)
    heat = pd.DataFrame({"x": X.ravel() - d / 2, "x2": X.ravel() + d / 2, "y": Y.ravel() - d / 2,
                         "y2": Y.ravel() + d / 2, "f": r["f"].ravel()})
    sl = (slice(None, None, ARROW_EVERY),) * 2
    gx, gy = r["jax.grad"][0][sl].ravel(), r["jax.grad"][1][sl].ravel()
    arrows = _arrows(X[sl].ravel(), Y[sl].ravel(), gx, gy, 0.9 * ARROW_EVERY * d, FIELD)
    return heat, arrows, mv.errors(r)


def _arrows(x, y, gx, gy, longest: float, series: str) -> pd.DataFrame:
    norm = np.hypot(gx, gy)
    top = np.nanmax(norm[np.isfinite(norm)]) if np.isfinite(norm).any() else 0.0
    scale = longest / top if top > 0 else 0.0
    return pd.DataFrame({"x": x, "y": y, "dfdx": gx, "dfdy": gy, "x_end": x + scale * gx,
                         "y_end": y + scale * gy, "angle": np.degrees(np.arctan2(gx, gy)) % 360,
                         "series": series})


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def point_data(spec: str, x0: float, y0: float) -> dict:
    fn = mv.resolve(spec)
    return {**mv.point_gradient(fn, x0, y0), "directional": mv.directional(fn, x0, y0),
            "hessian": mv.hessian_at(fn, x0, y0)}


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def symbolic_latex(spec: str) -> tuple[str, str]:
    fx, fy = mv.partials(mv.resolve(spec))
    return sp.latex(fx), sp.latex(fy)


# --- sections ------------------------------------------------------------------------

def partials_section(spec: str) -> None:
    """∂f/∂x and ∂f/∂y by SymPy, and every method's largest error on the grid."""
    lx, ly = symbolic_latex(spec)
    st.latex(r"\frac{\partial f}{\partial x} = " + lx)
    st.latex(r"\frac{\partial f}{\partial y} = " + ly)
    _, _, err = grid_data(spec)
    st.markdown(f"**Every method against SymPy's exact partials** on a {N}×{N} grid over "
                f"[{LO:g}, {HI:g}]² (float64, the largest absolute error over the points where the exact "
                "value is finite):")
    st.dataframe(err, hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.3e") for c in err.columns[2:]})
    st.caption("np.gradient uses the grid's own spacing (0.1) and one-sided differences at the edges; "
               "central differences choose h ≈ ε^(1/3)·max(1, |x|) at each point; JAX differentiates the "
               "program, exact up to rounding. At a kink (|x| at x = 0) JAX returns one side's slope.")
    fn = mv.resolve(spec)
    with st.expander("🐍 the same in a notebook"):
        code(mv.sympy_source(fn) + "dfdx, dfdy = diff(f, x), diff(f, y)\n"
             "answer = (dfdx, dfdy)\nprint(answer)\n")
        code(mv.jax_source(fn) + f"xs = np.linspace({LO!r}, {HI!r}, {N})\n"
             "X, Y = np.meshgrid(xs, xs, indexing='ij')\n"
             "dX, dY = np.gradient(f(X, Y), xs, xs)              # along axis 0 (x), axis 1 (y)\n"
             "gx = jax.vmap(jax.grad(f, argnums=0))(X.ravel(), Y.ravel()).reshape(X.shape)\n"
             "gy = jax.vmap(jax.grad(f, argnums=1))(X.ravel(), Y.ravel()).reshape(X.shape)\n"
             "J = jax.vmap(jax.jacrev(lambda v: f(v[0], v[1])))(jnp.stack([X.ravel(), Y.ravel()], 1))\n"
             "# the largest difference between np.gradient's ∂f/∂y and jax.grad's (finite points):\n"
             "ok = np.isfinite(dY) & np.isfinite(np.asarray(gy))\n"
             "answer = float(np.max(np.abs(dY[ok] - np.asarray(gy)[ok])))\nprint(answer)   "
             "# the table's np.gradient ∂f/∂y\n")


def _heat_chart(heat: pd.DataFrame, layers: list[pd.DataFrame], x0: float, y0: float) -> alt.Chart:
    f = heat.f.to_numpy()
    fin = f[np.isfinite(f)]
    dom = [float(np.quantile(fin, 0.02)), float(np.quantile(fin, 0.98))] if fin.size else [0.0, 1.0]
    if dom[0] == dom[1]:
        dom = [dom[0] - 1, dom[1] + 1]
    sx = alt.Scale(domain=[LO, HI], nice=False)
    rect = alt.Chart(heat).mark_rect().encode(
        x=alt.X("x:Q", scale=sx, title="x"), x2="x2", y=alt.Y("y:Q", scale=sx, title="y"), y2="y2",
        color=alt.Color("f:Q", scale=alt.Scale(scheme="viridis", domain=dom, clamp=True), title="f(x, y)"),
        tooltip=[alt.Tooltip("f:Q", format=".4g")])
    out = rect
    for df in layers:
        colour = charts.ORANGE if df.series.iloc[0] == POINT else "white"
        width = 3 if df.series.iloc[0] == POINT else 1.5
        tips = [alt.Tooltip(c, format=".6g") for c in ("x", "y", "dfdx", "dfdy")]
        rule = alt.Chart(df).mark_rule(color=colour, strokeWidth=width).encode(
            x="x:Q", y="y:Q", x2="x_end:Q", y2="y_end:Q", tooltip=tips)
        head = alt.Chart(df).mark_point(shape="triangle", filled=True, color=colour, opacity=1,
                                        size=40 if width < 2 else 120).encode(
            x="x_end:Q", y="y_end:Q", angle=alt.Angle("angle:Q", scale=None), tooltip=tips)
        out = out + rule + head
    dot = alt.Chart(pd.DataFrame({"x": [x0], "y": [y0]})).mark_point(
        color=charts.ORANGE, size=90, filled=True).encode(x="x:Q", y="y:Q")
    return (out + dot).properties(width=420, height=420, title="f as a heat map, ∇f as arrows (uphill)")


def field_section(spec: str, x0: float, y0: float) -> None:
    """The heat map with the gradient field and the point's gradient; the tangent plane."""
    heat, arrows, _ = grid_data(spec)
    p = point_data(spec, x0, y0)
    gx, gy = p["jax"]
    d = (HI - LO) / (N - 1)
    point = _arrows(np.array([x0]), np.array([y0]), np.array([gx]), np.array([gy]),
                    1.5 * ARROW_EVERY * d if math.hypot(gx, gy) > 0 else 0.0, POINT)
    data = pd.concat([arrows, point], ignore_index=True)
    fn = mv.resolve(spec)
    panels.chart_panel(
        _heat_chart(heat, [arrows, point], x0, y0), data, key="mv_field", y="dfdx",
        caption=f"Arrows every {ARROW_EVERY} grid points, scaled so the longest is {0.9 * ARROW_EVERY * d:.2g} "
                "long; their data (CSV) hold the exact components ∂f/∂x, ∂f/∂y from jax.grad. The orange "
                "arrow is ∇f at (x₀, y₀): the steepest way up.",
        code=panel_code(fn, x0, y0))
    ex, ey = p["exact"]
    c1, c2, c3 = st.columns(3)
    c1.metric("f(x₀, y₀)", fmt(p["f"]))
    c2.metric("∂f/∂x (jax.grad)", fmt(gx), help=f"SymPy: {fmt(ex)}")
    c3.metric("∂f/∂y (jax.grad)", fmt(gy), help=f"SymPy: {fmt(ey)}")
    if all(map(math.isfinite, (p["f"], gx, gy))):
        st.markdown("**The tangent plane** at the point: its slope is ∂f/∂x along x and ∂f/∂y along y, "
                    f"and |∇f| = {fmt(math.hypot(gx, gy))} is the steepest slope there.")
        st.latex(rf"z = {p['f']:.6g} {gx:+.6g}\,(x {-x0:+.4g}) {gy:+.6g}\,(y {-y0:+.4g})")


def panel_code(fn, x0: float, y0: float) -> str:
    """The code of the field chart's notebook expander: ∇f at the point, as the metrics show it."""
    return (mv.jax_source(fn) + f"x0, y0 = {x0!r}, {y0!r}\ngx, gy = jax.grad(f, argnums=(0, 1))(x0, y0)\n"
            "answer = (float(gx), float(gy))\nprint(answer)\n")


def directional_section(spec: str, x0: float, y0: float, theta_deg: float) -> None:
    """D_u f along u = (cos θ, sin θ): jax.jvp against ∇f·u, over every θ."""
    d = point_data(spec, x0, y0)["directional"]
    gap = float(np.nanmax(np.abs(d.jvp - d.grad_dot_u))) if np.isfinite(d.jvp).any() else math.nan
    df = pd.concat([pd.DataFrame({"θ (degrees)": np.degrees(d.theta), "y": d.jvp, "series": "jax.jvp"}),
                    pd.DataFrame({"θ (degrees)": np.degrees(d.theta), "y": d.grad_dot_u, "series": "∇f·u"})],
                   ignore_index=True)
    th = math.radians(theta_deg)
    fn = mv.resolve(spec)
    from core.jax64 import jax, jnp

    now = float(jax.jvp(fn.jax_vec, (jnp.array([x0, y0]),), (jnp.array([math.cos(th), math.sin(th)]),))[1])
    colour = alt.Scale(domain=["jax.jvp", "∇f·u"], range=[charts.GREEN, charts.BLUE])
    lines = alt.Chart(df).mark_line().encode(
        x=alt.X("θ (degrees):Q", scale=alt.Scale(domain=[0, 360], nice=False)), y=alt.Y("y:Q", title="D_u f(x₀, y₀)"),
        color=alt.Color("series:N", scale=colour, title=None),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=["jax.jvp", "∇f·u"], range=[[1, 0], [6, 4]]),
                                  legend=None))
    mark = alt.Chart(pd.DataFrame({"θ (degrees)": [theta_deg]})).mark_rule(color=charts.ORANGE).encode(
        x="θ (degrees):Q")
    panels.chart_panel((lines + mark).properties(height=260, title="The directional derivative against θ"),
                       df, key="mv_dir", caption=f"Largest difference between jax.jvp and ∇f·u over the "
                       f"{len(d)} angles: {gap:.3g}. At θ = {theta_deg:g}°: D_u f = {fmt(now)}.")
    code(mv.jax_source(fn) + f"x0, y0, theta = {x0!r}, {y0!r}, {th!r}\n"
         "u = jnp.array([jnp.cos(theta), jnp.sin(theta)])\n"
         "_, Du = jax.jvp(lambda v: f(v[0], v[1]), (jnp.array([x0, y0]),), (u,))\n"
         "g = jax.grad(lambda v: f(v[0], v[1]))(jnp.array([x0, y0]))\n"
         "answer = float(Du)\nprint(answer, float(g @ u))   # the same number, two ways\n")


def hessian_section(spec: str, x0: float, y0: float) -> None:
    """sympy.hessian against jax.hessian at the point, and the symmetry of each."""
    h = point_data(spec, x0, y0)["hessian"]
    H = h["sympy_matrix"]
    st.latex(r"H = " + sp.latex(H))
    names = [["∂²f/∂x²", "∂²f/∂x∂y"], ["∂²f/∂y∂x", "∂²f/∂y²"]]
    rows = [{"entry": names[i][j], "SymPy (float64)": h["sympy"][i, j], "jax.hessian": h["jax"][i, j],
             "|difference|": abs(h["sympy"][i, j] - h["jax"][i, j])} for i in range(2) for j in range(2)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={"|difference|": st.column_config.NumberColumn(format="%.3e")})
    st.markdown(f"**Symmetry** (Schwarz: the mixed partials agree where they are continuous): "
                f"|H₁₂ − H₂₁| = {h['sym_gap_sympy']:.3g} by SymPy, {h['sym_gap_jax']:.3g} by JAX. "
                f"Largest difference between the two Hessians: {h['max_diff']:.3g}.")
    fn = mv.resolve(spec)
    code(mv.jax_source(fn) + f"H = jax.hessian(lambda v: f(v[0], v[1]))(jnp.array([{x0!r}, {y0!r}]))\n"
         "answer = np.asarray(H)\nprint(answer, 'symmetric gap:', abs(answer[0, 1] - answer[1, 0]))\n")
