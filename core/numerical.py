"""Numerical differentiation with NumPy: differences of function values.

Every formula here uses only values of f, never its expression, so it works
for any function you can evaluate, and it is never exact:

* truncation error: the Taylor terms the formula drops, proportional to h^p
  for a scheme of order p;
* round-off error: f is known only to about ε·|f| (ε = machine epsilon), and
  dividing a difference of nearly equal numbers by h magnifies that to ε/h.

Their sum is smallest near h ≈ ε^(1/(p+1)). The complex step
f'(x) ≈ Im f(x + ih) / h subtracts nothing, so it has no round-off floor, but it
needs f to be complex-analytic code (it gives 0 for |x|).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .expressions import Function

__all__ = [
    "gradient", "difference", "SCHEMES", "Scheme", "optimal_step",
    "gradient_errors", "kink_stencil", "secants", "step_sweep", "best_steps", "theory_lines",
    "convergence", "fit_order", "evaluations", "count_evaluations", "cost_table", "ZERO_FLOOR",
]


def gradient(fn: Function, xs, edge_order: int = 1) -> np.ndarray:
    """``np.gradient(f(xs), xs)``: the derivative estimated from values on a grid.

    Inside the grid it is the second-order central difference
    (f[i+1] − f[i−1]) / (x[i+1] − x[i−1]) (for uneven spacing, its weighted
    form); at the two ends a one-sided difference of order ``edge_order``
    (1 or 2). It costs no extra evaluations beyond f on the grid.
    """
    xs = np.asarray(xs)
    if not np.issubdtype(xs.dtype, np.inexact):
        xs = xs.astype(np.float64)
    if edge_order not in (1, 2):
        raise ValueError("edge_order must be 1 or 2")
    if xs.size < edge_order + 1:
        raise ValueError(f"np.gradient needs at least {edge_order + 1} points")
    with np.errstate(all="ignore"):
        return np.gradient(fn.numpy(xs), xs, edge_order=edge_order)


@dataclass(frozen=True)
class Scheme:
    """One difference formula: its maths, its accuracy, and its cost."""

    name: str
    formula: str          # plain-text formula for f'(x)
    order: int            # truncation error ~ h^order
    evaluations: int      # evaluations of f per derivative value
    rule: Callable        # (f, x, h) -> estimate of f'(x)
    label: str = ""       # what a student reads
    offsets: tuple = ()   # stencil: f is evaluated at x + offset·h (complex: x + i·h)


def _forward(f, x, h):
    return (f(x + h) - f(x)) / h


def _backward(f, x, h):
    return (f(x) - f(x - h)) / h


def _central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def _central4(f, x, h):
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


def _complex(f, x, h):
    return np.imag(f(x + 1j * h)) / h


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in [
        Scheme("forward", "(f(x+h) − f(x)) / h", 1, 2, _forward, "forward", (0, 1)),
        Scheme("backward", "(f(x) − f(x−h)) / h", 1, 2, _backward, "backward", (-1, 0)),
        Scheme("central", "(f(x+h) − f(x−h)) / 2h", 2, 2, _central, "central", (-1, 1)),
        Scheme("central4", "(−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h", 4, 4, _central4,
               "fourth-order central", (-2, -1, 1, 2)),
        Scheme("complex", "Im f(x + ih) / h", 2, 1, _complex, "complex step", (1j,)),
    ]
}


def difference(fn: Function, xs, h: float, scheme: str = "central") -> np.ndarray:
    """Estimate f'(xs) with the named difference scheme and step ``h``.

    ``scheme`` is one of "forward", "backward", "central", "central4"
    (fourth-order central) or "complex" (complex step). The arithmetic runs in
    the dtype of ``xs`` (complex64 for the complex step on float32).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    xs = np.asarray(xs)
    if not np.issubdtype(xs.dtype, np.floating):
        xs = xs.astype(np.float64)
    dtype = xs.dtype
    step = np.asarray(h, dtype=dtype)  # a number, or one step per point
    if scheme == "complex":
        cdtype = np.complex64 if dtype == np.float32 else np.complex128
        f = lambda z: fn.numpy(np.asarray(z, dtype=cdtype))  # noqa: E731
        xs = xs.astype(cdtype)
    else:
        f = fn.numpy
    with np.errstate(all="ignore"):
        out = SCHEMES[scheme].rule(f, xs, step)
    return np.real(out).astype(dtype)


