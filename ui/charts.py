"""Every Altair chart of the dashboard, built in one place with one palette.

Builders take plain DataFrames (or arrays) and return Altair charts; they know
nothing of SymPy or JAX. Colours are the Okabe-Ito palette, distinct for
colour-blind viewers and readable on light and dark backgrounds; axis and text
colours are left to Streamlit's theme. Undefined values (nan, inf) become gaps
in a line: the line is split there rather than drawn across.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

# Okabe-Ito: safe for colour-blind viewers, visible on white and on near-black.
ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, GREY = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
)

#: One colour per meaning, used by every chart.
PALETTE: dict[str, str] = {
    "f(x)": GREY,
    "exact": SKY,
    "symbolic": BLUE,
    "numerical": VERMILLION,
    "autodiff": GREEN,
    "tangent": ORANGE,
    "setup": PURPLE,
    "evaluate": BLUE,
}

HEIGHT = 380


def _colour_scale(names) -> alt.Scale:
    extra = [ORANGE, PURPLE, YELLOW, SKY, GREEN, VERMILLION, BLUE, GREY]
    colours, i = [], 0
    for name in names:
        key = next((k for k in PALETTE if str(name).startswith(k)), None)
        if key:
            colours.append(PALETTE[key])
        else:
            colours.append(extra[i % len(extra)])
            i += 1
    return alt.Scale(domain=list(names), range=colours)


def robust_domain(values, pad: float = 0.08) -> list[float] | None:
    """A y-range that keeps the bulk of the finite values in view (spikes are clipped)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    lo, hi = np.percentile(v, [1, 99]) if v.size > 50 else (v.min(), v.max())
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    span = hi - lo
    return [float(lo - pad * span), float(hi + pad * span)]


def with_segments(df: pd.DataFrame, x: str = "x", y: str = "y", series: str = "series") -> pd.DataFrame:
    """Drop non-finite y and number the unbroken runs, so lines show gaps there."""
    df = df.copy()
    bad = ~np.isfinite(df[y].to_numpy(dtype=float))
    df["segment"] = df.groupby(series, sort=False)[y].transform(
        lambda s: (~np.isfinite(s.to_numpy(dtype=float))).cumsum()
    )
    df = df[~bad]
    df["segment"] = df[series].astype(str) + "#" + df["segment"].astype(str)
    return df


def curves(
    df: pd.DataFrame,
    *,
    title: str = "",
    y_title: str = "y",
    points: tuple[str, ...] = (),
    dashed: tuple[str, ...] = (),
    x: str = "x",
    y: str = "y",
    series: str = "series",
    height: int = HEIGHT,
    clip: bool = True,
    y_domain: list[float] | None = None,
) -> alt.Chart:
    """Curves of y against x, one per series, from a long DataFrame (x, y, series).

    Series named in ``points`` are drawn as dots, those in ``dashed`` as dashed
    lines; nan and inf leave gaps. The y-axis keeps the bulk of the values in
    view (set ``clip=False`` to show everything).
    """
    data = with_segments(df, x, y, series)
    names = list(dict.fromkeys(df[series]))
    domain = y_domain or (robust_domain(data[y]) if clip else None)
    yscale = alt.Scale(domain=domain, zero=False) if domain else alt.Scale(zero=False)
    colour = alt.Color(f"{series}:N", scale=_colour_scale(names), title=None,
                       legend=alt.Legend(orient="bottom", columns=2, labelLimit=300))
    tooltip = [alt.Tooltip(f"{series}:N", title="series"),
               alt.Tooltip(f"{x}:Q", format=".4g"), alt.Tooltip(f"{y}:Q", format=".6g")]
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:Q", title=x), y=alt.Y(f"{y}:Q", title=y_title, scale=yscale),
        color=colour, tooltip=tooltip,
    )
    line_names = [n for n in names if n not in points]
    layers = []
    if line_names:
        dash = alt.condition(
            alt.FieldOneOfPredicate(field=series, oneOf=list(dashed) or ["\u0000"]),
            alt.value([6, 4]), alt.value([1, 0]),
        )
        layers.append(
            base.transform_filter(alt.FieldOneOfPredicate(field=series, oneOf=line_names))
            .mark_line(clip=True, strokeWidth=2.5).encode(detail="segment:N", strokeDash=dash)
        )
    if points:
        layers.append(
            base.transform_filter(alt.FieldOneOfPredicate(field=series, oneOf=list(points)))
            .mark_circle(size=28, clip=True, opacity=0.9)
        )
    chart = alt.layer(*layers) if len(layers) > 1 else layers[0]
    return chart.properties(title=title, height=height).interactive(bind_y=False)


