"""Evaluation traces: autodiff done by hand, one primitive at a time, from JAX's own jaxpr.

JAX turns ``f`` into a *jaxpr*: a straight-line program of primitives
(``sin``, ``mul``, ``integer_pow`` ...), each writing one new variable. Automatic
differentiation is the chain rule applied to that program, and this module
applies it the way a textbook does, so that every intermediate number can be
shown in a table:

* **forward mode** (``jax.jvp``): walk the program once, carrying next to each
  value v its *tangent* v̇ = dv/dx. The input's tangent is seeded with 1; each
  primitive's tangent is the sum, over its inputs a, of ∂v/∂a · ȧ. The last
  tangent is f′(x₀).
* **reverse mode** (``jax.grad``): walk the program forwards to get the values,
  then backwards carrying each variable's *adjoint* v̄ = ∂f/∂v. The output's
  adjoint is seeded with 1; a variable's adjoint is the sum, over the
  primitives c that use it, of c̄ · ∂c/∂v. The input's adjoint is f′(x₀).

Each primitive's value rule and local-derivative rule sit side by side in
:data:`RULES` (as in micrograd's ``engine.py``). Calls of nested programs
(``jit``/``pjit``, ``closed_call``, ``remat``) are inlined; any primitive
without a rule here -- including ``custom_jvp_call``, whose custom derivative
must be respected -- is evaluated by JAX itself and its local derivatives come
from ``jax.jvp``, so the trace always agrees with ``jax.grad``.

Everything is computed in the dtype asked for (float64 or float32), with NumPy
scalars, so round-off and overflow show up as they do in JAX.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ._jax import jax, jnp

from jax.extend.core import Literal  # noqa: E402  (after _jax: 64-bit is on)

__all__ = [
    "Rule",
    "RULES",
    "Step",
    "Program",
    "trace_program",
    "forward_table",
    "reverse_table",
    "graph",
    "var_name",
]


# --- the rules: value and local derivatives, side by side ----------------------

@dataclass(frozen=True)
class Rule:
    """One primitive: how to compute its value and its partial derivatives.

    ``value(*args, **params)`` gives the output; ``partials(args, out, params)``
    gives ∂out/∂arg for each argument. ``text`` are the same partials written
    for a reader, with {0}, {1} standing for the argument names, {out} for the
    output's name and {p} for the primitive's parameter (an exponent).
    """

    value: Callable
    partials: Callable
    text: tuple[str, ...]


def _one(a):
    return np.ones_like(a)


def _where(cond, a, b):
    return np.where(cond, a, b)[()]


RULES: dict[str, Rule] = {
    # arithmetic
    "neg": Rule(lambda a: -a, lambda A, y, p: (-_one(A[0]),), ("−1",)),
    "add": Rule(lambda a, b: a + b, lambda A, y, p: (_one(A[0]), _one(A[1])), ("1", "1")),
    "add_any": Rule(lambda a, b: a + b, lambda A, y, p: (_one(A[0]), _one(A[1])), ("1", "1")),
    "sub": Rule(lambda a, b: a - b, lambda A, y, p: (_one(A[0]), -_one(A[1])), ("1", "−1")),
    "mul": Rule(lambda a, b: a * b, lambda A, y, p: (A[1], A[0]), ("{1}", "{0}")),
    "div": Rule(lambda a, b: a / b, lambda A, y, p: (1 / A[1], -A[0] / A[1] ** 2), ("1/{1}", "−{0}/{1}²")),
    "square": Rule(lambda a: a * a, lambda A, y, p: (2 * A[0],), ("2·{0}",)),
    "integer_pow": Rule(
        lambda a, y: a ** y,
        # n·a^(n−1); for n = 0 the derivative is 0 (also at a = 0, as in JAX)
        lambda A, out, p: ((p["y"] * A[0] ** (p["y"] - 1)) if p["y"] != 0 else 0 * A[0],),
        ("{p}·{0}^({p}−1)",),
    ),
    "pow": Rule(
        lambda a, b: a ** b,
        # ∂/∂a = b·a^(b−1) (0 when b = 0); ∂/∂b = ln(a)·a^b (0 at a = 0), JAX's conventions
        lambda A, out, p: (
            _where(A[1] == 0, 0 * A[0], A[1] * A[0] ** (A[1] - 1)),
            _where(A[0] == 0, 0 * out, np.log(_where(A[0] == 0, _one(A[0]), A[0])) * out),
        ),
        ("{1}·{0}^({1}−1)", "ln({0})·{out}"),
    ),
    "sqrt": Rule(np.sqrt, lambda A, y, p: (0.5 / y,), ("1/(2·{out})",)),
    "rsqrt": Rule(lambda a: 1 / np.sqrt(a), lambda A, y, p: (-0.5 * y / A[0],), ("−{out}/(2·{0})",)),
    "cbrt": Rule(np.cbrt, lambda A, y, p: (y / (3 * A[0]),), ("{out}/(3·{0})",)),
    # exponentials and logarithms
    "exp": Rule(np.exp, lambda A, y, p: (y,), ("{out}",)),
    "exp2": Rule(np.exp2, lambda A, y, p: (np.log(2) * y,), ("ln 2·{out}",)),
    "expm1": Rule(np.expm1, lambda A, y, p: (y + 1,), ("{out} + 1",)),
    "log": Rule(np.log, lambda A, y, p: (1 / A[0],), ("1/{0}",)),
    "log1p": Rule(np.log1p, lambda A, y, p: (1 / (1 + A[0]),), ("1/(1 + {0})",)),
    "logistic": Rule(lambda a: 1 / (1 + np.exp(-a)), lambda A, y, p: (y * (1 - y),), ("{out}·(1 − {out})",)),
    # trigonometric and hyperbolic
    "sin": Rule(np.sin, lambda A, y, p: (np.cos(A[0]),), ("cos({0})",)),
    "cos": Rule(np.cos, lambda A, y, p: (-np.sin(A[0]),), ("−sin({0})",)),
    "tan": Rule(np.tan, lambda A, y, p: (1 + y * y,), ("1 + {out}²",)),
    "asin": Rule(np.arcsin, lambda A, y, p: (1 / np.sqrt(1 - A[0] ** 2),), ("1/√(1 − {0}²)",)),
    "acos": Rule(np.arccos, lambda A, y, p: (-1 / np.sqrt(1 - A[0] ** 2),), ("−1/√(1 − {0}²)",)),
    "atan": Rule(np.arctan, lambda A, y, p: (1 / (1 + A[0] ** 2),), ("1/(1 + {0}²)",)),
    "sinh": Rule(np.sinh, lambda A, y, p: (np.cosh(A[0]),), ("cosh({0})",)),
    "cosh": Rule(np.cosh, lambda A, y, p: (np.sinh(A[0]),), ("sinh({0})",)),
    "tanh": Rule(np.tanh, lambda A, y, p: (1 - y * y,), ("1 − {out}²",)),
    "asinh": Rule(np.arcsinh, lambda A, y, p: (1 / np.sqrt(A[0] ** 2 + 1),), ("1/√({0}² + 1)",)),
    "acosh": Rule(np.arccosh, lambda A, y, p: (1 / np.sqrt(A[0] ** 2 - 1),), ("1/√({0}² − 1)",)),
    "atanh": Rule(np.arctanh, lambda A, y, p: (1 / (1 - A[0] ** 2),), ("1/(1 − {0}²)",)),
    # kinks: JAX picks one branch's slope at the kink (d|a|/da = +1 at a = 0)
    "abs": Rule(np.abs, lambda A, y, p: (_where(A[0] >= 0, _one(A[0]), -_one(A[0])),),
                ("+1 if {0} ≥ 0 else −1",)),
    "sign": Rule(np.sign, lambda A, y, p: (0 * A[0],), ("0",)),
    # plumbing
    "copy": Rule(lambda a: a, lambda A, y, p: (_one(A[0]),), ("1",)),
    "copy_p": Rule(lambda a: a, lambda A, y, p: (_one(A[0]),), ("1",)),
}

#: Primitives that call a nested program; their body is inlined into the trace.
INLINE = {"pjit", "jit", "closed_call", "core_call", "remat", "checkpoint", "remat2"}


# --- the program, flattened ------------------------------------------------------

def var_name(i: int) -> str:
    """JAX's own names for jaxpr variables: a, b, …, z, ba, bb, …"""
    s = ""
    while True:
        s = chr(ord("a") + i % 26) + s
        i //= 26
        if i == 0:
            return s


