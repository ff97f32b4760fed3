"""Functions of two variables, f(x, y): partial derivatives three ways, the Hessian, D_u f.

Pure (no Streamlit). A *spec* is a preset id of :data:`PRESETS` or typed text; both go
through ``parse_expression(text, ("x", "y"))``, the lab's school-maths grammar, so the
expression is in the real symbols x and y. Symbolic work is proven bounded before it
starts (:func:`core.bounds.check_derivative_size` before every ``diff``, nothing is
simplified or expanded); NumPy and JAX evaluate callables lambdified with CSE.

* :func:`partials` and :func:`hessian`: SymPy's ∂f/∂x, ∂f/∂y and the 2×2 Hessian;
* :func:`grid_partials`: both partials on a grid by every method (exact, central
  differences, ``np.gradient`` on the meshgrid, ``jax.grad`` per argument, ``jax.jacfwd``
  and ``jax.jacrev`` of f as a function of a 2-vector), and :func:`errors` against exact;
* :func:`directional`: D_u f(x₀, y₀) along u = (cos θ, sin θ) by ``jax.jvp`` against ∇f·u;
* :func:`hessian_at`: SymPy's Hessian against ``jax.hessian``, with the symmetry check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import sympy as sp

from .bounds import check_derivative_size, check_work
from .deltas import delta_value
from .expressions import parse_expression
from .memo import memo

__all__ = ["Preset2", "PRESETS", "Function2", "resolve", "partials", "hessian", "grid",
           "grid_partials", "errors", "directional", "hessian_at", "METHODS", "central_step"]

VARS = ("x", "y")


@dataclass(frozen=True)
class Preset2:
    id: str     # the grammar's text (what the URL stores)
    label: str  # what a student reads
    why: str


_PRESETS = [
    Preset2("2x^2 - xy", "2x² − xy", "the lab's function of two variables"),
    Preset2("x^2 - y^2", "saddle x² − y²", "a saddle: ∇f = 0 at the origin, yet no minimum"),
    Preset2("(1 - x)^2 + 100(y - x^2)^2", "Rosenbrock (1 − x)² + 100(y − x²)²",
            "the banana valley that optimisers are tested on"),
    Preset2("exp(-(x^2 + y^2))", "Gaussian bump exp(−(x² + y²))", "a smooth hill"),
]
#: The page's presets, by id, in the picker's order.
PRESETS: dict[str, Preset2] = {p.id: p for p in _PRESETS}

#: Exact numbers beyond 2^53 are handed to NumPy/JAX as floats.
_FLOAT_EXACT = 2 ** 53


def _numeric(expr: sp.Expr) -> sp.Expr:
    big = {r: sp.Float(r, 17) for r in expr.atoms(sp.Rational)
           if abs(r.p) > _FLOAT_EXACT or r.q > _FLOAT_EXACT}
    return expr.xreplace(big) if big else expr


def _lambdify(args, expr, module: str):
    """``lambdify(cse=True)`` of a counted tree (or list of trees); |x|'s second derivative
    (a DiracDelta) evaluates to 0 off the kink and nan on it."""
    many = isinstance(expr, (list, tuple))
    check_work(sp.Tuple(*expr) if many else expr, "the formula")
    modules = [{"DiracDelta": delta_value}, "numpy"] if module == "numpy" else module
    return sp.lambdify(args, [_numeric(e) for e in expr] if many else _numeric(expr), modules=modules, cse=True)


@dataclass(frozen=True, eq=False)
class Function2:
    """A real function of x and y: its text (identity), SymPy expression and callables."""

    text: str
    expr: sp.Expr
    label: str = ""

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Function2) and other.text == self.text

    @property
    def x(self) -> sp.Symbol:
        return sp.Symbol("x", real=True)

    @property
    def y(self) -> sp.Symbol:
        return sp.Symbol("y", real=True)

    @cached_property
    def _np(self):
        return _lambdify((self.x, self.y), self.expr, "numpy")

    @cached_property
    def _jax(self):
        from . import jax64  # noqa: F401  (64-bit on first)

        return _lambdify((self.x, self.y), self.expr, "jax")

    def numpy(self, x, y):
        """f on arrays (broadcast together), float64; nan where f is undefined."""
        x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        with np.errstate(all="ignore"):
            out = np.asarray(self._np(x, y))
        if np.iscomplexobj(out):
            out = out.real
        return np.broadcast_to(out, x.shape).astype(float)

    def jax(self, x, y):
        """f in jax.numpy, traceable; a constant or a function of one variable keeps both
        arguments in its graph (so grad w.r.t. either is defined: 0)."""
        return self._jax(x, y) + 0.0 * x + 0.0 * y

    def jax_vec(self, v):
        """f as a function of a 2-vector v = (x, y): what jacfwd and jacrev take."""
        return self.jax(v[0], v[1])


@memo(max_entries=256, ttl_s=1800, max_bytes=64 * 2**20, sizeof=lambda fn: 2**18)
def resolve(spec: str) -> Function2:
    """A preset id or typed text -> :class:`Function2`. Raises ExpressionError for bad text."""
    text = " ".join(str(spec).split())
    expr = parse_expression(text, VARS)
    preset = PRESETS.get(text)
    return Function2(text=text, expr=expr, label=preset.label if preset else "")


@memo(max_entries=256, ttl_s=1800, max_bytes=64 * 2**20, sizeof=lambda v: 2**16)
def partials(fn: Function2) -> tuple[sp.Expr, sp.Expr]:
    """(∂f/∂x, ∂f/∂y) by SymPy, each diff proven bounded first (TooLarge otherwise)."""
    check_derivative_size(fn.expr, fn.x, "f")
    check_derivative_size(fn.expr, fn.y, "f")
    return sp.diff(fn.expr, fn.x), sp.diff(fn.expr, fn.y)


@memo(max_entries=256, ttl_s=1800, max_bytes=64 * 2**20, sizeof=lambda v: 2**16)
def hessian(fn: Function2) -> sp.Matrix:
    """sympy.hessian(f, (x, y)), after proving each of its four diffs bounded."""
    fx, fy = partials(fn)
    for d in (fx, fy):
        for s in (fn.x, fn.y):
            check_derivative_size(d, s, "a first partial of f")
    return sp.hessian(fn.expr, (fn.x, fn.y))


@memo(max_entries=128, ttl_s=1800, max_bytes=16 * 2**20, sizeof=lambda v: 2**14)
def _exact_partials_np(fn: Function2):
    fx, fy = partials(fn)
    return _lambdify((fn.x, fn.y), [fx, fy], "numpy")


def exact_gradient(fn: Function2, x, y) -> tuple[np.ndarray, np.ndarray]:
    """SymPy's ∂f/∂x and ∂f/∂y evaluated in float64 (broadcast to the shape of x, y)."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    with np.errstate(all="ignore"):
        gx, gy = _exact_partials_np(fn)(x, y)
    out = []
    for g in (gx, gy):
        g = np.asarray(g)
        out.append(np.broadcast_to(g.real if np.iscomplexobj(g) else g, x.shape).astype(float))
    return out[0], out[1]


