"""Is a student's answer for f′ (or f″) the same function as SymPy's? Two ways to know.

* **Simplification** (:func:`simplify_difference`, *worker only*: run it through the
  sandbox's ``"equivalent"`` operation, with a time limit): ``simplify(answer − target)``
  is 0 — a proof — or something else, which proves nothing (simplify is incomplete).
* **Evaluation** (:func:`compare`, bounded, fine in the server): both are evaluated at
  seeded random points of the domain where the target is finite, and at the few
  points where f′ may not exist (zeros of what sits inside |·|, sign, roots, ∛ ...).
  One point where they differ beyond a relative 1e-9 proves they are not equal.

:func:`verdict` combines them into ``equivalent``, ``not_equivalent`` (with a point and
both values) or ``equal_except`` (they differ only where f′ is undefined, as
``x/|x|`` against ``sign x`` at 0), and says which of the two decided.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .agreement import POINTS, RTOL, SEED, evaluate, relative_gap, sample
from .bounds import check_work, tree_size
from .deltas import drop_deltas
from .expressions import X

__all__ = ["simplify_difference", "undefined_points", "compare", "verdict", "RTOL", "POINTS", "SEED"]

#: Highest degree of a polynomial whose real roots are looked at as candidate exceptions.
MAX_ROOT_DEGREE = 6


def simplify_difference(answer: sp.Expr, target: sp.Expr) -> dict:
    """WORKER ONLY (unbounded): ``verdict`` "zero", "nonzero" (a nonzero number) or "unknown"."""
    diff = sp.simplify(drop_deltas(answer) - drop_deltas(target))
    if diff == 0:
        kind = "zero"
    elif diff.is_number and diff.is_zero is False:
        kind = "nonzero"
    else:
        kind = "unknown"
    text = sp.sstr(diff)
    return {"verdict": kind, "text": text if len(text) <= 300 else text[:300] + " …", "latex": "", "ops": 0}


# --- where f′ may not exist ---------------------------------------------------------

_KINKS = (sp.Abs, sp.sign, sp.DiracDelta)
_ENDS = (sp.asin, sp.acos, sp.acosh, sp.asec, sp.acsc, sp.atanh, sp.acoth)


def _watched(e: sp.Expr, x) -> list[sp.Expr]:
    """Expressions whose real zeros are points where f or f′ may be undefined."""
    out = []
    for a in sp.preorder_traversal(e):
        if isinstance(a, _KINKS) or type(a).__name__ == "cbrt" or isinstance(a, sp.log):
            out.append(a.args[0])
        elif isinstance(a, _ENDS):
            out.extend([a.args[0] - 1, a.args[0] + 1])
        elif a.is_Pow and x in a.base.free_symbols and not (a.exp.is_Integer and a.exp > 0):
            out.append(a.base)
    return out


def _real_roots(u: sp.Expr, x) -> list[float]:
    if x not in u.free_symbols or tree_size(u, 200) > 200:
        return []
    try:
        poly = sp.Poly(u, x)
    except sp.PolynomialError:
        return []
    if not 1 <= poly.degree() <= MAX_ROOT_DEGREE or not all(c.is_number for c in poly.all_coeffs()):
        return []
    roots = np.roots([float(c) for c in poly.all_coeffs()])
    return [float(r.real) for r in roots if abs(r.imag) <= 1e-9 * max(1.0, abs(r))]


def undefined_points(exprs, x: sp.Symbol = X, limit: int = 20) -> list[float]:
    """Real zeros of the watched parts of ``exprs`` (polynomial parts only), sorted, at most ``limit``."""
    pts = {round(r, 12) + 0.0 for e in exprs for u in _watched(e, x) for r in _real_roots(u, x)}
    return sorted(pts)[:limit]


# --- by evaluation ------------------------------------------------------------------

def _close(a: np.ndarray, b: np.ndarray, rtol: float) -> np.ndarray:
    """Within ``rtol`` where both are finite; elsewhere, both not finite."""
    fa, fb = np.isfinite(a), np.isfinite(b)
    return np.where(fa & fb, relative_gap(np.where(fa, a, 0.0), np.where(fb, b, 0.0)) <= rtol, fa == fb)


def compare(f: sp.Expr, target: sp.Expr, answer: sp.Expr, x: sp.Symbol = X, lo: float = -5.0,
            hi: float = 5.0, points: int = POINTS, rtol: float = RTOL, seed: int = SEED) -> dict:
    """Evaluate ``answer`` and ``target`` (= f′ or f″) at seeded random points of [lo, hi] where the
    target is finite, then at the candidate points where f′ may be undefined.

    Returns ``random`` (points compared), ``differ`` (the first random point (x, target, answer)
    where they differ, or None) and ``exceptions``: candidate points where they differ, each
    (x, target, answer, f′ defined there?). Bounded: every tree is counted before it is compiled.
    """
    for e in (f, target, answer):
        check_work(e, "the expression")
    xs = sample(lo, hi, points, seed)
    vt = evaluate(target, x, xs)
    keep = np.isfinite(vt)
    xs, vt = xs[keep][:points], vt[keep][:points]
    va = evaluate(answer, x, xs)
    same = _close(vt, va, rtol)
    bad = np.flatnonzero(~same)
    differ = (float(xs[bad[0]]), float(vt[bad[0]]), float(va[bad[0]])) if bad.size else None
    singular = set(undefined_points([f], x))
    cands = np.array(undefined_points([f, target, answer], x), dtype=float)
    exceptions = []
    if cands.size:
        ct, ca = evaluate(target, x, cands), evaluate(answer, x, cands)
        for c, t, a, ok in zip(cands, ct, ca, _close(ct, ca, rtol)):
            if not ok:
                defined = bool(np.isfinite(t)) and round(float(c), 12) + 0.0 not in singular
                exceptions.append((float(c), float(t), float(a), defined))
    return {"random": int(xs.size), "differ": differ, "exceptions": exceptions}


def verdict(numeric: dict, symbolic: dict | None) -> dict:
    """Combine :func:`compare` and the sandbox's answer (None or ``{"ok": False}`` when
    simplification did not finish) into ``verdict``, ``decided_by`` and the evidence.

    * a random point where they differ, or a candidate point where f′ exists but they
      differ: ``not_equivalent`` (evaluation decided);
    * they differ only at points where f′ is undefined: ``equal_except`` (evaluation);
    * otherwise ``equivalent``: by simplification when the difference simplified to 0,
      else by evaluation at the random points (simplification did not settle it).
    """
    simp = (symbolic or {}).get("verdict") if (symbolic or {}).get("ok", True) else None
    out = {"points": numeric["random"], "simplified": simp, "at": None, "except_at": []}
    if numeric["random"] == 0:
        return {**out, "verdict": "unknown", "decided_by": "nothing: f′ is not finite at any sampled point"}
    if numeric["differ"] is not None:
        return {**out, "verdict": "not_equivalent", "decided_by": "evaluation", "at": numeric["differ"]}
    defined = [e for e in numeric["exceptions"] if e[3]]
    if defined:
        return {**out, "verdict": "not_equivalent", "decided_by": "evaluation", "at": defined[0][:3]}
    if numeric["exceptions"]:
        return {**out, "verdict": "equal_except", "decided_by": "evaluation",
                "except_at": [e[:3] for e in numeric["exceptions"]]}
    if simp == "zero":
        return {**out, "verdict": "equivalent", "decided_by": "simplification"}
    return {**out, "verdict": "equivalent", "decided_by": "evaluation"}
