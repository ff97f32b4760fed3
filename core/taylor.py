"""Taylor polynomials Tₙ(x) = Σ cₖ (x − x₀)ᵏ, their coefficients computed three ways.

* **Taylor mode** (:func:`jet_coefficients`): ``jax.experimental.jet`` pushes a whole
  truncated power series through each primitive at once: f(x₀ + t) with t's series
  (1, 0, 0, …) gives every derivative up to order n in one pass, at a cost that
  grows about quadratically with n. It has no rules for some primitives in this
  JAX (tan, asin, acos, atan, cbrt, …): :func:`coefficients` then falls back.
* **Nested jvp** (:func:`jvp_coefficients`): jvp of jvp of … of f, one order at a time.
  Each level differentiates the whole program of the level below, so the work
  grows about geometrically with the order (measured on the page). Bounded by a
  time budget: it stops before an order predicted to run past it.
* **SymPy's series** (:func:`sympy_coefficients`, *worker only*: through the sandbox's
  ``"series"`` operation, with a time limit).

:func:`radius` gives the radius of convergence from the nearest complex singularity
of forms it can read (poles of rational parts, branch points of logs and roots, atan's
±i, …), or says it is not computed.
"""

from __future__ import annotations

import math
import time

import numpy as np
import sympy as sp

from .agreement import relative_gap
from .expressions import Function, X

__all__ = ["MAX_ORDER", "jet_coefficients", "jvp_coefficients", "coefficients", "polynomial",
           "radius", "sympy_coefficients", "sympy_timings", "agreement"]

#: Highest order offered.
MAX_ORDER = 10
#: Seconds nested jvp may spend for one request in the server (it stops before an order
#: that would run past this: order 10 of x^x takes about two minutes eagerly).
JVP_BUDGET_S = 1.5


def _check(order: int) -> int:
    order = int(order)
    if not 0 <= order <= MAX_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_ORDER}")
    return order


def jet_coefficients(fn: Function, x0: float, order: int) -> list[float]:
    """c₀ … cₙ by Taylor mode (one jet call); raises when jet has no rule for a primitive."""
    from jax.experimental import jet

    from .jax64 import jnp

    order = _check(order)
    x = jnp.float64(x0)
    if order == 0:
        return [float(fn.jax(x))]
    primal, series = jet.jet(fn.jax, (x,), ([1.0] + [0.0] * (order - 1),))
    return [float(primal)] + [float(s) / math.factorial(k) for k, s in enumerate(series, start=1)]


def jvp_coefficients(fn: Function, x0: float, order: int, budget_s: float = JVP_BUDGET_S) -> dict:
    """c₀ … c_m by nested jvp, m ≤ order, each order timed from scratch (eager).

    Returns ``coeffs``, ``seconds`` (per order) and ``stopped`` (None, or the first order
    not computed because it was predicted to run past ``budget_s``).
    """
    from .jax64 import jax, jnp

    order = _check(order)
    x = jnp.float64(x0)
    g, coeffs, seconds, spent = fn.jax, [], [], 0.0
    for k in range(order + 1):
        if k >= 2 and seconds[-2] > 0:
            predicted = seconds[-1] ** 2 / seconds[-2]
            if spent + predicted > budget_s:
                return {"coeffs": coeffs, "seconds": seconds, "stopped": k}
        t0 = time.perf_counter()
        value = float(g(x))
        seconds.append(time.perf_counter() - t0)
        spent += seconds[-1]
        coeffs.append(value / math.factorial(k))
        g = (lambda h: (lambda y: jax.jvp(h, (y,), (jnp.ones_like(y),))[1]))(g)
    return {"coeffs": coeffs, "seconds": seconds, "stopped": None}


def coefficients(fn: Function, x0: float, order: int, budget_s: float = JVP_BUDGET_S) -> dict:
    """The JAX coefficients: Taylor mode where jet can, nested jvp otherwise.

    Returns ``coeffs``, ``method`` ("jet (Taylor mode)" or "nested jvp"), ``fallback``
    (why jet was not used, or None) and ``stopped`` (see :func:`jvp_coefficients`).
    """
    try:
        cs = jet_coefficients(fn, x0, order)
    except Exception as err:  # noqa: BLE001  (jet lacks a rule: a KeyError or NotImplementedError)
        why = f"jet has no Taylor rule for {err} in this JAX" if isinstance(err, KeyError) \
            else f"jet failed ({type(err).__name__}: {str(err)[:120]})"
    else:
        if all(math.isfinite(c) for c in cs) or not math.isfinite(cs[0]):
            return {"coeffs": cs, "method": "jet (Taylor mode)", "fallback": None, "stopped": None}
        why = "jet gave non-finite coefficients where f is finite"
    out = jvp_coefficients(fn, x0, order, budget_s)
    return {"coeffs": out["coeffs"], "method": "nested jvp", "fallback": why, "stopped": out["stopped"]}


def polynomial(coeffs, x0: float, xs) -> np.ndarray:
    """Tₙ(xs) = Σ cₖ (xs − x₀)ᵏ (Horner)."""
    t = np.asarray(xs, dtype=float) - float(x0)
    out = np.zeros_like(t)
    for c in reversed(list(coeffs)):
        out = out * t + float(c)
    return out


