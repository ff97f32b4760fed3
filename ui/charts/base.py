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
import json
import threading

import altair as alt
import numpy as np
import pandas as pd

# Altair's data transformer is process-global; conversions take turns under this lock.
_TO_DICT_LOCK = threading.Lock()


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as it is cheapest to send: text columns as categories, no index.

    Streamlit sends a chart's datasets as Arrow tables. A text column is sent in full
    on every row ("symbolic: SymPy diff (exact)" four hundred times); as a category it
    is an Arrow dictionary: each name once, and one small integer per row. The values
    read the same everywhere (Vega-Lite, the legend, tooltips, tests reading the data),
    so legends keep their user-facing names and no key has to be mapped back. A
    non-default index would be sent as one more column that nothing draws.
    """
    frame = frame.reset_index(drop=True)
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_numeric_dtype(values.dtype):
            continue
        if pd.api.types.infer_dtype(values, skipna=True) == "string":
            frame[column] = values.astype("category")
    return frame


def _keep_frames(data, datasets: dict):
    """A data transformer that keeps each DataFrame (no JSON records), named by content.

    The browser keeps datasets by name across reruns: a name must change
    exactly when the data do, as with Streamlit's own conversion. Frames are
    :func:`compact` (text columns as categories), which draws the same.
    """
    frame = compact(pd.DataFrame(data))
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


def sendable(spec: dict) -> dict:
    """``spec`` with its DataFrame datasets as the Arrow bytes the browser receives, made once.

    ``st.vega_lite_chart`` converts every DataFrame dataset to Arrow on every rerun of
    every session, with pandas' metadata (column and index descriptions nothing draws,
    about 0.9 KB a dataset). Bytes pass through as they are: a spec cached as bytes
    (:func:`ui.panels.chart_spec`) is converted once for the whole server and sends less.
    The data read back the same (``tests/conftest.py``'s ``chart_frames``).
    """
    from streamlit import dataframe_util

    datasets = spec.get("datasets") or {}
    if not any(isinstance(v, pd.DataFrame) for v in datasets.values()):
        return spec
    out = {}
    for name, frame in datasets.items():
        if isinstance(frame, pd.DataFrame):
            table = dataframe_util.convert_pandas_df_to_arrow_table(frame).replace_schema_metadata(None)
            frame = dataframe_util.convert_arrow_table_to_arrow_bytes(table)
        out[name] = frame
    return {**spec, "datasets": out}


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
    "np.gradient": VERMILLION,  # the numerical method, by its NumPy name
    "JAX": GREEN,  # autodiff, by its library's name (JAX grad(grad(f)))
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


#: One stroke per meaning, on every page (a dash array; [1, 0] is solid). The legend says which is which.
DASHES: dict[str, list[int]] = {
    "f(x)": [1, 0],
    "exact": [1, 0],
    "symbolic": [1, 0],
    "numerical": [2, 3],
    "autodiff": [6, 4],
    "np.gradient": [2, 3],
    "JAX": [6, 4],
    "tangent": [1, 0],
}
_STYLE_WORDS = {(2, 3): "dotted", (6, 4): "dashed"}
#: The tangent's name in every legend.
TANGENT = "tangent at x₀ (f(x₀) + f′(x₀)·(x − x₀))"


def _key(name) -> str | None:
    return next((k for k in PALETTE if str(name).startswith(k)), None)


def dash_of(name) -> list[int]:
    """The dash array of a series, by the meaning its name starts with (solid otherwise)."""
    return DASHES.get(_key(name) or "", [1, 0])


def robust_domain(values, pad: float = 0.08, quantiles: tuple[float, float] = (1.0, 99.0)) -> list[float] | None:
    """A y-range that keeps the bulk of the finite values in view (spikes are clipped).

    From the ``quantiles`` (in percent) of the finite values when there are more than
    50 of them (their min and max otherwise), widened by ``pad`` of the span on each side:
    with the default at least 98 % of the finite values are inside.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    lo, hi = np.percentile(v, list(quantiles)) if v.size > 50 else (v.min(), v.max())
    if hi - lo <= 1e-12 * max(1.0, abs(lo), abs(hi)):
        width = max(1.0, abs(lo)) * 0.5
        lo, hi = lo - width, hi + width
    span = hi - lo
    return [float(lo - pad * span), float(hi + pad * span)]


def scales_differ(a, b, ratio: float = 100.0) -> bool:
    """True when the robust spans of two sets of values differ by ``ratio`` or more."""
    da, db = robust_domain(a, pad=0), robust_domain(b, pad=0)
    if not da or not db:
        return False
    sa, sb = da[1] - da[0], db[1] - db[0]
    return max(sa, sb) >= ratio * max(min(sa, sb), 1e-300)


def _break_list(breaks, name) -> np.ndarray:
    if breaks is None:
        return np.empty(0)
    if isinstance(breaks, dict):
        pts = breaks.get(name)
        if pts is None:
            key = next((k for k in breaks if str(name).startswith(str(k))), None)
            pts = breaks.get(key, ()) if key is not None else ()
    else:
        pts = breaks
    return np.sort(np.asarray(list(pts), dtype=float))


def with_segments(df: pd.DataFrame, x: str = "x", y: str = "y", series: str = "series",
                  breaks=None) -> pd.DataFrame:
    """Drop non-finite y and number the unbroken runs, so lines show gaps there.

    ``breaks`` (points, or a dict from series name or name prefix to points) are where a
    line must not join its neighbours either (a pole, a jump, the edge of an undefined
    interval): two consecutive points of one ``segment`` never have a break point
    between them or on either of them.
    """
    parts = []
    for name, g in df.groupby(series, sort=False):
        g = g.copy()
        yv = g[y].to_numpy(dtype=float)
        xv = g[x].to_numpy(dtype=float)
        new = ~np.isfinite(yv)
        pts = _break_list(breaks, name)
        if pts.size and len(xv) > 1:
            # a break between x[i-1] and x[i] (inclusive) starts a new run at i
            lo_, hi_ = np.minimum(xv[:-1], xv[1:]), np.maximum(xv[:-1], xv[1:])
            left = np.searchsorted(pts, lo_, side="left")
            right = np.searchsorted(pts, hi_, side="right")
            new = new | np.r_[False, right > left]
        g["segment"] = f"{name}#" + pd.Series(np.cumsum(new), index=g.index).astype(str)
        parts.append(g[np.isfinite(yv)])
    if not parts:
        return df.assign(segment=pd.Series(dtype=str))
    return pd.concat(parts)


def clipped(data: pd.DataFrame, domain, y: str = "y") -> pd.DataFrame:
    """The points outside the y-range ``domain``, moved onto its edge, with a ``shape``:
    ``triangle-up`` at the top edge, ``triangle-down`` at the bottom."""
    if not domain or data.empty:
        return data.iloc[0:0].assign(shape=pd.Series(dtype=str), value=pd.Series(dtype=float))
    v = data[y].to_numpy(dtype=float)
    top, bottom = v > domain[1], v < domain[0]
    out = data[top | bottom].copy()
    out["value"] = out[y]
    out["shape"] = np.where(top[top | bottom], "triangle-up", "triangle-down")
    out[y] = np.where(top[top | bottom], domain[1], domain[0])
    return out


def clipped_counts(df: pd.DataFrame, domain, y: str = "y", series: str = "series") -> dict[str, int]:
    """How many finite points of each series lie outside the y-range ``domain``."""
    if not domain:
        return {}
    out = {}
    for name, g in df.groupby(series, sort=False):
        v = g[y].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        k = int(((v > domain[1]) | (v < domain[0])).sum())
        if k:
            out[str(name)] = k
    return out


def _legend_labels(names) -> str:
    """A Vega expression naming each series' stroke in the legend ("— dashed", "— dots")."""
    expr = "datum.label"
    for name in names:
        word = _STYLE_WORDS.get(tuple(dash_of(name)))
        if word:
            expr = f"datum.label === {json.dumps(str(name))} ? {json.dumps(f'{name} — {word}')} : ({expr})"
    return expr


def tangent_table(x0s, f0, slope, half_width: float) -> pd.DataFrame:
    """Short tangent segments, one per x₀: rows (x0, x, y) at x₀ ± ``half_width`` and at x₀.

    Only where f(x₀) and f′(x₀) are finite (elsewhere there is no tangent to draw).
    """
    x0s, f0, slope = (np.asarray(a, dtype=float) for a in (x0s, f0, slope))
    ok = np.isfinite(x0s) & np.isfinite(f0) & np.isfinite(slope)
    x0s, f0, slope = x0s[ok], f0[ok], slope[ok]
    rows = []
    for dx, part in ((-half_width, "end"), (0.0, "touch"), (half_width, "end")):
        with np.errstate(all="ignore"):
            rows.append(pd.DataFrame({"x0": x0s, "x": x0s + dx, "y": f0 + slope * dx, "part": part,
                                      "slope": slope}))
    return pd.concat(rows, ignore_index=True).sort_values(["x0", "x"], kind="stable").reset_index(drop=True)


def _group(data, names, *, x, y, series, colour, points, dashed, domain, title, orient, clip_marks):
    """The layers of one y-axis: lines by segment, dots, and clipped-point triangles."""
    yscale = alt.Scale(domain=domain, zero=False) if domain else alt.Scale(zero=False)
    yenc = alt.Y(f"{y}:Q", title=title, scale=yscale, axis=alt.Axis(orient=orient, titleColor=None))
    tooltip = [alt.Tooltip(f"{series}:N", title="series"),
               alt.Tooltip(f"{x}:Q", format=".4g"), alt.Tooltip(f"{y}:Q", format=".6g")]
    mine = data[data[series].isin(names)]
    base = alt.Chart(mine).encode(x=alt.X(f"{x}:Q", title=x), y=yenc, color=colour, tooltip=tooltip)
    line_names = [n for n in names if n not in points]
    layers = []
    if line_names:
        dash = alt.StrokeDash(f"{series}:N", legend=None, scale=alt.Scale(
            domain=line_names, range=[[6, 4] if n in dashed else dash_of(n) for n in line_names]))
        layers.append(
            base.transform_filter(alt.FieldOneOfPredicate(field=series, oneOf=line_names))
            .mark_line(clip=True, strokeWidth=2.5).encode(detail="segment:N", strokeDash=dash)
        )
    dot_names = [n for n in names if n in points]
    if dot_names:
        layers.append(
            base.transform_filter(alt.FieldOneOfPredicate(field=series, oneOf=dot_names))
            .mark_circle(size=28, clip=True, opacity=0.9)
        )
    if clip_marks and domain:
        marks = clipped(mine, domain, y)
        if len(marks):
            # its own field name: the marks are not points of the series (readers of the data split by it)
            marks = marks.rename(columns={series: "clipped_of"})
            mark_colour = alt.Color("clipped_of:N", scale=colour.to_dict()["scale"], legend=None)
            layers.append(alt.Chart(marks).mark_point(filled=True, size=60, opacity=0.9, clip=False).encode(
                x=alt.X(f"{x}:Q"), y=yenc, color=mark_colour, shape=alt.Shape("shape:N", legend=None, scale=alt.Scale(
                    domain=["triangle-up", "triangle-down"], range=["triangle-up", "triangle-down"])),
                tooltip=[alt.Tooltip("clipped_of:N", title="clipped"), alt.Tooltip(f"{x}:Q", format=".4g"),
                         alt.Tooltip("value:Q", title="value (off the chart)", format=".4g")]))
    return layers


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
    breaks=None,
    right_axis: tuple[str, ...] = (),
    right_title: str = "",
    right_domain: list[float] | None = None,
    tangent: pd.DataFrame | None = None,
    x0: float | None = None,
    x0_step: float | None = None,
) -> alt.Chart:
    """Curves of y against x, one per series, from a long DataFrame (x, y, series).

    Every series gets its meaning's colour (:data:`PALETTE`) and stroke (:data:`DASHES`,
    named in the legend); ``points`` are drawn as dots, ``dashed`` as dashed lines. nan
    and inf leave gaps, and lines break at ``breaks`` (see :func:`with_segments`): mask
    the values where f is undefined before (``core.domain.mask``). The y-axis keeps the
    bulk of the values in view (:func:`robust_domain`; ``y_domain`` sets it, ``clip=False``
    shows everything); points beyond it are marked by triangles on its edge.

    ``right_axis`` series get their own y-axis on the right (when f and f′ differ in
    scale by orders of magnitude). ``tangent`` (:func:`tangent_table`) adds the tangent:
    a short segment around x₀ on f, moved by a slider under the chart (a Vega-Lite
    parameter, in the browser: no rerun), starting at ``x0`` in steps of ``x0_step``.
    """
    data = with_segments(df, x, y, series, breaks)
    names = list(dict.fromkeys(df[series]))
    left = [n for n in names if n not in right_axis]
    right = [n for n in names if n in right_axis]
    legend_names = names + ([TANGENT] if tangent is not None and len(tangent) else [])
    colour = alt.Color(f"{series}:N", scale=colour_scale(legend_names), title=None,
                       legend=alt.Legend(orient="bottom", columns=1, labelLimit=320,
                                         labelExpr=_legend_labels(legend_names)))

    def dom(group, given):
        if given:
            return list(given)
        return robust_domain(data.loc[data[series].isin(group), y]) if clip else None

    left_domain = dom(left, y_domain)
    layers = _group(data, left, x=x, y=y, series=series, colour=colour, points=points, dashed=dashed,
                    domain=left_domain, title=y_title, orient="left", clip_marks=clip)
    if tangent is not None and len(tangent):
        layers += _tangent_layers(tangent, colour, left_domain, x0, x0_step, y_title)
    chart = alt.layer(*layers) if len(layers) > 1 else layers[0]
    if right:
        rlayers = _group(data, right, x=x, y=y, series=series, colour=colour, points=points, dashed=dashed,
                         domain=dom(right, right_domain), title=right_title, orient="right", clip_marks=clip)
        chart = alt.layer(chart, *rlayers).resolve_scale(y="independent")
    chart = chart.properties(title=title, height=height)
    if tangent is not None and len(tangent):
        chart = chart.add_params(_x0_param(tangent, x0, x0_step))
    return chart.interactive(bind_y=False)


