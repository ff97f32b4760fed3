"""Sections of the Many variables page, part 2: the cost of a gradient as n grows.

The scan runs only when its button is pressed, in its turn in the race queue
(:data:`core.timing.QUEUE`: one timing at a time in the server, so they do not disturb
each other), inside an ``st.status`` box that shows its progress, within
:data:`BUDGET_S` seconds. Sizes are capped by :data:`core.gradient_cost.MAX_N` (the largest
arrays: 32 × 10⁵ floats, 26 MB), so it fits the smallest Cloud instance. The last result
is kept in the session.
"""

from __future__ import annotations

import time

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from core import gradient_cost as gc

from . import charts, panels, session
from .many_variables import code

#: The scan's time budget on the server (seconds), and the choices of its largest n.
BUDGET_S = 30.0
NMAX_CHOICES = [10, 100, 1000, 10_000, 100_000]
COLOURS = {"central": charts.VERMILLION, "forward": charts.ORANGE, "reverse": charts.GREEN,
           "symbolic": charts.BLUE}
RESULT_KEY = "_mv_scan"


def _run(kind: str, ns: tuple, repeats: int) -> dict | None:
    from core import timing

    with st.status("The cost of a gradient: starting…", expanded=False) as status:
        t0 = time.monotonic()

        def progress(msg: str, frac: float) -> None:
            status.update(label=f"The cost of a gradient: {msg} ({frac:.0%}, {time.monotonic() - t0:.0f} s)")

        def on_wait(position: int, wait_s: float) -> None:
            status.update(label=f"⏳ waiting for your turn: number {int(position)} in line, about {wait_s:.0f} s")

        try:
            with timing.QUEUE.slot(f"gradient cost scan, n ≤ {max(ns):,}", BUDGET_S, on_wait,
                                   owner=session.owner_id(), cancelled=session.cancel_check()):
                df = gc.scan(kind, ns, repeats=repeats, budget_s=BUDGET_S, progress=progress,
                             cancelled=session.cancel_check())
                mem = gc.memory(kind, min(max(ns), 10_000))
        except (timing.QueueCancelled, gc.ScanCancelled):
            status.update(label="The cost of a gradient: stopped (the page reran)", state="error")
            return None
        except timing.QueueFull:  # QueueSessionLimit too
            status.update(label="The cost of a gradient: the server is busy", state="error")
            st.warning("A timing of yours is already running or waiting, or too many are queued. "
                       "Try again in a minute.", icon="⏳")
            return None
        status.update(label=f"The cost of a gradient: done in {time.monotonic() - t0:.1f} s", state="complete")
    return {"data": df, "memory": mem, "kind": kind, "ns": ns, "repeats": repeats}


def _loglog(df: pd.DataFrame, sl: dict) -> tuple[alt.Chart, pd.DataFrame]:
    ok = df[df.status == "ok"].copy()
    ok["series"] = [f"{m} (slope {sl.get(m, np.nan):.2f})" for m in ok.method]
    ok["y"] = ok.eval_s * 1e3
    names = list(dict.fromkeys(ok.series))
    scale = alt.Scale(domain=names, range=[COLOURS[s.split()[0]] for s in names])
    chart = alt.Chart(ok).mark_line(point=True).encode(
        x=alt.X("n:Q", scale=alt.Scale(type="log"), title="parameters n"),
        y=alt.Y("y:Q", scale=alt.Scale(type="log"), title="one full gradient (ms)"),
        color=alt.Color("series:N", scale=scale, title=None),
        tooltip=["method", alt.Tooltip("n:Q", format=","), alt.Tooltip("y:Q", title="ms", format=".4g"),
                 alt.Tooltip("setup_s:Q", title="setup (s)", format=".3g"), "f_evals", "jvps", "vjps"])
    return chart.properties(height=320, title="Time of the full gradient against n (log-log)"), ok


def _ratio_chart(ok: pd.DataFrame) -> tuple[alt.Chart, pd.DataFrame]:
    d = ok[["n", "method", "ratio"]].rename(columns={"ratio": "y"}).assign(series=ok.method)
    names = list(dict.fromkeys(d.series))
    chart = alt.Chart(d).mark_line(point=True).encode(
        x=alt.X("n:Q", scale=alt.Scale(type="log"), title="parameters n"),
        y=alt.Y("y:Q", scale=alt.Scale(type="log"), title="gradient time / one evaluation of f"),
        color=alt.Color("series:N", scale=alt.Scale(domain=names, range=[COLOURS[s] for s in names]), title=None))
    rule = alt.Chart(pd.DataFrame({"y": [5.0]})).mark_rule(strokeDash=[4, 4], color=charts.GREY).encode(y="y:Q")
    return (chart + rule).properties(height=260, title="The cheap gradient principle: gradient ÷ f"), d


