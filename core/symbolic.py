"""Symbolic differentiation with SymPy: exact derivatives, and code generated from them.

``diff`` applies the sum, product and chain rules to the expression tree and
returns a new exact expression. To evaluate it on an array we *lambdify* it:
SymPy prints the expression as Python source that calls NumPy and compiles it.
With ``cse=True`` repeated subexpressions are printed once, as local variables,
so the generated code is a graph (linear in the depth of a composition) rather
than a tree (exponential in it).
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np
import sympy as sp

from .bounds import MAX_DERIVATIVE_NODES, TooLarge, check_work, derivative_size_bound, tree_size
from .expressions import Function, numeric_form
from .memo import memo

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
    "ASSUMPTIONS",
    "symbol_with",
    "with_assumption",
    "assumption_examples",
    "evaluation_report",
    "swell_metrics",
    "time_evaluation",
    "swell_table",
]

#: Highest derivative order offered.
MAX_ORDER = 3


def _check_order(order: int) -> int:
    order = int(order)
    if not 0 <= order <= MAX_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_ORDER}, got {order}")
    return order


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
        expr = sp.diff(expr, x)
    return expr


@memo(max_entries=256, ttl_s=1800, max_bytes=128 * 2**20, sizeof=lambda e: 200 * tree_size(e))
def derivative(fn: Function, order: int = 1) -> sp.Expr:
    """d^order f / dx^order, exact, in the real symbol x (each step bounded: :func:`bounded_diff`).

    With x real, d|x|/dx is sign(x) and d²|x|/dx² is 2·δ(x) (a Dirac delta).
    """
    order = _check_order(order)
    if order == 0:
        return fn.expr
    if order > 1:  # reuse the cached lower order: each step is bounded from its input
        return bounded_diff(derivative(fn, order - 1), fn.symbol, 1, done=order - 1)
    return bounded_diff(fn.expr, fn.symbol, 1)


def _drop_deltas(expr: sp.Expr) -> sp.Expr:
    """Replace Dirac deltas by 0: they vanish at every point a grid can hold except 0.

    At x = 0 a delta is not a number at all; we report the derivative there as
    undefined (nan) when it matters, see :func:`derivative_values`.
    """
    if expr.has(sp.DiracDelta):
        expr = expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    return expr


@memo(max_entries=128, ttl_s=1800, max_bytes=128 * 2**20, sizeof=lambda f: 2**20)
def _lambdified(fn: Function, order: int, cse: bool) -> Callable:
    expr = numeric_form(_drop_deltas(derivative(fn, order)))  # 10^300 as a float: NumPy takes no such int
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
    raw = _lambdified(fn, _check_order(order), bool(cse))

    def evaluate(xs):
        arr = np.asarray(xs)
        if not np.issubdtype(arr.dtype, np.inexact):
            arr = arr.astype(np.float64)
        with np.errstate(all="ignore"):
            out = np.asarray(raw(arr))
        if out.shape != arr.shape:
            out = np.broadcast_to(out, arr.shape).copy()
        if np.iscomplexobj(out) and not np.iscomplexobj(arr):
            out = out.real
        return out.astype(arr.dtype, copy=False)

    evaluate.__doc__ = f"d^{order}/dx^{order} of {fn.text}, generated by lambdify(cse={cse})"
    evaluate.raw = raw  # the lambdify-generated function, for showing its source
    return evaluate


def derivative_values(fn: Function, xs, order: int = 1) -> np.ndarray:
    """The exact derivative on ``xs`` in float64: the reference the other methods meet."""
    xs = np.asarray(xs, dtype=np.float64)
    out = derivative_function(fn, order)(xs)
    if order >= 2 and derivative(fn, order).has(sp.DiracDelta):
        out = np.where(xs == 0, np.nan, out)
    return out


def derivative_source(fn: Function, order: int = 1, cse: bool = True) -> str:
    """The Python source that ``lambdify`` generated for the derivative."""
    return inspect.getsource(_lambdified(fn, _check_order(order), bool(cse)))


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


# --- the symbol's assumptions ------------------------------------------------------------

#: Assumptions offered for the symbol x: SymPy's default (complex) and two narrower ones.
ASSUMPTIONS = {"complex": {}, "real": {"real": True}, "positive": {"positive": True}}


def symbol_with(assumption: str, name: str = "x") -> sp.Symbol:
    """``Symbol(name)`` with SymPy's default (complex), real or positive assumptions."""
    if assumption not in ASSUMPTIONS:
        raise ValueError(f"assumption must be one of {list(ASSUMPTIONS)}, got {assumption!r}")
    return sp.Symbol(name, **ASSUMPTIONS[assumption])


