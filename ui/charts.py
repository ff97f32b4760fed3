"""Every Altair chart of the dashboard, built in one place with one palette.

Builders take plain DataFrames (or arrays) and return Altair charts; they know
nothing of SymPy or JAX. Colours are the Okabe-Ito palette, distinct for
colour-blind viewers and readable on light and dark backgrounds; axis and text
colours are left to Streamlit's theme. Undefined values (nan, inf) become gaps
in a line: the line is split there rather than drawn across.
"""

from __future__ import annotations

import hashlib
import threading

import altair as alt
import numpy as np
import pandas as pd

# Altair's data transformer is process-global; conversions take turns under this lock.
_TO_DICT_LOCK = threading.Lock()


def _keep_frames(data, datasets: dict):
    """A data transformer that keeps each DataFrame as it is (no JSON records), named by content.

    The browser keeps datasets by name across reruns: a name must change
    exactly when the data do, as with Streamlit's own conversion.
    """
    frame = pd.DataFrame(data)
    try:
        content = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    except TypeError:  # a column of unhashable cells (lists): hash its text instead
        content = frame.to_json(orient="split", index=False).encode()
    digest = hashlib.sha1(content)
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    name = f"data-{digest.hexdigest()[:20]}"
    datasets[name] = frame
    return {"name": name}


alt.data_transformers.register("derivative_lab_frames", _keep_frames)


def to_vega_lite(chart, *, validate: bool = False) -> dict:
    """The chart as a Vega-Lite dict whose data are named DataFrames (``spec["datasets"]``).

    ``st.altair_chart`` does the same conversion but always checks the result
    against the whole Vega-Lite JSON schema: about 6 ms of the 25 ms that a
    two-curve chart costs the server (building it is the rest), on every rerun
    of every session. Our builders make the same shapes every time, so the
    pages skip that check and the tests make it instead, on every chart of
    every page they draw (``charts()`` in ``tests/conftest.py``);
    ``validate=True`` makes it here.
    """
    datasets: dict = {}
    with _TO_DICT_LOCK, alt.data_transformers.enable("derivative_lab_frames", datasets=datasets):
        spec = chart.to_dict(validate=validate)
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


# Okabe-Ito: safe for colour-blind viewers, visible on white and on near-black.
# Okabe-Ito's own grey is black, invisible on a dark background; this mid grey has
# contrast 3.9:1 on white and 4.6:1 on Streamlit's dark background (#999999 had 2.8:1
# on white, below the 3:1 that lines and symbols need).
ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, GREY = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#808080",
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

#: Default chart height in pixels (title, plot and legend together): tall enough to
#: read from the back of a classroom; widths always follow the container (phones too).
HEIGHT = 440


@alt.theme.register("derivative_lab", enable=True)
def _lab_theme() -> alt.theme.ThemeConfig:
    """Defaults under every chart (a builder's own settings win).

    Legends list their entries one per line unless a builder says otherwise: a
    row of entries runs off the right edge of a phone. Colours, axes and fonts
    are left to Streamlit's light or dark theme.
    """
    return {"config": {"legend": {"columns": 1, "direction": "vertical"}}}


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
                       legend=alt.Legend(orient="bottom", columns=1, labelLimit=230))
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
    """Median time per method, its phases side by side (from timing.race); min and max in the tooltip.

    Any ``phase`` values work (setup, evaluate, the lab's one shot, ...); missing
    min_ms/max_ms mean a single measurement. Log scale for times that span decades.
    """
    data = df.copy()
    for col in ("min_ms", "max_ms"):
        data[col] = data[col].fillna(data["median_ms"]) if col in data.columns else data["median_ms"]
    data["runs"] = data["runs"].fillna(1) if "runs" in data.columns else 1
    data["ms"] = data["median_ms"].clip(lower=1e-4)
    # A log axis has no zero: bars start at the power of ten below the smallest time.
    smallest = float(np.nanmin(data["ms"])) if len(data) else 1.0
    data["base_ms"] = 10.0 ** np.floor(np.log10(smallest / 2)) if log else 0.0
    phases = list(dict.fromkeys(data["phase"]))
    methods = list(dict.fromkeys(data["method"]))
    scale = alt.Scale(type="log") if log else alt.Scale(type="linear")
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("method:N", title=None, sort=methods),
            x=alt.X("ms:Q", title="median time (ms)" + (", log scale" if log else ""), scale=scale),
            x2="base_ms:Q",
            yOffset=alt.YOffset("phase:N", sort=phases),
            color=alt.Color("phase:N", scale=_phase_scale(phases), title="phase",
                            legend=alt.Legend(orient="bottom", labelLimit=230)),
            tooltip=["method:N", "phase:N", alt.Tooltip("median_ms:Q", format=".4g", title="median ms"),
                     alt.Tooltip("min_ms:Q", format=".4g", title="min ms"),
                     alt.Tooltip("max_ms:Q", format=".4g", title="max ms"), alt.Tooltip("runs:Q", title="runs")],
        )
        # Streamlit's height includes the title, the axis and the legend below: about 150 px.
        .properties(title=title, height=150 + 22 * len(phases) * len(methods))
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
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=230)),
        tooltip=[alt.Tooltip(f"{series}:N", title="series"), alt.Tooltip(f"{x}:O"),
                 alt.Tooltip(f"{y}:Q", format=y_format)],
    )
    chart = alt.layer(base.mark_line(strokeWidth=2.5), base.mark_point(filled=True, size=60))
    return chart.properties(title=title, height=height)



