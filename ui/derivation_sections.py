"""The Symbolic page's "Steps" and "Check my answer" tabs (issue 16).

Steps: :func:`core.derivation.derive` writes f′ out rule by rule; the last line is
simplified and proven equal to SymPy's ``diff`` in a sandbox worker (time limit), or
checked at random points when simplification does not settle it. Check my answer: a
student's f′ or f″ against SymPy's, by simplification in a worker and by evaluation.
Widget keys start with ``steps_`` and ``check_``; each is bound to the URL. What a
student typed is shown only as plain text (``st.code``); LaTeX comes from sympy.latex.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import ExpressionError, Function, parse_expression, presets, symbolic
from core.derivation import MAX_STEPS, derive, evaluate, numeric_agreement, tex
from core.equivalence import POINTS, RTOL, compare, verdict
from core.expressions import format_error

from . import charts, panels
from .safe import show_error
from .symbolic_sections import sandboxed

PRIMES = {1: "′", 2: "″"}


def _limit() -> float:
    return float(st.session_state.get("sym_limit", 3))


# --- Steps ----------------------------------------------------------------------------

@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _derivation(spec: str) -> dict:
    fn = presets.resolve(spec)
    d = derive(fn.expr)
    if d.too_long:
        return {"too_long": True}
    lo, hi = presets.default_range(spec)
    check = numeric_agreement(d.result, symbolic.derivative(fn, 1), fn.symbol, lo, hi)
    steps = [{"rule": s.rule, "level": s.level, "latex": s.latex(), "note": s.note,
              "same": s.formula == s.result} for s in d.steps]
    return {"too_long": False, "steps": steps, "result": tex(d.result), "notes": d.notes,
            "rules": d.rules, "numeric": check}


def steps(fn: Function, spec: str) -> None:
    st.markdown("f′ written out as a student would: one rule per line, the part of f it applies to, "
                "the rule written out, and what it gives once the parts below it are done. "
                "These are our own rules (a small table, one per function), not SymPy's `diff`.")
    d = _derivation(spec)
    if d["too_long"]:
        st.warning(f"This derivation is too long to show step by step (more than {MAX_STEPS} steps: "
                   "the chain rule copies the inner function into every factor). The Derivatives tab "
                   "shows the result.", icon="📜")
        return
    deepest = max(s["level"] for s in d["steps"])
    depth = st.slider("Show steps down to level", 0, 10, 2, key="steps_level", bind="query-params",
                      help="Level 0 is the rule at the top of f; level 1 the rules for its parts, …")
    hidden = 0
    for s in d["steps"]:
        if s["level"] > depth:
            hidden += 1
            continue
        before, formula, result = s["latex"]
        st.markdown(f"{'&emsp;' * s['level']}**Level {s['level']}** · {s['rule']}")
        st.latex(before + " = " + (result if s["same"] else formula + " = " + result))
        if s["note"]:
            st.caption(f"{'&emsp;' * s['level']}⚠️ {s['note']}.")
    if hidden:
        st.caption(f"{hidden} deeper step{'s' if hidden > 1 else ''} hidden (levels {depth + 1}–{deepest}): "
                   "move the slider to see them.")
    st.markdown(f"**Result** ({len(d['steps'])} steps):")
    st.latex(r"f'(x) = " + d["result"])
    simp = sandboxed("steps_simplify", spec, limit=_limit())
    if simp["ok"]:
        st.markdown("**Simplified** (SymPy's `simplify`, in a worker with a time limit):")
        st.latex(r"f'(x) = " + simp["latex"])
    else:
        st.caption(f"Simplification skipped: it {simp['error']} (time limit {_limit():g} s, set in the sidebar).")
    proof = sandboxed("steps_proof", spec, limit=_limit())
    num = d["numeric"]
    if proof["ok"] and proof.get("verdict") == "zero":
        st.success("Equal to SymPy's `diff(f, x)`: decided by **simplification** "
                   "(simplify of the difference is 0).", icon="✅")
    elif num["agree"]:
        why = "simplification did not reach 0" if proof["ok"] else f"simplification {proof['error']}"
        st.success(f"Equal to SymPy's `diff(f, x)`: decided by **evaluation** at {num['points']} random points "
                   f"where both are finite (largest relative difference {num['max_rel']:.1e}, tolerance "
                   f"{RTOL:g}); {why}.", icon="✅")
    else:
        st.error(f"The last line differs from SymPy's `diff(f, x)` at x = {num['worst'][0]:.6g} "
                 f"({num['worst'][1]:.10g} against {num['worst'][2]:.10g}).")
    for note in d["notes"]:
        st.caption(f"Where f′ is undefined: {note}.")


# --- Check my answer ------------------------------------------------------------------

@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _compare(spec: str, answer: str, order: int) -> dict:
    fn = presets.resolve(spec)
    target = symbolic.derivative(fn, order)
    lo, hi = presets.default_range(spec)
    a = parse_expression(answer, ("x",))
    num = compare(fn.expr, target, a, fn.symbol, lo, hi)
    xs = np.linspace(lo, hi, 400)
    df = pd.concat([pd.DataFrame({"x": xs, "y": evaluate(target, fn.symbol, xs), "series": f"SymPy's f{PRIMES[order]}"}),
                    pd.DataFrame({"x": xs, "y": evaluate(a, fn.symbol, xs), "series": "your answer"})],
                   ignore_index=True)
    return {"numeric": num, "latex": tex(a), "curves": df}


def check_answer(fn: Function, spec: str) -> None:
    st.markdown("Type your own derivative of f (school notation works: `2x cos x^2`, `e^(2x)/x`, `|x|`). "
                "It is compared with SymPy's, by simplifying the difference (in a worker, with a time "
                f"limit) and by evaluating both at {POINTS} random points of the domain.")
    order = st.radio("Your answer is", [1, 2], format_func=lambda k: f"f{PRIMES[k]}(x)", horizontal=True,
                     key="check_order", bind="query-params")
    text = st.text_input(f"f{PRIMES[order]}(x) =", "", key="check_answer", max_chars=300, bind="query-params")
    if not text.strip():
        st.caption("Type an answer above to check it.")
        return
    try:
        parse_expression(text, ("x",))
    except ExpressionError as err:
        show_error("This answer cannot be read; see where below.", format_error(text, err), icon="✏️")
        return
    got = _compare(spec, text, order)
    st.caption("Read as:")
    st.latex("f" + "'" * order + "(x) = " + got["latex"])
    res = sandboxed("equivalent", text, spec, order=order, limit=_limit())
    v = verdict(got["numeric"], res)
    name = f"f{PRIMES[order]}"
    if v["verdict"] == "equivalent":
        how = ("**simplification**: simplify(your answer − SymPy's) is 0" if v["decided_by"] == "simplification"
               else f"**evaluation** at {v['points']} random points (equal to a relative {RTOL:g}); "
                    + ("simplification did not reach 0" if res["ok"] else f"simplification {res['error']}"))
        st.success(f"Equivalent: your answer is {name}. Decided by {how}.", icon="✅")
    elif v["verdict"] == "equal_except":
        pts = ", ".join(f"x = {p[0]:.6g}" for p in v["except_at"])
        st.warning(f"Equal except at {pts}, where {name} is undefined (your answer and SymPy's give different "
                   "values there, and neither is wrong: the derivative does not exist). Decided by "
                   "**evaluation**.", icon="〰️")
        st.dataframe(pd.DataFrame(v["except_at"], columns=["x", f"SymPy's {name}", "your answer"]),
                     hide_index=True)
    elif v["verdict"] == "not_equivalent":
        x, want, have = v["at"]
        st.error(f"Not equivalent: at x = {x:.6g}, {name}(x) = {want:.10g} but your answer gives {have:.10g}. "
                 "Decided by **evaluation**.", icon="❌")
        df = got["curves"]
        chart = charts.curves(df, title=f"SymPy's {name} and your answer", y_title="value",
                              dashed=("your answer",))
        panels.chart_panel(chart, df, key="check_curves", caption="400 points on the function's x-range.")
    else:
        st.warning(f"Could not decide: {v['decided_by']}.")