def optimal_step(scheme: str, dtype=np.float64) -> float:
    """Theory's best step ε^(1/(p+1)): truncation ~ h^p balanced against round-off ~ ε/h."""
    eps = float(np.finfo(dtype).eps)
    if scheme == "complex":
        return 1e-20 if dtype == np.float64 else 1e-10
    return eps ** (1.0 / (SCHEMES[scheme].order + 1))


# --- np.gradient on a grid: where its error lives ---------------------------------

def _exact(fn: Function, xs) -> np.ndarray:
    """The exact f′ in float64 (SymPy's derivative, lambdified): the reference."""
    from .symbolic import derivative_values

    return derivative_values(fn, np.asarray(xs, dtype=np.float64))


def gradient_errors(fn: Function, xs, edge_order: int = 1) -> pd.DataFrame:
    """np.gradient against the exact f′, point by point (float64).

    Columns: ``x``, ``exact``, ``approx`` (np.gradient), ``error`` = |approx − exact|
    and ``part``: "edge" for the two end points (one-sided difference of order
    ``edge_order``, error ~ h^edge_order) and "interior" for the rest (central,
    error ≈ h²·|f‴(x)|/6). Undefined values stay nan.
    """
    xs = np.asarray(xs, dtype=np.float64)
    approx = gradient(fn, xs, edge_order)
    exact = _exact(fn, xs)
    with np.errstate(all="ignore"):
        error = np.abs(approx - exact)
    part = np.full(xs.size, "interior", dtype=object)
    part[[0, -1]] = "edge"
    return pd.DataFrame({"x": xs, "exact": exact, "approx": approx, "error": error, "part": part})


def kink_stencil(fn: Function, xs, at: float = 0.0, count: int = 3) -> pd.DataFrame:
    """What np.gradient does at the grid points nearest ``at`` (a kink), from its stencil.

    At an interior point i np.gradient (uniform grid) returns

        g[i] = (f[i+1] − f[i−1]) / (x[i+1] − x[i−1]),

    the slope of the chord over the two neighbours. For f = |x| on
    linspace(−5, 5, 100) the points beside 0 are x = ±h/2 (h = 10/99); the
    chord from −3h/2 to h/2 gives (h/2 − 3h/2) / 2h = −0.5, and its mirror +0.5,
    although f′ = ∓1 there. With an odd number of points 0 is on the grid: the
    chord over (−h, h) gives 0 at x = 0 (the average of −1 and 1) and its
    neighbours, whose chords no longer straddle the kink, are exact (±1).

    Returns the ``count`` points nearest ``at``, sorted by x, with the stencil
    values: ``i, x, x_left, x_right, f_left, f_right, gradient, exact``.
    """
    xs = np.asarray(xs, dtype=np.float64)
    g = gradient(fn, xs)
    f = fn.numpy(xs)
    exact = _exact(fn, xs)
    nearest = np.sort(np.argsort(np.abs(xs - at), kind="stable")[:count])
    rows = []
    for i in nearest:
        lft = max(i - 1, 0)
        rgt = min(i + 1, xs.size - 1)
        rows.append({"i": int(i), "x": xs[i], "x_left": xs[lft], "x_right": xs[rgt],
                     "f_left": f[lft], "f_right": f[rgt], "gradient": g[i], "exact": exact[i]})
    return pd.DataFrame(rows)


# --- difference schemes at one point ---------------------------------------------