# === Numerical page (issue 4) ==============================================

#: One colour per difference scheme (and its theory line), on every numerical chart.
SCHEME_COLOURS: dict[str, str] = {
    "forward": ORANGE, "backward": PURPLE, "central": VERMILLION,
    "fourth-order central": BLUE, "complex step": GREEN, "np.gradient": VERMILLION,
}


def _named_scale(names, colours: dict[str, str]) -> alt.Scale:
    """Colours by the longest key a series name starts with (theory lines borrow their scheme's)."""
    out, extra, i = [], [SKY, GREY, YELLOW, PURPLE, BLUE], 0
    for name in names:
        key = max((k for k in colours if str(name).startswith(k)), key=len, default=None)
        if key is None:
            out.append(extra[i % len(extra)])
            i += 1
        else:
            out.append(colours[key])
    return alt.Scale(domain=list(names), range=out)


_THEORY_COLOURS = {"theory: truncation ∝ h": ORANGE, "theory: truncation ∝ h²": VERMILLION,
                   "theory: truncation ∝ h⁴": BLUE, "theory: round-off": GREY}


def error_along_x(df: pd.DataFrame, *, title: str = "", height: int = HEIGHT) -> alt.Chart:
    """|error| of np.gradient along x on a log axis, interior and edge points apart.

    ``df``: long form ``x, y, series, clipped`` (y already clipped above 0); the
    series whose name starts with "edge" is drawn as large dots so the ends stand out.
    """
    data = df[np.isfinite(df["y"].to_numpy(dtype=float))]
    names = list(dict.fromkeys(df["series"]))
    colours = {n: (VERMILLION if str(n).startswith("edge") else SKY) for n in names}
    size = alt.condition(alt.FieldOneOfPredicate(field="series", oneOf=[n for n in names if str(n).startswith("edge")]
                                                 or ["\u0000"]), alt.value(160), alt.value(22))
    return (
        alt.Chart(data).mark_point(filled=True, clip=True, opacity=0.9)
        .encode(
            x=alt.X("x:Q", title="x"),
            y=alt.Y("y:Q", title="|np.gradient − exact f′| (log scale)", scale=alt.Scale(type="log")),
            color=alt.Color("series:N", scale=_named_scale(names, colours), title=None,
                            legend=alt.Legend(orient="bottom", labelLimit=230)),
            shape=alt.Shape("clipped:N", title="error exactly 0 (drawn at the floor)",
                            scale=alt.Scale(domain=[False, True], range=["circle", "triangle-down"]),
                            legend=None),
            size=size,
            tooltip=["series:N", alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("error:Q", format=".3e"),
                     "clipped:N"],
        )
        .properties(title=title, height=height)
        .interactive(bind_y=False)
    )


