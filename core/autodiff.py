"""Automatic differentiation with JAX: the chain rule applied to the program.

JAX traces f into a small program of primitives (its *jaxpr*). ``grad``
builds the program of f' by running that trace backwards (reverse mode): each
primitive's local derivative multiplies the adjoint flowing back from the
output. The result is exact up to floating-point rounding -- no step h, no
expression swell, since shared intermediate values are computed once.

``grad`` wants a scalar function of a float; ``vmap`` maps it over an array;
``jit`` compiles the whole thing with XLA once per input shape and dtype (the
first call pays that compile time, later calls reuse it).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np

from ._jax import jax, jnp
from .expressions import Function

__all__ = ["derivative", "derivative_at", "compiled_derivative", "jaxpr", "grad_jaxpr", "backend"]

MAX_ORDER = 3


def _scalar(fn: Function) -> Callable:
    return lambda x: fn.jax(x)


@lru_cache(maxsize=256)
def compiled_derivative(fn: Function, order: int = 1, jit: bool = True) -> Callable:
    """``vmap(grad(...grad(f)))`` (``order`` times), jitted unless ``jit=False``.

    Cached per (function, order, jit), so a jitted derivative compiles once per
    input shape and dtype for the whole process, shared by every session.
    """
    order = int(order)
    if not 0 <= order <= MAX_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_ORDER}, got {order}")
    g = _scalar(fn)
    for _ in range(order):
        g = jax.grad(g)
    out = jax.vmap(g)
    return jax.jit(out) if jit else out


def derivative(fn: Function, xs, order: int = 1, jit: bool = True) -> np.ndarray:
    """d^order f/dx^order on every point of ``xs`` by JAX; dtype follows ``xs``.

    Integer input is promoted to float64 (``grad`` refuses integers). Where f
    is not differentiable JAX returns the derivative of the branch its code
    takes: ``grad(abs)(0.0)`` is 1.0.
    """
    arr = np.asarray(xs)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    out = compiled_derivative(fn, order, jit)(jnp.asarray(arr, dtype=arr.dtype))
    return np.asarray(out.block_until_ready())


def derivative_at(fn: Function, x0: float, order: int = 1, dtype=np.float64) -> float:
    """The derivative at one point, ``grad`` applied to a scalar of ``dtype``."""
    return float(derivative(fn, np.asarray([x0], dtype=dtype), order)[0])


def jaxpr(fn: Function, dtype=np.float64):
    """The jaxpr (JAX's intermediate program) of f for a scalar input."""
    return jax.make_jaxpr(_scalar(fn))(jnp.zeros((), dtype=dtype))


def grad_jaxpr(fn: Function, order: int = 1, dtype=np.float64):
    """The jaxpr of grad f (nested ``order`` times) for a scalar input."""
    g = _scalar(fn)
    for _ in range(order):
        g = jax.grad(g)
    return jax.make_jaxpr(g)(jnp.zeros((), dtype=dtype))


def backend() -> str:
    """Where JAX computes: 'cpu', 'gpu' or 'tpu'."""
    return jax.default_backend()