@dataclass
class Step:
    """One primitive application, ``out = op(args)``, with its numbers at x₀."""

    index: int                       # 0 is the input x
    out: str                         # variable name
    op: str                          # primitive name ("input" for x)
    args: tuple[str, ...]            # argument names, or literal values as text
    arg_vars: tuple[str | None, ...]  # the variable behind each argument (None: a literal)
    params: str                      # parameters worth showing, e.g. "y=3"
    value: float = math.nan
    partials: tuple[float, ...] = ()   # ∂out/∂arg, for each argument
    partial_text: tuple[str, ...] = ()  # the same, as formulas
    tangent: float = 0.0             # dout/dx (forward mode)
    adjoint: float = 0.0             # ∂f/∂out (reverse mode)
    active: bool = True              # depends on x (inactive values have zero tangent)
    by_jax: bool = False             # no rule here: value and partials from JAX itself
    depth: int = 0

    @property
    def equation(self) -> str:
        if self.op == "input":
            return f"{self.out} = x₀"
        if self.op == "output":
            return f"f = {self.args[0]}"
        params = f"[{self.params}]" if self.params else ""
        return f"{self.out} = {self.op}{params} {' '.join(self.args)}"


@dataclass
class Program:
    """A function's jaxpr at x₀, flattened into :class:`Step` rows, with both sweeps done."""

    steps: list[Step]
    output: str            # the variable (or literal) f returns
    dtype: str
    x0: float
    jaxpr_text: str
    derivative_forward: float = math.nan   # last tangent
    derivative_reverse: float = math.nan   # adjoint of the input
    jax_value: float = math.nan            # jax.jvp's answer, to check against
    jax_tangent: float = math.nan
    unknown: list[str] = field(default_factory=list)  # primitives evaluated by JAX

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.out == name)


