"""The derivative lab's core: pure differentiation and timing, no Streamlit.

>>> from core import parse_function, symbolic, numerical, autodiff
>>> fn = parse_function("exp(-2*x) + 3*sin(3*x)")
>>> symbolic.derivative(fn)
9*cos(3*x) - 2*exp(-2*x)

``parse_function``, ``ExpressionError``, ``presets``, ``symbolic`` and
``numerical`` import SymPy and NumPy only. ``autodiff`` and ``timing`` bring in
JAX (with 64-bit floats enabled) the first time they are touched, so a process
that only does symbolic work -- such as a sandbox worker -- stays small.
"""

from __future__ import annotations

import importlib

from . import numerical, presets, symbolic
from .expressions import ExpressionError, Function, parse_expression, parse_function

__all__ = [
    "ExpressionError",
    "Function",
    "parse_function",
    "parse_expression",
    "presets",
    "symbolic",
    "numerical",
    "autodiff",
    "timing",
]

_LAZY = {"autodiff", "timing"}


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'core' has no attribute {name!r}")
