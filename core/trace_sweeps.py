"""Forward and reverse mode over a flattened program: the chain rule, one step at a time.

The steps are the rows :func:`core.traces.trace_program` makes from a jaxpr, the
input first; each knows its argument variables and its local partials ∂out/∂arg
(from :mod:`core.trace_rules`).

* **forward mode** (``jax.jvp``): seed the input's tangent ẋ = 1; each step's tangent
  is Σ ∂v/∂a · ȧ over its arguments a. The last tangent is f′(x₀).
* **reverse mode** (``jax.grad``): seed the output's adjoint f̄ = 1; walking back, each
  step adds v̄ · ∂v/∂a to the adjoint of each argument a. The input's adjoint is f′(x₀).

Inactive values (not depending on x) carry no tangent and pass back no adjoint, so a
0 · inf never turns an exact 0 into nan.
"""

from __future__ import annotations

import numpy as np

__all__ = ["forward_sweep", "reverse_sweep"]


def forward_sweep(steps: list, dtype) -> None:
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


def reverse_sweep(steps: list, output: str, dtype) -> None:
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
