"""Charts of the Automatic page: jit timings and the evaluation trace drawn as a graph."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .base import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
)

TRACE_STATUS = {"done": GREEN, "current": ORANGE, "to come": GREY}


def jit_bars(df: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """Milliseconds per call of vmap(grad(f)) with and without jit, first call and steady state (log scale).

    ``df`` has columns variant, phase, ms (from core.autodiff.jit_timing). One
    bar per (variant, phase), labelled on the y-axis (an offset channel
    collapsed to zero height in Streamlit's renderer, and a log-scale bar needs
    an explicit start).
    """
    data = df.copy()
    data["ms"] = data["ms"].clip(lower=1e-4)
    data["bar"] = data["variant"] + " · " + data["phase"]
    # A bar on a log axis cannot start at 0: start every bar at a power of ten below the smallest.
    data["from"] = 10.0 ** np.floor(np.log10(float(data["ms"].min())))
    phases = list(dict.fromkeys(data["phase"]))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("bar:N", title=None, sort=list(data["bar"]), axis=alt.Axis(labelLimit=140)),  # room for the bars on a phone
            x=alt.X("ms:Q", title="time per call (ms, log scale)", scale=alt.Scale(type="log")),
            x2="from:Q",
            color=alt.Color("phase:N", title=None, legend=alt.Legend(orient="bottom", columns=1),
                            scale=alt.Scale(domain=phases, range=[PURPLE, BLUE][: len(phases)])),
            tooltip=["variant:N", "phase:N", alt.Tooltip("ms:Q", format=".4g"), "calls:Q"],
        )
        # a height in pixels, not a step: Streamlit sizes charts with autosize "fit", and Vega drops
        # fit-y (with a warning) when the height is discrete; 34 px a bar, ~120 for title, axis, legend
        .properties(title=title, height=120 + 34 * len(data))
    )


def trace_graph(nodes: pd.DataFrame, edges: pd.DataFrame, *, title: str = "", show: str = "tangent") -> alt.Chart:
    """The computation as a graph: one node per jaxpr variable, placed by depth, arrows argument -> result.

    ``nodes`` has name, label, depth, row, status (done / current / to come),
    value and the column named by ``show`` (tangent or adjoint); ``edges`` has
    x, y, x2, y2 (node positions) and partial (the local derivative on it).
    """
    statuses = list(TRACE_STATUS)
    colour = alt.Color("status:N", title=None, legend=alt.Legend(orient="bottom"),
                       scale=alt.Scale(domain=statuses, range=[TRACE_STATUS[s] for s in statuses]))
    x_scale = alt.Scale(domain=[-0.5, float(nodes["depth"].max()) + 0.5])
    links = alt.Chart(edges).mark_rule(color=GREY, strokeWidth=1.5, opacity=0.7).encode(
        x=alt.X("x:Q", scale=x_scale, title="depth (primitives from x)", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("y:Q", title=None, axis=None), x2="x2:Q", y2="y2:Q",
        tooltip=[alt.Tooltip("source:N"), alt.Tooltip("target:N"),
                 alt.Tooltip("partial:Q", format=".6g", title="∂target/∂source")],
    )
    tips = [alt.Tooltip("label:N", title="node"), alt.Tooltip("value:Q", format=".6g"),
            alt.Tooltip(f"{show}:Q", format=".6g"), alt.Tooltip("status:N")]
    dots = alt.Chart(nodes).mark_circle(size=420, opacity=0.95).encode(
        x=alt.X("depth:Q", scale=x_scale), y="row:Q", color=colour, tooltip=tips)
    # Long programs get just the variable names (the operation is in the tooltip).
    label = "label:N" if nodes["depth"].max() <= 10 else "name:N"
    text = alt.Chart(nodes).mark_text(dy=-18, fontSize=12, color=GREY).encode(
        x=alt.X("depth:Q", scale=x_scale), y="row:Q", text=label, tooltip=tips)
    height = int(max(240, 110 * nodes.groupby("depth").size().max()))
    return alt.layer(links, dots, text).properties(title=title, height=height)