def cost_section() -> None:
    st.markdown("Machine learning differentiates a loss of **n parameters**, n in the millions. Central "
                "differences need **2n** evaluations of f, forward mode **n** JVPs (one per direction), "
                "reverse mode **one** VJP: `jax.grad` costs a small constant times f whatever n is "
                "(the *cheap gradient principle*, Griewank & Walther). SymPy needs n partial derivatives "
                "and soon stops. Press the button to measure it here.")
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox("loss", list(gc.LOSSES), format_func=lambda k: gc.LOSSES[k], key="mv_loss",
                        bind="query-params")
    nmax = c2.select_slider("largest n", NMAX_CHOICES, value=10_000, key="mv_nmax", bind="query-params",
                            format_func=lambda v: f"{v:,}")
    repeats = c3.slider("timed repeats", 1, 7, 3, key="mv_repeats", bind="query-params")
    ns = tuple(n for n in gc.DEFAULT_NS if n <= nmax)
    if st.button("Time the gradients", type="primary", key="mv_scan_run",
                 help=f"n = {', '.join(f'{n:,}' for n in ns)}; within {BUDGET_S:g} s"):
        result = _run(kind, ns, repeats)
        if result is not None:
            st.session_state[RESULT_KEY] = result
    result = st.session_state.get(RESULT_KEY)
    if result is None:
        return
    df = result["data"]
    sl = gc.slopes(df, lo=10)
    chart, ok = _loglog(df, sl)
    snippet = (f"from core import gradient_cost as gc\n"
               f"df = gc.scan({result['kind']!r}, ns={list(result['ns'])}, repeats={result['repeats']}, "
               f"budget_s={BUDGET_S:g})\nprint(gc.slopes(df, lo=10), gc.verdict(df))\n")
    panels.chart_panel(chart, ok[["n", "method", "series", "y", "setup_s", "f_evals", "jvps", "vjps"]],
                       key="mv_scan", code=snippet,
                       caption="Slopes: least squares of log t against log n over n ≥ 10. About 1: the "
                               "time grows like n; about 0: it does not grow (until f itself does).")
    v = gc.verdict(df)
    if v:
        st.success(v["text"][0].upper() + v["text"][1:] + " (measured in this run).", icon="🏁")
    skipped = df[(df.status != "ok") & ~df.status.str.startswith("skipped: above")]
    stops = [f"{m} stopped at n = {int(g.n.min()):,}: {g.status.iloc[0].removeprefix('skipped: ')}"
             for m, g in skipped.groupby("method")]
    caps = {m: gc.MAX_N[m] for m in df.method.unique() if df[(df.method == m)].n.max() > gc.MAX_N[m]}
    if stops or caps:
        st.caption("Where each method stopped: " + "; ".join(
            stops + [f"{m} is capped at n = {c:,} on this server" for m, c in caps.items()]) + ".")
    rchart, rdata = _ratio_chart(ok)
    panels.chart_panel(rchart, rdata, key="mv_ratio",
                       caption="Dashed: 5× one evaluation of f. Reverse mode stays near it at every n; "
                               "central differences and forward mode grow with n.")
    st.markdown("**Memory.** In principle reverse mode runs f forward first and keeps its intermediates "
                "to run backwards, while forward mode carries one tangent along and keeps nothing. What XLA "
                "actually allocates, from its compiled memory analysis "
                "(`jax.jit(g).lower(w).compile().memory_analysis()`), at "
                f"n = {int(result['memory'].n.iloc[0]):,}. For these short losses XLA fuses (and recomputes) "
                "the intermediates, so reverse mode's stored values can vanish from the table; they grow "
                "with a computation's depth (many layers, many steps), not with n alone.")
    st.dataframe(result["memory"], hide_index=True, width="stretch")
    n_check = 5
    prob = gc.problem(result["kind"], n_check)
    from core.jax64 import jax, jnp

    page = float(np.max(np.abs(np.asarray(jax.grad(prob.f_jax)(jnp.asarray(prob.w))) - prob.exact_gradient())))
    st.caption(f"The check below, at n = {n_check}: jax.grad against the exact gradient, largest difference "
               f"{page:.3g} (float64).")
    code(f"from core import gradient_cost as gc\nimport jax, numpy as np\n\n"
         f"prob = gc.problem({result['kind']!r}, n={n_check})   # the data, made with seed {gc.SEED}\n"
         "g = jax.grad(prob.f_jax)(prob.w)                 # reverse mode: one VJP\n"
         "answer = float(np.max(np.abs(np.asarray(g) - prob.exact_gradient())))\nprint(answer)\n")
