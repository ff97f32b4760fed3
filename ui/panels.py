"""Layout pieces every page shares: a chart with its data and its code, gap counts, tables.

``chart_panel`` is how a page shows a chart: the chart, a CSV download of the
exact data it draws (built only when clicked), the few lines of Python that
reproduce it in a notebook, and a count of undefined points drawn as gaps.

``chart_spec`` builds a chart's Vega-Lite spec once for the whole server (issue 17):
thirty students on the same function and settings share one spec, and
``thin_lines`` keeps what a line sends to what the chart's width can show.
``table`` shows at most :data:`MAX_TABLE_ROWS` rows of a table that grows with input.
"""

from __future__ import annotations

import hashlib
import types

import numpy as np
import pandas as pd
import streamlit as st

from . import charts

#: A drawn line never needs more points than a chart is pixels wide (about 700 on a laptop).
MAX_LINE_POINTS = 400
#: Rows a table shows at most; the rest are counted in its caption.
MAX_TABLE_ROWS = 200


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
    sizes = df.groupby(series, sort=False).size() if series in df.columns else {"values": len(df)}
    parts = "; ".join(f"{name}: {k} of {int(sizes[name])}" for name, k in counts.items())  # each of its own
    return f"Undefined or overflowing points are drawn as gaps ({parts})."


def _extremes(y: np.ndarray, k: int) -> np.ndarray:
    """At most ``k`` positions of ``y`` that draw the same line at screen resolution: both ends,
    and the lowest and highest point of each of (k − 2) / 2 equal runs in between (min-max
    decimation, so no peak is cut off)."""
    m = len(y)
    if m <= k:
        return np.arange(m)
    if k < 2:
        return np.array([0])
    buckets = (k - 2) // 2
    keep = [np.array([0, m - 1])]
    if buckets:
        edges = np.linspace(1, m - 1, buckets + 1).astype(int)
        for a, b in zip(edges[:-1], edges[1:]):
            if b > a:
                run = y[a:b]
                keep.append(np.array([a + int(np.argmin(run)), a + int(np.argmax(run))]))
    return np.unique(np.concatenate(keep))


def thin_lines(df: pd.DataFrame, *, breaks=None, keep: tuple = (), max_points: int = MAX_LINE_POINTS,
               x: str = "x", y: str = "y", series: str = "series") -> pd.DataFrame:
    """``df`` with each line's points cut to at most ``max_points`` finite points, drawn alike.

    A line's unbroken runs (:func:`ui.charts.with_segments`: nan, inf and ``breaks`` split
    it) are thinned one by one, each keeping both of its ends and its extremes, so every
    gap and break stays where it was; the non-finite rows stay too (they make the gaps).
    ``keep`` names series drawn point by point (every grid point matters): left whole.
    """
    if not df.index.is_unique:
        df = df.reset_index(drop=True)
    parts = []
    for name, g in df.groupby(series, sort=False):
        yv = g[y].to_numpy(dtype=float)
        finite = np.isfinite(yv)
        if name in keep or finite.sum() <= max_points:
            parts.append(g)
            continue
        runs = charts.with_segments(g, x, y, series, breaks)  # finite rows only, index kept
        sizes = runs.groupby("segment", sort=False).size()
        base = np.minimum(sizes.to_numpy(), 2)
        spare = max(0, max_points - int(base.sum()))
        extra = sizes.to_numpy() - base
        share = np.floor(spare * extra / max(int(extra.sum()), 1)).astype(int)
        chosen = [g.index[~finite]]
        for (_, run), k in zip(runs.groupby("segment", sort=False), base + share):
            chosen.append(run.index[_extremes(run[y].to_numpy(dtype=float), int(k))])
        parts.append(g.loc[np.sort(np.concatenate([np.asarray(c) for c in chosen]))])
    return pd.concat(parts) if parts else df


