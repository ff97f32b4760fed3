"""Error against step: the data of the chart of error against h, theory's lines, best steps, orders.

A difference scheme of order p at step h makes two errors (see :mod:`core.schemes`):

    truncation ≈ C·h^p       (the Taylor terms the formula drops)
    round-off  ≈ ε·|f(x)|/h  (f's rounding, magnified by dividing by h)

:func:`step_sweep` measures the total against h at one point, :func:`theory_lines`
draws the two terms, :func:`best_steps` reads the best h off a sweep. On a grid,
h ∝ 1/n: :func:`convergence` measures np.gradient's error against n and
:func:`fit_order` fits its order p (error ∝ n^(−p)). Errors are absolute, against
the exact derivative of :mod:`core.reference`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bounds import MAX_EXPONENTIAL_HEIGHT, exponential_height
from .expressions import Function
from .grid import gradient_errors
from .reference import errors as measured
from .reference import exact
from .schemes import SCHEMES, difference, optimal_step

__all__ = ["ZERO_FLOOR", "step_sweep", "best_steps", "taylor_derivatives", "theory_lines",
           "fit_order", "convergence"]

#: Errors of exactly 0 are drawn at this value on log axes (log 0 is −∞).
ZERO_FLOOR = {"float64": 1e-18, "float32": 1e-10}


def step_sweep(fn: Function, x0: float, hs, schemes=tuple(SCHEMES), dtype="float64") -> pd.DataFrame:
    """Error of each scheme at x0 against the step h, computed in ``dtype``.

    error(h) = |D_h f(x0) − f′(x0)|, where f′ is exact (float64, at x0 rounded
    to ``dtype``). Two errors add up:

        truncation ≈ C·h^p   (p = 1 forward/backward, 2 central, 4 central4;
                              C = |f″|/2, |f‴|/6, |f⁽⁵⁾|/30; complex step |f‴|/6·h²)
        round-off  ≈ ε·|f(x0)|/h   (ε = machine epsilon of dtype; none for the
                                    complex step, which subtracts nothing)

    so the total is smallest near h ≈ ε^(1/(p+1)). Columns: ``h, scheme, dtype,
    estimate, exact, error, error_plot, clipped``; ``error_plot`` is ``error``
    with exact zeros raised to :data:`ZERO_FLOOR` (``clipped`` marks them).
    Points where the scheme is undefined (e.g. log at a negative stencil point)
    stay nan.
    """
    dt = np.dtype(dtype)
    name = dt.name
    hs = np.asarray(hs, dtype=np.float64)
    x0d = dt.type(x0)
    want = float(exact(fn, [float(x0d)])[0])
    frames = []
    for scheme in schemes:
        # the scheme at x0 for every step at once, in dtype
        est = difference(fn, np.full(hs.shape, x0d, dtype=dt), hs.astype(dt), scheme).astype(np.float64)
        with np.errstate(all="ignore"):
            err = np.abs(est - want)
        clipped = err == 0
        frames.append(pd.DataFrame({
            "h": hs, "scheme": scheme, "dtype": name, "estimate": est, "exact": want, "error": err,
            "error_plot": np.where(clipped, ZERO_FLOOR.get(name, 1e-18), err), "clipped": clipped,
        }))
    return pd.concat(frames, ignore_index=True)


def best_steps(sweep: pd.DataFrame) -> pd.DataFrame:
    """The h with the smallest error for each (scheme, dtype) of a :func:`step_sweep`.

    For the complex step many steps tie (the error is flat); the largest such h
    is reported. ``theory_h`` is the scheme's own best step (:func:`core.schemes.optimal_step`).
    """
    sweep = sweep.sort_values("h", ascending=False, kind="stable")
    rows = []
    for (scheme, dtype), g in sweep.groupby(["scheme", "dtype"], sort=False):
        err = g["error"].to_numpy(dtype=float)
        ok = np.isfinite(err)
        row = {"scheme": scheme, "dtype": dtype, "best_h": np.nan, "error": np.nan,
               "theory_h": optimal_step(scheme, np.dtype(dtype))}
        if ok.any():
            i = int(np.flatnonzero(ok)[np.argmin(err[ok])])
            row.update(best_h=float(g["h"].iloc[i]), error=float(err[i]))
        rows.append(row)
    return pd.DataFrame(rows)


def taylor_derivatives(fn: Function, x0: float, orders=(2, 3, 5)) -> dict[int, float]:
    """|f⁽ᵏ⁾(x0)| for the given orders, by mpmath at extended precision (nan if undefined).

    Used only for the theory lines; mpmath's high-precision differences avoid
    SymPy's expression swell for high orders of composed functions.
    """
    import mpmath
    import sympy as sp

    out = {k: float("nan") for k in orders}
    if exponential_height(fn.expr) > MAX_EXPONENTIAL_HEIGHT:
        return out  # mpmath would build numbers with astronomically long exponents exactly
    try:
        f = sp.lambdify(fn.symbol, fn.expr, modules="mpmath", cse=True)
        with mpmath.workdps(30):
            for k in orders:
                v = mpmath.diff(f, mpmath.mpf(x0), k)
                if isinstance(v, mpmath.mpc):
                    if abs(v.imag) > 1e-20 * max(1, abs(v.real)):
                        continue
                    v = v.real
                out[k] = abs(float(v))
    except (ValueError, ZeroDivisionError, TypeError, OverflowError, ArithmeticError):
        pass
    return out


#: Truncation constants: error ≈ |f⁽ᵏ⁾(x0)|·c·h^p for each slope p.
_TRUNCATION = {1: (2, 1 / 2, "forward, backward"), 2: (3, 1 / 6, "central, complex step"),
               4: (5, 1 / 30, "fourth-order central")}

_POWER = {1: "h", 2: "h²", 4: "h⁴"}


def theory_lines(fn: Function, x0: float, hs, dtype="float64") -> pd.DataFrame:
    """What theory predicts for error(h): three truncation lines and the round-off line.

    truncation, slope 1: |f″(x0)|/2 · h        (forward, backward)
    truncation, slope 2: |f‴(x0)|/6 · h²       (central; also the complex step)
    truncation, slope 4: |f⁽⁵⁾(x0)|/30 · h⁴    (fourth-order central)
    round-off:           ε·|f(x0)| / h         (every scheme that subtracts)

    Long form ``h, error, series, slope``; lines that are 0 or undefined at x0
    (a straight line has f″ = 0) are left out.
    """
    hs = np.asarray(hs, dtype=np.float64)
    eps = float(np.finfo(np.dtype(dtype)).eps)
    d = taylor_derivatives(fn, x0, orders=(2, 3, 5))
    frames = []
    for p, (k, c, who) in _TRUNCATION.items():
        C = d[k] * c
        if np.isfinite(C) and C > 0:
            frames.append(pd.DataFrame({"h": hs, "error": C * hs**p, "slope": p,
                                        "series": f"theory: truncation ∝ {_POWER[p]} ({who})"}))
    f0 = abs(float(fn.numpy(np.array([float(x0)]))[0]))
    if np.isfinite(f0) and f0 > 0:
        frames.append(pd.DataFrame({"h": hs, "error": eps * f0 / hs, "slope": -1,
                                    "series": f"theory: round-off ε·|f(x₀)|/h (ε = {eps:.1e})"}))
    if not frames:
        return pd.DataFrame({"h": np.array([], dtype=float), "error": np.array([], dtype=float),
                             "slope": np.array([], dtype=int), "series": np.array([], dtype=object)})
    out = pd.concat(frames, ignore_index=True)
    return out[np.isfinite(out["error"]) & (out["error"] > 0)].reset_index(drop=True)


# --- convergence order of np.gradient ----------------------------------------------

def fit_order(ns, errors, floor: float = 0.0, n_min: float = 0.0) -> float:
    """The order p in error ≈ C·n^(−p), by a least-squares line through (log n, log error).

    Only errors that are finite, above ``floor`` (the round-off level) and at
    n ≥ ``n_min`` (the asymptotic regime: coarse grids have not "seen" the
    function yet) take part; with fewer than three such points the order is nan.
    """
    ns = np.asarray(ns, dtype=float)
    errors = np.asarray(errors, dtype=float)
    ok = np.isfinite(errors) & (errors > floor) & (errors > 0) & (ns >= n_min)
    if ok.sum() < 3:
        return float("nan")
    slope = np.polyfit(np.log(ns[ok]), np.log(errors[ok]), 1)[0]
    return float(-slope)


def convergence(fn: Function, lo: float, hi: float, ns, edge_order: int = 1):
    """Largest error of np.gradient on linspace(lo, hi, n) for each n, and the fitted orders.

    With spacing h = (hi − lo)/(n − 1) ∝ 1/n, the interior (central) error falls
    like h², i.e. n^(−2); the two one-sided end points like h^edge_order. So the
    maximum over *all* points has order 1 with ``edge_order=1`` and 2 with
    ``edge_order=2``, while the interior alone has order 2 either way.

    Returns ``(df, orders)``: ``df`` has columns ``n, h, edge_order, interior,
    all`` (the largest absolute error, :func:`core.reference.errors`), ``orders`` is
    ``{"interior": p, "all": p}``, fitted on the finest decade of ``ns``
    (n ≥ max(ns)/10). Errors at the round-off level (below 1e-10 × the largest
    |f′|) are not fitted: a scheme exact for f (central differences on a
    quadratic) has no order to measure.
    """
    rows, scale = [], 1.0
    for n in (int(v) for v in ns):
        g = gradient_errors(fn, np.linspace(lo, hi, n), edge_order)
        got, want = g["approx"].to_numpy(), g["exact"].to_numpy()
        finite = want[np.isfinite(want)]
        if finite.size:
            scale = max(scale, float(np.abs(finite).max()))
        inner = slice(1, -1)
        rows.append({"n": n, "h": (hi - lo) / (n - 1), "edge_order": edge_order,
                     "interior": measured(got[inner], want[inner])["max_abs"],
                     "all": measured(got, want)["max_abs"]})
    df = pd.DataFrame(rows)
    floor = 1e-10 * scale
    n_min = float(df["n"].max()) / 10 if len(df) else 0.0
    orders = {part: fit_order(df["n"], df[part], floor, n_min) for part in ("interior", "all")}
    return df, orders
