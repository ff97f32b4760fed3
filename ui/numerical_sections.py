"""The Numerical page's sections: each reads its widgets, calls core.numerical (cached), charts, lays out.

Sections, in page order:

1. ``gradient_section``   np.gradient on a grid against the exact f′, and its error along x
2. ``kink_section``       |x| on the lab's grid: ±0.5 beside 0, from the stencil
3. ``point_section``      the difference schemes at x₀ as secant lines turning into the tangent
4. ``step_section``       error against h, float64 and float32, theory lines, best h
5. ``order_section``      error against the number of grid points, fitted orders
6. ``cost_section``       evaluations of f each method needs

Every computation goes through a ``st.cache_data`` wrapper keyed by the
function's spec text and plain numbers, so students looking at the same
function share the work; every chart is built once for all of them
(:func:`ui.panels.chart_spec`), its lines thinned to what it can show
(:func:`ui.panels.thin_lines`: gaps and breaks kept, grid points drawn as dots kept whole).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import numerical, reference, snippets
from core.schemes import SCHEMES

from . import charts, panels
from .state import resolve

#: The steps of the step-size explorer: 20 per decade from 1e-16 to 1.
STEPS = np.logspace(-16, 0, 321)
#: Points of each measured line the step chart draws (of the 321 steps; the CSV has every one).
STEP_POINTS = 240
#: Grid sizes of the convergence study (np.gradient on each is cheap).
GRID_SIZES = np.unique(np.geomspace(10, 10_000, 25).astype(int))
KINK_RANGE = (-5.0, 5.0)


def _exact_at(spec: str, x0: float) -> float:
    return float(reference.exact(resolve(spec), [x0])[0])


# --- cached computations -----------------------------------------------------------

@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def gradient_frame(spec: str, lo: float, hi: float, n: int, edge_order: int) -> pd.DataFrame:
    """np.gradient against the exact f′, nan wherever f is undefined (no f, no derivative)."""
    df = numerical.gradient_errors(resolve(spec), np.linspace(lo, hi, int(n)), int(edge_order))
    ok = _defined(spec, df["x"].to_numpy(), lo, hi)
    return df.assign(**{c: np.where(ok, df[c], np.nan) for c in ("exact", "approx", "error")})


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def gradient_curves(spec: str, lo: float, hi: float, n: int, edge_order: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The np.gradient chart's data (every point, for the CSV) and what it draws: the exact f′
    thinned (:func:`ui.panels.thin_lines`, breaks kept), np.gradient's dots all kept."""
    df = gradient_frame(spec, lo, hi, n, edge_order)
    name = f"np.gradient, edge_order={edge_order}"
    curve = pd.concat([exact_curve(spec, lo, hi), pd.DataFrame({"x": df["x"], "y": df["approx"], "series": name})],
                      ignore_index=True)
    return curve, panels.thin_lines(curve, breaks=_breaks(spec, lo, hi), keep=(name,))


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def exact_curve(spec: str, lo: float, hi: float, n: int = 400) -> pd.DataFrame:
    xs = np.linspace(lo, hi, int(n))
    y = np.where(_defined(spec, xs, lo, hi), reference.exact(resolve(spec), xs), np.nan)
    return pd.DataFrame({"x": xs, "y": y, "series": "exact f′"})


def _defined(spec: str, xs, lo: float, hi: float) -> np.ndarray:
    """Where f is defined on ``xs`` (:func:`core.domain.mask` with the cached analysis of [lo, hi])."""
    from core import domain

    from . import data

    return domain.mask(resolve(spec), np.asarray(xs, dtype=float), data.analysis(spec, float(lo), float(hi)))


