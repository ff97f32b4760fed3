"""The chart base every page shares: one palette, one theme, the Vega-Lite conversion,
curves with gaps where a function is undefined, and the tangent.

Builders take plain DataFrames (or arrays) and return Altair charts; they know
nothing of SymPy or JAX. Colours are the Okabe-Ito palette, distinct for
colour-blind viewers and readable on light and dark backgrounds; axis and text
colours are left to Streamlit's theme. Undefined values (nan, inf) become gaps
in a line: the line is split there rather than drawn across. Each page's own
charts live beside this module (``ui/charts/<page>.py``).
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


def colour_scale(names) -> alt.Scale:
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
    colour = alt.Color(f"{series}:N", scale=colour_scale(names), title=None,
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


def named_scale(names, colours: dict[str, str]) -> alt.Scale:
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