def secants(fn: Function, x0: float, hs, scheme: str = "central", window=None) -> pd.DataFrame:
    """Lines whose slopes are the scheme's estimates of f′(x0), one per step h.

    For forward, backward and central the estimate *is* the slope of a chord,
    and the line drawn goes through the outer two stencil points
    (x0 + a·h, f(x0 + a·h)); for central4 and the complex step it is a line
    through (x0, f(x0)) with the estimated slope. As h → 0 the lines turn into
    the tangent y = f(x0) + f′(x0)(x − x0).

    Returns long form: ``x, y, h, slope, series, kind`` with ``kind`` "line"
    (two rows per h, at the ends of ``window``, default x0 ± 2.5·max h) or
    "stencil" (the points of f the scheme used; none for the complex step).
    """
    s = SCHEMES[scheme]
    hs = [float(h) for h in np.atleast_1d(hs)]
    if window is None:
        w = 2.5 * max(hs)
        window = (x0 - w, x0 + w)
    ends = np.asarray(window, dtype=np.float64)
    x = np.array([x0], dtype=np.float64)
    f0 = float(fn.numpy(x)[0])
    rows = []
    for h in hs:
        slope = float(difference(fn, x, h, scheme)[0])
        name = f"{s.label}, h = {h:.1e}"
        if scheme in ("forward", "backward", "central"):
            a = x0 + s.offsets[0] * h  # the secant passes through the stencil's first point
            fa = float(fn.numpy(np.array([a]))[0])
            xa, ya = a, fa
        else:
            xa, ya = x0, f0
        for xe in ends:
            rows.append({"x": xe, "y": ya + slope * (xe - xa), "h": h, "slope": slope,
                         "series": name, "kind": "line"})
        if scheme != "complex":
            pts = np.array([x0 + o * h for o in s.offsets], dtype=np.float64)
            for xp, yp in zip(pts, fn.numpy(pts)):
                rows.append({"x": xp, "y": float(yp), "h": h, "slope": slope, "series": name,
                             "kind": "stencil"})
    return pd.DataFrame(rows)


#: Errors of exactly 0 are drawn at this value on log axes (log 0 is −∞).
ZERO_FLOOR = {"float64": 1e-18, "float32": 1e-10}


def _estimate(fn: Function, x0, hs, scheme: str) -> np.ndarray:
    """The scheme at x0 for many steps at once, in the dtype of ``hs``."""
    return difference(fn, np.full(hs.shape, x0, dtype=hs.dtype), hs, scheme)


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
    exact = float(_exact(fn, [float(x0d)])[0])
    frames = []
    for scheme in schemes:
        est = _estimate(fn, x0d, hs.astype(dt), scheme).astype(np.float64)
        with np.errstate(all="ignore"):
            err = np.abs(est - exact)
        clipped = err == 0
        frames.append(pd.DataFrame({
            "h": hs, "scheme": scheme, "dtype": name, "estimate": est, "exact": exact, "error": err,
            "error_plot": np.where(clipped, ZERO_FLOOR.get(name, 1e-18), err), "clipped": clipped,
        }))
    return pd.concat(frames, ignore_index=True)


def best_steps(sweep: pd.DataFrame) -> pd.DataFrame:
    """The h with the smallest error for each (scheme, dtype) of a :func:`step_sweep`.

    For the complex step many steps tie (the error is flat); the largest such h
    is reported. ``theory_h`` is ε^(1/(p+1)) from :func:`optimal_step`.
    """
    sweep = sweep.sort_values("h", ascending=False, kind="stable")
    rows = []
    for (scheme, dtype), g in sweep.groupby(["scheme", "dtype"], sort=False):
        err = g["error"].to_numpy(dtype=float)
        ok = np.isfinite(err)
        if not ok.any():
            rows.append({"scheme": scheme, "dtype": dtype, "best_h": np.nan, "error": np.nan,
                         "theory_h": optimal_step(scheme, np.dtype(dtype))})
            continue
        i = int(np.flatnonzero(ok)[np.argmin(err[ok])])
        rows.append({"scheme": scheme, "dtype": dtype, "best_h": float(g["h"].iloc[i]),
                     "error": float(err[i]), "theory_h": optimal_step(scheme, np.dtype(dtype))})
    return pd.DataFrame(rows)