def with_assumption(expr: sp.Expr, x: sp.Symbol, assumption: str) -> tuple[sp.Expr, sp.Symbol]:
    """``expr`` with the symbol x replaced by one with other assumptions.

    SymPy re-evaluates as it rebuilds: with x positive, |x| becomes x. (What the
    parser already simplified with x real stays simplified: it turned √(x²) into |x|.)
    """
    s = symbol_with(assumption, x.name)
    return expr.xreplace({x: s}), s


def assumption_examples(assumption: str) -> list[tuple[str, sp.Expr, sp.Symbol]]:
    """abs, sqrt and log (and two mixtures) built directly in a symbol with ``assumption``."""
    s = symbol_with(assumption)
    return [
        ("|x|", sp.Abs(s), s),
        ("√x", sp.sqrt(s), s),
        ("ln x", sp.log(s), s),
        ("ln |x|", sp.log(sp.Abs(s)), s),
        ("√(x²)", sp.sqrt(s**2), s),
    ]


def evaluation_report(expr: sp.Expr, x: sp.Symbol, at=(2.0, -2.0), probe=(1.0, -2.0, 0.0)) -> dict:
    """Can the derivative of ``expr`` be evaluated and lambdified? What SymPy really says.

    * ``evalf``: ``d.evalf(subs={x: a})`` for each a in ``at``: (text, kind, LaTeX), where kind
      is "real", "complex" or "unevaluated" (SymPy could not reduce it to a number);
    * ``lambdify``: the error ``lambdify(x, d, 'numpy')`` raises, or its values on ``probe``;
    * ``lenient``: with the NumPy printer's ``strict`` option off (how older SymPy,
      the lab's, behaved) the code is generated with the unknown names left in, and
      *calling* it fails (``NameError: name 'Derivative' is not defined``).
    """
    from sympy.printing.numpy import NumPyPrinter

    d = bounded_diff(expr, x, 1)
    check_work(d, "the derivative")
    out = {"derivative": d, "text": sp.sstr(d), "latex": sp.latex(d), "evalf": {}}
    for a in at:
        out["evalf"][a] = _bounded_evalf(d, x, a)
    arr = np.asarray(probe, dtype=np.float64)
    out["lambdify_error"] = out["lenient_error"] = out["lenient_source"] = None
    out["values"] = None
    try:
        f = sp.lambdify(x, d, modules="numpy")
    except Exception as err:  # noqa: BLE001  (the real message is the lesson)
        out["lambdify_error"] = f"{type(err).__name__}: {str(err).splitlines()[0]}"
        printer = NumPyPrinter({"strict": False, "fully_qualified_modules": False, "inline": True,
                                "allow_unknown_functions": True, "user_functions": {}})
        try:
            g = sp.lambdify(x, d, modules="numpy", printer=printer)
            out["lenient_source"] = inspect.getsource(g)
            with np.errstate(all="ignore"):
                g(arr)
        except Exception as err2:  # noqa: BLE001
            out["lenient_error"] = f"{type(err2).__name__}: {str(err2).splitlines()[0]}"
    else:
        with np.errstate(all="ignore"):
            vals = np.broadcast_to(np.asarray(f(arr), dtype=np.float64), arr.shape)
        out["values"] = dict(zip(probe, vals.tolist()))
    return out


#: Largest |value| that :func:`_bounded_evalf` prints with evalf (mpmath's printer can loop
#: for a number like 2^(2^65536), which a five-storey tower of x reaches at x = 2).
MAX_PRINTED_MAGNITUDE = 1e300


