"""Symbolic differentiation with SymPy: exact derivatives, and code generated from them.

``diff`` applies the sum, product and chain rules to the expression tree and
returns a new exact expression. To evaluate it on an array we *lambdify* it:
SymPy prints the expression as Python source that calls NumPy and compiles it.
With ``cse=True`` repeated subexpressions are printed once, as local variables,
so the generated code is a graph (linear in the depth of a composition) rather
than a tree (exponential in it).

Every ``diff`` here is bounded first (:func:`bounded_diff`, see :mod:`core.bounds`),
and every tree is counted before ``count_ops``, CSE or ``lambdify`` touch it. The
symbol's assumptions are in :mod:`core.assumptions`, expression swell measured
depth by depth in :mod:`core.swell`.
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np
import sympy as sp

from .bounds import MAX_DERIVATIVE_NODES, TooLarge, check_work, derivative_size_bound, tree_size
from .deltas import drop_deltas, on_spike
from .expressions import Function, numeric_form
from .function import elementwise
from .memo import memo
from .orders import MAX_ORDER, check_order

__all__ = [
    "derivative",
    "derivative_function",
    "derivative_source",
    "derivative_values",
    "count_ops",
    "cse_ops",
    "exact_sqrt",
    "call_on_array",
    "lambdify_source",
    "rule_breakdown",
    "RULES",
    "bounded_diff",
    "MAX_ORDER",
]


_ORDINAL = {1: "first", 2: "second", 3: "third"}


def bounded_diff(expr: sp.Expr, x: sp.Symbol, order: int = 1, what: str = "f", done: int = 0) -> sp.Expr:
    """``diff(expr, x, order)``, one order at a time, each step's size bounded before it runs.

    Raises :class:`~core.bounds.TooLarge` when the next derivative could have more
    than :data:`~core.bounds.MAX_DERIVATIVE_NODES` nodes (so the shared server never
    spends seconds in ``diff``, see :mod:`core.bounds`). ``done`` says how many times
    ``expr`` has already been differentiated (for the message).
    """
    for k in range(done + 1, done + int(order) + 1):
        bound = derivative_size_bound(expr, x)
        if bound > MAX_DERIVATIVE_NODES:
            raise TooLarge(
                f"the {_ORDINAL.get(k, f'{k}th')} derivative of {what} could have up to {bound:,} nodes, "
                f"over the {MAX_DERIVATIVE_NODES:,} this shared server computes for one student")
        expr = _real_rules(sp.diff(expr, x), x)
    return expr


def _real_rules(expr: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """Finish what SymPy leaves unevaluated because it cannot prove an argument real.

    ``sign(acos(x))`` and ``|acos(x)|`` are real functions wherever they are defined (acos
    is real on [−1, 1]), but SymPy keeps ``Derivative(sign(acos(x)), x)`` as it is, which no
    code can evaluate. Where the argument u is real: |u|′ = sign(u)·u′ and sign(u)′ = 2δ(u)·u′.
    """
    def unevaluated(e):
        return (isinstance(e, sp.Derivative) and isinstance(e.expr, (sp.Abs, sp.sign))
                and e.variable_count == ((x, 1),))

    def rule(e):
        u = e.expr.args[0]
        inner = sp.diff(u, x)
        return sp.sign(u) * inner if isinstance(e.expr, sp.Abs) else 2 * sp.DiracDelta(u) * inner

    return expr.replace(unevaluated, rule) if expr.has(sp.Derivative) else expr


@memo(max_entries=256, ttl_s=1800, max_bytes=128 * 2**20, sizeof=lambda e: 200 * tree_size(e))
def derivative(fn: Function, order: int = 1) -> sp.Expr:
    """d^order f / dx^order, exact, in the real symbol x (each step bounded: :func:`bounded_diff`).

    With x real, d|x|/dx is sign(x) and d²|x|/dx² is 2·δ(x) (a Dirac delta).
    """
    order = check_order(order)
    if order == 0:
        return fn.expr
    if order > 1:  # reuse the cached lower order: each step is bounded from its input
        return bounded_diff(derivative(fn, order - 1), fn.symbol, 1, done=order - 1)
    return bounded_diff(fn.expr, fn.symbol, 1)


@memo(max_entries=128, ttl_s=1800, max_bytes=128 * 2**20, sizeof=lambda f: 2**20)
def _lambdified(fn: Function, order: int, cse: bool) -> Callable:
    expr = numeric_form(drop_deltas(derivative(fn, order)))  # 10^300 as a float: NumPy takes no such int
    check_work(expr, "the derivative's code")
    try:
        return sp.lambdify(fn.symbol, expr, modules="numpy", cse=cse)
    except (RecursionError, MemoryError, SyntaxError):
        raise TooLarge("the derivative's generated code is too deeply nested for Python to compile") from None


def derivative_function(fn: Function, order: int = 1, cse: bool = True) -> Callable:
    """A NumPy callable of the ``order``-th derivative (``lambdify``, CSE on by default).

    The callable evaluates elementwise in the dtype of its input, returns an
    array of the input's shape (also for a constant derivative) and gives nan
    or inf, without warnings, where the derivative is undefined or overflows.
    """
    raw = _lambdified(fn, check_order(order), bool(cse))

    def evaluate(xs):
        return elementwise(raw, xs)

    evaluate.__doc__ = f"d^{order}/dx^{order} of {fn.text}, generated by lambdify(cse={cse})"
    evaluate.raw = raw  # the lambdify-generated function, for showing its source
    return evaluate


def derivative_values(fn: Function, xs, order: int = 1) -> np.ndarray:
    """The exact derivative on ``xs`` in float64: the reference the other methods meet."""
    xs = np.asarray(xs, dtype=np.float64)
    out = derivative_function(fn, order)(xs)
    d = derivative(fn, order)
    if order >= 2 and d.has(sp.DiracDelta):  # undefined on a delta's spike, not only at 0
        out = np.where(on_spike(d, fn.symbol, xs), np.nan, out)
    return out


def derivative_source(fn: Function, order: int = 1, cse: bool = True) -> str:
    """The Python source that ``lambdify`` generated for the derivative."""
    return inspect.getsource(_lambdified(fn, check_order(order), bool(cse)))


def count_ops(expr: sp.Expr) -> int:
    """Operations in the expression *as a tree* (shared subtrees counted every time).

    Only for trees under :data:`~core.bounds.MAX_WORK_NODES` (else :class:`TooLarge`).
    """
    check_work(expr, "the expression to measure")
    return int(sp.count_ops(expr))


def cse_ops(expr: sp.Expr) -> int:
    """Operations once common subexpressions are shared (the size of the graph)."""
    check_work(expr, "the expression to share subexpressions of")
    replacements, reduced = sp.cse(expr)
    return int(sum(sp.count_ops(r) for _, r in replacements) + sum(sp.count_ops(r) for r in reduced))


# --- exact versus approximate ---------------------------------------------------

def exact_sqrt(n: int) -> dict:
    """√n kept exact (SymPy pulls out square factors: √18 = 3√2) next to the float.

    ``n`` is a small positive integer (the page's slider), so SymPy's factoring
    is instant; arbitrary precision goes through the sandbox instead.
    """
    import math
    from decimal import Decimal

    n = int(n)
    if not 1 <= n <= 10**6:
        raise ValueError("n must be between 1 and 1,000,000")
    exact = sp.sqrt(sp.Integer(n))
    value = math.sqrt(n)
    return {
        "text": sp.sstr(exact),
        "latex": sp.latex(exact),
        "float": value,                        # IEEE-754 binary64, correctly rounded
        "float_exact_decimal": str(Decimal(value)),  # the number that float really holds
        "is_exact_integer": exact.is_Integer,
    }


# --- a SymPy expression is not a function --------------------------------------------

def call_on_array(expr: sp.Expr, xs) -> str | None:
    """What happens when a SymPy expression is *called* on an array, as the lab tries.

    Returns the real error text (``TypeError: 'Pow' object is not callable``), or
    None if the call happened to succeed. Safe: ``expr`` comes from our own parser,
    and calling a SymPy object never evaluates user text.
    """
    try:
        expr(xs)
    except Exception as err:  # noqa: BLE001  (we show whatever SymPy says)
        return f"{type(err).__name__}: {err}"
    return None


def lambdify_source(expr: sp.Expr, symbol: sp.Symbol, cse: bool = False) -> tuple[Callable, str]:
    """``lambdify(symbol, expr, 'numpy')`` and the Python source it generated."""
    f = sp.lambdify(symbol, expr, modules="numpy", cse=bool(cse))
    return f, inspect.getsource(f)


# --- which rule each term needs ------------------------------------------------------

#: The rules a term can need, in the words the page uses.
RULES = ("constant", "identity", "constant multiple", "power", "exponential", "elementary",
         "chain", "product", "quotient", "general power", "sum")


def _rules_of(term: sp.Expr, x: sp.Symbol) -> list[str]:
    """The rules d/dx applies at the top of ``term`` (outermost first)."""
    if x not in term.free_symbols:
        return ["constant"]
    if term == x:
        return ["identity"]
    if term.is_Add:
        return ["sum"]
    if term.is_Mul:
        const, dep = term.as_independent(x, as_Add=False)
        if const != 1:
            return ["constant multiple"] + _rules_of(dep, x)
        factors = [f for f in sp.Mul.make_args(dep) if x in f.free_symbols]
        if any(f.is_Pow and f.exp.is_negative for f in factors):
            return ["quotient"]
        return ["product"]
    if term.is_Pow:
        base, expo = term.args
        if x not in expo.free_symbols:
            return ["power"] if base == x else ["power", "chain"]
        if x not in base.free_symbols:
            return ["exponential"] if expo == x else ["exponential", "chain"]
        return ["general power"]
    if isinstance(term, sp.exp):
        return ["exponential"] if term.args[0] == x else ["exponential", "chain"]
    if isinstance(term, sp.Function) and len(term.args) == 1:
        return ["elementary"] if term.args[0] == x else ["elementary", "chain"]
    return ["chain"]


def _inner(term: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """The inner function g of a chain-rule term f(g(x)), or None."""
    _, dep = term.as_independent(x, as_Add=False) if term.is_Mul else (1, term)
    if dep.is_Pow:
        return dep.base if x not in dep.exp.free_symbols else dep.exp
    if isinstance(dep, sp.Function) and dep.args:
        return dep.args[0]
    return None


def rule_breakdown(expr: sp.Expr, x: sp.Symbol, max_ops: int = 80) -> list[dict]:
    """The derivative of each top-level term of ``expr`` with the rule it needs.

    A sum is split into its terms (the sum rule: the derivative of a sum is the
    sum of the derivatives); each term is labelled with the rules applied at its
    top (constant multiple, power, product, quotient, chain ...), the inner
    function when the chain rule is used, and its own derivative. Terms or
    derivatives with more than ``max_ops`` operations are described by their
    size instead of printed. The derivatives of the rows add up to d expr/dx.
    """
    terms = sp.Add.make_args(expr)
    rows = []
    for term in terms:
        d = bounded_diff(term, x, 1, what="a term of f")
        rules = _rules_of(term, x)
        inner = _inner(term, x) if "chain" in rules else None
        rows.append({
            "term": _show(term, max_ops),
            "rule": " · ".join(rules),
            "inner": _show(inner, max_ops) if inner is not None else "",
            "derivative": _show(d, max_ops),
            "term_ops": int(sp.count_ops(term)),
            "derivative_ops": int(sp.count_ops(d)),
        })
    return rows


def _show(expr: sp.Expr, max_ops: int) -> str:
    """LaTeX of a small expression, or a note of its size."""
    ops = int(sp.count_ops(expr))
    if ops > max_ops:
        return r"\text{(a tree of %d operations)}" % ops
    return sp.latex(expr)