def _literal_value(lit, dtype) -> np.ndarray:
    val = np.asarray(lit.val)
    if np.issubdtype(val.dtype, np.floating):
        val = val.astype(dtype)
    return val[()]


def _fmt_literal(v) -> str:
    v = np.asarray(v)[()]
    if isinstance(v, (np.floating, float)):
        return f"{float(v):.10g}"
    return str(v)


def _is_float(v) -> bool:
    return np.issubdtype(np.asarray(v).dtype, np.inexact)


def _params_text(eqn) -> str:
    """The parameters a reader needs (the exponent of integer_pow), as the jaxpr prints them."""
    return " ".join(f"{k}={v}" for k, v in eqn.params.items() if k == "y")


def _bind(eqn, args):
    """Evaluate one equation with JAX itself (for primitives without a rule here)."""
    params = eqn.primitive.get_bind_params(eqn.params)
    subfuns: Sequence = ()
    if isinstance(params, tuple):  # older JAX: (subfuns, params)
        subfuns, params = params
    out = eqn.primitive.bind(*subfuns, *args, **params)
    return out if eqn.primitive.multiple_results else [out]


class _Flattener:
    """Walks a jaxpr (inlining nested calls) and evaluates it at x₀ in ``dtype``."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)
        self.steps: list[Step] = []
        self.values: dict[str, object] = {}
        self.active: dict[str, bool] = {}
        self.depth: dict[str, int] = {}
        self.count = 0
        self.unknown: list[str] = []

    def fresh(self) -> str:
        name = var_name(self.count)
        self.count += 1
        return name

    def run(self, jaxpr, consts, env: dict) -> list:
        """Evaluate ``jaxpr``; ``env`` maps its input Vars to our names. Returns output atoms."""
        for var, c in zip(jaxpr.constvars, consts):
            name = self.fresh()
            env[var] = name
            self.values[name] = np.asarray(c)[()]
            self.active[name] = False
            self.depth[name] = 0
        for eqn in jaxpr.eqns:
            self.equation(eqn, env)
        return [self.atom(v, env) for v in jaxpr.outvars]

    def atom(self, v, env):
        """(name or None, value) of a Var or a Literal."""
        if isinstance(v, Literal):
            return None, _literal_value(v, self.dtype)
        name = env[v]
        return name, self.values[name]

    def equation(self, eqn, env: dict) -> None:
        prim = eqn.primitive.name
        sub = eqn.params.get("jaxpr", eqn.params.get("call_jaxpr"))
        if prim in INLINE and sub is not None:
            inner, consts = (sub.jaxpr, sub.consts) if hasattr(sub, "jaxpr") else (sub, ())
            inner_env = {}
            for iv, ov in zip(inner.invars, eqn.invars):
                name, val = self.atom(ov, env)
                if name is None:  # a literal passed into the call: give it a name
                    name = self.fresh()
                    self.values[name], self.active[name], self.depth[name] = val, False, 0
                inner_env[iv] = name
            outs = self.run(inner, consts, inner_env)
            for ov, (name, val) in zip(eqn.outvars, outs):
                if name is None:
                    name = self.fresh()
                    self.values[name], self.active[name], self.depth[name] = val, False, 0
                env[ov] = name
            return
        atoms = [self.atom(v, env) for v in eqn.invars]
        names = tuple(n for n, _ in atoms)
        args = [v for _, v in atoms]
        rule = RULES.get(prim)
        if rule is not None and len(eqn.outvars) == 1:
            params = {k: v for k, v in eqn.params.items() if k == "y"}
            with np.errstate(all="ignore"):
                out = np.asarray(rule.value(*args, **params)).astype(np.asarray(args[0]).dtype)[()]
                parts = tuple(np.asarray(d, dtype=self.dtype)[()] for d in rule.partials(args, out, params))
            outs, partials, by_jax = [out], [parts], False
        else:
            outs, partials = self.by_jax(eqn, args)
            by_jax = True
            if prim not in self.unknown:
                self.unknown.append(prim)
        for k, ov in enumerate(eqn.outvars):
            name = self.fresh()
            env[ov] = name
            out = outs[k]
            self.values[name] = out
            active = any(n is not None and self.active[n] for n in names) and _is_float(out)
            self.active[name] = active
            self.depth[name] = 1 + max([self.depth[n] for n in names if n is not None] or [0])
            texts = ()
            if rule is not None and not by_jax:
                shown = [n if n is not None else _fmt_literal(v) for n, v in atoms]
                texts = tuple(self._fill(t, shown, name, eqn) for t in rule.text)
            self.steps.append(Step(
                index=len(self.steps), out=name, op=prim,
                args=tuple(n if n is not None else _fmt_literal(v) for n, v in atoms),
                arg_vars=names, params=_params_text(eqn), value=out,
                partials=partials[k], partial_text=texts, active=active, by_jax=by_jax,
                depth=self.depth[name],
            ))

    def _fill(self, template: str, shown, out: str, eqn) -> str:
        """A rule's formula with the arguments' names (or literal values) filled in."""
        return template.format(*shown, out=out, p=eqn.params.get("y", ""))

    def by_jax(self, eqn, args):
        """Value and ∂out/∂arg for each float argument, from JAX's own rules (jax.jvp)."""
        jargs = [jnp.asarray(a) for a in args]
        outs = [np.asarray(o)[()] for o in _bind(eqn, jargs)]
        float_idx = [i for i, a in enumerate(args) if _is_float(a)]
        partials = [[np.asarray(0, dtype=self.dtype)[()] for _ in args] for _ in outs]
        for i in float_idx:
            def f(z, i=i):
                a = list(jargs)
                a[i] = z
                return tuple(_bind(eqn, a))
            _, tans = jax.jvp(f, (jargs[i],), (jnp.ones_like(jargs[i]),))
            for k, t in enumerate(tans):
                if _is_float(outs[k]):
                    partials[k][i] = np.asarray(t).astype(self.dtype)[()]
        return outs, [tuple(p) for p in partials]


