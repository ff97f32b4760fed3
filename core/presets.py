"""The lab's functions, ready to pick, and its composed polynomial of any depth.

A *spec* is what the function picker stores (and what the URL carries): either
the id of a preset below or the text of a typed function. :func:`resolve`
turns either into a :class:`~core.expressions.Function`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .expressions import Function, X, function_from_expr, parse_function
from .memo import memo

__all__ = ["Preset", "PRESETS", "composed_polynomial", "resolve", "default_range", "MAX_DEPTH", "P_SOURCE", "P_LABEL",
           "lab_polynomial", "composed_depth", "composed_spec", "composed_source"]

#: Deepest composition offered (depth 6 already has a 1862-operation derivative tree).
MAX_DEPTH = 6


@dataclass(frozen=True)
class Preset:
    id: str      # what the picker and the URL store
    label: str   # what a student reads
    lab: str     # where the lab uses it
    x_range: tuple[float, float] = (-5.0, 5.0)


def lab_polynomial(t):
    """The lab's polynomial p(t) = 2t³ − 3t² + 5: the one place its coefficients are written."""
    return 2 * t**3 - 3 * t**2 + 5


def compose(t, depth: int):
    """p(p(...p(t)...)), ``depth`` times: the lab's loop ``for _ in range(depth): t = p(t)``."""
    for _ in range(int(depth)):
        t = lab_polynomial(t)
    return t


#: The lab's polynomial in x as Python source (printed from :func:`lab_polynomial`), as a
#: student types it (the preset), and as a student reads it.
P_SOURCE = sp.sstr(lab_polynomial(X))
P_SPEC = P_SOURCE.replace("**", "^")
P_LABEL = "2t³ − 3t² + 5"
#: Preset ids of the composed polynomial are this prefix and the depth: "composed:3".
COMPOSED_PREFIX = "composed:"


def composed_depth(spec) -> int | None:
    """The depth of a composed-polynomial spec ("composed:3", or its Function), else None."""
    text = getattr(spec, "text", spec)
    if isinstance(text, str) and text.startswith(COMPOSED_PREFIX) and text in PRESETS:
        return int(text[len(COMPOSED_PREFIX):])
    return None


def composed_spec(depth: int) -> str:
    """The preset id of the composed polynomial of ``depth``."""
    return f"{COMPOSED_PREFIX}{int(depth)}"


_TYPED = [
    Preset("x^2", "x²", "sections 1-5: the running example"),
    Preset("x^3", "x³", "section 2.2 and the JAX gallery"),
    Preset(P_SPEC, P_LABEL.replace("t", "x"), "the JAX gallery and the race"),
    Preset("1/x", "1/x", "the JAX gallery"),
    Preset("exp(x)", "eˣ", "the JAX gallery"),
    Preset("log(x)", "ln x", "the JAX gallery"),
    Preset("sin(x)", "sin x", "the JAX gallery"),
    Preset("cos(x)", "cos x", "the JAX gallery"),
    Preset("abs(x)", "|x|", "sections 2.3 and 3.2: the kink"),
    Preset("abs(x) + sin(x)*cos(x)", "|x| + sin x cos x", "the JAX gallery"),
    Preset("exp(-2*x) + 3*sin(3*x)", "e^(−2x) + 3 sin 3x", "sections 2.2 and 3.1"),
]
_COMPOSED = [
    Preset(f"{COMPOSED_PREFIX}{d}", f"p∘…∘p, depth {d}  (p = {P_LABEL.replace('t', 'x')})",
           "section 5: expression swell", (-1.0, 1.5))
    for d in range(1, MAX_DEPTH + 1)
]

#: Every preset, by id, in the order the picker shows them.
PRESETS: dict[str, Preset] = {p.id: p for p in _TYPED + _COMPOSED}


@lru_cache(maxsize=None)
def composed_polynomial(depth: int) -> Function:
    """p(p(...p(x)...)), ``depth`` times, with p(t) = 2t³ − 3t² + 5 (the lab's race).

    The SymPy tree of the derivative grows about threefold per level (the chain
    rule copies the inner function into every factor); evaluated with common
    subexpressions shared it grows only linearly. Depth is 1 to :data:`MAX_DEPTH`.
    """
    depth = int(depth)
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be between 1 and {MAX_DEPTH}, got {depth}")
    return function_from_expr(compose(X, depth), text=composed_spec(depth), label=f"p composed {depth}×")


@memo(max_entries=256, ttl_s=1800, max_bytes=256 * 2**20, sizeof=lambda fn: 2**20)
def resolve(spec: str) -> Function:
    """A preset id or typed text -> Function. Raises ExpressionError for bad text."""
    spec = " ".join(str(spec).split())
    preset = PRESETS.get(spec)
    depth = composed_depth(spec)
    if depth is not None:
        return composed_polynomial(depth)
    fn = parse_function(spec)
    if preset is not None:
        return function_from_expr(fn.expr, text=spec, label=preset.label)
    return fn


def default_range(spec: str) -> tuple[float, float]:
    """The x-range a preset reads best on; [-5, 5] (the lab's) for typed text."""
    preset = PRESETS.get(spec)
    return preset.x_range if preset else (-5.0, 5.0)


def composed_source(depth: int) -> str:
    """The Python a student would write for the composed polynomial (the lab's loop)."""
    return (
        f"def p(x):\n    return {P_SOURCE}\n\n"
        f"def f(x):\n    for _ in range({depth}):\n        x = p(x)\n    return x\n"
    )

