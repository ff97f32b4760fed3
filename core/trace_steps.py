"""The steps of an evaluation trace: a jaxpr flattened into one row per primitive.

:class:`Flattener` walks JAX's jaxpr of f at x₀, inlining calls of nested programs
(:data:`INLINE`: ``jit``/``pjit``, ``closed_call``, ``remat``), and evaluates each
primitive in the dtype asked for: by its named rule in :mod:`core.trace_rules` when
there is one (value, local partials and their formulas), else by JAX itself, its
partials from ``jax.jvp`` (``custom_jvp_call`` too, whose custom derivative must be
respected). Each application becomes a :class:`Step` named as JAX prints it
(:func:`var_name`); :class:`Program` holds them, and :mod:`core.traces` runs the sweeps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from jax.extend.core import Literal  # noqa: E402  (after jax64: 64-bit is on)

from .jax64 import jax, jnp
from .trace_rules import RULES

__all__ = ["INLINE", "Step", "Program", "Flattener", "var_name", "fmt_literal"]


#: Primitives that call a nested program; their body is inlined into the trace.
INLINE = {"pjit", "jit", "closed_call", "core_call", "remat", "checkpoint", "remat2"}


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


def fmt_literal(v) -> str:
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


class Flattener:
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
                shown = [n if n is not None else fmt_literal(v) for n, v in atoms]
                texts = tuple(self._fill(t, shown, name, eqn) for t in rule.text)
            self.steps.append(Step(
                index=len(self.steps), out=name, op=prim,
                args=tuple(n if n is not None else fmt_literal(v) for n, v in atoms),
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