def secant_chart(df: pd.DataFrame, *, title: str = "", height: int = HEIGHT) -> alt.Chart:
    """f near x₀, its tangent, and one secant line per step h, with the stencil points.

    ``df``: long form ``x, y, series, kind`` with kind "curve" (f), "tangent",
    "line" (a secant; one series per h) or "stencil" (points of f the scheme
    used). All secants share one legend entry (the tooltip names each h) and
    fade as h grows, so the eye follows them onto the tangent.
    """
    data = df[np.isfinite(df["y"].to_numpy(dtype=float))].copy()
    secant_names = list(dict.fromkeys(df.loc[df["kind"] == "line", "series"]))
    tangent = next(iter(df.loc[df["kind"] == "tangent", "series"]), "tangent")
    data["role"] = data["kind"].map({"curve": "f(x)", "tangent": tangent, "line": "secant lines (darker: smaller h)",
                                     "stencil": "points of f the scheme uses"})
    roles = ["f(x)", tangent, "secant lines (darker: smaller h)", "points of f the scheme uses"]
    colour = alt.Color("role:N", scale=alt.Scale(domain=roles, range=[GREY, ORANGE, VERMILLION, VERMILLION]),
                       title=None, legend=alt.Legend(orient="bottom", columns=1, labelLimit=230))
    curve = data[data["kind"] == "curve"]["y"]
    domain = robust_domain(curve, pad=0.35) if len(curve) else None
    yscale = alt.Scale(domain=domain, zero=False) if domain else alt.Scale(zero=False)
    data["fade"] = 1.0
    for j, name in enumerate(secant_names):
        data.loc[data["series"] == name, "fade"] = 0.3 + 0.7 * (j + 1) / len(secant_names)
    base = alt.Chart(data).encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title="y", scale=yscale), color=colour,
        tooltip=["series:N", alt.Tooltip("x:Q", format=".6g"), alt.Tooltip("y:Q", format=".6g")],
    )
    layers = [
        base.transform_filter(alt.datum.kind == "curve").mark_line(strokeWidth=3, clip=True),
        base.transform_filter(alt.datum.kind == "tangent").mark_line(strokeWidth=2.5, strokeDash=[6, 4], clip=True),
        base.transform_filter(alt.datum.kind == "line").mark_line(strokeWidth=1.8, clip=True)
        .encode(opacity=alt.Opacity("fade:Q", legend=None, scale=None), detail="series:N"),
        base.transform_filter(alt.datum.kind == "stencil").mark_point(filled=True, size=70, clip=True)
        .encode(opacity=alt.Opacity("fade:Q", legend=None, scale=None)),
    ]
    return alt.layer(*layers).properties(title=title, height=height).interactive(bind_y=False)