def trace_program(fn, x0: float, dtype="float64") -> Program:
    """Evaluate f's jaxpr at x₀ one primitive at a time, with forward and reverse sweeps.

    ``fn`` is a :class:`~core.Function` (anything with a ``.jax`` callable of a
    scalar). The returned :class:`Program` holds one :class:`Step` per
    primitive (the input first), each with value, local partials, tangent and
    adjoint, and JAX's own ``jax.jvp`` result to check the sweeps against.
    """
    dtype = np.dtype(dtype)
    x = jnp.asarray(x0, dtype=dtype)
    f = lambda z: fn.jax(z)  # noqa: E731
    closed = jax.make_jaxpr(f)(x)
    flat = _Flattener(dtype)
    name = flat.fresh()
    x_val = np.asarray(x0, dtype=dtype)[()]
    flat.values[name], flat.active[name], flat.depth[name] = x_val, True, 0
    steps0 = Step(index=0, out=name, op="input", args=(), arg_vars=(), params="", value=x_val)
    jaxpr = closed.jaxpr
    env = {jaxpr.invars[0]: name}
    (out_name, out_val), = flat.run(jaxpr, closed.consts, env)
    steps = [steps0] + flat.steps
    for i, s in enumerate(steps):
        s.index = i
    # A program whose output is a literal (a constant f), or a value computed
    # before the last step, gets an explicit final row naming the output.
    if out_name is None or out_name != steps[-1].out:
        steps.append(Step(
            index=len(steps), out="f", op="output",
            args=(out_name if out_name is not None else _fmt_literal(out_val),),
            arg_vars=(out_name,), params="", value=out_val,
            partials=(np.asarray(1, dtype=dtype)[()],) if out_name is not None else (),
            partial_text=("1",) if out_name is not None else (),
            active=out_name is not None and flat.active[out_name],
            depth=(flat.depth.get(out_name, 0) + 1) if out_name else 1,
        ))
        out_name = "f"
    _forward_sweep(steps, dtype)
    _reverse_sweep(steps, out_name, dtype)
    prog = Program(
        steps=steps, output=out_name, dtype=dtype.name, x0=float(x0),
        jaxpr_text=str(closed), unknown=flat.unknown,
    )
    prog.derivative_forward = float(steps[-1].tangent)
    prog.derivative_reverse = float(steps[0].adjoint)
    try:
        val, tan = jax.jvp(f, (x,), (jnp.ones_like(x),))
        prog.jax_value, prog.jax_tangent = float(val), float(tan)
    except TypeError:  # e.g. a constant f returning an integer
        prog.jax_value, prog.jax_tangent = float(np.asarray(out_val)), 0.0
    return prog


