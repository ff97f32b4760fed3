"""The smallest useful Streamlit app: one slider, one 100-point Altair chart.

``bench/classroom.py`` runs it beside the dashboard, so the dashboard's figures can
be read as a multiple of what any one-chart Streamlit app costs on this machine.

    streamlit run bench/bare_app.py
"""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

st.title("One chart")
k = st.slider("frequency", 1.0, 10.0, 2.0, step=0.5, key="bare_k")
xs = np.linspace(-5, 5, 100)
df = pd.DataFrame({"x": xs, "y": np.sin(k * xs)})
st.altair_chart(alt.Chart(df).mark_line().encode(x="x", y="y"), width="stretch")
