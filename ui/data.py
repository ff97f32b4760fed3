"""Cached computations shared by every session (keyed by text, never by SymPy objects).

``st.cache_data`` keeps results of pure ``core`` calls so that thirty students
looking at the same function and range compute it once. Arguments are plain
strings and numbers; each cache is bounded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import autodiff, numerical, symbolic

from .state import resolve

SERIES = {
    "f": "f(x)",
    "symbolic": "symbolic: SymPy diff (exact)",
    "numerical": "numerical: np.gradient",
    "autodiff": "autodiff: JAX vmap(grad)",
}


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def three_ways(spec: str, lo: float, hi: float, n: int, dtype: str = "float64") -> pd.DataFrame:
    """f and f′ by all three methods on linspace(lo, hi, n), as a long DataFrame."""
    fn = resolve(spec)
    xs = np.linspace(lo, hi, int(n)).astype(dtype)
    values = {
        SERIES["f"]: fn.numpy(xs),
        SERIES["symbolic"]: symbolic.derivative_values(fn, xs).astype(dtype),
        SERIES["numerical"]: numerical.gradient(fn, xs),
        SERIES["autodiff"]: autodiff.derivative(fn, xs),
    }
    frames = [pd.DataFrame({"x": xs.astype(float), "y": np.asarray(v, dtype=float), "series": name})
              for name, v in values.items()]
    return pd.concat(frames, ignore_index=True)


def central_step(x0: float) -> float:
    """The central difference's step at x₀ on Home: the theory's best, scaled by |x₀|."""
    return numerical.optimal_step("central") * max(1.0, abs(float(x0)))


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def at_point(spec: str, x0: float) -> pd.DataFrame:
    """f′(x0) from each method with its error against the exact value (float64)."""
    fn = resolve(spec)
    x = np.array([x0], dtype=np.float64)
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
    return out


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
