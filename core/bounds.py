"""Where the line runs: what the shared server process may compute from user text.

One Streamlit process serves every student, and its script runs share one GIL. A
SymPy step that runs for a minute (``diff`` of a long product three times over,
``count_ops`` of a huge tree, compiling generated code thousands of lines deep)
freezes every session, and no thread can be stopped. So work derived from user
text runs in the server only when its size is **known before it starts**:

* the parsed expression is small by construction (the grammar caps the text's
  length, nesting, literals and exponents, and every exact constant's size in
  bits, see :mod:`core.grammar`);
* before each ``diff`` the size of its result is bounded from the tree it
  differentiates (:func:`derivative_size_bound`, linear in that tree), and the
  step is refused when the bound is over :data:`MAX_DERIVATIVE_NODES`;
* tree measures (``count_ops``, CSE) and code generation run only on trees whose
  size has been counted (:func:`tree_size`, which stops counting at its cap) and
  is under :data:`MAX_WORK_NODES`.

What is over the line is refused with :class:`TooLarge` (a plain message) or
sent to :mod:`core.sandbox`, whose worker processes have a time and a memory
limit and can be killed. Times that set the caps (2-core machine, SymPy 1.14):
``diff`` costs 5-30 µs per node of its result (the bound is 1-7 times the real
size), ``count_ops`` about 2 µs and ``lambdify(cse=True)`` about 10 µs per node of
their input, so the caps below cost a second or two at the very worst. The
lab's composed polynomial fits up to f″ at depth 6 (a 19,263-node tree); a
product of 29 sines is refused at f″ (bound 125,688 nodes; it took 1.5 s), a
40-storey tower of x at f″.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "TooLarge", "MAX_DERIVATIVE_NODES", "MAX_WORK_NODES", "tree_size", "derivative_size_bound",
    "check_work", "check_derivative_size", "exponential_height", "MAX_EXPONENTIAL_HEIGHT",
]

#: Largest bound on a derivative's tree (in nodes) that the server computes itself.
MAX_DERIVATIVE_NODES = 60_000
#: Largest tree (in nodes) that the server measures, simplifies a little, or compiles.
MAX_WORK_NODES = 60_000


class TooLarge(ValueError):
    """The work is too big to be done in the shared server process; the message says why."""


def tree_size(expr: sp.Basic, cap: int | None = None) -> int:
    """Nodes of ``expr`` as a tree (shared subtrees counted every time they occur).

    Stops counting once the count passes ``cap`` and returns ``cap + 1``, so the
    cost is at most ``cap`` steps whatever the tree.
    """
    n = 0
    stack = [expr]
    while stack:
        e = stack.pop()
        n += 1
        if cap is not None and n > cap:
            return cap + 1
        stack.extend(e.args)
    return n


def derivative_size_bound(expr: sp.Basic, x: sp.Symbol) -> int:
    """An upper bound on the tree size of ``diff(expr, x)``, without computing it.

    Each rule's result is at most as big as the textbook formula written out
    (SymPy's flattening only merges nodes):

    * sum: the sum of the terms' derivatives, 1 + Σ d(uᵢ);
    * product of n factors: n terms, each the other factors times one derivative,
      1 + n + Σ d(uᵢ) + (n − 1)·Σ s(uᵢ);
    * power bⁿ with a number n: n·b^(n−1)·b′, at most s(b) + d(b) + 5;
    * power b^e (general): b^e·(e′·ln b + e·b′/b), at most 3 s(b) + 2 s(e) + d(b) + d(e) + 10;
    * a function of one argument g(u): g′(u)·u′, where every g′ the grammar allows
      (tan′ = 1 + tan², asec′ = 1/(u²√(1 − 1/u²)), …) has at most 4 s(u) + 12 nodes;
    * anything else: the same bound over all its arguments.

    Cost: one pass over ``expr``, linear in its size (computed bottom-up, iteratively).
    """
    # Post-order walk with an explicit stack: no recursion limit for deep trees.
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    out: list[tuple[int, int]] = []
    while stack:
        e, done = stack.pop()
        if not done:
            if not e.args:
                out.append((1, 0 if x not in getattr(e, "free_symbols", ()) else 1))
                continue
            stack.append((e, True))
            for a in reversed(e.args):
                stack.append((a, False))
            continue
        k = len(e.args)
        kids = out[-k:]
        del out[-k:]
        s = 1 + sum(c[0] for c in kids)
        if x not in e.free_symbols:
            out.append((s, 1))
            continue
        ds = [c[1] for c in kids]
        ss = [c[0] for c in kids]
        if e.is_Add:
            d = 1 + sum(ds)
        elif e.is_Mul:
            d = 1 + k + sum(ds) + (k - 1) * sum(ss)
        elif e.is_Pow and e.exp.is_Number:
            d = ss[0] + ds[0] + 5  # n·b^(n−1)·b′
        elif e.is_Pow:
            d = 3 * ss[0] + 2 * ss[1] + ds[0] + ds[1] + 10
        else:
            d = 4 * s + 12 + sum(ds)
        out.append((s, d))
    return out[-1][1]


def check_work(expr: sp.Basic, what: str, cap: int = MAX_WORK_NODES) -> int:
    """The tree size of ``expr``, or :class:`TooLarge` when it is over ``cap``."""
    n = tree_size(expr, cap)
    if n > cap:
        raise TooLarge(f"{what} is too large to work with in the shared server "
                       f"(more than {cap:,} nodes as a tree)")
    return n


def check_derivative_size(expr: sp.Basic, x: sp.Symbol, what: str = "f") -> int:
    """:func:`derivative_size_bound`, or :class:`TooLarge` when it is over the cap."""
    bound = derivative_size_bound(expr, x)
    if bound > MAX_DERIVATIVE_NODES:
        raise TooLarge(f"the derivative of {what} could have up to {bound:,} nodes, over the "
                       f"{MAX_DERIVATIVE_NODES:,} this shared server computes for one student")
    return bound


#: Deepest nesting of exponentials that arbitrary-precision evaluation (mpmath) may meet.
#: exp(exp(10)) has a 31,777-bit exponent, fine; one level more and the exponent itself
#: is a number with thousands of digits of digits, which mpmath builds exactly.
MAX_EXPONENTIAL_HEIGHT = 2

_GROWING = (sp.exp, sp.sinh, sp.cosh, sp.tanh)


def exponential_height(expr: sp.Basic) -> int:
    """How many exponentials are nested in ``expr``: exp, sinh, cosh, and powers whose
    exponent varies (x^x is one, x^x^x two). Linear in the tree, no recursion."""
    height: dict[sp.Basic, int] = {}
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        e, done = stack.pop()
        if e in height:
            continue
        if not done and e.args:
            stack.append((e, True))
            stack.extend((a, False) for a in e.args if a not in height)
            continue
        inner = max((height[a] for a in e.args), default=0)
        grows = isinstance(e, _GROWING) or (e.is_Pow and not e.exp.is_number)
        height[e] = inner + (1 if grows else 0)
    return height[expr]
