"""The speed race: setup and evaluation timed apart, for each method."""

import streamlit as st

from core import timing
from ui import charts, state

st.title("⏱️ Speed race")
st.markdown("How long does each method take to give f′ on many points? Setup (SymPy `diff` + `lambdify`, "
            "JAX tracing + compiling) is timed apart from evaluation (a steady-state call after a warm-up).")

fn = state.choose_function("race")
c1, c2, c3 = st.columns(3)
n = c1.select_slider("points n", [10**3, 10**4, 10**5, 10**6], value=10**5, key="race_n", bind="query-params")
dtype = c2.radio("dtype", ["float64", "float32"], horizontal=True, key="race_dtype", bind="query-params")
repeats = c3.slider("repeats", 1, 15, 5, key="race_repeats", bind="query-params")

if st.button("Run the race", type="primary"):
    with st.status("Racing…", expanded=False) as status:
        result = timing.race(fn, n=n, repeats=repeats, dtype=dtype,
                             progress=lambda msg, frac: status.update(label=msg))
        status.update(label="Done", state="complete")
    st.session_state["race_result"] = result
result = st.session_state.get("race_result")
if result is not None:
    st.altair_chart(charts.race_bars(result, log=True, title="median time per phase (ms)"), width="stretch")
    st.dataframe(result, hide_index=True, width="stretch")
else:
    st.info("Press **Run the race** to time the three methods on your function.")
