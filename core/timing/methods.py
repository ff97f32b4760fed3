"""The race's methods: each way of getting f′ on a grid, its setup beside the code a student writes.

A method is registered where its setup is defined (``@method(...)`` above the
function): its name, its label, the notebook code of its two phases and the
setup itself, side by side. ``setup(fn, dtype, n)`` does the one-off work
(fresh, nothing reused from a cache) and returns ``run(xs)``, the call the
harness times (:mod:`core.timing.harness`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .. import symbolic
from ..bounds import TooLarge
from ..deltas import drop_deltas
from ..expressions import Function, numeric_form
from ..numerical import optimal_step

__all__ = ["Method", "METHODS", "LAB_METHODS", "method", "device_label"]


@dataclass(frozen=True)
class Method:
    """One way to get f′ on a grid: what is timed in each phase, and the code a student writes."""

    name: str
    label: str
    setup: Callable[[Function, np.dtype, int], Callable]  # fresh, uncached preparation -> run(xs)
    setup_code: str                                        # what the setup phase times
    evaluate_code: str                                     # what the evaluate phase times
    jax: bool = False                                      # runs on JAX's device
    symbolic: bool = False                                 # its setup uses SymPy's cache


#: Every method, by name, in the order they are defined below (the order the page lists them).
METHODS: dict[str, Method] = {}

#: The lab's own three methods, the default of every race.
LAB_METHODS = ("symbolic", "numerical", "autodiff")


def method(name: str, label: str, setup_code: str, evaluate_code: str, *, jax: bool = False,
           symbolic: bool = False) -> Callable[[Callable], Callable]:
    """Register the decorated setup as the method ``name`` in :data:`METHODS`."""
    def register(setup: Callable) -> Callable:
        METHODS[name] = Method(name, label, setup, setup_code, evaluate_code, jax=jax, symbolic=symbolic)
        return setup

    return register


def device_label(name: str) -> str:
    """Where a method computes: 'cpu (NumPy)' or JAX's backend and device."""
    if not METHODS[name].jax:
        return "cpu (NumPy)"
    from ..jax64 import backend, device_name

    kind, device = backend(), device_name()
    return f"{kind} (JAX)" if device.lower() == kind else f"{kind} (JAX, {device})"


# --- what the setups share ------------------------------------------------------------------

def _fresh_numpy(fn: Function) -> Callable:
    """f as a NumPy callable, lambdified anew (CSE on, as Function.numpy does)."""
    raw = sp.lambdify(fn.symbol, numeric_form(fn.expr), modules="numpy", cse=True)
    if fn.depends_on_x:
        return raw
    return lambda xs: np.broadcast_to(np.asarray(raw(xs), dtype=xs.dtype), xs.shape)


def _fresh_jax(fn: Function) -> Callable:
    """f as a jax.numpy function of a scalar, lambdified anew (a new object: no JAX cache hits)."""
    from ..jax64 import jnp

    raw = sp.lambdify(fn.symbol, numeric_form(fn.expr), modules="jax", cse=True)
    if fn.depends_on_x:
        return lambda x: raw(x)
    return lambda x: jnp.asarray(raw(x), dtype=jnp.result_type(x)) + 0 * x


def _derivative_expr(fn: Function) -> sp.Expr:
    d = numeric_form(symbolic.bounded_diff(fn.expr, fn.symbol, 1))  # fresh each setup, bounded first
    return drop_deltas(d)  # zero everywhere a grid point can be but 0


def _lambdified_derivative(fn: Function, cse: bool) -> Callable:
    d = _derivative_expr(fn)
    try:
        f = sp.lambdify(fn.symbol, d, modules="numpy", cse=cse)
    except (RecursionError, MemoryError, SyntaxError):
        raise TooLarge("f′'s generated code is too deeply nested for Python to compile") from None
    if fn.symbol in d.free_symbols:
        return f  # the generated function itself: nothing of ours in the timed call
    return lambda xs: np.broadcast_to(np.asarray(f(xs), dtype=xs.dtype), xs.shape)  # a constant f′


