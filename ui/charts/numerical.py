"""Charts of the Numerical page: error along x, secants, error against step, orders, cost."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .base import (
    BLUE,
    GREEN,
    GREY,
    HEIGHT,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    named_scale,
    robust_domain,
)

#: One colour per difference scheme (and its theory line), on every numerical chart.
SCHEME_COLOURS: dict[str, str] = {
    "forward": ORANGE, "backward": PURPLE, "central": VERMILLION,
    "fourth-order central": BLUE, "complex step": GREEN, "np.gradient": VERMILLION,
}


_THEORY_COLOURS = {"theory: truncation ∝ h": ORANGE, "theory: truncation ∝ h²": VERMILLION,
                   "theory: truncation ∝ h⁴": BLUE, "theory: round-off": GREY}


def error_along_x(df: pd.DataFrame, *, title: str = "", height: int = HEIGHT) -> alt.Chart:
    """|error| of np.gradient along x on a log axis, interior and edge points apart.

    ``df``: long form ``x, y, series, clipped`` (y already clipped above 0: an error of
    exactly 0 is drawn at the floor, and the tooltip's error, computed in the browser, is 0
    there); the series whose name starts with "edge" is drawn as large dots so the ends stand out.
    """
    data = df.loc[np.isfinite(df["y"].to_numpy(dtype=float)), ["x", "y", "clipped", "series"]]
    names = list(dict.fromkeys(df["series"]))
    colours = {n: (VERMILLION if str(n).startswith("edge") else SKY) for n in names}
    size = alt.condition(alt.FieldOneOfPredicate(field="series", oneOf=[n for n in names if str(n).startswith("edge")]
                                                 or ["\u0000"]), alt.value(160), alt.value(22))
    return (
        alt.Chart(data).transform_calculate(error="datum.clipped ? 0 : datum.y")
        .mark_point(filled=True, clip=True, opacity=0.9)
        .encode(
            x=alt.X("x:Q", title="x"),
            y=alt.Y("y:Q", title="|np.gradient − exact f′| (log scale)", scale=alt.Scale(type="log")),
            color=alt.Color("series:N", scale=named_scale(names, colours), title=None,
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
    # what is drawn (each line's slope is its name's h); opacity needs no 16 digits
    data = data[["x", "y", "h", "series", "kind", "role", "fade"]].astype({"fade": "float32"})
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
    to a floor, drawn as downward triangles; the tooltip's error is 0 there, computed
    in the browser rather than sent as a second column). ``h_mark`` draws a vertical rule
    at the step chosen on the page. The y-axis spans the measured errors; theory
    lines are cut there.
    """
    data = df[np.isfinite(df["y"].to_numpy(dtype=float)) & (df["y"] > 0)].copy()
    data["colour"] = [str(s).split("best h: ")[-1].rsplit(" (", 1)[0] if layer == "best" else s
                      for s, layer in zip(data["series"], data["layer"])]
    names = list(dict.fromkeys(data["colour"]))
    colours = dict(SCHEME_COLOURS)
    colours.update(_THEORY_COLOURS)
    colour = alt.Color("colour:N", scale=named_scale(names, colours), title=None,
                       legend=alt.Legend(orient="bottom", columns=1, labelLimit=230))
    seen = data.loc[data["layer"] != "theory", "y"]
    yscale = alt.Scale(type="log")
    if len(seen):
        yscale = alt.Scale(type="log", domain=[float(seen.min()) / 3, float(seen.max()) * 3])
    data = data[["h", "y", "clipped", "series", "layer", "colour"]]
    theory = data[data["layer"] == "theory"]
    # Measured errors and steps to 7 digits (float32: half the bytes, the same pixels and tooltips) where
    # float32 holds them; theory lines keep float64 (h⁴ at h = 1e-16 is 1e-64).
    points = data[data["layer"] != "theory"]
    hy = points[["h", "y"]].to_numpy(dtype=float)
    if hy.size and np.all((hy > 1e-37) & (hy < 1e37)):
        points = points.astype({"h": "float32", "y": "float32"})

    def base(frame):
        return alt.Chart(frame).transform_calculate(error="datum.clipped ? 0 : datum.y").encode(
            x=alt.X("h:Q", title="step h (log scale)", scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e")),
            y=alt.Y("y:Q", title="|estimate − exact f′(x₀)| (log scale)", scale=yscale, axis=alt.Axis(format=".0e")),
            color=colour,
            tooltip=["series:N", alt.Tooltip("h:Q", format=".2e"), alt.Tooltip("error:Q", format=".3e")],
        )

    layers = [
        base(theory).mark_line(strokeDash=[6, 4], strokeWidth=1.5,
                                                                      clip=True, opacity=0.8),
        base(points).transform_filter((alt.datum.layer == "measured") & ~alt.datum.clipped)
        .mark_line(strokeWidth=2, clip=True, opacity=0.9),
        base(points).transform_filter((alt.datum.layer == "measured") & alt.datum.clipped)
        .mark_point(shape="triangle-down", filled=True, size=40, clip=True),
        base(points).transform_filter(alt.datum.layer == "best").mark_point(shape="diamond", filled=True, size=220,
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
    colour = alt.Color("series:N", scale=named_scale(names, colours), title=None,
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
            # every method named in full, horizontal, none dropped for overlap
            y=alt.Y("method:N", title=None, sort=methods,
                    axis=alt.Axis(labelLimit=320, labelAngle=0, labelOverlap=False, labelPadding=6)),
            x=alt.X("evaluations:Q", title="evaluations of f (log scale)", scale=alt.Scale(type="log"),
                    stack=None),
            yOffset=alt.YOffset("what:N", sort=whats),
            color=alt.Color("what:N", scale=alt.Scale(domain=whats, range=[SKY, VERMILLION, PURPLE][:len(whats)]),
                            title=None, legend=alt.Legend(orient="bottom", labelLimit=230)),
            tooltip=["method:N", "what:N", alt.Tooltip("evaluations:Q", format=",.0f")],
        )
        .properties(title=title, height=max(220, 30 * len(methods) * max(1, len(whats)) + 40))
    )