def _frame_digest(df: pd.DataFrame) -> str:
    """All of a DataFrame's content (Streamlit's own hash samples frames of 50,000 rows or more)."""
    h = hashlib.sha1(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    try:
        h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    except TypeError:  # unhashable cells (lists): their text
        h.update(df.to_json(orient="split", index=False).encode())
    return h.hexdigest()


def _function_digest(fn: types.FunctionType) -> str:
    """A builder by its name and its code (Streamlit cannot hash a function argument itself)."""
    code = fn.__code__
    return hashlib.sha1(repr((fn.__module__, fn.__qualname__, code.co_code, code.co_consts,
                              fn.__defaults__, fn.__kwdefaults__)).encode()).hexdigest()


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False,
               hash_funcs={pd.DataFrame: _frame_digest, types.FunctionType: _function_digest})
def chart_spec(builder, *args, **kwargs) -> dict:
    """``builder(*args, **kwargs)`` as a Vega-Lite spec (:func:`ui.charts.to_vega_lite`), built once
    for every session: the key is the builder (its name and code) and the arguments' content
    (DataFrames in full), so the same chart for a second student costs a lookup.

    Arguments must be plain values or DataFrames; a builder's output must depend on nothing else.
    """
    return charts.sendable(charts.to_vega_lite(builder(*args, **kwargs)))


def chart_panel(chart, data: pd.DataFrame, *, key: str, code: str | None = None,
                caption: str | None = None, y: str = "y", series: str = "series") -> None:
    """Show ``chart`` (an Altair chart, or a spec from :func:`chart_spec`); offer ``data`` as CSV
    and ``code`` as a notebook snippet; count gaps.

    ``key`` must be unique on the page (it names the CSV file too). ``data`` is all the data,
    even when the chart draws fewer points (:func:`thin_lines`).
    """
    st.vega_lite_chart(charts.sendable(chart if isinstance(chart, dict) else charts.to_vega_lite(chart)), width="stretch")
    note = gaps_caption(data, y, series) if y in data.columns else None
    if caption or note:
        st.caption(" ".join(t for t in (caption, note) if t))
    left, right = st.columns([1, 3], vertical_alignment="center")
    left.download_button(
        "⬇️ data (CSV)", data=lambda: data.to_csv(index=False).encode(), file_name=f"{key}.csv",
        mime="text/csv", key=f"csv_{key}", on_click="ignore",
        help="The exact numbers this chart draws (every point computed).",
    )
    if code:
        with right.expander("🐍 the same in a notebook"):
            st.code(code, language="python")


def _python_format(fmt: str) -> str:
    return "{:,.0f}" if fmt == "localized" else "{:" + fmt.removeprefix("%") + "}"


def table(df: pd.DataFrame, *, max_rows: int = MAX_TABLE_ROWS, style=None, caption: str | None = None,
          formats: dict[str, str] | None = None, na_rep: str | None = None, **kwargs) -> None:
    """``st.dataframe`` of at most ``max_rows`` rows, saying so when there are more.

    ``formats`` (column → printf format such as ``"%.2e"``, or ``"localized"``) are applied in
    the browser (``column_config``): a pandas Styler sends every cell twice, as its value and
    as its text, about twice the bytes. Only where a formatted column has a missing value and
    ``na_rep`` says what it means ("undefined") is a Styler used, since column_config cannot
    say it. ``style`` (a function of the shown rows, e.g. ``lambda d: d.style.format(...)``)
    styles only what is sent; ``kwargs`` go to ``st.dataframe``.
    """
    shown = df.head(max_rows) if len(df) > max_rows else df
    if formats:
        cols = [c for c in formats if c in shown.columns]
        if na_rep is not None and shown[cols].isna().to_numpy().any():
            def style(d):
                return d.style.format({c: _python_format(formats[c]) for c in cols}, na_rep=na_rep)
        else:
            kwargs["column_config"] = {**{c: st.column_config.NumberColumn(format=formats[c]) for c in cols},
                                       **kwargs.get("column_config", {})}
    if style is None and kwargs.get("hide_index"):
        # as Arrow without pandas' metadata (about 0.9 KB a table that nothing shows)
        from streamlit import dataframe_util

        shown = dataframe_util.convert_pandas_df_to_arrow_table(shown.reset_index(drop=True)).replace_schema_metadata(None)
    st.dataframe(style(shown) if style else shown, **kwargs)
    notes = [caption] if caption else []
    if len(df) > max_rows:
        notes.append(f"The first {max_rows} of {len(df)} rows are shown.")
    if notes:
        st.caption(" ".join(notes))
