"""Charts of the Symbolic page: expression swell against depth."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .base import (
    BLUE,
    GREEN,
    HEIGHT,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
)

#: Colours by what a swell series is (no yellow: it vanishes on white): JAX green, SymPy blues.
_SWELL_COLOURS = (("JAX", GREEN), ("jaxpr", GREEN), ("no CSE", SKY), ("tree", SKY), ("cse", BLUE), ("CSE", BLUE))
_EXTRA = (VERMILLION, PURPLE, ORANGE)


def _swell_scale(names) -> alt.Scale:
    out, i = [], 0
    for name in names:
        colour = next((c for key, c in _SWELL_COLOURS if key in str(name)), None)
        if colour is None:
            colour, i = _EXTRA[i % len(_EXTRA)], i + 1
        out.append(colour)
    return alt.Scale(domain=list(names), range=out)


def _decades(values) -> list[float]:
    """Powers of ten spanning ``values`` (the ticks of a log axis, each one labelled)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return []
    lo, hi = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
    step = max(1, (hi - lo + 7) // 8)  # at most about 8 labelled ticks
    return [float(10.0 ** k) for k in range(lo, hi + 1, step)]


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
    height: int = HEIGHT,
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
    axis = alt.Axis()
    if log:
        ticks = _decades(data[y])
        small = bool(ticks) and ticks[0] < 1
        axis = alt.Axis(values=ticks, format=".0e" if small else ",.0f", labelOverlap=False, grid=True)
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:O", title=x, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title + (" (log scale)" if log else ""), scale=scale, axis=axis),
        color=alt.Color(f"{series}:N", scale=_swell_scale(names), title=None,
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=320)),
        tooltip=[alt.Tooltip(f"{series}:N", title="series"), alt.Tooltip(f"{x}:O"),
                 alt.Tooltip(f"{y}:Q", format=y_format)],
    )
    chart = alt.layer(base.mark_line(strokeWidth=2.5), base.mark_point(filled=True, size=60))
    return chart.properties(title=title, height=max(300, int(height)))