def agreement(a, b) -> float:
    """Largest relative difference of two coefficient lists (relative to max(|a|, |b|, 1))."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = min(a.size, b.size)
    if n == 0:
        return float("nan")
    return float(np.max(relative_gap(a[:n], b[:n])))


# --- radius of convergence -----------------------------------------------------------

_ENTIRE = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh)
#: Functions of u singular where u equals one of these (complex) values.
_AT = {sp.log: (0,), sp.atan: (sp.I, -sp.I), sp.acot: (0, sp.I, -sp.I), sp.asin: (1, -1), sp.acos: (1, -1),
       sp.atanh: (1, -1), sp.acoth: (1, -1), sp.asinh: (sp.I, -sp.I), sp.acosh: (1, -1)}
#: Periodic poles: u = a + k·period (k any integer), for u linear in x.
_POLES = {sp.tan: (sp.pi / 2, sp.pi), sp.sec: (sp.pi / 2, sp.pi), sp.cot: (0, sp.pi), sp.csc: (0, sp.pi),
          sp.tanh: (sp.I * sp.pi / 2, sp.I * sp.pi), sp.sech: (sp.I * sp.pi / 2, sp.I * sp.pi),
          sp.coth: (0, sp.I * sp.pi), sp.csch: (0, sp.I * sp.pi)}


def _poly(u: sp.Expr, x) -> list[complex] | None:
    try:
        p = sp.Poly(u, x)
    except sp.PolynomialError:
        return None
    if p.degree() > 6 or not all(c.is_number for c in p.all_coeffs()):
        return None
    return [complex(c) for c in p.all_coeffs()]


def _zeros(u: sp.Expr, x, value) -> list[complex] | None:
    cs = _poly(u - value, x)
    if cs is None:
        return None
    return [complex(r) for r in np.roots(cs)] if len(cs) > 1 else []


def _singularities(expr: sp.Expr, x, x0: float) -> list[complex] | None:
    """Complex points where the formula is singular, or None when some part cannot be read."""
    found: list[complex] = []
    for a in sp.preorder_traversal(expr):
        if x not in a.free_symbols or a == x or a.is_Add or a.is_Mul or isinstance(a, _ENTIRE):
            continue
        if a.is_Pow:
            if a.exp.is_Integer and a.exp > 0:
                continue
            if x in a.exp.free_symbols and x not in a.base.free_symbols:
                continue  # b^u = e^(u ln b): entire in u
            z = _zeros(a.base, x, 0)
        elif type(a) in _AT:
            z = []
            for v in _AT[type(a)]:
                r = _zeros(a.args[0], x, v)
                if r is None:
                    return None
                z += r
        elif type(a) in _POLES:
            cs = _poly(a.args[0], x)
            if cs is None or len(cs) != 2 or cs[0] == 0:
                return None
            start, period = (complex(v) for v in _POLES[type(a)])
            slope, icpt = cs
            # u = slope·x + icpt = start + k·period: the k whose pole is nearest x0
            k0 = ((slope * x0 + icpt - start) / period).real
            z = [(start + k * period - icpt) / slope for k in (math.floor(k0) - 1, math.floor(k0),
                                                                 math.floor(k0) + 1, math.floor(k0) + 2)]
        elif type(a).__name__ == "cbrt":
            z = _zeros(a.args[0], x, 0)
        else:
            return None  # |u|, sign u, and anything else: not read
        if z is None:
            return None
        found += z
    return found


def radius(expr: sp.Expr, x0: float, x: sp.Symbol = X) -> dict:
    """``radius`` (a float, ``math.inf``, or None when not computed) and ``why`` in words.

    The distance from x₀ to the nearest singular point of the formula in the complex plane;
    a removable one (sin x / x at 0) counts too, so the true radius may then be larger.
    """
    zs = _singularities(expr, x, float(x0))
    if zs is None:
        return {"radius": None, "why": "not computed: the formula has a part whose singularities "
                "this lab does not read (|x|, sign, a root or log of a non-polynomial, …)"}
    if not zs:
        return {"radius": math.inf, "why": "infinite: the formula has no singular point (an entire function)"}
    near = min(zs, key=lambda z: abs(z - x0))
    r = abs(near - x0)
    where = f"{near.real:.6g}" if abs(near.imag) < 1e-12 else f"{near.real:.4g} {'+' if near.imag > 0 else '−'} {abs(near.imag):.4g}i"
    return {"radius": float(r), "nearest": (near.real, near.imag),
            "why": f"{r:.6g}: the distance from x₀ to the nearest singular point of the formula, {where}"}


# --- SymPy's series: worker only -----------------------------------------------------

def sympy_coefficients(expr: sp.Expr, x0: float, order: int, x: sp.Symbol = X) -> list[float]:
    """WORKER ONLY (unbounded): c₀ … cₙ from ``series(f(x₀ + t), t, 0, n + 1)`` with x₀ exact."""
    order = _check(order)
    t = sp.Symbol("t")
    a = sp.Rational(str(float(x0)))
    s = sp.series(expr.subs(x, a + t), t, 0, order + 1).removeO()
    return [float(sp.N(s.coeff(t, k), 20)) for k in range(order + 1)]


def sympy_timings(expr: sp.Expr, x0: float, orders, budget_s: float = 3.0) -> list[tuple[int, float]]:
    """WORKER ONLY: seconds of :func:`sympy_coefficients` per order, until ``budget_s`` is spent."""
    out, spent = [], 0.0
    for n in orders:
        t0 = time.perf_counter()
        sympy_coefficients(expr, x0, n)
        out.append((int(n), time.perf_counter() - t0))
        spent += out[-1][1]
        if spent > budget_s:
            break
    return out
