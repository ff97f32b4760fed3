"""The numerical scan of a function's domain: what float64 says where SymPy cannot.

f and f′ are evaluated on :data:`SCAN_POINTS` points of [lo, hi]: runs of nan/inf are
where f is undefined (a span of 2+ points, or an isolated point), and the steepest
steps between finite samples (at most :data:`MAX_CANDIDATES`) are bisected to tell a
jump or a pole from a steep slope. A fixed number of evaluations, whatever f is:
:mod:`core.domain` falls back on it when SymPy's tools (:mod:`core.domain_sympy`) give
up, take too long or disagree with the numbers.
"""

from __future__ import annotations

import math

import numpy as np

from . import symbolic
from .domain_sympy import floats
from .expressions import Function

__all__ = ["scan", "values", "derivative_values", "SCAN_POINTS", "MAX_CANDIDATES"]

#: Points of the numerical scan (the fallback, and the check of SymPy's answer).
SCAN_POINTS = 4001
#: Steepest steps of the scan that are bisected to tell a jump or pole from a steep slope.
MAX_CANDIDATES = 24


def values(fn: Function, xs) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(fn.numpy(np.asarray(xs, dtype=np.float64)), dtype=np.float64)


def derivative_values(fn: Function, xs) -> np.ndarray | None:
    """The exact f′ on xs (None when it is too large to form here)."""
    try:
        with np.errstate(all="ignore"):
            return np.asarray(symbolic.derivative_values(fn, np.asarray(xs, dtype=np.float64)), dtype=np.float64)
    except Exception:  # noqa: BLE001  (too large, or anything else: no f′ analysis)
        return None


def _bisect_step(g, a: float, b: float, ga: float, gb: float, iterations: int = 60) -> tuple[float, float, float]:
    """Narrow [a, b] onto its steepest part; the final step |g(b) − g(a)| and the point."""
    for _ in range(iterations):
        m = 0.5 * (a + b)
        if not a < m < b:
            break
        gm = float(g(np.array([m]))[0])
        if not math.isfinite(gm):
            return m, math.inf, gm
        if abs(gm - ga) >= abs(gb - gm):
            b, gb = m, gm
        else:
            a, ga = m, gm
    return 0.5 * (a + b), abs(gb - ga), max(abs(ga), abs(gb))


def _discontinuities(g, xs: np.ndarray, ys: np.ndarray) -> tuple[list, list]:
    """Jumps and poles of g between consecutive finite samples (bisection of the steepest steps)."""
    ok = np.isfinite(ys)
    idx = np.flatnonzero(ok[:-1] & ok[1:])
    if idx.size < 3:
        return [], []
    steps = np.abs(np.diff(ys))[idx]
    typical = float(np.median(steps)) + 1e-300
    scale = float(np.nanpercentile(np.abs(ys[ok]), 90)) + 1e-300
    order = idx[np.argsort(steps)[::-1]][:MAX_CANDIDATES]
    jumps, poles = [], []
    for i in order:
        if abs(ys[i + 1] - ys[i]) < 8 * typical:
            break
        at, step, size = _bisect_step(g, xs[i], xs[i + 1], ys[i], ys[i + 1])
        if step > 1e-6 * scale:
            if not math.isfinite(step) or size > 1e6 * scale:
                poles.append(at)
            else:
                jumps.append(at)
    return jumps, poles


def _runs(bad: np.ndarray, xs: np.ndarray) -> tuple[list, list]:
    """Runs of True in ``bad`` as undefined spans (2+ points) and isolated points."""
    spans, points = [], []
    edges = np.flatnonzero(np.diff(np.r_[0, bad.astype(int), 0]))
    for start, stop in zip(edges[::2], edges[1::2]):
        if stop - start == 1:
            points.append(float(xs[start]))
        else:
            spans.append((float(xs[start]), float(xs[stop - 1]), True, True))
    return spans, points


def scan(fn: Function, lo: float, hi: float) -> dict:
    """The numerical scan of f on [lo, hi]: the fields of :class:`core.domain.Domain` from
    :data:`SCAN_POINTS` float64 values of f and f′ (runs of nan/inf are undefined spans or
    isolated points; bisected steep steps are jumps or poles; those of f′ where f is
    defined and breaks nowhere near are kinks and derivative poles)."""
    xs = np.linspace(lo, hi, SCAN_POINTS)
    ys = values(fn, xs)
    spans, points = _runs(~np.isfinite(ys), xs)
    jumps, poles = _discontinuities(lambda t: values(fn, t), xs, ys)
    kinks, d_poles = [], []
    dys = derivative_values(fn, xs)
    if dys is not None:
        g = symbolic.derivative_function(fn)
        d_jumps, d_p = _discontinuities(lambda t: np.asarray(g(t), dtype=np.float64), xs, np.where(np.isfinite(ys), dys, np.nan))
        d_spans, d_pts = _runs(np.isfinite(ys) & ~np.isfinite(dys), xs)
        near = (np.ptp(xs) / (SCAN_POINTS - 1)) * 2
        known = poles + jumps + points + [e for s in spans for e in s[:2]]
        kinks = [p for p in d_jumps if all(abs(p - q) > near for q in known)]
        d_poles = [p for p in d_p + d_pts + [e for s in d_spans for e in s[:2]] if all(abs(p - q) > near for q in known)]
    return dict(undefined=tuple(spans), poles=floats(points + poles), jumps=floats(jumps), kinks=floats(kinks),
                derivative_poles=floats(d_poles))
