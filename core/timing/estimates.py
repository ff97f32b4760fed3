"""How long a race will take, guessed before it runs: operation counts times a cost per point.

Good to a factor of a few, which is enough to tell a waiting student how long
their turn is in coming (the queue's estimates) or to leave out a method that
would take minutes. Cheap: no method is run.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..expressions import Function
from ..memo import memo
from ..symbolic import count_ops, cse_ops, derivative
from .harness import METHOD_BUDGET_S

__all__ = ["estimate_seconds", "estimate_method_seconds", "op_counts"]


#: Rough cost per point per operation of one evaluation (seconds), for wait estimates only.
_NS_PER_OP = {"symbolic": 4e-9, "symbolic_nocse": 4.6e-9, "numerical": 5e-9, "central": 10e-9,
              "autodiff": 1e-9, "autodiff_nojit": 8e-9}


@memo(max_entries=512, ttl_s=3600, max_bytes=2**20, sizeof=lambda v: 100)
def op_counts(fn: Function) -> tuple[int, int, int]:
    """Operations in f′ as a tree and after CSE, and in f after CSE (remembered per function)."""
    d = derivative(fn)
    return count_ops(d), cse_ops(d), cse_ops(fn.expr)


def estimate_method_seconds(fn: Function, n: int, method: str, repeats: int) -> float:
    """A rough guess of one method's share of :func:`race` (setup, warm-up and timed calls).

    Counts operations (the derivative's tree for symbolic without CSE, its CSE'd
    graph otherwise) and assumes a few nanoseconds per point per operation:
    good to a factor of a few, which is enough to tell a student how long to
    wait or to skip a method that would take minutes. ``repeats=0`` estimates
    a single call (the lab's one shot).
    """
    tree, graph, f_ops = op_counts(fn)
    ops = {"symbolic_nocse": tree, "numerical": f_ops + 3, "central": 2 * f_ops + 6}.get(method, graph)
    per_call = _NS_PER_OP.get(method, 5e-9) * n * max(ops, 1)
    if repeats <= 0:  # one shot, as the lab times it
        return float(0.2 + per_call)
    calls = max(1, min(int(repeats), int(METHOD_BUDGET_S / max(per_call, 1e-9))))
    return float(0.2 + per_call * (calls + 1))


def estimate_seconds(fn: Function, n: int, methods: Sequence[str], repeats: int, lab: bool = True) -> float:
    """A rough guess of how long :func:`race` (plus :func:`lab_race` when ``lab``) takes, for
    telling waiting students how long their turn is in coming. Cheap: counts operations."""
    total = sum(estimate_method_seconds(fn, n, m, repeats) for m in methods)
    if lab:
        total += sum(estimate_method_seconds(fn, n, m, 0) for m in ("symbolic_nocse", "numerical",
                                                                    "autodiff_nojit")) + 0.5
    return float(total)
