"""The few lines of Python a student would type in a notebook to get the same result.

Pages show these next to every panel, so each number on screen can be
reproduced outside the dashboard. Code is printed from the SymPy expression by
SymPy's own printers; the composed polynomial is written as the lab's loop.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import JaxPrinter, NumPyPrinter

from .expressions import Function
from .presets import composed_depth as _composed_depth
from .presets import composed_source as _loop

__all__ = ["sympy_def", "numpy_def", "jax_def", "exact_def", "sympy_function_def", "lab_race_def", "JAX_HEAD"]

#: The first lines of every JAX snippet: 64-bit floats on, as on the pages.
JAX_HEAD = "import jax\njax.config.update('jax_enable_x64', True)\nimport jax.numpy as jnp\n"



def sympy_def(fn: Function) -> str:
    """Defines ``x`` and ``f`` as SymPy objects."""
    head = "import numpy as np\nimport sympy as sp\nfrom sympy import *\n\nx = symbols('x', real=True)\n"
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
    return _array_def(fn, JAX_HEAD + "\n", JaxPrinter(), "jax.numpy.", "jnp.")


def sympy_function_def(fn: Function) -> str:
    """Defines ``f`` as a Python function that SymPy can call on a symbol (the lab's ``f(x)``)."""
    depth = _composed_depth(fn)
    if depth:
        return _loop(depth)
    return f"def f(x):\n    return {sp.sstr(fn.expr)}\n"


def lab_race_def(fn: Function, method: str) -> str:
    """The lab's ``f`` for one of its timed lines: SymPy-callable, NumPy or jax.numpy."""
    if method == "symbolic":
        return "from sympy import *\nx = symbols('x', real=True)\n" + sympy_function_def(fn)
    if method == "numerical":
        return numpy_def(fn)
    return jax_def(fn) + "from jax import grad, vmap\n"


def exact_def(fn: Function, name: str = "fprime") -> str:
    """Defines ``name`` as the exact derivative (SymPy diff, lambdified for NumPy), leaving ``f`` alone."""
    depth = _composed_depth(fn)
    formula = "f_sym" if depth else sp.sstr(fn.expr)
    setup = (_loop(depth).replace("def f(", "def f_of(") + "f_sym = f_of(x)\n") if depth else ""
    return ("from sympy import diff, lambdify, symbols\nfrom sympy import *  # sin, exp, … by name\n"
            f"x = symbols('x', real=True)\n{setup}{name} = lambdify(x, diff({formula}, x), 'numpy')\n")