def _forward_sweep(steps: list[Step], dtype) -> None:
    """Tangents: seed ẋ = 1, then v̇ = Σ ∂v/∂a · ȧ over the active arguments a."""
    tangent = {steps[0].out: np.asarray(1, dtype=dtype)[()]}
    steps[0].tangent = tangent[steps[0].out]
    with np.errstate(all="ignore"):
        for s in steps[1:]:
            total = np.asarray(0, dtype=dtype)[()]
            if s.active:
                for a, d in zip(s.arg_vars, s.partials):
                    # skip symbolic zeros: an inactive argument adds nothing (not 0·inf)
                    if a is not None and a in tangent:
                        total = total + d * tangent[a]
                tangent[s.out] = total
            s.tangent = total


def _reverse_sweep(steps: list[Step], output: str, dtype) -> None:
    """Adjoints: seed f̄ = 1, then ā += v̄ · ∂v/∂a for each use of a, last step first."""
    zero = np.asarray(0, dtype=dtype)[()]
    adjoint = {s.out: zero for s in steps}
    active = {s.out for s in steps if s.active}
    active.add(steps[0].out)
    adjoint[output] = np.asarray(1, dtype=dtype)[()]  # ∂f/∂f, even for a constant f
    with np.errstate(all="ignore"):
        for s in reversed(steps[1:]):
            if s.out not in active or adjoint[s.out] == 0 and not np.isnan(adjoint[s.out]):
                continue  # nothing flows back from here (also avoids 0·inf)
            for a, d in zip(s.arg_vars, s.partials):
                if a is not None and a in active:
                    adjoint[a] = adjoint[a] + adjoint[s.out] * d
    for s in steps:
        s.adjoint = adjoint[s.out]


# --- tables and graph ----------------------------------------------------------

def _dot(name: str) -> str:
    return f"{name}\u0307"  # combining dot above: ȧ


def _bar(name: str) -> str:
    return f"{name}\u0304"  # combining macron: ā


def _paren(text: str) -> str:
    """Bracket a local derivative only when it is more than one name or call: cos(a), (1 − b²)."""
    depth, bare = 0, True
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch in " +−-·/^²":
            bare = False
    return text if bare else f"({text})"