def tangent_overlay(chart: alt.Chart, x0: float, y0: float, slope: float, lo: float, hi: float) -> alt.Chart:
    """Add the tangent line y = y0 + slope·(x − x0) and the point (x0, y0) to a curves chart."""
    xs = np.array([lo, hi], dtype=float)
    line = pd.DataFrame({"x": xs, "y": y0 + slope * (xs - x0), "what": "tangent at x₀"})
    point = pd.DataFrame({"x": [x0], "y": [y0], "what": ["(x₀, f(x₀))"]})
    tan = alt.Chart(line).mark_line(color=PALETTE["tangent"], strokeWidth=2, clip=True).encode(
        x="x:Q", y="y:Q", tooltip=[alt.Tooltip("what:N")])
    dot = alt.Chart(point).mark_point(color=PALETTE["tangent"], size=120, filled=True).encode(
        x="x:Q", y="y:Q", tooltip=[alt.Tooltip("what:N"), alt.Tooltip("x:Q", format=".4g"),
                                    alt.Tooltip("y:Q", format=".6g")])
    return alt.layer(chart, tan, dot)


def race_bars(df: pd.DataFrame, *, log: bool = False, title: str = "") -> alt.Chart:
    """Median time per method, setup and evaluate side by side (from timing.race)."""
    data = df.copy()
    data["ms"] = data["median_ms"].clip(lower=1e-4)
    phases = list(dict.fromkeys(data["phase"]))
    scale = alt.Scale(type="log") if log else alt.Scale(type="linear")
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("method:N", title=None, sort=list(dict.fromkeys(data["method"]))),
            x=alt.X("ms:Q", title="median time (ms)" + (", log scale" if log else ""), scale=scale),
            yOffset=alt.YOffset("phase:N", sort=phases),
            color=alt.Color("phase:N", scale=_colour_scale(phases), title="phase",
                            legend=alt.Legend(orient="bottom")),
            tooltip=["method:N", "phase:N", alt.Tooltip("median_ms:Q", format=".4g", title="median ms"),
                     alt.Tooltip("min_ms:Q", format=".4g"), alt.Tooltip("max_ms:Q", format=".4g"), "runs:Q"],
        )
        .properties(title=title, height=max(160, 46 * data["method"].nunique()))
    )


# === Symbolic page (issue 3) ===============================================

def swell_lines(
    df: pd.DataFrame,
    *,
    x: str = "depth",
    y: str = "value",
    series: str = "series",
    title: str = "",
    y_title: str = "",
    log: bool = True,
    y_format: str = ",.4g",
    height: int = 320,
) -> alt.Chart:
    """Growth with depth: one line with dots per series, on a log y-axis by default.

    Made for the expression-swell table (operations and seconds against the
    depth of the composed polynomial); rows with a non-finite or non-positive y
    (a skipped measurement) are left out, so the line simply stops there.
    """
    data = df.copy()
    vals = data[y].to_numpy(dtype=float)
    keep = np.isfinite(vals) & ((vals > 0) if log else True)
    data = data[keep]
    names = list(dict.fromkeys(df[series]))
    scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:O", title=x, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title + (" (log scale)" if log else ""), scale=scale),
        color=alt.Color(f"{series}:N", scale=_colour_scale(names), title=None,
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=400)),
        tooltip=[alt.Tooltip(f"{series}:N", title="series"), alt.Tooltip(f"{x}:O"),
                 alt.Tooltip(f"{y}:Q", format=y_format)],
    )
    chart = alt.layer(base.mark_line(strokeWidth=2.5), base.mark_point(filled=True, size=60))
    return chart.properties(title=title, height=height)



# === Numerical page (issue 4) ==============================================


# === Automatic page (issue 5) ==============================================

#: Colours of a trace graph's nodes: done, the current step, still to come.
TRACE_STATUS = {"done": GREEN, "current": ORANGE, "to come": GREY}


def jit_bars(df: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """Milliseconds per call of vmap(grad(f)) with and without jit, first call and steady state (log scale).

    ``df`` has columns variant, phase, ms (from core.autodiff.jit_timing).
    """
    data = df.copy()
    data["ms"] = data["ms"].clip(lower=1e-4)
    phases = list(dict.fromkeys(data["phase"]))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("variant:N", title=None, sort=list(dict.fromkeys(data["variant"]))),
            x=alt.X("ms:Q", title="time per call (ms, log scale)", scale=alt.Scale(type="log")),
            yOffset=alt.YOffset("phase:N", sort=phases),
            color=alt.Color("phase:N", title=None, legend=alt.Legend(orient="bottom"),
                            scale=alt.Scale(domain=phases, range=[PURPLE, BLUE][: len(phases)] or [BLUE])),
            tooltip=["variant:N", "phase:N", alt.Tooltip("ms:Q", format=".4g"), "calls:Q"],
        )
        .properties(title=title, height=170)
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
    text = alt.Chart(nodes).mark_text(dy=-18, fontSize=12, color=GREY).encode(
        x=alt.X("depth:Q", scale=x_scale), y="row:Q", text="label:N", tooltip=tips)
    height = int(max(220, 70 * (nodes.groupby("depth").size().max() + 1)))
    return alt.layer(links, dots, text).properties(title=title, height=height)


# === Speed race (issue 6) ==================================================
