"""SymPy's half of :mod:`core.domain`: the undefined intervals, poles, jumps and kinks of f
on an interval from ``continuous_domain``, ``singularities`` and ``solveset``.

These tools are not bounded in time (a product of three trigonometric functions under a
square root took 22 s), so they run only in :mod:`core.sandbox`'s killable workers (the
``domain`` operation); the server keeps the bounded numerical scan as its fallback.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .bounds import tree_size
from .deltas import drop_deltas

__all__ = ["analysis", "floats", "inside", "MAX_NODES"]

#: Largest expression (in tree nodes) handed to SymPy's domain tools.
MAX_NODES = 600


def floats(points) -> tuple:
    return tuple(sorted(set(float(p) for p in points)))


def _finite_points(s: sp.Set) -> list | None:
    """The points of a finite SymPy set as floats, or None when it is not finite."""
    if s is sp.S.EmptySet:
        return []
    if isinstance(s, sp.FiniteSet):
        out = []
        for p in s:
            v = complex(sp.N(p))
            if abs(v.imag) > 1e-12:
                continue
            out.append(v.real)
        return out
    return None


def _zeros(arg: sp.Expr, x: sp.Symbol, interval: sp.Interval) -> list:
    """Real zeros of ``arg`` in ``interval`` (ValueError when SymPy cannot list them)."""
    pts = _finite_points(sp.solveset(arg, x, interval))
    if pts is None:
        raise ValueError("zeros are not a finite set")
    return pts


def _complement(domain: sp.Set, interval: sp.Interval) -> tuple[list, list]:
    """Undefined intervals (a, b, a_in, b_in) and isolated points of interval − domain."""
    rest = sp.Complement(interval, domain)
    pieces = list(rest.args) if isinstance(rest, sp.Union) else [rest]
    spans, points = [], []
    for piece in pieces:
        if piece is sp.S.EmptySet:
            continue
        if isinstance(piece, sp.Interval):
            a, b = float(sp.N(piece.start)), float(sp.N(piece.end))
            if b > a:
                spans.append((a, b, not piece.left_open, not piece.right_open))
            else:
                points.append(a)
            continue
        pts = _finite_points(piece)
        if pts is None:
            raise ValueError(f"cannot read the domain piece {type(piece).__name__}")
        points += pts
    return sorted(spans), points


def inside(xs: np.ndarray, span) -> np.ndarray:
    a, b, a_in, b_in = span
    left = xs >= a if a_in else xs > a
    right = xs <= b if b_in else xs < b
    return left & right


def _stand_in(expr: sp.Expr) -> sp.Expr:
    """``expr`` with sign(u) replaced by 1 and Dirac deltas by 0: continuous_domain cannot
    read sign, whose jumps are found separately."""
    if expr.has(sp.sign):
        expr = expr.replace(lambda e: isinstance(e, sp.sign), lambda e: sp.Integer(1))
    return drop_deltas(expr)


# --- SymPy ------------------------------------------------------------------

def analysis(expr: sp.Expr, x: sp.Symbol, lo: float, hi: float) -> dict:
    """The domain's pieces on [lo, hi] from SymPy's own tools, as plain floats (see
    :class:`core.domain.Domain`). Runs in a sandbox worker: these tools can take seconds
    (``sqrt(sin(x)*cos(2x)*tan(3x))`` took 22 s), so the server never calls them itself."""
    from sympy.calculus.util import continuous_domain

    from . import symbolic
    if tree_size(expr, MAX_NODES) > MAX_NODES:
        raise ValueError(f"f has more than {MAX_NODES} nodes: too large for SymPy's domain tools here")
    interval = sp.Interval(sp.Float(lo), sp.Float(hi)) if not (float(lo).is_integer() and float(hi).is_integer()) \
        else sp.Interval(int(lo), int(hi))
    jumps = [p for s in expr.atoms(sp.sign) for p in _zeros(s.args[0], x, interval)]
    kinks = [p for a in expr.atoms(sp.Abs) for p in _zeros(a.args[0], x, interval)]
    domain = continuous_domain(_stand_in(expr), x, interval)
    spans, points = _complement(domain, interval)
    try:
        points += _finite_points(sp.singularities(expr, x, interval)) or []
    except Exception:  # noqa: BLE001  (continuous_domain already has them)
        pass
    # f′: where it does not exist although f does (√(1 − x²) at ±1, ∛x at 0).
    d_points: list = []
    if tree_size(expr, MAX_NODES // 3) <= MAX_NODES // 3:
        d = symbolic.bounded_diff(expr, x, 1)
        if tree_size(d, 3 * MAX_NODES) <= 3 * MAX_NODES:
            jumps_d = [p for s in d.atoms(sp.sign) for p in _zeros(s.args[0], x, interval)]
            kinks += [p for p in jumps_d if p not in jumps]
            d_spans, d_pts = _complement(continuous_domain(_stand_in(d), x, interval), interval)
            d_points = d_pts + [e for s in d_spans for e in s[:2]]
    poles = floats(p for p in points if lo <= p <= hi and not any(inside(np.array([p]), s)[0] for s in spans))
    ends = {e for s in spans for e in s[:2]} | set(poles) | set(floats(jumps))
    return dict(
        undefined=tuple(spans), poles=poles, jumps=floats(jumps),
        kinks=floats(p for p in kinks if p not in ends),
        derivative_poles=floats(p for p in d_points if lo <= p <= hi and p not in ends
                                and not any(inside(np.array([p]), s)[0] for s in spans)),
    )
