"""The symbol's assumptions: what SymPy may assume about x changes what d/dx gives.

With SymPy's default symbol (complex), d|x|/dx is a derivative of re(x) and im(x)
that neither evalf nor lambdify can turn into a number; with x real it is sign(x);
with x positive, |x| is x itself. :func:`evaluation_report` shows what SymPy really
says when the lab evaluates and lambdifies such a derivative.
"""

from __future__ import annotations

import inspect

import numpy as np
import sympy as sp

from .bounds import check_work
from .symbolic import bounded_diff

__all__ = ["ASSUMPTIONS", "symbol_with", "with_assumption", "assumption_examples", "evaluation_report",
           "MAX_PRINTED_MAGNITUDE"]


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
