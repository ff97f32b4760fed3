"""Cached computations shared by every session (keyed by text, never by SymPy objects).

``st.cache_data`` keeps results of pure ``core`` calls so that thirty students
looking at the same function and range compute it once. Arguments are plain
strings and numbers; each cache is bounded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import autodiff, domain, numerical, presets, symbolic

from .state import resolve

SERIES = {
    "f": "f(x)",
    "symbolic": "symbolic: SymPy diff (exact)",
    "numerical": "numerical: np.gradient",
    "autodiff": "autodiff: JAX vmap(grad)",
}


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def analysis(spec: str, lo: float, hi: float) -> domain.Domain:
    """Where f exists on [lo, hi] and where its lines break (:func:`core.domain.analyse`)."""
    return domain.analyse(resolve(spec), float(lo), float(hi))


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def reading_range(spec: str) -> tuple[float, float]:
    """The x-range the function reads well on, from its preset's range (or [−5, 5]),
    its domain and its growth (:func:`core.domain.reading_range`)."""
    return domain.reading_range(resolve(spec), presets.default_range(spec))


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def three_ways(spec: str, lo: float, hi: float, n: int, dtype: str = "float64") -> pd.DataFrame:
    """f and f′ by all three methods on linspace(lo, hi, n), as a long DataFrame.

    Every value is nan where f is undefined (:func:`core.domain.mask`): no method's
    estimate is drawn where there is no function to differentiate.
    """
    fn = resolve(spec)
    xs = np.linspace(lo, hi, int(n)).astype(dtype)
    defined = domain.mask(fn, xs.astype(float), analysis(spec, lo, hi))
    values = {
        SERIES["f"]: fn.numpy(xs),
        SERIES["symbolic"]: symbolic.derivative_values(fn, xs).astype(dtype),
        SERIES["numerical"]: numerical.gradient(fn, xs),
        SERIES["autodiff"]: autodiff.derivative(fn, xs),
    }
    frames = [pd.DataFrame({"x": xs.astype(float), "y": np.where(defined, np.asarray(v, dtype=float), np.nan),
                            "series": name})
              for name, v in values.items()]
    return pd.concat(frames, ignore_index=True)



def line_breaks(spec: str, lo: float, hi: float) -> dict[str, list[float]]:
    """Where each of :func:`three_ways`' lines must break: f at f's breaks, every f′ at f′'s."""
    dom = analysis(spec, lo, hi)
    return {SERIES["f"]: dom.breaks(), **{SERIES[k]: dom.breaks(derivative=True)
                                          for k in ("symbolic", "numerical", "autodiff")}}


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def three_ways_drawn(spec: str, lo: float, hi: float, n: int, dtype: str = "float64") -> pd.DataFrame:
    """:func:`three_ways` as Home draws it: each line thinned to what the chart can show
    (:func:`ui.panels.thin_lines`, breaks and gaps kept); np.gradient's dots all kept,
    since the point of them is to show every grid point."""
    from .panels import thin_lines

    return thin_lines(three_ways(spec, lo, hi, n, dtype), breaks=line_breaks(spec, lo, hi),
                      keep=(SERIES["numerical"],))

#: Positions of the tangent the chart's own slider steps through (the x₀ slider's steps).
TANGENT_STEPS = 200


def x0_step(lo: float, hi: float) -> float:
    return (hi - lo) / TANGENT_STEPS


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def tangents(spec: str, lo: float, hi: float) -> pd.DataFrame:
    """Short tangent segments at every step of x₀ on [lo, hi] (exact slope, float64),
    for the chart's slider to move through in the browser; none where f or f′ is undefined."""
    fn = resolve(spec)
    x0s = lo + x0_step(lo, hi) * np.arange(TANGENT_STEPS + 1)
    dom = analysis(spec, lo, hi)
    ok = domain.mask(fn, x0s, dom)
    with np.errstate(all="ignore"):
        f0 = np.where(ok, fn.numpy(x0s), np.nan)
        slope = np.where(ok, symbolic.derivative_values(fn, x0s), np.nan)
    # f′ does not exist at a kink or a pole of f′ (|x| at 0): no tangent there either
    for p in dom.breaks(derivative=True):
        slope[np.abs(x0s - p) < 1e-12 * max(1.0, abs(p))] = np.nan
    from . import charts

    return charts.tangent_table(x0s, f0, slope, half_width=(hi - lo) / 10)


def central_step(x0: float) -> float:
    """The central difference's step at x₀ on Home: the theory's best, scaled by |x₀|."""
    return numerical.optimal_step("central") * max(1.0, abs(float(x0)))


