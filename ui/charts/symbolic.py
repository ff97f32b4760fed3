"""Charts of the Symbolic page: expression swell against depth."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .base import (
    colour_scale,
)


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
        color=alt.Color(f"{series}:N", scale=colour_scale(names), title=None,
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=230)),
        tooltip=[alt.Tooltip(f"{series}:N", title="series"), alt.Tooltip(f"{x}:O"),
                 alt.Tooltip(f"{y}:Q", format=y_format)],
    )
    chart = alt.layer(base.mark_line(strokeWidth=2.5), base.mark_point(filled=True, size=60))
    return chart.properties(title=title, height=height)