def _x0_param(tangent: pd.DataFrame, x0, step) -> alt.Parameter:
    x0s = np.unique(tangent["x0"].to_numpy(dtype=float))
    step = float(step or (np.min(np.diff(x0s)) if x0s.size > 1 else 1.0))
    start = float(x0s[np.argmin(np.abs(x0s - (x0 if x0 is not None else x0s[0])))])
    return alt.param(name="x0", value=start, bind=alt.binding_range(
        min=float(x0s.min()), max=float(x0s.max()), step=step, name="move the tangent: x₀ = "))


def _tangent_layers(tangent: pd.DataFrame, colour, domain, x0, step, y_title) -> list:
    x0s = np.unique(tangent["x0"].to_numpy(dtype=float))
    step = float(step or (np.min(np.diff(x0s)) if x0s.size > 1 else 1.0))
    table = tangent.assign(series=TANGENT)
    near = f"abs(datum.x0 - x0) < {step / 2!r}"
    yscale = alt.Scale(domain=domain, zero=False) if domain else alt.Scale(zero=False)
    yenc = alt.Y("y:Q", scale=yscale, title=y_title)
    base = alt.Chart(table).transform_filter(near)
    line = base.transform_filter("datum.part != 'touch'").mark_line(strokeWidth=3, clip=True).encode(
        x="x:Q", y=yenc, color=colour, detail="x0:Q",
        tooltip=[alt.Tooltip("x0:Q", title="x₀", format=".4g"), alt.Tooltip("slope:Q", title="f′(x₀)", format=".6g")])
    dot = base.transform_filter("datum.part == 'touch'").mark_point(size=120, filled=True, clip=True).encode(
        x="x:Q", y=yenc, color=colour,
        tooltip=[alt.Tooltip("x0:Q", title="x₀", format=".4g"), alt.Tooltip("y:Q", title="f(x₀)", format=".6g"),
                 alt.Tooltip("slope:Q", title="f′(x₀)", format=".6g")])
    return [line, dot]


def tangent_overlay(chart: alt.Chart, x0: float, y0: float, slope: float, lo: float, hi: float) -> alt.Chart:
    """Add a short tangent segment y = y0 + slope·(x − x0) around x₀ and the point (x0, y0)."""
    w = (hi - lo) / 10
    line = tangent_table([x0], [y0], [slope], w)
    line["what"] = TANGENT
    tan = alt.Chart(line[line.part != "touch"]).mark_line(color=PALETTE["tangent"], strokeWidth=3, clip=True).encode(
        x="x:Q", y="y:Q", tooltip=[alt.Tooltip("what:N")])
    dot = alt.Chart(line[line.part == "touch"]).mark_point(color=PALETTE["tangent"], size=120, filled=True).encode(
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
