"""The notebook code behind each figure of the race: what a student pastes to time a method the same way."""

from __future__ import annotations

from .methods import METHODS

__all__ = ["race_code"]


def race_code(fn_def: str, n: int, dtype: str, method: str, repeats: int, lo: float = -5.0,
              hi: float = 5.0) -> str:
    """Notebook code that times ``method`` the way :func:`race` does (``fn_def`` defines sympy f)."""
    m = METHODS[method]
    lines = [fn_def.rstrip(), "import time", "import numpy as np"]
    if m.jax:
        lines += ["import jax", "jax.config.update('jax_enable_x64', True)   # float64 is a choice, not an accident"]
    lines += [f"xs = np.linspace({lo:g}, {hi:g}, {int(n)}).astype('{dtype}')"]
    if m.jax:
        lines.append("xs_jax = jax.device_put(xs)   # on JAX's device (a GPU when it sees one)")
    body = m.evaluate_code.split("\n")
    lines += ["", "# setup, timed apart (SymPy's cache cleared first, so diff is really done)",
              "sp.core.cache.clear_cache()", "t0 = time.perf_counter()", m.setup_code,
              "setup_ms = 1e3 * (time.perf_counter() - t0)",
              "", "# evaluate: one warm-up call, then the median of separate timed calls", *body,
              "times = []", f"for _ in range({int(repeats)}):", "    t0 = time.perf_counter()",
              *("    " + b for b in body[:-1]), f"    out = {body[-1]}",
              "    times.append(1e3 * (time.perf_counter() - t0))",
              "print(f'setup {setup_ms:.3g} ms, evaluate {np.median(times):.3g} ms')"]
    return "\n".join(lines) + "\n"