def _bounded_evalf(d: sp.Expr, x: sp.Symbol, a: float) -> tuple[str, str, str]:
    """``d.evalf(subs={x: a})`` as (text, kind, LaTeX), printed only when it is a bounded number.

    A float64 evaluation comes first (cheap and bounded): when it overflows, the value
    is reported as such instead of being computed and printed in arbitrary precision.
    """
    if x in d.free_symbols and not d.has(sp.Derivative, sp.re, sp.im):
        try:
            with np.errstate(all="ignore"):
                probe = complex(np.asarray(sp.lambdify(x, d, modules="numpy")(np.complex128(a))))
        except Exception:  # noqa: BLE001  (fall through to SymPy's own answer)
            probe = 0j
        if not (abs(probe) <= MAX_PRINTED_MAGNITUDE):  # inf or nan too
            return ("not a float64 number (over 1e300 in size, or 0/0 on the way)", "overflow",
                    r"\text{not a float64 number (over } 10^{300}\text{ in size, or } 0/0\text{ on the way)}")
    v = d.evalf(15, subs={x: a})
    kind = "real" if v.is_number and v.is_comparable else "complex" if v.is_number else "unevaluated"
    return (sp.sstr(v), kind, sp.latex(v))


# --- expression swell, measured ---------------------------------------------------------

def swell_metrics(depth: int) -> dict:
    """Sizes of the derivative of the composed polynomial of ``depth``, three ways.

    * ``tree_ops``: ``count_ops`` of SymPy's derivative, shared subtrees counted every time;
    * ``cse_ops``: operations once common subexpressions are computed once (a graph);
    * ``jaxpr_eqns``: equations in the jaxpr of ``jax.grad`` of f (JAX imported lazily).
    """
    from . import autodiff, presets

    fn = presets.composed_polynomial(depth)
    d = derivative(fn, 1)
    return {
        "depth": int(depth),
        "tree_ops": count_ops(d),
        "cse_ops": cse_ops(d),
        "jaxpr_eqns": len(autodiff.grad_jaxpr(fn).jaxpr.eqns),
    }


def _median_seconds(f: Callable, xs: np.ndarray, repeats: int) -> float:
    import time

    times = []
    for _ in range(max(1, int(repeats))):
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            np.asarray(f(xs))
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def time_evaluation(fn: Function, n: int, cse: bool, budget_s: float = 2.0, repeats: int = 3,
                    sample: int = 10_000, lo: float = -1.0, hi: float = 1.5) -> dict:
    """Seconds per call of ``lambdify(diff(f), cse=cse)`` on ``n`` float64 points, bounded.

    First the code is timed on ``sample`` points and the cost on ``n`` points
    estimated from it (evaluation is linear in the points). When ``repeats``
    calls would take more than ``budget_s`` the full measurement is skipped and
    only the estimate is returned (``skipped`` says why); otherwise the median
    of ``repeats`` calls (after one warm-up call) is returned.
    """
    n, sample = int(n), int(min(sample, n))
    f = _lambdified(fn, 1, bool(cse))
    small = np.linspace(lo, hi, sample)
    per_point = _median_seconds(f, small, 1) / sample
    estimate = per_point * n
    if estimate * (repeats + 1) > budget_s:
        return {"seconds": None, "estimate": estimate, "skipped":
                f"skipped: about {estimate:.2g} s a call × {repeats + 1} calls is over the {budget_s:g} s budget"}
    xs = np.linspace(lo, hi, n)
    _median_seconds(f, xs, 1)  # warm-up
    return {"seconds": _median_seconds(f, xs, repeats), "estimate": estimate, "skipped": None}


def swell_table(max_depth: int, n: int = 1_000_000, budget_s: float = 2.0, repeats: int = 3,
                timing: bool = True, progress: Callable[[int, str], None] | None = None):
    """One row per depth 1..max_depth: sizes and evaluation times with and without CSE.

    Times are medians of ``repeats`` calls on ``n`` float64 points in [-1, 1.5]
    (seconds, ``nan`` where skipped; the ``note`` column says why). ``progress``
    is called as ``progress(depth, what)`` before each step.
    """
    import pandas as pd

    from . import presets

    rows = []
    for depth in range(1, int(max_depth) + 1):
        if progress:
            progress(depth, "sizes")
        row = swell_metrics(depth)
        notes = []
        if timing:
            fn = presets.composed_polynomial(depth)
            for cse, col in ((True, "cse_s"), (False, "no_cse_s")):
                if progress:
                    progress(depth, "lambdify(cse=True)" if cse else "lambdify (no CSE)")
                t = time_evaluation(fn, n, cse, budget_s, repeats)
                row[col] = np.nan if t["seconds"] is None else t["seconds"]
                row[col.replace("_s", "_estimate_s")] = t["estimate"]
                if t["skipped"]:
                    notes.append(("CSE " if cse else "no CSE ") + t["skipped"])
        row["note"] = "; ".join(notes)
        rows.append(row)
    return pd.DataFrame(rows)
