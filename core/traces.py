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
:mod:`core.trace_rules` (:data:`RULES`); the jaxpr becomes rows (:class:`Step`) in
:mod:`core.trace_steps`; the tables and the graph drawn from a trace are in
:mod:`core.trace_tables` (re-exported here), the two sweeps in
:mod:`core.trace_sweeps`. Calls of nested programs
(``jit``/``pjit``, ``closed_call``, ``remat``) are inlined; any primitive
without a rule here -- including ``custom_jvp_call``, whose custom derivative
must be respected -- is evaluated by JAX itself and its local derivatives come
from ``jax.jvp``, so the trace always agrees with ``jax.grad``.

Everything is computed in the dtype asked for (float64 or float32), with NumPy
scalars, so round-off and overflow show up as they do in JAX.
"""

from __future__ import annotations

import numpy as np

from .jax64 import jax, jnp
from .trace_rules import RULES, Rule
from .trace_steps import INLINE, Flattener, Program, Step, fmt_literal, var_name
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
    flat = Flattener(dtype)
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
            args=(out_name if out_name is not None else fmt_literal(out_val),),
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