def central_step(v) -> np.ndarray:
    """h ≈ ε^(1/3)·max(1, |v|): the step that balances truncation against round-off."""
    return np.cbrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(v))


def grid(lo: float = -2.0, hi: float = 2.0, n: int = 41) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """xs, and the meshgrid X, Y (indexing="ij": X[i, j] = xs[i], Y[i, j] = xs[j])."""
    xs = np.linspace(lo, hi, int(n))
    X, Y = np.meshgrid(xs, xs, indexing="ij")
    return xs, X, Y


#: Methods of :func:`grid_partials`, as the error table names them.
METHODS = {
    "central": "central differences (f(x+h)−f(x−h))/2h",
    "np.gradient": "np.gradient along each axis of the meshgrid",
    "jax.grad": "jax.grad(f, argnums=0 / 1)",
    "jax.jacfwd": "jax.jacfwd of f(v), v = (x, y)",
    "jax.jacrev": "jax.jacrev of f(v), v = (x, y)",
}


def grid_partials(fn: Function2, lo: float = -2.0, hi: float = 2.0, n: int = 41) -> dict:
    """Both partials on the n×n grid by every method: {"X", "Y", "f", "exact", method: (gx, gy)}."""
    from .jax64 import jax, jnp

    xs, X, Y = grid(lo, hi, n)
    out = {"X": X, "Y": Y, "f": fn.numpy(X, Y), "exact": exact_gradient(fn, X, Y)}
    hx, hy = central_step(X), central_step(Y)
    out["central"] = ((fn.numpy(X + hx, Y) - fn.numpy(X - hx, Y)) / (2 * hx),
                      (fn.numpy(X, Y + hy) - fn.numpy(X, Y - hy)) / (2 * hy))
    with np.errstate(all="ignore"):
        gx, gy = np.gradient(out["f"], xs, xs)
    out["np.gradient"] = (gx, gy)
    flat = lambda a: jnp.asarray(a.ravel())  # noqa: E731
    g = jax.jit(jax.vmap(lambda a, b: jnp.stack([jax.grad(fn.jax, 0)(a, b), jax.grad(fn.jax, 1)(a, b)])))
    jf = jax.jit(jax.vmap(jax.jacfwd(fn.jax_vec)))
    jr = jax.jit(jax.vmap(jax.jacrev(fn.jax_vec)))
    V = jnp.stack([flat(X), flat(Y)], axis=1)
    for name, res in (("jax.grad", g(flat(X), flat(Y))), ("jax.jacfwd", jf(V)), ("jax.jacrev", jr(V))):
        r = np.asarray(res, dtype=float)
        out[name] = (r[:, 0].reshape(X.shape), r[:, 1].reshape(X.shape))
    return out