def taylor_derivatives(fn: Function, x0: float, orders=(2, 3, 5)) -> dict[int, float]:
    """|f⁽ᵏ⁾(x0)| for the given orders, by mpmath at extended precision (nan if undefined).

    Used only for the theory lines; mpmath's high-precision differences avoid
    SymPy's expression swell for high orders of composed functions.
    """
    import mpmath
    import sympy as sp

    from .bounds import MAX_EXPONENTIAL_HEIGHT, exponential_height

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
    all`` (maximum |error| over the finite points), ``orders`` is
    ``{"interior": p, "all": p}``, fitted on the finest decade of ``ns``
    (n ≥ max(ns)/10). Errors at the round-off level (below 1e-10 × the largest
    |f′|) are not fitted: a scheme exact for f (central differences on a
    quadratic) has no order to measure.
    """
    rows, scale = [], 1.0
    for n in (int(v) for v in ns):
        xs = np.linspace(lo, hi, n)
        g = gradient_errors(fn, xs, edge_order)
        err = g["error"].to_numpy()
        ok = np.isfinite(err)
        finite_exact = g["exact"].to_numpy()[np.isfinite(g["exact"].to_numpy())]
        if finite_exact.size:
            scale = max(scale, float(np.abs(finite_exact).max()))
        inner = ok.copy()
        inner[[0, -1]] = False
        rows.append({"n": n, "h": (hi - lo) / (n - 1), "edge_order": edge_order,
                     "interior": float(err[inner].max()) if inner.any() else np.nan,
                     "all": float(err[ok].max()) if ok.any() else np.nan})
    df = pd.DataFrame(rows)
    floor = 1e-10 * scale
    n_min = float(df["n"].max()) / 10 if len(df) else 0.0
    orders = {part: fit_order(df["n"], df[part], floor, n_min) for part in ("interior", "all")}
    return df, orders


# --- the price: evaluations of f ---------------------------------------------------

def evaluations(scheme: str, n: int = 1, p: int = 1) -> dict[str, float]:
    """Evaluations of f a scheme needs: per derivative value, at n points, for a gradient in p.

    * ``per_value``: the stencil size (complex step: one *complex* evaluation).
    * ``n_points``: f′ at n points of a 1-D grid: stencil × n for the schemes
      (np.gradient shares neighbours: n values, with the ends one-sided).
    * ``p_params``: a gradient of f: Rᵖ → R at one point, one partial
      derivative per parameter: forward/backward p + 1 (f(x) is shared),
      central 2p, central4 4p, complex step p. np.gradient would need f on a
      whole grid in p dimensions (at least 2 points per axis: 2ᵖ values).
    """
    if scheme == "gradient":
        return {"per_value": 1.0, "n_points": float(n), "p_params": float(2**p) if p < 1000 else float("inf")}
    s = SCHEMES[scheme]
    shared = scheme in ("forward", "backward")
    return {"per_value": float(s.evaluations), "n_points": float(s.evaluations * n),
            "p_params": float(p + 1 if shared else s.evaluations * p)}


class _Counting:
    """A stand-in for a Function that counts the points f is evaluated at."""

    def __init__(self, fn: Function):
        self.fn, self.points = fn, 0

    def numpy(self, xs):
        arr = np.asarray(xs)
        self.points += int(arr.size)
        return self.fn.numpy(arr)


def count_evaluations(fn: Function, xs, scheme: str, h: float = 1e-6) -> int:
    """Points at which f was actually evaluated to get f′ on ``xs`` (measured, not assumed).

    ``scheme`` is a difference scheme or "gradient" (np.gradient on the grid xs).
    """
    counter = _Counting(fn)
    if scheme == "gradient":
        gradient(counter, xs)
    else:
        difference(counter, xs, h, scheme)
    return counter.points


def cost_table(fn: Function, n: int = 100, p: int = 10, lo: float = -5.0, hi: float = 5.0) -> pd.DataFrame:
    """Evaluations of f per method: per value, measured for n points on [lo, hi], and for p parameters.

    Columns: ``method, formula, order, per_value, n_points (counted), p_params``.
    """
    xs = np.linspace(lo, hi, int(n))
    rows = [{"method": "np.gradient", "formula": "(f[i+1] − f[i−1]) / (x[i+1] − x[i−1])", "order": 2,
             **evaluations("gradient", n, p), "counted": count_evaluations(fn, xs, "gradient")}]
    for name, s in SCHEMES.items():
        rows.append({"method": s.label, "formula": s.formula, "order": s.order, **evaluations(name, n, p),
                     "counted": count_evaluations(fn, xs, name)})
    df = pd.DataFrame(rows)
    df["complex"] = df["method"] == SCHEMES["complex"].label
    return df
