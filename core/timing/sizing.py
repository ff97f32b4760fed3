"""How large a race the host can afford: peak bytes per point, and the largest safe n.

Races run one at a time (see :mod:`core.timing.queue`), so one race's arrays are
all the memory a race needs. The memory still free comes from :mod:`core.host`.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ..expressions import Function
from ..host import CLOUD_MEMORY, memory_available

__all__ = ["max_points", "bytes_per_point", "nice_floor", "MAX_POINTS", "BYTES_PER_POINT", "BYTES_PER_NODE",
           "CLOUD_MEMORY", "memory_available"]

#: Absolute ceiling on the race size, whatever the host.
MAX_POINTS = 10_000_000
#: Peak bytes per float64 point of a race of a small function, with a margin: measured
#: about 190 for symbolic, numerical and central, 200 for autodiff and 430 for autodiff
#: without jit (which keeps every intermediate for the backward pass) at composed depth 6.
#: A longer function keeps more intermediates: see :func:`bytes_per_point`.
BYTES_PER_POINT = 500
#: Extra peak bytes per float64 point for each distinct node of f (each can be one
#: intermediate array kept for the backward pass): a product of 29 sines (88 distinct
#: nodes) peaked at about 760 bytes per point with every method.
BYTES_PER_NODE = 10


def nice_floor(n: float) -> int:
    """The largest 1-2-5 number (1000, 2000, 5000, 10000, ...) not above n (1000 at least)."""
    if n < 1000:
        return 1000
    exp = 10 ** int(math.floor(math.log10(n)))
    for m in (5, 2, 1):
        if m * exp <= n:
            return m * exp
    return exp


def bytes_per_point(fn: Function | None = None, dtype="float64") -> float:
    """Peak bytes per point of a race of ``fn`` with every method (an upper estimate).

    :data:`BYTES_PER_POINT`, or 100 + :data:`BYTES_PER_NODE` per distinct node of f when
    that is more, scaled by the dtype's size.
    """
    per = float(BYTES_PER_POINT)
    if fn is not None:
        per = max(per, 100.0 + BYTES_PER_NODE * len(set(sp.preorder_traversal(fn.expr))))
    return per * np.dtype(dtype).itemsize / 8


def max_points(dtype="float64", available: int | None = None, fn: Function | None = None) -> int:
    """The largest race size (a 1-2-5 number) that is safe on this host.

    Half of the memory still available (see :func:`core.host.memory_available`) divided by
    the race's peak bytes per point, never above what :data:`CLOUD_MEMORY` holds
    nor :data:`MAX_POINTS`.
    """
    per_point = bytes_per_point(fn, dtype)
    avail = memory_available() if available is None else available
    budget = min(avail / 2, CLOUD_MEMORY)
    return max(1000, min(MAX_POINTS, nice_floor(budget / per_point)))
