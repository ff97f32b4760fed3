"""The difference schemes: f′(x) from values of f alone, each with its formula, best step and code.

Every scheme below is three things side by side (as micrograd puts an operation's
value next to its derivative): the formula as a Python function of (f, x, h), the
best step h for it, and the line a student types in a notebook. A scheme of order p
drops Taylor terms of size ~h^p (truncation) and, when it subtracts nearly equal
values of f, magnifies f's rounding ε·|f| by 1/h (round-off). Their sum is smallest
near h ≈ ε^(1/(p+1)). The complex step f′(x) ≈ Im f(x + ih) / h subtracts nothing,
so it has no round-off floor (any tiny h will do), but it needs f to be
complex-analytic code (it gives 0 for |x|).

:func:`difference` applies a scheme to a :class:`~core.Function` on an array;
:func:`secants` draws what a scheme computes at one point, as lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .expressions import Function

__all__ = ["Scheme", "SCHEMES", "difference", "optimal_step", "secants",
           "forward", "backward", "central", "central4", "complex_step"]


def _balanced(order: int) -> Callable[[float], float]:
    """The step rule of a scheme that subtracts: truncation ~ h^p against round-off ~ ε/h."""
    return lambda eps: eps ** (1.0 / (order + 1))


@dataclass(frozen=True)
class Scheme:
    """One difference formula: its maths, its accuracy, its cost, its best step and its code."""

    name: str
    formula: str          # plain-text formula for f'(x)
    order: int            # truncation error ~ h^order
    evaluations: int      # evaluations of f per derivative value
    rule: Callable        # (f, x, h) -> estimate of f'(x)
    label: str = ""       # what a student reads
    offsets: tuple = ()   # stencil: f is evaluated at x + offset·h (complex: x + i·h)
    step: Callable = None  # machine epsilon -> the best h
    code: str = ""        # the notebook line, in f, x0 and h

    def optimal_step(self, dtype=np.float64) -> float:
        """The best step for this scheme in ``dtype`` (from its machine epsilon)."""
        return float(self.step(float(np.finfo(dtype).eps)))


SCHEMES: dict[str, Scheme] = {}


def forward(f, x, h):
    """(f(x+h) − f(x)) / h: first order, best h ≈ ε^(1/2)."""
    return (f(x + h) - f(x)) / h


SCHEMES["forward"] = Scheme(
    "forward", "(f(x+h) − f(x)) / h", 1, 2, forward, "forward", (0, 1), _balanced(1),
    "(f(x0 + h) - f(x0)) / h\n")


def backward(f, x, h):
    """(f(x) − f(x−h)) / h: first order, best h ≈ ε^(1/2)."""
    return (f(x) - f(x - h)) / h


SCHEMES["backward"] = Scheme(
    "backward", "(f(x) − f(x−h)) / h", 1, 2, backward, "backward", (-1, 0), _balanced(1),
    "(f(x0) - f(x0 - h)) / h\n")


def central(f, x, h):
    """(f(x+h) − f(x−h)) / 2h: the central difference, second order, best h ≈ ε^(1/3)."""
    return (f(x + h) - f(x - h)) / (2 * h)


SCHEMES["central"] = Scheme(
    "central", "(f(x+h) − f(x−h)) / 2h", 2, 2, central, "central", (-1, 1), _balanced(2),
    "(f(x0 + h) - f(x0 - h)) / (2 * h)\n")


def central4(f, x, h):
    """(−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h: fourth order, best h ≈ ε^(1/5)."""
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


SCHEMES["central4"] = Scheme(
    "central4", "(−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h", 4, 4, central4,
    "fourth-order central", (-2, -1, 1, 2), _balanced(4),
    "(-f(x0 + 2*h) + 8*f(x0 + h) - 8*f(x0 - h) + f(x0 - 2*h)) / (12 * h)\n")


def complex_step(f, x, h):
    """Im f(x + ih) / h: second order and nothing subtracted, so no round-off floor."""
    return np.imag(f(x + 1j * h)) / h


SCHEMES["complex"] = Scheme(
    "complex", "Im f(x + ih) / h", 2, 1, complex_step, "complex step", (1j,),
    # any tiny step: h² is below rounding long before h underflows
    lambda eps: 1e-20 if eps < 1e-10 else 1e-10,
    "np.imag(f(x0 + 1j * h)) / h\n")


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
    """Theory's best step for ``scheme`` in ``dtype``: ε^(1/(p+1)), or a tiny one for the complex step."""
    return SCHEMES[scheme].optimal_step(dtype)


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
            xa, ya = a, float(fn.numpy(np.array([a]))[0])
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
