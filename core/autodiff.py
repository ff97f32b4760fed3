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

import statistics
import time
from typing import Callable

import numpy as np
import pandas as pd

from .expressions import Function
from .jax64 import backend, jax, jnp
from .memo import memo
from .orders import MAX_ORDER, check_order

#: What one jitted derivative holds (its traced program and XLA executables), for the caches' budget.
COMPILED_BYTES = 8 * 2**20

__all__ = [
    "derivative", "derivative_at", "compiled_derivative", "jaxpr", "grad_jaxpr", "backend",
    "grad_function", "grad_at", "array_facts", "item_assignment_error", "at_set",
    "integer_input_error", "array_output_error", "jit_timing", "nested_grad", "MAX_ORDER",
]


def _scalar(fn: Function) -> Callable:
    return lambda x: fn.jax(x)


def nested_grad(fn: Function, order: int = 1) -> Callable:
    """``grad(grad(...grad(f)))``, ``order`` times, of f as a scalar function (``order=0``: f)."""
    g = _scalar(fn)
    for _ in range(check_order(order)):
        g = jax.grad(g)
    return g


@memo(max_entries=64, ttl_s=1800, max_bytes=256 * 2**20, sizeof=lambda f: COMPILED_BYTES)
def compiled_derivative(fn: Function, order: int = 1, jit: bool = True) -> Callable:
    """``vmap(grad(...grad(f)))`` (``order`` times), jitted unless ``jit=False``.

    Cached per (function, order, jit), so a jitted derivative compiles once per
    input shape and dtype for the whole process, shared by every session.
    """
    out = jax.vmap(nested_grad(fn, order))
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
    return jax.make_jaxpr(nested_grad(fn, order))(jnp.zeros((), dtype=dtype))


# --- grad at one point -----------------------------------------------------------

@memo(max_entries=64, ttl_s=1800, max_bytes=256 * 2**20, sizeof=lambda f: COMPILED_BYTES)
def grad_function(fn: Function, order: int = 1) -> Callable:
    """``jit(grad(grad(...f)))`` of a scalar, ``order`` times; compiled once per dtype, process-wide."""
    return jax.jit(nested_grad(fn, check_order(order, lowest=1)))


def grad_at(fn: Function, x0: float, order: int = 1, dtype=np.float64) -> float:
    """``grad(f)(x0)`` (nested ``order`` times) on a scalar of ``dtype``, as the lab writes it."""
    out = grad_function(fn, order)(jnp.asarray(x0, dtype=dtype))
    return float(out.block_until_ready())


# --- JAX arrays next to NumPy arrays ----------------------------------------------

def array_facts(values=(1.0, 2.0, 3.0), dtype=np.float64) -> pd.DataFrame:
    """The same numbers as a NumPy array and as a ``jax.numpy`` array: type, dtype, device."""
    a_np = np.array(values, dtype=dtype)
    a_jnp = jnp.array(values, dtype=dtype)
    dev = ", ".join(sorted(str(d) for d in a_jnp.devices()))
    rows = [
        ("np.array", f"{type(a_np).__module__}.{type(a_np).__qualname__}", str(a_np.dtype),
         "host memory (NumPy has no devices)", "yes: a[i] = v works", str(a_np)),
        ("jnp.array", f"{type(a_jnp).__module__}.{type(a_jnp).__qualname__}", str(a_jnp.dtype),
         f"{dev} ({backend()})", "no: use a.at[i].set(v)", str(a_jnp)),
    ]
    return pd.DataFrame(rows, columns=["made with", "type", "dtype", "device", "mutable", "values"])


def item_assignment_error(values=(1.0, 2.0, 3.0), i: int = 2, v: float = 4.0, dtype=np.float64) -> str:
    """Try ``a[i] = v`` on a jnp array and return JAX's own error message."""
    a = jnp.array(values, dtype=dtype)
    try:
        a[i] = v  # type: ignore[index]
    except TypeError as err:
        return f"TypeError: {err}"
    return "no error: this JAX version allowed item assignment"  # pragma: no cover


def at_set(values, i: int, v: float, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """``a.at[i].set(v)``: returns (a, the new array); ``a`` itself is unchanged (out of place)."""
    a = jnp.array(values, dtype=dtype)
    b = a.at[int(i)].set(v)
    return np.asarray(a), np.asarray(b)


# --- the three classic mistakes with grad, reproduced -----------------------------

def _error_text(call: Callable) -> str | None:
    try:
        call()
    except Exception as err:  # noqa: BLE001  (we show JAX's message, whatever it is)
        return f"{type(err).__name__}: {err}"
    return None


def integer_input_error(fn: Function, x0: int = 3) -> str | None:
    """``grad(f)(3)``: grad refuses an integer input. Returns JAX's message (None if it worked)."""
    return _error_text(lambda: jax.grad(_scalar(fn))(int(x0)))


def array_output_error(fn: Function, xs=(1.0, 2.0, 3.0), dtype=np.float64) -> str | None:
    """``grad(f)(array)``: f of an array is an array, grad wants a scalar output. JAX's message."""
    arr = jnp.asarray(xs, dtype=dtype)
    return _error_text(lambda: jax.grad(_scalar(fn))(arr))


def jit_timing(fn: Function, n: int = 10_000, dtype="float64", repeats: int = 5,
               budget_s: float = 2.0) -> pd.DataFrame:
    """``vmap(grad(f))`` without and with ``jit``: first call and steady state, honestly timed.

    Each variant is built fresh, so its first call pays what a first call pays
    (tracing; for jit also XLA compilation). Every call is timed up to
    ``block_until_ready()``. Steady state is the median of 1 to ``repeats``
    further calls, stopping early once they have used ``budget_s`` seconds.
    """
    xs = jnp.linspace(-1.0, 1.0, int(n), dtype=dtype)
    rows = []
    for label, use_jit in (("vmap(grad(f)), no jit", False), ("jit(vmap(grad(f)))", True)):
        g = jax.vmap(nested_grad(fn, 1))  # a new function: nothing compiled yet
        if use_jit:
            g = jax.jit(g)
        start = time.perf_counter()
        g(xs).block_until_ready()
        first = (time.perf_counter() - start) * 1e3
        times = []
        steady = time.perf_counter()
        # at least one steady-state call (no longer than the first); more while the budget lasts
        while len(times) < int(repeats) and (not times or time.perf_counter() - steady < budget_s):
            t = time.perf_counter()
            g(xs).block_until_ready()
            times.append((time.perf_counter() - t) * 1e3)
        rows.append((label, "first call", first, 1))
        if times:
            rows.append((label, "steady state (median)", statistics.median(times), len(times)))
    out = pd.DataFrame(rows, columns=["variant", "phase", "ms", "calls"])
    out["points"] = int(n)
    out["dtype"] = str(np.dtype(dtype))
    return out
