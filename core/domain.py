"""Where a function exists on an interval, and where its lines must break.

:func:`analyse` finds, on [lo, hi], the intervals where f is undefined, its poles
(and other isolated undefined points), the points where f jumps (sign) and the
points where f′ jumps or blows up while f is defined (|x| at 0, √(1 − x²) at ±1,
∛x at 0). SymPy finds them exactly when it can
(``sympy.calculus.util.continuous_domain``, ``sympy.singularities`` and
``solveset`` on the arguments of ``Abs`` and ``sign``); what it finds is checked
against float64 evaluation, and where SymPy gives up, raises, or disagrees with
the numbers, a bounded numerical scan takes over (runs of nan/inf on a fine grid,
and bisection of the steepest steps to tell a jump or pole from a steep slope:
:mod:`core.domain_scan`).

Work from user text is bounded before it starts: SymPy sees only expressions of at
most :data:`MAX_NODES` nodes (the grammar caps typed text at 300 characters; the
lab's composed polynomial of depth 6 has a few hundred), every SymPy call is
guarded, and the numerical scan costs a fixed number of evaluations. Nothing
here calls ``simplify``.

:func:`mask` says where f is defined on an array, :func:`break_points` where a
line must break, :func:`reading_range` the x-range a function reads well on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .bounds import tree_size
from .domain_scan import SCAN_POINTS, scan, values
from .domain_sympy import MAX_NODES, inside
from .expressions import Function
from .memo import memo

__all__ = ["Domain", "analyse", "mask", "break_points", "reading_range", "MAX_NODES", "SCAN_POINTS"]

#: Seconds a worker may spend in SymPy's domain tools before the numerical scan decides.
SYMPY_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Domain:
    """What :func:`analyse` found on [lo, hi] (all points as floats, sorted).

    ``undefined``: intervals (a, b, a_included, b_included) of positive length where f
    does not exist; ``poles``: isolated points where it does not exist (1/x at 0, tan at
    ±π/2, a removable hole); ``jumps``: points where f jumps (sign x at 0); ``kinks``:
    points where f′ jumps (|x| at 0); ``derivative_poles``: points where f exists but f′
    does not (√(1 − x²) at ±1). ``source`` is "sympy" or "numerical"; ``note`` says why
    the numerical scan was used.
    """

    lo: float
    hi: float
    undefined: tuple = ()
    poles: tuple = ()
    jumps: tuple = ()
    kinks: tuple = ()
    derivative_poles: tuple = ()
    source: str = "sympy"
    note: str = ""
    _extra: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def defined(self) -> tuple:
        """The intervals (a, b) where f exists, endpoints as floats."""
        out, a = [], self.lo
        for u0, u1, *_ in self.undefined:
            if u0 > a:
                out.append((a, u0))
            a = max(a, u1)
        if a < self.hi:
            out.append((a, self.hi))
        return tuple(out)

    def breaks(self, derivative: bool = False) -> tuple:
        """Where a line of f (or, with ``derivative``, of f′) must break."""
        pts = list(self.poles) + list(self.jumps)
        for u0, u1, *_ in self.undefined:
            pts += [u0, u1]
        if derivative:
            pts += list(self.kinks) + list(self.derivative_poles)
        return tuple(sorted(set(p for p in pts if self.lo <= p <= self.hi)))

    @property
    def everywhere(self) -> bool:
        """True when f exists on all of [lo, hi] with no break at all."""
        return not (self.undefined or self.poles or self.jumps)


def _agrees(fn: Function, dom: Domain) -> bool:
    """SymPy's answer checked against float64: f is mostly finite where SymPy says it exists,
    and mostly not finite where SymPy says it does not (``log(sin x)`` once lost a piece)."""
    for a, b, *_ in dom.undefined:
        probe = np.linspace(a, b, 43)[1:-1]
        if np.isfinite(values(fn, probe)).sum() >= 3:  # x^x at negative integers: isolated, allowed
            return False
    for a, b in dom.defined:
        if b - a <= 0:
            continue
        probe = np.linspace(a, b, 11)[1:-1]
        probe = probe[~np.isin(probe, dom.poles)]
        if probe.size and np.isfinite(values(fn, probe)).mean() < 0.5:
            return False
    return True


def _numerical_analysis(fn: Function, lo: float, hi: float, note: str) -> Domain:
    return Domain(lo=float(lo), hi=float(hi), **scan(fn, lo, hi), source="numerical", note=note)


# --- the API ------------------------------------------------------------------

@memo(max_entries=512, ttl_s=1800, max_bytes=16 * 2**20, sizeof=lambda d: 4096)
def analyse(fn: Function, lo: float, hi: float) -> Domain:
    """The domain of f and the break points of f and f′ on [lo, hi] (see :class:`Domain`)."""
    lo, hi = float(lo), float(hi)
    if not hi > lo:
        raise ValueError(f"empty interval [{lo:g}, {hi:g}]")
    if not fn.depends_on_x or fn.expr.is_polynomial(fn.symbol):
        return Domain(lo=lo, hi=hi)  # a polynomial exists everywhere and never breaks
    if tree_size(fn.expr, MAX_NODES) > MAX_NODES:
        return _numerical_analysis(fn, lo, hi, note=f"f has more than {MAX_NODES} nodes: too large for SymPy's "
                                                    "domain tools")
    try:  # SymPy's domain tools are not bounded in time: a killable worker runs them
        from .sandbox import get_sandbox

        found = get_sandbox().run("domain", fn.spec, lo, hi, timeout=SYMPY_TIMEOUT_S)
    except Exception as err:  # noqa: BLE001  (SymPy gave up or took too long: the numbers decide)
        return _numerical_analysis(fn, lo, hi, note=f"SymPy's domain tools gave up ({type(err).__name__})")
    dom = Domain(lo=lo, hi=hi, undefined=tuple(tuple(s) for s in found["undefined"]), poles=tuple(found["poles"]),
                 jumps=tuple(found["jumps"]), kinks=tuple(found["kinks"]),
                 derivative_poles=tuple(found["derivative_poles"]), source="sympy")
    if not _agrees(fn, dom):
        return _numerical_analysis(fn, lo, hi, note="SymPy's domain disagreed with float64 evaluation")
    return dom


def mask(fn: Function, xs, domain: Domain | None = None) -> np.ndarray:
    """True where f is defined at xs (and float64 gives a finite value there)."""
    xs = np.asarray(xs, dtype=np.float64)
    if xs.size == 0:
        return np.zeros(xs.shape, dtype=bool)
    domain = domain or analyse(fn, float(xs.min()), float(max(xs.max(), xs.min() + 1e-12)))
    ok = np.isfinite(values(fn, xs))
    for span in domain.undefined:
        ok &= ~inside(xs, span)
    if domain.poles:
        ok &= ~np.isin(xs, np.asarray(domain.poles))
    return ok


def break_points(fn: Function, lo: float, hi: float, derivative: bool = False) -> tuple:
    """Where a line of f (``derivative``: of f′) on [lo, hi] must break."""
    return analyse(fn, lo, hi).breaks(derivative)


# --- the reading range --------------------------------------------------------

#: A term "dwarfs" the rest when its spread is this many times theirs.
DWARF_RATIO = 100.0


def _grid_in(a: float, b: float, step: float) -> tuple[float, float]:
    """[a, b] rounded inwards to multiples of ``step`` (kept as is when that empties it)."""
    a2, b2 = math.ceil(a / step - 1e-9) * step, math.floor(b / step + 1e-9) * step
    return (a2, b2) if b2 > a2 else (a, b)


def _trim_growth(fn: Function, a: float, b: float, step: float) -> tuple[float, float]:
    """Trim the ends where one growing term dwarfs the shape of the rest (e^(−2x) + 3 sin 3x).

    Only for sums that are not polynomials: a polynomial's big terms are its shape.
    The end where the dominant term is largest moves in by ``step`` until that term
    spreads no more than half the spread of the rest (their amplitude), or until
    the range is down to a fifth of its length.
    """
    expr, x = fn.expr, fn.symbol
    if not isinstance(expr, sp.Add) or expr.is_polynomial(x) or tree_size(expr, MAX_NODES) > MAX_NODES:
        return a, b
    terms = [t for t in expr.args if t.has(x)]
    if len(terms) < 2:
        return a, b
    n = max(2, int(round((b - a) / step)) * 8 + 1)
    xs = np.linspace(a, b, n)
    try:
        vals = [np.broadcast_to(np.asarray(
            Function(text=f"term {i}", expr=t).numpy(xs), dtype=np.float64), xs.shape) for i, t in enumerate(terms)]
    except Exception:  # noqa: BLE001
        return a, b
    total = np.sum(vals, axis=0)

    def spread(v, i, j):
        v = v[i:j + 1]
        v = v[np.isfinite(v)]
        return float(v.max() - v.min()) if v.size else 0.0

    i, j = 0, n - 1
    spreads = [spread(v, i, j) for v in vals]
    k = int(np.argmax(spreads))
    dom_v, rest_v = vals[k], total - vals[k]
    if spreads[k] <= DWARF_RATIO * spread(rest_v, i, j):
        return a, b
    per = 8  # grid points per step
    while (j - i) > (n - 1) / 5:
        if spread(dom_v, i, j) <= 0.5 * spread(rest_v, i, j):
            break
        seg = dom_v[i:j + 1]
        med = np.nanmedian(seg)
        if abs(dom_v[i] - med) >= abs(dom_v[j] - med):
            i += per
        else:
            j -= per
    return float(xs[i]), float(xs[j])


def reading_range(fn: Function, preset_range=(-5.0, 5.0), step: float = 0.25) -> tuple[float, float]:
    """The x-range ``fn`` reads well on, inside ``preset_range`` (ends on multiples of ``step``).

    First the domain: the range shrinks to the hull of where f exists (ln x: (0, 5];
    √(1 − x²): [−1, 1]; tan x and 1/x keep [−5, 5], their poles are drawn as breaks).
    An end where f is undefined stays in the range (the chart leaves that point
    out). Then growth: where one term of a sum dwarfs the rest by two orders of
    magnitude, the range leaves out the ends where it does (e^(−2x) + 3 sin 3x:
    [−0.5, 5]; on [−5, 5] e^10 hides the oscillation).
    """
    lo, hi = float(preset_range[0]), float(preset_range[1])
    try:
        dom = analyse(fn, lo, hi)
    except Exception:  # noqa: BLE001
        return lo, hi
    pieces = [(a, b) for a, b in dom.defined if b > a]
    if not pieces:
        return lo, hi
    a, b = _grid_in(pieces[0][0], pieces[-1][1], step)
    try:
        a, b = _trim_growth(fn, a, b, step)
    except Exception:  # noqa: BLE001
        pass
    return _grid_in(a, b, step)
