"""The few lines of Python a student would type in a notebook to get the same result.

Pages show these next to every panel, so each number on screen can be
reproduced outside the dashboard. Code is printed from the SymPy expression by
SymPy's own printers; the composed polynomial is written as the lab's loop.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import JaxPrinter, NumPyPrinter

from .expressions import Function

__all__ = ["sympy_def", "numpy_def", "jax_def"]

def _composed_depth(fn: Function) -> int | None:
    if fn.text.startswith("composed:"):
        return int(fn.text.split(":")[1])
    return None


def _loop(depth: int) -> str:
    return (
        f"def p(x):\n    return 2*x**3 - 3*x**2 + 5\n\n"
        f"def f(x):\n    for _ in range({depth}):\n        x = p(x)\n    return x\n"
    )


def sympy_def(fn: Function) -> str:
    """Defines ``x`` and ``f`` as SymPy objects."""
    head = "import sympy as sp\nfrom sympy import *\n\nx = symbols('x', real=True)\n"
    depth = _composed_depth(fn)
    if depth:
        return head + _loop(depth) + "f = f(x)\n"
    return head + f"f = {sp.sstr(fn.expr)}\n"


def _array_def(fn: Function, head: str, printer, module: str, alias: str) -> str:
    depth = _composed_depth(fn)
    if depth:
        return head + _loop(depth)
    body = printer.doprint(fn.expr).replace(module, alias)
    return head + f"def f(x):\n    return {body}\n"


def numpy_def(fn: Function) -> str:
    """Defines ``f`` as a NumPy function of an array."""
    return _array_def(fn, "import numpy as np\n\n", NumPyPrinter(), "numpy.", "np.")


def jax_def(fn: Function) -> str:
    """Defines ``f`` as a jax.numpy function of a scalar (what ``grad`` wants)."""
    head = "import jax\njax.config.update('jax_enable_x64', True)\nimport jax.numpy as jnp\n\n"
    return _array_def(fn, head, JaxPrinter(), "jax.numpy.", "jnp.")
