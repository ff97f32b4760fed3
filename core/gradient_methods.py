"""The four ways to a full gradient of a loss of n parameters, each one's setup phase.

:func:`prepare` returns ``grad(w)`` for a method of :data:`METHODS`, counting what one
gradient costs into a ``counter``:

* ``central``: central differences, **2n evaluations of f** (NumPy's f, counted ``f``);
* ``forward``: forward mode, **n JVPs** (:func:`n_jvps`, counted ``jvp``);
* ``reverse``: reverse mode, **one VJP**: ``jax.grad`` (counted ``vjp``);
* ``symbolic``: n SymPy partial derivatives, ``lambdify(cse=True)`` (counted ``partials``);
  refused (:class:`~core.bounds.TooLarge`) before it grows past :mod:`core.bounds`, and
  stopped (:class:`OverBudget`) when its ``deadline()`` says so.

:mod:`core.gradient_cost` times them as n grows.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import sympy as sp

from .bounds import MAX_DERIVATIVE_NODES, MAX_WORK_NODES, TooLarge, check_work, derivative_size_bound
from .losses import SAMPLES, Problem

__all__ = ["METHODS", "MAX_N", "OverBudget", "prepare", "n_jvps"]

METHODS = {
    "central": "central differences (2n evaluations of f)",
    "forward": "forward mode (n JVPs)",
    "reverse": "reverse mode (1 VJP, jax.grad)",
    "symbolic": "symbolic (n SymPy partials, lambdify with cse)",
}
#: Largest n each method is run at (symbolic: SymPy's work in the server stays small).
MAX_N = {"central": 10_000, "forward": 10_000, "reverse": 100_000, "symbolic": 200}


class OverBudget(ValueError):
    """A case ran past the scan's deadline (SymPy's setup, or the loop of central differences)."""


def _central(prob: Problem, counter: dict | None, deadline: Callable[[], bool] | None = None):
    """2n evaluations of f (NumPy's f: on a CPU it is quicker per call than a jitted f fed from
    the host, so this is the fairest central differences can be)."""
    f = prob.f_numpy

    def ev(v) -> float:
        if counter is not None:
            counter["f"] = counter.get("f", 0) + 1
        return f(v)

    def grad(w):
        w = np.array(w, dtype=float)
        g = np.empty_like(w)
        h = np.cbrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(w))
        for i in range(len(w)):
            if deadline is not None and i % 256 == 255 and deadline():
                raise OverBudget(f"ran out of time after {2 * i:,} of {2 * len(w):,} evaluations of f")
            wi = w[i]
            w[i] = wi + h[i]
            fp = ev(w)
            w[i] = wi - h[i]
            fm = ev(w)
            w[i] = wi
            g[i] = (fp - fm) / (2 * h[i])
        return g

    return grad


def n_jvps(f_jax: Callable) -> Callable:
    """Forward mode's gradient of f: one JVP per basis vector e_i, in a ``lax.fori_loop`` (memory
    stays O(n), where ``jax.jacfwd`` would push an n×n identity through f)."""
    from .jax64 import jax, jnp

    def grad(w):
        def body(i, g):
            e = jnp.zeros_like(w).at[i].set(1.0)
            return g.at[i].set(jax.jvp(f_jax, (w,), (e,))[1])
        return jax.lax.fori_loop(0, w.shape[0], body, jnp.zeros_like(w))

    return grad


def _forward(prob: Problem, counter: dict | None):
    from .jax64 import jax, jnp

    compiled = jax.jit(n_jvps(prob.f_jax)).lower(jnp.asarray(prob.w)).compile()

    def grad(w):
        if counter is not None:
            counter["jvp"] = counter.get("jvp", 0) + int(np.shape(w)[0])
        return compiled(w).block_until_ready()

    return grad


def _reverse(prob: Problem, counter: dict | None):
    from .jax64 import jax, jnp

    compiled = jax.jit(jax.grad(prob.f_jax)).lower(jnp.asarray(prob.w)).compile()

    def grad(w):
        if counter is not None:
            counter["vjp"] = counter.get("vjp", 0) + 1
        return compiled(w).block_until_ready()

    return grad


def _symbolic(prob: Problem, counter: dict | None, deadline: Callable[[], bool] | None = None):
    if prob.kind != "rosenbrock" and 6 * SAMPLES * prob.n ** 2 > MAX_WORK_NODES:
        # each partial holds all the residuals (about 2n nodes each, written out as trees):
        # refused before SymPy spends seconds building a loss it could not differentiate here
        raise TooLarge(f"its n partial derivatives would hold about {6 * SAMPLES * prob.n ** 2:,} nodes, "
                       f"over the {MAX_WORK_NODES:,} this shared server computes for one student")
    ws, expr = prob.sympy()
    check_work(expr, "the loss")
    total = 0
    for k, v in enumerate(ws):  # the bounds, summed until they pass the cap (so this stays cheap)
        total += derivative_size_bound(expr, v)
        if total > min(MAX_WORK_NODES, MAX_DERIVATIVE_NODES):
            raise TooLarge(f"its first {k + 1} of {len(ws)} partial derivatives could already have "
                           f"{total:,} nodes, over the {MAX_WORK_NODES:,} this shared server computes for one student")
    parts = []
    for v in ws:
        if deadline is not None and deadline():
            raise OverBudget(f"ran out of time after {len(parts)} of {len(ws)} partial derivatives")
        parts.append(sp.diff(expr, v))
    check_work(sp.Tuple(*parts), "the gradient")
    fun = sp.lambdify(ws, parts, modules="numpy", cse=True)

    def grad(w):
        if counter is not None:
            counter["partials"] = counter.get("partials", 0) + len(parts)
        return np.array(fun(*np.asarray(w, dtype=float)), dtype=float)

    return grad


_PREPARE = {"central": _central, "forward": _forward, "reverse": _reverse, "symbolic": _symbolic}


def prepare(method: str, prob: Problem, counter: dict | None = None,
            deadline: Callable[[], bool] | None = None) -> Callable:
    """The setup phase: returns ``grad(w)`` (counting f evaluations / JVPs / VJPs into counter).
    ``deadline()`` says when SymPy's setup must give up (:class:`OverBudget`)."""
    if method in ("symbolic", "central"):
        return _PREPARE[method](prob, counter, deadline)
    return _PREPARE[method](prob, counter)