def _tangent_rule(s: Step) -> str:
    if s.op == "input":
        return f"{_dot(s.out)} = 1  (seed: dx/dx)"
    if not s.active:
        return f"{_dot(s.out)} = 0  (does not depend on x)"
    terms = []
    for k, a in enumerate(s.arg_vars):
        if a is None:
            continue
        local = s.partial_text[k] if s.partial_text else f"∂{s.out}/∂{a}"
        terms.append(_dot(a) if local == "1" else f"{_paren(local)}·{_dot(a)}")
    source = "  [rule from jax.jvp]" if s.by_jax else ""
    return f"{_dot(s.out)} = " + " + ".join(terms) + source


def _as_float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def forward_table(prog: Program) -> pd.DataFrame:
    """One row per primitive: its equation, value, tangent rule and tangent at x₀."""
    rows = []
    for s in prog.steps:
        rows.append({
            "step": s.index,
            "variable": s.out,
            "equation": s.equation,
            "value": _as_float(s.value),
            "tangent": _as_float(s.tangent),
            "tangent rule": _tangent_rule(s),
            "local derivatives": ", ".join(
                f"∂{s.out}/∂{a} = {_as_float(d):.6g}"
                for a, d in zip(s.arg_vars, s.partials) if a is not None) or "—",
        })
    return pd.DataFrame(rows)


def reverse_table(prog: Program) -> pd.DataFrame:
    """The forward pass (values), then the backward pass (adjoints), last variable first."""
    uses: dict[str, list[tuple[Step, int]]] = {s.out: [] for s in prog.steps}
    for s in prog.steps:
        for k, a in enumerate(s.arg_vars):
            if a is not None:
                uses[a].append((s, k))
    rows = []
    for s in prog.steps:
        rows.append({
            "step": len(rows), "pass": "forward", "variable": s.out, "equation": s.equation,
            "value": _as_float(s.value), "adjoint": math.nan, "adjoint rule": "",
        })
    for s in reversed(prog.steps):
        if s.out == prog.output:
            rule = f"{_bar(s.out)} = 1  (seed: ∂f/∂f)"
        elif not s.active and s.op != "input":
            rule = f"{_bar(s.out)} = 0  (does not depend on x)"
        elif not uses[s.out]:
            rule = f"{_bar(s.out)} = 0  (not used)"
        else:
            terms = []
            for c, k in uses[s.out]:
                local = c.partial_text[k] if c.partial_text else f"∂{c.out}/∂{s.out}"
                terms.append(_bar(c.out) if local == "1" else f"{_bar(c.out)}·{_paren(local)}")
            rule = f"{_bar(s.out)} = " + " + ".join(terms)
        if s.op == "input":
            rule += "   = f′(x₀)"
        rows.append({
            "step": len(rows), "pass": "backward", "variable": s.out, "equation": s.equation,
            "value": _as_float(s.value), "adjoint": _as_float(s.adjoint), "adjoint rule": rule,
        })
    return pd.DataFrame(rows)


def graph(prog: Program) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (one per variable, placed by depth) and edges (argument -> result) of the program.

    Node columns: name, label, op, depth, row, value, tangent, adjoint, step.
    Edge columns: source, target, x, y, x2, y2, partial.
    """
    by_depth: dict[int, int] = {}
    nodes = []
    for s in prog.steps:
        row = by_depth.get(s.depth, 0)
        by_depth[s.depth] = row + 1
        label = "x" if s.op == "input" else (s.op if s.op != "output" else "f")
        nodes.append({
            "name": s.out, "label": f"{s.out}: {label}", "op": s.op, "depth": s.depth, "row": row,
            "value": _as_float(s.value), "tangent": _as_float(s.tangent),
            "adjoint": _as_float(s.adjoint), "step": s.index,
        })
    ndf = pd.DataFrame(nodes)
    # centre each column of nodes vertically
    counts = ndf.groupby("depth")["row"].transform("max")
    ndf["row"] = ndf["row"] - counts / 2.0
    pos = {r.name: (r.depth, r.row) for r in ndf.itertuples()}
    edges = []
    for s in prog.steps:
        for a, d in zip(s.arg_vars, s.partials):
            if a is None or a not in pos:
                continue
            (x, y), (x2, y2) = pos[a], pos[s.out]
            edges.append({"source": a, "target": s.out, "x": x, "y": y, "x2": x2, "y2": y2,
                          "partial": _as_float(d), "step": s.index})
    edf = pd.DataFrame(edges, columns=["source", "target", "x", "y", "x2", "y2", "partial", "step"])
    return ndf, edf
