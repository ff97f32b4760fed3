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

from .expressions import Function

__all__ = ["gradient", "difference", "SCHEMES", "Scheme", "optimal_step"]


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
        Scheme("forward", "(f(x+h) − f(x)) / h", 1, 2, _forward),
        Scheme("backward", "(f(x) − f(x−h)) / h", 1, 2, _backward),
        Scheme("central", "(f(x+h) − f(x−h)) / 2h", 2, 2, _central),
        Scheme("central4", "(−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h", 4, 4, _central4),
        Scheme("complex", "Im f(x + ih) / h", 2, 1, _complex),
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
    step = dtype.type(h)
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
