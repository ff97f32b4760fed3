"""The lab's way of timing (section 5): each method once, with ``time.time()``, first calls included.

:func:`lab_race` reproduces exactly the lab's measurement, so that its story and the
harness's steady-state one (:func:`core.timing.harness.race`) can be told side by side.
:data:`LAB_CODE` is the lab's own timed line of each method, :data:`LAB_FIGURES`
what the lab printed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sympy as sp

from .. import presets
from ..bounds import check_derivative_size
from ..expressions import Function
from ..reference import exact
from .harness import Progress, accuracy
from .methods import LAB_METHODS
from .queue import one_at_a_time

__all__ = ["lab_race", "LAB_CODE", "LAB_FIGURES", "lab_f_of_x"]

#: The lab's printed figures (ms, 10^6 points), for the functions it raced.
LAB_FIGURES: dict[str, dict[str, float]] = {
    "x^2": {"symbolic": 4.97, "numerical": 46.4, "autodiff": 62.7},
    "composed:3": {"symbolic": 357.3, "autodiff": 226.1},
}

#: The lab's own timed line of each of its three methods.
LAB_CODE = {
    "symbolic": "res = lambdify(x, diff(f(x), x), 'numpy')(x_array_large)",
    "numerical": "res = np.gradient(f(x_array_large), x_array_large)",
    "autodiff": "res = vmap(grad(f))(jnp.array(x_array_large.astype('float32')))",
}


def lab_f_of_x(fn: Function) -> sp.Expr:
    """``f(x)`` as the lab builds it inside its timed line (the loop for the composed polynomial)."""
    depth = presets.composed_depth(fn)
    return presets.compose(fn.symbol, depth) if depth else fn.expr


@one_at_a_time
def lab_race(
    fn: Function,
    n: int = 1_000_000,
    methods: Sequence[str] = LAB_METHODS,
    *,
    lo: float = -5.0,
    hi: float = 5.0,
    cold: bool = True,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """The lab's measurement: each method once, with ``time.time()``, first-call costs included.
    Takes its turn in the queue.

    Symbolic is ``lambdify(x, diff(f(x), x), 'numpy')(xs)`` (no CSE; building
    f(x), ``diff`` and ``lambdify`` all inside the clock), numerical
    ``np.gradient(f(xs), xs)``, autodiff ``vmap(grad(f))(jnp.array(xs.astype('float32')))``
    (no jit, float32, and no wait for the result: the clock stops when JAX
    returns). With ``cold`` SymPy's cache is cleared first, as in the lab's
    fresh notebook. JAX's compile caches are *not* cleared: they belong to the
    whole server, and clearing them would make every other student's jitted
    functions recompile. So the autodiff figure here includes tracing and the
    compiling of anything new, but is lower than a fresh notebook's. One row per method: ``ms`` (the lab's figure),
    ``ready_ms`` (until the result really exists), dtype, the accuracy columns
    (max_abs_error, max_scaled_error, nonfinite), ``lab_ms``
    (what the lab printed, where it raced this function) and the code.
    """
    from ..jax64 import jax, jnp

    xs = np.linspace(lo, hi, int(n))  # the lab's grid: float64
    want = exact(fn, xs)
    f_np = fn.numpy
    f_jax = fn.jax
    rows = []
    for i, name in enumerate(methods):
        if name not in LAB_CODE:
            raise ValueError(f"the lab only raced {list(LAB_CODE)}, not {name!r}")
        if progress:
            progress(f"lab mode: {name}, once with time.time()", i / len(methods))
        if cold:
            sp.core.cache.clear_cache()
        if name == "symbolic":  # the lab's diff runs inside its timing: bound it first
            check_derivative_size(lab_f_of_x(fn), fn.symbol)
        tic = time.time()
        if name == "symbolic":
            x = fn.symbol
            with np.errstate(all="ignore"):
                res = sp.lambdify(x, sp.diff(lab_f_of_x(fn), x), "numpy")(xs)
        elif name == "numerical":
            with np.errstate(all="ignore"):
                res = np.gradient(f_np(xs), xs)
        else:
            res = jax.vmap(jax.grad(f_jax))(jnp.array(xs.astype("float32")))
        toc = time.time()
        if name == "autodiff":
            res = res.block_until_ready()
        ready = time.time()
        res = np.broadcast_to(np.asarray(res), xs.shape)
        rows.append(dict(
            method=name, phase="lab (one shot)", ms=1e3 * (toc - tic), ready_ms=1e3 * (ready - tic),
            dtype="float32" if name == "autodiff" else "float64", **accuracy(res, want), n=int(n),
            lab_ms=LAB_FIGURES.get(fn.text, {}).get(name, float("nan")), code=LAB_CODE[name],
        ))
        del res
    if progress:
        progress("done", 1.0)
    return pd.DataFrame(rows)