def _breaks(spec: str, lo: float, hi: float) -> dict:
    """Where lines break: f at its poles, jumps and domain edges; every f′ also at kinks."""
    from . import data

    dom = data.analysis(spec, float(lo), float(hi))
    return {"f(x)": dom.breaks(), "": dom.breaks(derivative=True)}


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def kink_frames(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """np.gradient of |x| on linspace(−5, 5, n): the stencil table and the chart data near 0."""
    fn = resolve("abs(x)")
    xs = np.linspace(*KINK_RANGE, int(n))
    table = numerical.kink_stencil(fn, xs, 0.0, count=3 if n % 2 else 4)
    g = numerical.gradient(fn, xs)
    near = np.abs(xs) <= 1.0
    # sign(x) on [−1, 1] is two flat pieces: their ends draw it, and 0 (undefined, a gap) splits them
    fine = np.linspace(-1, 1, 401)[[0, 199, 200, 201, 400]]
    exact = np.where(fine == 0, np.nan, np.sign(fine))
    chart = pd.concat([
        pd.DataFrame({"x": fine, "y": exact, "series": "exact f′ = sign(x)"}),
        pd.DataFrame({"x": xs[near], "y": g[near], "series": f"np.gradient, {n} points"}),
    ], ignore_index=True)
    return table, chart


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def secant_frame(spec: str, x0: float, hs: tuple[float, ...], scheme: str, window: tuple[float, float]) -> pd.DataFrame:
    fn = resolve(spec)
    lines = numerical.secants(fn, x0, list(hs), scheme, window)
    xs = np.linspace(*window, 240)
    f0 = float(fn.numpy(np.array([x0]))[0])
    slope = _exact_at(spec, x0)
    curve = pd.DataFrame({"x": xs, "y": fn.numpy(xs), "series": "f(x)", "kind": "curve"})
    tangent = pd.DataFrame({"x": np.asarray(window), "y": f0 + slope * (np.asarray(window) - x0),
                            "series": "tangent at x₀ (exact f′)", "kind": "tangent"})
    return pd.concat([curve, tangent, lines], ignore_index=True)


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def schemes_at(spec: str, x0: float, h: float) -> pd.DataFrame:
    """Every scheme at x₀ with step h (float64), against the exact value."""
    fn = resolve(spec)
    x = np.array([x0])
    exact = _exact_at(spec, x0)
    rows = []
    for name, s in SCHEMES.items():
        est = float(numerical.difference(fn, x, h, name)[0])
        rows.append({"method": s.label, "formula": s.formula, "f′(x₀) estimate": est,
                     "|error|": abs(est - exact), "evaluations of f": s.evaluations, "dtype": "float64"})
    return pd.DataFrame(rows)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def sweep_frames(spec: str, x0: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The step sweep in both dtypes, the theory lines of both, and the best steps."""
    fn = resolve(spec)
    sweep = pd.concat([numerical.step_sweep(fn, x0, STEPS, dtype=d) for d in ("float64", "float32")],
                      ignore_index=True)
    theory = pd.concat([numerical.theory_lines(fn, x0, STEPS, d).assign(dtype=d) for d in ("float64", "float32")],
                       ignore_index=True)
    return sweep, theory, numerical.best_steps(sweep)


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def order_frames(spec: str, lo: float, hi: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    fn = resolve(spec)
    frames, orders = [], []
    for eo in (1, 2):
        df, o = numerical.convergence(fn, lo, hi, GRID_SIZES, eo)
        frames.append(df)
        orders.append({"edge_order": eo, "method": "np.gradient", "dtype": "float64",
                       "order, interior": o["interior"], "order, all points (with edges)": o["all"]})
    return pd.concat(frames, ignore_index=True), pd.DataFrame(orders)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def cost_frame(spec: str, n: int, p: int, lo: float, hi: float) -> pd.DataFrame:
    return numerical.cost_table(resolve(spec), int(n), int(p), lo, hi)


# --- helpers ---------------------------------------------------------------------------

def _fmt(v: float, spec: str = ".3e") -> str:
    return "undefined" if not np.isfinite(v) else format(v, spec)


def _clip(err: np.ndarray, dtype: str = "float64") -> tuple[np.ndarray, np.ndarray]:
    err = np.asarray(err, dtype=float)
    zero = err == 0
    return np.where(zero, numerical.ZERO_FLOOR[dtype], err), zero


# --- 1. np.gradient ------------------------------------------------------------------------

def gradient_section(fn, spec: str, lo: float, hi: float, n: int) -> None:
    st.header("np.gradient on a grid")
    edge = st.radio("edge_order (the formula at the two ends)", [1, 2], horizontal=True, key="num_edge",
                    bind="query-params",
                    help="Inside the grid np.gradient always uses the central difference. At the two "
                         "end points there is no left or right neighbour: edge_order=1 uses a one-sided "
                         "first-order difference, edge_order=2 a one-sided second-order one.")
    df = gradient_frame(spec, lo, hi, n, edge)
    approx_name = f"np.gradient, edge_order={edge}"
    curve, drawn = gradient_curves(spec, lo, hi, n, edge)
    code = (snippets.numpy_def(fn) + f"\nxs = np.linspace({lo:g}, {hi:g}, {n})\n"
            f"dfdx = np.gradient(f(xs), xs, edge_order={edge})\n")
    panels.chart_panel(
        panels.chart_spec(charts.curves, drawn, title=f"np.gradient on {n} points (dots) over the exact f′ (float64)",
                          y_title="f′(x)", points=(approx_name,), breaks=_breaks(spec, lo, hi)),
        curve, key="num_gradient", code=code,
        caption="np.gradient only sees the values f(xᵢ): inside it takes (f[i+1] − f[i−1]) / (x[i+1] − x[i−1]), "
                "at the ends a one-sided difference.",
    )

    interior = df["part"] == "interior"
    y, clipped = _clip(df["error"])
    err = pd.DataFrame({
        "x": df["x"], "y": y, "clipped": clipped,  # the error is y, or 0 where clipped (the tooltip says which)
        "series": np.where(interior, "interior: central difference, error ∝ h²",
                           f"edges: one-sided, order {edge}, error ∝ {'h' if edge == 1 else 'h²'}"),
    })
    e_in = df.loc[interior, "error"]
    e_ed = df.loc[~interior, "error"]
    max_in = float(e_in[np.isfinite(e_in)].max()) if np.isfinite(e_in).any() else np.nan
    max_ed = float(e_ed[np.isfinite(e_ed)].max()) if np.isfinite(e_ed).any() else np.nan
    c1, c2, c3 = st.columns(3)
    c1.metric("largest interior error (np.gradient, float64)", _fmt(max_in))
    c2.metric(f"largest edge error (edge_order={edge}, float64)", _fmt(max_ed))
    c3.metric("spacing h", f"{(hi - lo) / (n - 1):.4g}")
    note = f" {int(clipped.sum())} errors of exactly 0 are drawn at {numerical.ZERO_FLOOR['float64']:.0e} (▼)." \
        if clipped.any() else ""
    panels.chart_panel(
        panels.chart_spec(charts.error_along_x, err,
                          title="|np.gradient − exact f′| along x (log scale): the ends stand out"),
        err.assign(error=df["error"]), key="num_gradient_error",
        code=code + snippets.exact_def(fn) + "error = abs(dfdx - fprime(xs))\n",
        caption="Large dots are the two end points. Switch edge_order to 2 and watch them drop." + note,
    )


# --- 2. the kink of |x| ----------------------------------------------------------------------

def kink_section() -> None:
    st.header("The kink of |x|")
    st.markdown("This section always uses f(x) = |x| on [−5, 5], as the lab does. The lab's grid has "
                "**100 points**, an even number, so 0 is not on it: the two points nearest 0 sit at ±h/2.")
    n = st.slider("points on [−5, 5]", 4, 400, 100, step=1, key="num_kink_n", bind="query-params",
                  help="100 is the lab's grid. Try 101: an odd number puts 0 on the grid.")
    table, data = kink_frames(n)
    panels.chart_panel(
        panels.chart_spec(charts.curves, data, title=f"np.gradient of |x| near 0, {n} points on [−5, 5] (float64)",
                          y_title="d|x|/dx", points=(f"np.gradient, {n} points",), clip=False),
        data, key="num_kink", caption="The exact derivative jumps from −1 to 1 at 0 (a gap: undefined there).",
        code=f"import numpy as np\n\nxs = np.linspace(-5, 5, {n})\ndfdx = np.gradient(np.abs(xs), xs)\n"
             "i = np.argsort(np.abs(xs))[:2]\nxs[i], dfdx[i]\n",
    )
    st.markdown("**Why, from the stencil.** At a grid point xᵢ np.gradient returns "
                "(f(xᵢ₊₁) − f(xᵢ₋₁)) / (xᵢ₊₁ − xᵢ₋₁): the slope of the chord over its two neighbours. "
                "When that chord straddles the kink it averages the slopes on both sides.")
    panels.table(table.rename(columns={"gradient": "np.gradient", "exact": "exact f′"}),
                 formats={c: "%.6g" for c in ("x", "x_left", "x_right", "f_left", "f_right", "np.gradient", "exact f′")},
                 na_rep="undefined", hide_index=True, width="stretch")
    if n % 2 == 0:
        row = table[table["x"] < 0].iloc[-1]
        st.markdown(
            f"At x = {row.x:.4f} the chord runs from x = {row.x_left:.4f} (f = {row.f_left:.4f}) to "
            f"x = {row.x_right:.4f} (f = {row.f_right:.4f}): "
            f"({row.f_right:.4f} − {row.f_left:.4f}) / ({row.x_right:.4f} − ({row.x_left:.4f})) = "
            f"**{row.gradient:.4f}**, although |x| has slope −1 there. The chord spans 2h; a quarter of it "
            "(h/2) lies right of 0, where |x| rises with slope +1, three quarters left, where it falls with "
            "slope −1: the chord's slope is the average, ¼·(+1) + ¾·(−1) = −½. Its mirror image gives +½.")
    else:
        row = table.iloc[int(np.argmin(np.abs(table["x"].to_numpy())))]
        st.markdown(
            f"With {n} points (odd) 0 is on the grid. There the chord runs from −h to h over a symmetric "
            f"V: the slope is **{row.gradient:.3g}** (the mean of −1 and 1, and a valid subgradient). "
            "The neighbours' chords end at 0 instead of crossing it, so they are exact: −1 and 1.")


# --- 3. the schemes at a point -----------------------------------------------------------------

def point_section(fn, spec: str, lo: float, hi: float) -> tuple[float, float]:
    """Returns (x₀, h) for the step-size explorer."""
    st.header("Finite differences at a point x₀")
    c1, c2 = st.columns(2)
    # No key: the x₀ slider's limits follow the x-range.
    x0 = c1.slider("x₀", float(lo), float(hi), float(np.clip(1.0, lo, hi)), step=(hi - lo) / 200,
                   format="%.3f")
    scheme = c2.radio("scheme", list(SCHEMES), format_func=lambda s: SCHEMES[s].label, horizontal=True,
                      key="num_scheme", bind="query-params")
    log_h = st.slider("step h = 10^k, k =", -16.0, 0.0, -0.5, step=0.25, key="num_log_h", bind="query-params",
                      help="A log scale: each notch divides h by 10^0.25 ≈ 1.8.")
    h = float(10.0**log_h)
    s = SCHEMES[scheme]
    st.markdown(f"**{s.label}**: f′(x₀) ≈ {s.formula},  truncation error ∝ h{ {1: '', 2: '²', 4: '⁴'}[s.order]}, "
                f"{s.evaluations} evaluation{'s' if s.evaluations > 1 else ''} of f"
                f"{' (complex)' if scheme == 'complex' else ''}; h = {h:.2e}.")
    f0 = float(fn.numpy(np.array([x0]))[0])
    exact = _exact_at(spec, x0)
    if not (np.isfinite(f0) and np.isfinite(exact)):
        st.warning(f"f or f′ is undefined at x₀ = {x0:.4g}: move x₀ to where f is defined.")
        return x0, h

    top = (hi - lo) / 8
    hs = tuple(float(v) for v in np.geomspace(top, h, 5)) if h < top / 1.5 else (h,)
    reach = max(abs(o) for o in s.offsets) * max(hs)
    w = max(1.6 * reach, (hi - lo) / 20)
    window = (x0 - w, x0 + w)
    data = secant_frame(spec, x0, hs, scheme, window)
    panels.chart_panel(
        panels.chart_spec(charts.secant_chart, data, title=f"{s.label} lines at x₀ = {x0:.3g} for h from {hs[0]:.1e} to {h:.1e} "
                                        "(float64)"),
        data, key="num_secants",
        caption="Each line has the slope the scheme computes with that h (its points of f are dots; the "
                "complex step has none on the real axis). As h shrinks the lines turn into the dashed tangent.",
        code=snippets.numpy_def(fn) + f"\nx0, h = {x0!r}, {h!r}\n" + s.code,
    )
    st.subheader(f"Every scheme at x₀ = {x0:.4g} with h = {h:.2e}")
    st.markdown(f"Exact (SymPy `diff`, float64): f′({x0:.4g}) = **{exact:.15g}**")
    panels.table(schemes_at(spec, x0, h), formats={"f′(x₀) estimate": "%.15g", "|error|": "%.2e",
                                                   "evaluations of f": "%.0f"},
                 na_rep="undefined", hide_index=True, width="stretch")
    if "abs" in spec.replace(" ", "") or "Abs" in str(fn.expr):
        st.caption("The complex step needs f to be complex-analytic code: |x| is not, and the complex step "
                   "gives 0 for its slope.")
    return x0, h


# --- 4. the step-size explorer ------------------------------------------------------------------

def _best_label(scheme: str, dtype: str) -> str:
    return f"best h: {SCHEMES[scheme].label} ({dtype})"


def step_frame(sweep: pd.DataFrame, theory: pd.DataFrame, best: pd.DataFrame, dtype: str,
               schemes: list[str]) -> pd.DataFrame:
    """The explorer chart's data in one long frame: measured, theory and best-h rows.

    ``y`` is the error drawn: the error itself, or the floor where it is exactly 0
    (``clipped``; the chart's tooltip says 0 there). A theory line is a power of h, a
    straight line on log-log axes: its two ends draw it exactly.
    """
    sw = sweep[(sweep["dtype"] == dtype) & sweep["scheme"].isin(schemes)]
    measured = pd.DataFrame({"h": sw["h"], "y": sw["error_plot"], "clipped": sw["clipped"],
                             "series": sw["scheme"].map(lambda s: SCHEMES[s].label), "layer": "measured"})
    # each line's highs and lows in STEP_POINTS buckets: its V and its round-off noise band drawn alike
    measured = panels.thin_lines(measured, x="h", max_points=STEP_POINTS)
    th = theory[theory["dtype"] == dtype]
    ends = th.groupby("series", sort=False)["h"].transform(lambda h: (h == h.min()) | (h == h.max())).astype(bool)
    th = th[ends]
    theory_rows = pd.DataFrame({"h": th["h"], "y": th["error"], "clipped": False,
                                "series": th["series"], "layer": "theory"})
    b = best[(best["dtype"] == dtype) & best["scheme"].isin(schemes) & np.isfinite(best["error"])]
    by, bclip = _clip(b["error"].to_numpy(), dtype)
    best_rows = pd.DataFrame({"h": b["best_h"], "y": by, "clipped": bclip,
                              "series": [_best_label(s, dtype) for s in b["scheme"]], "layer": "best"})
    return pd.concat([measured, theory_rows, best_rows], ignore_index=True)


def step_section(fn, spec: str, x0: float, h: float) -> None:
    st.header("The step-size trade-off")
    st.markdown("Shrinking h cuts the **truncation** error (the Taylor terms the formula drops, ∝ hᵖ) but "
                "raises the **round-off** error: f is only known to about ε·|f|, and dividing a difference of "
                "nearly equal numbers by h magnifies that to ε·|f|/h. The total is smallest near h ≈ ε^(1/(p+1)). "
                "The complex step subtracts nothing, so it has no round-off floor.")
    f0 = float(fn.numpy(np.array([x0]))[0])
    if not (np.isfinite(f0) and np.isfinite(_exact_at(spec, x0))):
        st.warning(f"f or f′ is undefined at x₀ = {x0:.4g}: move x₀ to where f is defined.")
        return
    c1, c2 = st.columns([1, 2])
    dtype = c1.radio("dtype", ["float64", "float32"], horizontal=True, key="num_dtype", bind="query-params",
                     help="float32 has ε ≈ 1.2e-7 instead of 2.2e-16: the best h moves up and its error with it.")
    schemes = c2.multiselect("schemes", list(SCHEMES), default=list(SCHEMES), key="num_schemes",
                             bind="query-params", format_func=lambda s: SCHEMES[s].label) or list(SCHEMES)
    with st.spinner("Sweeping h from 1e-16 to 1 …"):
        sweep, theory, best = sweep_frames(spec, float(x0))
    data = step_frame(sweep, theory, best, dtype, schemes)
    n_zero = int(data.loc[data["layer"] == "measured", "clipped"].sum())
    floor = numerical.ZERO_FLOOR[dtype]
    clip_note = (f" {n_zero} errors came out exactly 0 (the estimate hit the exact value to the last bit); "
                 f"log 0 is −∞, so they are drawn at {floor:.0e} as ▼." if n_zero else
                 f" Errors of exactly 0 would be drawn at {floor:.0e} (none here).")
    panels.chart_panel(
        panels.chart_spec(charts.step_error_chart, data, h_mark=h, title=f"Error against h at x₀ = {x0:.4g}, {dtype} (log-log)"),
        data.assign(error=np.where(data["clipped"], 0.0, data["y"])), key=f"num_steps_{dtype}",
        caption="Solid: measured |estimate − exact f′(x₀)|. Dashed: theory (truncation slopes 1, 2, 4 and "
                "round-off ε·|f(x₀)|/h). Diamonds: the best h of each scheme. Dotted rule: the h chosen "
                "above." + clip_note,
        code=snippets.numpy_def(fn) + f"\nx0 = np.{dtype}({x0!r})\nhs = np.logspace(-16, 0, 321).astype(np.{dtype})\n"
             + snippets.exact_def(fn) + "exact = fprime(x0)\n"
             "central = (f(x0 + hs) - f(x0 - hs)) / (2 * hs)\n"
             f"complex_step = np.imag(f(x0.astype(np.complex{128 if dtype == 'float64' else 64}) + 1j * hs)) / hs\n"
             "error = np.abs(central - exact)\n",
    )
    table = best.copy()
    table["scheme"] = table["scheme"].map(lambda s: SCHEMES[s].label)
    table = table.rename(columns={"best_h": "best h (measured)", "error": "error there",
                                  "theory_h": "theory h ≈ ε^(1/(p+1))"})
    st.subheader("Best step per scheme (both dtypes)")
    panels.table(table, formats={"best h (measured)": "%.2e", "error there": "%.2e", "theory h ≈ ε^(1/(p+1))": "%.1e"},
                 na_rep="undefined", hide_index=True, width="stretch")
    st.caption("For the complex step the error is flat: every h from about 1e-8 down to 1e-16 is as good; "
               "the table gives the largest of the tied steps, and theory's 'best' is any tiny h.")


# --- 5. convergence order -------------------------------------------------------------------------

def order_frame(conv: pd.DataFrame) -> pd.DataFrame:
    """The convergence chart's long data: interior (same for both edge orders), all points per edge order."""
    e1 = conv[conv["edge_order"] == 1]
    e2 = conv[conv["edge_order"] == 2]
    return pd.concat([
        pd.DataFrame({"n": e1["n"], "y": e1["interior"], "series": "interior (central; both edge orders)"}),
        pd.DataFrame({"n": e1["n"], "y": e1["all"], "series": "all points, edge_order=1"}),
        pd.DataFrame({"n": e2["n"], "y": e2["all"], "series": "all points, edge_order=2"}),
    ], ignore_index=True)


def order_section(fn, spec: str, lo: float, hi: float) -> None:
    st.header("Convergence order")
    st.markdown(f"np.gradient on linspace({lo:g}, {hi:g}, n) for n from {GRID_SIZES[0]} to {GRID_SIZES[-1]:,}: "
                "the largest error against n. On log-log axes a scheme of order p is a line of slope −p, "
                "because h ∝ 1/n.")
    conv, orders = order_frames(spec, lo, hi)
    data = order_frame(conv)
    panels.chart_panel(
        panels.chart_spec(charts.convergence_chart, data, title="Largest |np.gradient − exact f′| against n (float64, log-log)"),
        data, key="num_orders",
        code=snippets.numpy_def(fn) + snippets.exact_def(fn) + "\nns, errors = [10, 100, 1000, 10000], []\n"
             "for n in ns:\n"
             f"    xs = np.linspace({lo:g}, {hi:g}, n)\n"
             "    error = np.abs(np.gradient(f(xs), xs, edge_order=1) - fprime(xs))\n"
             "    errors.append(np.nanmax(error[1:-1]))\n"
             "    print(n, errors[-1], np.nanmax(error))\n"
             "order = -np.polyfit(np.log(ns), np.log(errors), 1)[0]\n",
        caption="Slopes are fitted on the finest decade (n ≥ 1,000), where the grid resolves f; errors at "
                "round-off level are left out of the fit.",
    )
    st.subheader("Fitted orders (np.gradient, float64)")
    panels.table(orders, formats={"order, interior": "%.2f", "order, all points (with edges)": "%.2f"},
                 na_rep="exact: no order", hide_index=True, width="stretch")
    o_in = orders["order, interior"].iloc[0]
    if np.isnan(o_in):
        st.caption("The interior error is at round-off level for every n: the central difference is exact "
                   "for this function (it is at most quadratic where it matters).")
    elif o_in < 1.5:
        st.caption("The interior order is far below 2: f is not smooth on this range (a kink, a pole or an "
                   "endpoint where f′ blows up), and near it the error does not shrink like h².")


# --- 6. cost -------------------------------------------------------------------------------------

def cost_section(fn, spec: str, lo: float, hi: float, n: int) -> None:
    st.header("The price: evaluations of f")
    st.markdown("A numerical derivative costs evaluations of f, and a gradient costs them once per "
                "parameter. A model with p parameters needs p + 1 evaluations for forward differences, 2p "
                "for central ones: a million parameters, two million runs of the model for one gradient. "
                "Reverse-mode autodiff (the Automatic page) gets all p partial derivatives for a small "
                "constant multiple of one evaluation.")
    p = st.select_slider("parameters p", [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000], value=100,
                         key="num_p", bind="query-params")
    table = cost_frame(spec, n, p, lo, hi).copy()
    grid_p = float(table.loc[table["method"] == "np.gradient", "p_params"].iloc[0])
    table.loc[table["method"] == "np.gradient", "p_params"] = np.nan  # a grid method: see the caption
    # np.gradient has no gradient count: words, not a missing number (a Styler would send every cell twice)
    show = table.assign(p_params=[f"{v:,.0f}" if np.isfinite(v) else "— (see below)" for v in table["p_params"]])
    show = show.rename(columns={"per_value": "per derivative value", "counted": f"counted: f′ at {n} points",
                                "p_params": f"gradient in {p:,} parameters"})
    panels.table(show.drop(columns=["n_points", "complex", "formula"]),
                 formats={"per derivative value": "%.0f", f"counted: f′ at {n} points": "localized"}, na_rep="—",
                 hide_index=True, width="stretch")
    st.caption(f"np.gradient has no row for a gradient: it needs f on a whole grid, at least 2 points per axis, "
               f"so 2ᵖ = {grid_p:.3g} values for p = {p:,} — the curse of dimensionality.")
    bars = pd.concat([
        pd.DataFrame({"method": table["method"], "evaluations": table["counted"].astype(float),
                      "what": f"f′ at {n} grid points (counted)"}),
        pd.DataFrame({"method": table["method"], "evaluations": table["p_params"],
                      "what": f"one gradient in {p:,} parameters"}).dropna(),
    ], ignore_index=True)
    panels.chart_panel(
        panels.chart_spec(charts.cost_bars, bars, title="Evaluations of f each method needs (log scale)"),
        bars, key="num_cost", y="evaluations", series="what",
        caption="Counted: the points at which f was actually evaluated on this page's grid. The complex step "
                "evaluates f once per value, but in complex arithmetic (about 2 to 4 times dearer). "
                "np.gradient reuses neighbours on a 1-D grid.",
        code=snippets.numpy_def(fn) + f"\ncalls = 0\n\ndef counted(x):\n    global calls\n"
             "    calls += np.size(x)\n    return f(x)\n\n"
             f"xs = np.linspace({lo:g}, {hi:g}, {n})\nh = 1e-6\n"
             "(counted(xs + h) - counted(xs - h)) / (2 * h)\nprint(calls)  # 2 per point for central\n",
    )
