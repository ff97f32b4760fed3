"""The Automatic page's "Taylor polynomials" tab (issue 16).

f and its Taylor polynomial Tₙ at x₀, the error |f − Tₙ| on a log scale, the
coefficients from SymPy's series (a sandbox worker, time limit) and from JAX
(Taylor mode ``jet``, or nested ``jvp`` where jet has no rule) side by side with
their agreement, the radius of convergence where it is known, and what each way
costs as the order grows. Widget keys start with ``taylor_``, bound to the URL.
"""

from __future__ import annotations

import math
import time

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from core import Function, presets, taylor

from . import charts, panels
from .symbolic_sections import sandboxed

#: Orders timed for the cost table.
TIMED_ORDERS = (1, 2, 4, 6, 8, 10)
#: Seconds SymPy's series may spend on the cost table (in its worker).
SYMPY_BUDGET_S = 3.0


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _jax(spec: str, x0: float, order: int) -> dict:
    return taylor.coefficients(presets.resolve(spec), x0, order)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _curves(spec: str, x0: float, coeffs: tuple, lo: float, hi: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    fn = presets.resolve(spec)
    xs = np.linspace(lo, hi, 400)
    fx = fn.numpy(xs).astype(float)
    tx = taylor.polynomial(coeffs, x0, xs)
    n = len(coeffs) - 1
    df = pd.concat([pd.DataFrame({"x": xs, "y": fx, "series": "f(x)"}),
                    pd.DataFrame({"x": xs, "y": tx, "series": f"T{n}(x)"})], ignore_index=True)
    with np.errstate(all="ignore"):
        err = np.abs(fx - tx)
    err = np.where(err > 0, err, np.nan)  # log scale: exact zeros (at x₀) are left out
    return df, pd.DataFrame({"x": xs, "y": err, "series": f"|f − T{n}|"})


def _error_chart(df: pd.DataFrame, title: str) -> alt.Chart:
    data = charts.with_segments(df)
    return (alt.Chart(data).mark_line(strokeWidth=2.5, clip=True, color=charts.PALETTE.get("f(x)", "#0072B2"))
            .encode(x=alt.X("x:Q"), y=alt.Y("y:Q", title="|f − Tₙ| (log scale)", scale=alt.Scale(type="log")),
                    detail="segment:N", tooltip=[alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("y:Q", format=".3e")])
            .properties(title=title, height=charts.HEIGHT).interactive(bind_y=False))


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _jax_timings(spec: str, x0: float) -> pd.DataFrame:
    fn = presets.resolve(spec)
    rows = []
    for n in TIMED_ORDERS:
        try:
            best = math.inf
            for _ in range(2):
                t0 = time.perf_counter()
                taylor.jet_coefficients(fn, x0, n)
                best = min(best, time.perf_counter() - t0)
            rows.append({"order": n, "method": "jet (Taylor mode)", "seconds": best})
        except Exception:  # noqa: BLE001  (no jet rule: no row)
            break
    nested = taylor.jvp_coefficients(fn, x0, max(TIMED_ORDERS))
    rows += [{"order": k, "method": "nested jvp", "seconds": s} for k, s in enumerate(nested["seconds"])
             if k in TIMED_ORDERS]
    df = pd.DataFrame(rows)
    return df


def taylor_section(fn: Function, spec: str, lo: float, hi: float) -> None:
    st.markdown("Tₙ(x) = Σ f⁽ᵏ⁾(x₀)/k! · (x − x₀)ᵏ. JAX's **Taylor mode** (`jax.experimental.jet`) pushes a "
                "whole power series through each operation at once; **nested jvp** differentiates the "
                "program of the order below again, so its work multiplies with every order.")
    c1, c2 = st.columns(2)
    order = c1.slider("order n", 0, taylor.MAX_ORDER, 3, key="taylor_order", bind="query-params")
    x0 = c2.slider("expansion point x₀", -5.0, 5.0, 0.5, step=0.05, key="taylor_x0", bind="query-params")
    x0 = round(float(x0), 6)
    fx0 = float(fn.numpy(np.array([x0]))[0])
    if not math.isfinite(fx0):
        st.warning(f"f is not defined at x₀ = {x0:g}: move x₀ into its domain.")
        return
    jx = _jax(spec, x0, order)
    if jx["fallback"]:
        st.info(f"JAX method used: **nested jvp**. Taylor mode was tried first: {jx['fallback']}, so it "
                "fell back to nested jvp.", icon="↩️")
    else:
        st.caption("JAX method used: **jet (Taylor mode)**, one pass for every order.")
    if jx["stopped"] is not None:
        st.warning(f"Nested jvp stopped before order {jx['stopped']}: it was predicted to take longer than "
                   f"the {taylor.JVP_BUDGET_S:g} s this server spends on it. JAX coefficients stop there.",
                   icon="⏱️")
    coeffs = tuple(jx["coeffs"])
    df, err = _curves(spec, x0, coeffs, lo, hi)
    n = len(coeffs) - 1
    left, right = st.columns(2)
    with left:
        panels.chart_panel(charts.curves(df, title=f"f and its Taylor polynomial T{n} at x₀ = {x0:g}",
                                         y_title="value", dashed=(f"T{n}(x)",)),
                           df, key="taylor_curves", caption=f"Coefficients from JAX ({jx['method']}).")
    with right:
        panels.chart_panel(_error_chart(err, f"the error |f − T{n}|"), err, key="taylor_error",
                           caption="Log scale; where f is undefined, or the error is exactly 0, nothing is drawn.")
    r = taylor.radius(fn.expr, x0)
    st.markdown(f"**Radius of convergence**: {r['why']}.")

    sym = sandboxed("series", spec, x0=x0, order=order, limit=float(st.session_state.get("sym_limit", 3)))
    table = pd.DataFrame({"k": range(order + 1)})
    table[f"JAX ({jx['method']})"] = list(coeffs) + [np.nan] * (order + 1 - len(coeffs))
    if sym["ok"]:
        table["SymPy series"] = sym["coeffs"]
        diff = taylor.agreement(sym["coeffs"], coeffs)
        st.metric("largest relative difference, SymPy against JAX", f"{diff:.1e}")
    else:
        st.caption(f"SymPy's series did not finish: it {sym['error']}.")
    st.dataframe(table, hide_index=True)

    if st.toggle("Measure the cost as the order grows", False, key="taylor_timing", bind="query-params"):
        times = _jax_timings(spec, x0)
        srv = sandboxed("series_timing", spec, x0=x0, orders=TIMED_ORDERS, budget_s=SYMPY_BUDGET_S,
                        limit=SYMPY_BUDGET_S + 5)
        if srv["ok"]:
            times = pd.concat([times, pd.DataFrame([{"order": k, "method": "SymPy series (worker)", "seconds": s}
                                                    for k, s in srv["timings"]])], ignore_index=True)
        else:
            st.caption(f"SymPy's timing did not finish: it {srv['error']}.")
        chart = (alt.Chart(times).mark_line(point=True, strokeWidth=2.5)
                 .encode(x=alt.X("order:Q"), y=alt.Y("seconds:Q", scale=alt.Scale(type="log")),
                         color=alt.Color("method:N", title=None, legend=alt.Legend(orient="bottom")))
                 .properties(title="seconds to get the coefficients up to order n", height=charts.HEIGHT))
        panels.chart_panel(chart, times, key="taylor_cost", y="seconds", series="method",
                           caption="Eager JAX on this server's CPU (each order from scratch; jet best of 2), "
                                   "SymPy in a worker. Nested jvp stops when the next order would pass "
                                   f"{taylor.JVP_BUDGET_S:g} s.")
        st.dataframe(times.pivot_table(index="order", columns="method", values="seconds"), width="stretch")