def step_error_chart(df: pd.DataFrame, *, h_mark: float | None = None, title: str = "",
                     height: int = HEIGHT + 160) -> alt.Chart:
    """Error against step h on log-log axes: measured per scheme, theory lines, best h.

    ``df``: long form ``h, y, series, layer`` (layer "measured", "theory" or
    "best"; a best-h row's series is "best h: <scheme> (<dtype>)" and it takes
    its scheme's colour) and ``clipped`` (measured errors of exactly 0, raised
    to a floor, drawn as downward triangles). ``h_mark`` draws a vertical rule
    at the step chosen on the page. The y-axis spans the measured errors; theory
    lines are cut there.
    """
    data = df[np.isfinite(df["y"].to_numpy(dtype=float)) & (df["y"] > 0)].copy()
    data["colour"] = [str(s).split("best h: ")[-1].rsplit(" (", 1)[0] if layer == "best" else s
                      for s, layer in zip(data["series"], data["layer"])]
    names = list(dict.fromkeys(data["colour"]))
    colours = dict(SCHEME_COLOURS)
    colours.update(_THEORY_COLOURS)
    colour = alt.Color("colour:N", scale=_named_scale(names, colours), title=None,
                       legend=alt.Legend(orient="bottom", columns=1, labelLimit=230))
    seen = data.loc[data["layer"] != "theory", "y"]
    yscale = alt.Scale(type="log")
    if len(seen):
        yscale = alt.Scale(type="log", domain=[float(seen.min()) / 3, float(seen.max()) * 3])
    base = alt.Chart(data).encode(
        x=alt.X("h:Q", title="step h (log scale)", scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e")),
        y=alt.Y("y:Q", title="|estimate − exact f′(x₀)| (log scale)", scale=yscale, axis=alt.Axis(format=".0e")),
        color=colour,
        tooltip=["series:N", alt.Tooltip("h:Q", format=".2e"), alt.Tooltip("error:Q", format=".3e")],
    )
    layers = [
        base.transform_filter(alt.datum.layer == "theory").mark_line(strokeDash=[6, 4], strokeWidth=1.5,
                                                                      clip=True, opacity=0.8),
        base.transform_filter((alt.datum.layer == "measured") & ~alt.datum.clipped)
        .mark_line(strokeWidth=2, clip=True, opacity=0.9),
        base.transform_filter((alt.datum.layer == "measured") & alt.datum.clipped)
        .mark_point(shape="triangle-down", filled=True, size=40, clip=True),
        base.transform_filter(alt.datum.layer == "best").mark_point(shape="diamond", filled=True, size=220,
                                                                    stroke="white", strokeWidth=1, clip=True),
    ]
    if h_mark is not None and np.isfinite(h_mark):
        rule = pd.DataFrame({"h": [float(h_mark)], "what": [f"chosen h = {h_mark:.1e}"]})
        layers.append(alt.Chart(rule).mark_rule(color=GREY, strokeDash=[2, 3]).encode(
            x="h:Q", tooltip=["what:N"]))
    return alt.layer(*layers).properties(title=title, height=height)


def convergence_chart(df: pd.DataFrame, *, title: str = "", height: int = HEIGHT) -> alt.Chart:
    """Largest |error| against the number of grid points n, log-log, one line per series.

    ``df``: long form ``n, y, series``. A slope of −p on these axes is order p.
    """
    data = df[np.isfinite(df["y"].to_numpy(dtype=float)) & (df["y"] > 0)]
    names = list(dict.fromkeys(df["series"]))
    colours = {"interior": SKY, "all points, edge_order=1": VERMILLION, "all points, edge_order=2": GREEN,
               "reference": GREY}
    colour = alt.Color("series:N", scale=_named_scale(names, colours), title=None,
                       legend=alt.Legend(orient="bottom", columns=1, labelLimit=230))
    return (
        alt.Chart(data).mark_line(point=True, clip=True, strokeWidth=2)
        .encode(
            x=alt.X("n:Q", title="number of grid points n (log scale)", scale=alt.Scale(type="log")),
            y=alt.Y("y:Q", title="largest |error| (log scale)", scale=alt.Scale(type="log"),
                    axis=alt.Axis(format=".0e")),
            color=colour,
            tooltip=["series:N", "n:Q", alt.Tooltip("y:Q", format=".3e", title="error")],
        )
        .properties(title=title, height=height)
    )


def cost_bars(df: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """Evaluations of f per method, log scale: ``df`` has ``method, evaluations, what``."""
    data = df[np.isfinite(df["evaluations"].to_numpy(dtype=float))].copy()
    whats = list(dict.fromkeys(data["what"]))
    methods = list(dict.fromkeys(data["method"]))
    return (
        alt.Chart(data).mark_bar()
        .encode(
            y=alt.Y("method:N", title=None, sort=methods),
            x=alt.X("evaluations:Q", title="evaluations of f (log scale)", scale=alt.Scale(type="log"),
                    stack=None),
            yOffset=alt.YOffset("what:N", sort=whats),
            color=alt.Color("what:N", scale=alt.Scale(domain=whats, range=[SKY, VERMILLION, PURPLE][:len(whats)]),
                            title=None, legend=alt.Legend(orient="bottom", labelLimit=230)),
            tooltip=["method:N", "what:N", alt.Tooltip("evaluations:Q", format=",.0f")],
        )
        .properties(title=title, height=max(180, 40 * len(methods) * max(1, len(whats)) // 2 + 40))
    )


# === Automatic page (issue 5) ==============================================

#: Colours of a trace graph's nodes: done, the current step, still to come.
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
            y=alt.Y("bar:N", title=None, sort=list(data["bar"]), axis=alt.Axis(labelLimit=140)),
            x=alt.X("ms:Q", title="time per call (ms, log scale)", scale=alt.Scale(type="log")),
            x2="from:Q",
            color=alt.Color("phase:N", title=None, legend=alt.Legend(orient="bottom", columns=1),
                            scale=alt.Scale(domain=phases, range=[PURPLE, BLUE][: len(phases)])),
            tooltip=["variant:N", "phase:N", alt.Tooltip("ms:Q", format=".4g"), "calls:Q"],
        )
        .properties(title=title, height=alt.Step(34))
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


# === Speed race (issue 6) ==================================================

#: Colours of the race's phases and methods (a method's variants get a neighbour colour and a dash).
RACE_PHASES = {"setup": PURPLE, "evaluate": BLUE, "lab (one shot)": ORANGE,
               "setup + evaluate": GREY, "until the result is ready": YELLOW}
RACE_METHODS = {"symbolic": BLUE, "symbolic_nocse": SKY, "numerical": VERMILLION, "central": ORANGE,
                "autodiff": GREEN, "autodiff_nojit": PURPLE}
RACE_DASHED = ("symbolic_nocse", "autodiff_nojit")


def _phase_scale(phases) -> alt.Scale:
    fallback = [SKY, GREEN, VERMILLION, GREY]
    colours = [RACE_PHASES.get(p, fallback[i % len(fallback)]) for i, p in enumerate(phases)]
    return alt.Scale(domain=list(phases), range=colours)


def race_scaling(df: pd.DataFrame, *, x: str = "n", x_title: str = "points n", log_x: bool = True,
                 title: str = "", height: int = HEIGHT) -> alt.Chart:
    """Median evaluate time against ``x`` (n or depth), one line per method, log time axis.

    ``df`` has columns method, ``x``, median_ms (nan where a case was skipped:
    no point is drawn), min_ms, max_ms, runs. Variants without CSE or jit are dashed.
    """
    data = df[np.isfinite(df["median_ms"].to_numpy(dtype=float))].copy()
    methods = list(dict.fromkeys(df["method"]))
    colour = alt.Color("method:N", title=None, scale=alt.Scale(
        domain=methods, range=[RACE_METHODS.get(m, GREY) for m in methods]),
        legend=alt.Legend(orient="bottom", columns=3, labelLimit=230))
    dash = alt.condition(alt.FieldOneOfPredicate(field="method", oneOf=list(RACE_DASHED)),
                         alt.value([6, 4]), alt.value([1, 0]))
    xscale = alt.Scale(type="log") if log_x else alt.Scale(zero=False)
    tooltip = ["method:N", alt.Tooltip(f"{x}:Q", format=",", title=x_title),
               alt.Tooltip("median_ms:Q", format=".4g", title="median ms"),
               alt.Tooltip("min_ms:Q", format=".4g", title="min ms"),
               alt.Tooltip("max_ms:Q", format=".4g", title="max ms"), alt.Tooltip("runs:Q")]
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:Q", title=x_title + (" (log scale)" if log_x else ""), scale=xscale,
                axis=alt.Axis(tickMinStep=1) if not log_x else alt.Axis()),
        y=alt.Y("median_ms:Q", title="median evaluate time (ms, log scale)", scale=alt.Scale(type="log")),
        color=colour, tooltip=tooltip,
    )
    lines = base.mark_line(strokeWidth=2.5).encode(strokeDash=dash)
    points = base.mark_point(size=60, filled=True)
    return alt.layer(lines, points).properties(title=title, height=height)


def claims_chart(claims: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """Each claim's measured ratio (log scale), one row per (claim, mode); a cross where it fails."""
    data = claims.copy()
    data["verdict"] = np.where(data["holds"], "holds", "does not hold")
    data["row"] = data["claim"] + " · " + data["mode"]
    modes = list(dict.fromkeys(data["mode"]))
    return (
        alt.Chart(data)
        .mark_point(size=160, filled=True)
        .encode(
            y=alt.Y("row:N", title=None, sort=list(dict.fromkeys(data["row"])), axis=alt.Axis(labelLimit=140)),
            x=alt.X("ratio:Q", title="measured ratio (log scale)", scale=alt.Scale(type="log")),
            color=alt.Color("mode:N", title="mode", legend=alt.Legend(orient="bottom"),
                            scale=alt.Scale(domain=modes, range=[ORANGE, BLUE, GREEN, SKY][:len(modes)])),
            shape=alt.Shape("verdict:N", legend=None, scale=alt.Scale(  # the caption says: cross = fails
                domain=["holds", "does not hold"], range=["circle", "cross"])),
            tooltip=["claim:N", "mode:N", "comparison:N", alt.Tooltip("ratio:Q", format=".3g"), "test:N",
                     "verdict:N"],
        )
        .properties(title=title, height=170 + 34 * len(data))  # title, axis and legend take ~170 px
    )
