"""Layout pieces every page shares: a chart with its data and its code, gap counts.

``chart_panel`` is how a page shows a chart: the chart, a CSV download of the
exact data it draws (built only when clicked), the few lines of Python that
reproduce it in a notebook, and a count of undefined points drawn as gaps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from . import charts


def gap_counts(df: pd.DataFrame, y: str = "y", series: str = "series") -> dict[str, int]:
    """Non-finite y values (nan or ±inf) per series: the gaps in its curve."""
    if series not in df.columns:
        return {"values": int((~np.isfinite(df[y].to_numpy(dtype=float))).sum())}
    return {
        str(name): int((~np.isfinite(g[y].to_numpy(dtype=float))).sum())
        for name, g in df.groupby(series, sort=False)
    }


def gaps_caption(df: pd.DataFrame, y: str = "y", series: str = "series") -> str | None:
    """Say how many points are undefined or overflow, per series, or None when there are none."""
    counts = {k: v for k, v in gap_counts(df, y, series).items() if v}
    if not counts:
        return None
    per = df.groupby(series).size().max() if series in df.columns else len(df)
    parts = "; ".join(f"{name}: {k} of {per}" for name, k in counts.items())
    return f"Undefined or overflowing points are drawn as gaps ({parts})."


def chart_panel(chart, data: pd.DataFrame, *, key: str, code: str | None = None,
                caption: str | None = None, y: str = "y", series: str = "series") -> None:
    """Show ``chart``; offer ``data`` as CSV and ``code`` as a notebook snippet; count gaps.

    ``key`` must be unique on the page (it names the CSV file too).
    """
    st.vega_lite_chart(charts.to_vega_lite(chart), width="stretch")
    note = gaps_caption(data, y, series) if y in data.columns else None
    if caption or note:
        st.caption(" ".join(t for t in (caption, note) if t))
    left, right = st.columns([1, 3], vertical_alignment="center")
    left.download_button(
        "⬇️ data (CSV)", data=lambda: data.to_csv(index=False).encode(), file_name=f"{key}.csv",
        mime="text/csv", key=f"csv_{key}", on_click="ignore",
        help="The exact numbers this chart draws.",
    )
    if code:
        with right.expander("🐍 the same in a notebook"):
            st.code(code, language="python")
