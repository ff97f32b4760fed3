"""Charts of the Speed race: phase bars, scaling lines, the lab's verdicts."""

from __future__ import annotations

import json

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
    YELLOW,
)


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
    data["label"] = data["method"].map(method_label)
    scale = alt.Scale(type="log") if log else alt.Scale(type="linear")
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("method:N", title=None, sort=methods,
                    axis=alt.Axis(labelExpr=_label_expr(methods), labelLimit=320, labelOverlap=False)),
            x=alt.X("ms:Q", title="median time (ms)" + (", log scale" if log else ""), scale=scale),
            x2="base_ms:Q",
            yOffset=alt.YOffset("phase:N", sort=phases),
            color=alt.Color("phase:N", scale=_phase_scale(phases), title="phase",
                            legend=alt.Legend(orient="bottom", labelLimit=230)),
            tooltip=[alt.Tooltip("label:N", title="method"), "phase:N",
                     alt.Tooltip("median_ms:Q", format=".4g", title="median ms"),
                     alt.Tooltip("min_ms:Q", format=".4g", title="min ms"),
                     alt.Tooltip("max_ms:Q", format=".4g", title="max ms"), alt.Tooltip("runs:Q", title="runs")],
        )
        # Streamlit's height includes the title, the axis and the legend below: about 150 px.
        .properties(title=title, height=150 + 22 * len(phases) * len(methods))
    )


RACE_PHASES = {"setup": PURPLE, "evaluate": BLUE, "lab (one shot)": ORANGE,
               "setup + evaluate": GREY, "until the result is ready": YELLOW}
RACE_METHODS = {"symbolic": BLUE, "symbolic_nocse": SKY, "numerical": VERMILLION, "central": ORANGE,
                "autodiff": GREEN, "autodiff_nojit": PURPLE}
RACE_DASHED = ("symbolic_nocse", "autodiff_nojit")
#: What readers see for each method id (legends, axes and tooltips; the data keep the ids).
RACE_LABELS = {"symbolic_nocse": "symbolic, no CSE", "autodiff_nojit": "autodiff, no jit",
               "central": "numerical, central difference", "numerical": "numerical"}


def method_label(method) -> str:
    return RACE_LABELS.get(str(method), str(method))


def _label_expr(methods) -> str:
    """A Vega expression showing each method id by its label."""
    expr = "datum.label"
    for m in methods:
        if method_label(m) != str(m):
            expr = f"datum.label === {json.dumps(str(m))} ? {json.dumps(method_label(m))} : ({expr})"
    return expr


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
    data["label"] = data["method"].map(method_label)
    methods = list(dict.fromkeys(df["method"]))
    colour = alt.Color("method:N", title=None, scale=alt.Scale(
        domain=methods, range=[RACE_METHODS.get(m, GREY) for m in methods]),
        legend=alt.Legend(orient="bottom", columns=1, labelLimit=320, labelExpr=_legend_expr(methods)))
    dash = alt.condition(alt.FieldOneOfPredicate(field="method", oneOf=list(RACE_DASHED)),
                         alt.value([6, 4]), alt.value([1, 0]))
    xscale = alt.Scale(type="log") if log_x else alt.Scale(zero=False)
    tooltip = [alt.Tooltip("label:N", title="method"), alt.Tooltip(f"{x}:Q", format=",", title=x_title),
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


def _legend_expr(methods) -> str:
    """Legend labels: each method's label, "— dashed" after the variants drawn dashed."""
    expr = "datum.label"
    for m in methods:
        text = method_label(m) + (" — dashed" if m in RACE_DASHED else "")
        if text != str(m):
            expr = f"datum.label === {json.dumps(str(m))} ? {json.dumps(text)} : ({expr})"
    return expr


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
            # room for whole row labels: cut at 140 px, three rows read the same
            y=alt.Y("row:N", title=None, sort=list(dict.fromkeys(data["row"])), axis=alt.Axis(labelLimit=420)),
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