def errors(result: dict) -> pd.DataFrame:
    """Max abs error of each method's ∂f/∂x and ∂f/∂y against SymPy's, where the exact is finite."""
    ex, ey = result["exact"]
    rows = []
    for m, what in METHODS.items():
        gx, gy = result[m]
        row = {"method": m, "how": what}
        for name, got, exact in (("∂f/∂x", gx, ex), ("∂f/∂y", gy, ey)):
            ok = np.isfinite(exact) & np.isfinite(got)
            row[f"max |error| {name}"] = float(np.max(np.abs(got[ok] - exact[ok]))) if ok.any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def point_gradient(fn: Function2, x0: float, y0: float) -> dict:
    """f, exact ∇f and jax.grad at (x₀, y₀), float64."""
    from .jax64 import jax, jnp

    gx, gy = exact_gradient(fn, x0, y0)
    jx, jy = jax.grad(fn.jax, (0, 1))(jnp.float64(x0), jnp.float64(y0))
    return {"f": float(fn.numpy(x0, y0)), "exact": (float(gx), float(gy)), "jax": (float(jx), float(jy))}


def directional(fn: Function2, x0: float, y0: float, n: int = 73) -> pd.DataFrame:
    """D_u f(x₀, y₀) for θ in [0, 2π] (n angles): by jax.jvp, and ∇f·u with ∇f from jax.grad."""
    from .jax64 import jax, jnp

    theta = np.linspace(0.0, 2 * np.pi, int(n))
    p = jnp.array([x0, y0], dtype=jnp.float64)

    def dir_d(t):
        u = jnp.stack([jnp.cos(t), jnp.sin(t)])
        return jax.jvp(fn.jax_vec, (p,), (u,))[1]

    jvp = np.asarray(jax.jit(jax.vmap(dir_d))(jnp.asarray(theta)), dtype=float)
    g = np.asarray(jax.grad(fn.jax_vec)(p), dtype=float)
    dot = g[0] * np.cos(theta) + g[1] * np.sin(theta)
    return pd.DataFrame({"theta": theta, "jvp": jvp, "grad_dot_u": dot})


def hessian_at(fn: Function2, x0: float, y0: float) -> dict:
    """SymPy's Hessian at the point (float64) against jax.hessian, and both symmetry gaps."""
    from .jax64 import jax, jnp

    H = hessian(fn)
    sym = np.array(_lambdify((fn.x, fn.y), list(H), "numpy")(float(x0), float(y0)), dtype=float).reshape(2, 2)
    jh = np.asarray(jax.hessian(fn.jax_vec)(jnp.array([x0, y0], dtype=jnp.float64)), dtype=float)
    return {"sympy_matrix": H, "sympy": sym, "jax": jh,
            "sym_gap_sympy": float(abs(sym[0, 1] - sym[1, 0])),
            "sym_gap_jax": float(abs(jh[0, 1] - jh[1, 0])),
            "max_diff": float(np.nanmax(np.abs(sym - jh))) if np.isfinite(sym).any() else np.nan}


def jax_source(fn: Function2) -> str:
    """Notebook lines defining ``f(x, y)`` with jax.numpy (printed from the parsed expression)."""
    from sympy.printing.numpy import JaxPrinter

    body = JaxPrinter().doprint(_numeric(fn.expr)).replace("jax.numpy.", "jnp.")
    return ("import jax\njax.config.update('jax_enable_x64', True)\nimport jax.numpy as jnp\n"
            "import numpy as np\n\n"
            f"def f(x, y):\n    return {body} + 0.0 * x + 0.0 * y\n")


def numpy_source(fn: Function2) -> str:
    from sympy.printing.numpy import NumPyPrinter

    body = NumPyPrinter().doprint(_numeric(fn.expr)).replace("numpy.", "np.")
    return f"import numpy as np\n\ndef f(x, y):\n    return {body} + 0.0 * x + 0.0 * y\n"


def sympy_source(fn: Function2) -> str:
    return ("import sympy as sp\nfrom sympy import *\n\nx, y = symbols('x y', real=True)\n"
            f"f = {sp.sstr(fn.expr)}\n")
