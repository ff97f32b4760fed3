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

Each primitive's value and local derivatives are a named rule in
:mod:`core.trace_rules` (:data:`RULES`); the tables and the graph drawn from a
trace are in :mod:`core.trace_tables` (re-exported here), the two sweeps in
:mod:`core.trace_sweeps`. Calls of nested programs
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
from typing import Sequence

import numpy as np
from jax.extend.core import Literal  # noqa: E402  (after _jax: 64-bit is on)

from ._jax import jax, jnp
from .trace_rules import RULES, Rule
from .trace_sweeps import forward_sweep, reverse_sweep
from .trace_tables import forward_table, graph, reverse_table

__all__ = [
    "Rule",
    "RULES",
    "INLINE",
    "Step",
    "Program",
    "trace_program",
    "forward_table",
    "reverse_table",
    "graph",
    "var_name",
]


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
                parts = tuple(np.asarray(d, dtype=self.dtype)[()] for d in rule.partials(*args, out=out, **params))
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
    forward_sweep(steps, dtype)
    reverse_sweep(steps, out_name, dtype)
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