def _jax_gradient(fn: Function, dtype, n: int, jit: bool) -> Callable:
    from ..jax64 import jax, jnp

    g = jax.vmap(jax.grad(_fresh_jax(fn)))  # a new function object: nothing is cached yet
    if jit:
        # Trace and compile for exactly the race's shape and dtype (by a call on zeros,
        # so that evaluate times the same jit dispatch a student's df(xs) goes through).
        g = jax.jit(g)
        g(jnp.zeros(int(n), dtype=dtype)).block_until_ready()

    def run(xs):
        return g(xs).block_until_ready()

    return run


# --- the methods, in the order the page lists them --------------------------------------------

@method("symbolic", "SymPy diff + lambdify (CSE)",
        setup_code="df = sp.lambdify(x, sp.diff(f, x), 'numpy', cse=True)",
        evaluate_code="df(xs)", symbolic=True)
def setup_symbolic(fn: Function, dtype, n: int) -> Callable:
    return _lambdified_derivative(fn, cse=True)


@method("symbolic_nocse", "SymPy diff + lambdify (no CSE, the lab's)",
        setup_code="df = sp.lambdify(x, sp.diff(f, x), 'numpy')",
        evaluate_code="df(xs)", symbolic=True)
def setup_symbolic_nocse(fn: Function, dtype, n: int) -> Callable:
    return _lambdified_derivative(fn, cse=False)


@method("numerical", "NumPy np.gradient (evaluates f too)",
        setup_code="f = sp.lambdify(x, f, 'numpy', cse=True)",
        evaluate_code="np.gradient(f(xs), xs)")
def setup_numerical(fn: Function, dtype, n: int) -> Callable:
    f = _fresh_numpy(fn)

    def run(xs):
        return np.gradient(f(xs), xs)

    return run


@method("central", "central difference, h = ε^(1/3)·max(1, |x|)",
        setup_code="f = sp.lambdify(x, f, 'numpy', cse=True)\nc = np.finfo(xs.dtype).eps ** (1/3)",
        evaluate_code="h = c * np.maximum(1, np.abs(xs)); xp, xm = xs + h, xs - h\n(f(xp) - f(xm)) / (xp - xm)")
def setup_central(fn: Function, dtype, n: int) -> Callable:
    f = _fresh_numpy(fn)
    c = np.dtype(dtype).type(optimal_step("central", np.dtype(dtype)))  # ε^(1/3), core.numerical's rule
    one = np.dtype(dtype).type(1)

    def run(xs):
        h = c * np.maximum(one, np.abs(xs))   # relative step, at least ε^(1/3)
        xp, xm = xs + h, xs - h
        return (f(xp) - f(xm)) / (xp - xm)     # divide by the step actually taken

    return run


@method("autodiff", "JAX jit(vmap(grad))",
        setup_code="f = sp.lambdify(x, f, 'jax', cse=True)\n"
                   "df = jax.jit(jax.vmap(jax.grad(f)))\n"
                   "df(jax.numpy.zeros(xs.shape, xs.dtype)).block_until_ready()   # trace + compile for this shape",
        evaluate_code="df(xs_jax).block_until_ready()", jax=True)
def setup_autodiff(fn: Function, dtype, n: int) -> Callable:
    return _jax_gradient(fn, dtype, n, jit=True)


@method("autodiff_nojit", "JAX vmap(grad), no jit",
        setup_code="f = sp.lambdify(x, f, 'jax', cse=True)\ndf = jax.vmap(jax.grad(f))",
        evaluate_code="df(xs_jax).block_until_ready()", jax=True)
def setup_autodiff_nojit(fn: Function, dtype, n: int) -> Callable:
    return _jax_gradient(fn, dtype, n, jit=False)