def _reason(value: float, defined: bool, broken: bool) -> str:
    if not defined:
        return "— f is undefined at x₀"
    if broken:
        return "— f′ does not exist at x₀ (a kink, jump or pole)"
    if np.isnan(value):
        return "— nan (0/0 or ∞ − ∞ on the way)"
    if np.isinf(value):
        return "— overflow (beyond float64's 1.8e308)"
    return ""


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def at_point(spec: str, x0: float) -> pd.DataFrame:
    """f′(x0) from each method with its error against the exact value (float64), and a
    note (``—`` and the reason) where a value is not a number."""
    fn = resolve(spec)
    x = np.array([x0], dtype=np.float64)
    r = 1e-3 * (1 + abs(x0))
    dom = domain.analyse(fn, x0 - r, x0 + r)
    defined = bool(domain.mask(fn, x, dom)[0])
    broken = any(abs(p - x0) <= 1e-12 * max(1.0, abs(x0)) for p in dom.breaks(derivative=True))
    exact = float(symbolic.derivative_values(fn, x)[0])
    h = central_step(x0)
    rows = [
        ("symbolic", "lambdify(diff(f, x))", exact),
        ("numerical", f"central difference, h = {h:.1e}", float(numerical.difference(fn, x, h, "central")[0])),
        ("autodiff", "jax.grad(f)", autodiff.derivative_at(fn, x0)),
    ]
    out = pd.DataFrame(rows, columns=["method", "how", "f′(x₀)"])
    out["error vs exact"] = (out["f′(x₀)"] - exact).abs()
    out["dtype"] = "float64"
    out["note"] = [_reason(v, defined, broken) for v in out["f′(x₀)"]]
    return out


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def agreement(spec: str, x0: float) -> dict:
    """Whether autodiff and symbolic agree at x₀ to within what rounding explains.

    Both evaluate f′ in float64 by different sequences of operations. Rounding x₀ alone
    (relative error ε) moves f′ by about ε·|x₀·f″(x₀)|, and each evaluation rounds its
    own result by a few ulps of |f′|, so the bound used is
    ``8·ε·(|f′(x₀)| + |x₀|·|f″(x₀)|)`` (f″ exact from SymPy, or by JAX when SymPy's
    tree would be too large). ``amplified`` says when the second term, rounding
    amplified by a large f″ near x₀, is what makes the bound large.
    """
    fn = resolve(spec)
    x = np.array([x0], dtype=np.float64)
    eps = float(np.finfo(np.float64).eps)
    with np.errstate(all="ignore"):
        d1 = float(symbolic.derivative_values(fn, x)[0])
        ad = float(autodiff.derivative_at(fn, x0))
        try:
            d2 = float(symbolic.derivative_values(fn, x, 2)[0])
        except Exception:  # noqa: BLE001  (too large here: JAX's f″ is bounded by the program)
            d2 = float(autodiff.derivative_at(fn, x0, 2))
        diff = abs(ad - d1)
        amp = abs(x0) * abs(d2)
        bound = 8 * eps * (abs(d1) + amp)
    finite = all(np.isfinite(v) for v in (d1, ad, d2, bound))
    return {"symbolic": d1, "autodiff": ad, "second": d2, "difference": diff, "bound": bound,
            "finite": bool(finite), "agree": bool(finite and diff <= max(bound, np.finfo(np.float64).tiny)),
            "amplified": bool(finite and amp > 1e3 * max(abs(d1), np.finfo(np.float64).tiny))}


#: Derivatives larger than this (as a tree) are summarised instead of printed.
MAX_LATEX_OPS = 400


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def derivative_latex(spec: str, order: int = 1) -> tuple[str, int]:
    """LaTeX of the order-th derivative (or a note when it is too big to read), and its op count."""
    import sympy as sp

    d = symbolic.derivative(resolve(spec), order)
    ops = symbolic.count_ops(d)
    if ops > MAX_LATEX_OPS:
        return r"\text{(a tree of %d operations: too big to print)}" % ops, ops
    return sp.latex(d), ops


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def method_vs_exact(spec: str, method: str, lo: float, hi: float, n: int) -> pd.DataFrame:
    """One method's f′ against the exact f′ on linspace(lo, hi, n), long form, float64."""
    fn = resolve(spec)
    xs = np.linspace(lo, hi, int(n))
    exact = symbolic.derivative_values(fn, xs)
    if method == "symbolic":
        got = symbolic.derivative_function(fn)(xs)
    elif method == "numerical":
        got = numerical.gradient(fn, xs)
    elif method == "autodiff":
        got = autodiff.derivative(fn, xs)
    else:
        raise ValueError(f"unknown method {method!r}")
    return pd.concat([
        pd.DataFrame({"x": xs, "y": exact, "series": "exact f′"}),
        pd.DataFrame({"x": xs, "y": np.asarray(got, dtype=float), "series": SERIES[method]}),
    ], ignore_index=True)
