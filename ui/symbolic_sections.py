"""The sections of the Symbolic page, one function each, with their cached computations.

Each section draws its widgets (keys start with ``sym_``), calls ``core`` through
a cached wrapper keyed by plain text and numbers, and lays out the result.
Work that can run away on what a student types -- ``expand``, ``factor``,
``simplify``, substitution and ``N`` at high precision -- goes to the killable
worker processes of :mod:`core.sandbox`, with the page's time limit; a run past
it is reported with ``st.error`` and the rest of the page carries on.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st
import sympy as sp

from core import ExpressionError, Function, assumptions, parse_expression, presets, snippets, symbolic
from core.bounds import TooLarge
from core.sandbox import (
    SandboxBusy,
    SandboxCancelled,
    SandboxError,
    SandboxRateLimited,
    SandboxSessionLimit,
    get_sandbox,
)
from core.swell import swell_metrics, time_evaluation

from . import charts, data, panels, session, state
from .safe import format_error, show_error
from .state import resolve

#: The lab's two-variable expression.
DEFAULT_XY = "2*x^2 - x*y"
#: Choices for N(·, digits); the big ones are there to meet the time limit.
DIGITS = [5, 8, 15, 30, 50, 100, 1_000, 10_000, 100_000, 1_000_000]
#: Points for the swell timing (capped at the lab's 10^6).
POINTS = [1_000, 10_000, 100_000, 1_000_000]
#: Seconds one timing (warm-up + repeats) may take on the page before it is skipped.
TIMING_BUDGET_S = 1.5
#: Longest decimal expansion printed on the page (the rest is summarised).
SHOW_CHARS = 1_200


# --- the sandbox, through a cache ------------------------------------------------------

#: Failures that depend on the moment, not on the input: never cached, the next rerun tries again.
_TRANSIENT = (SandboxBusy, SandboxSessionLimit, SandboxRateLimited, SandboxCancelled)


@st.cache_data(max_entries=512, ttl=600, show_spinner=False)
def _sandboxed_cached(op: str, args: tuple, kwargs: tuple, limit: float, _owner: str | None = None,
                      _on_wait=None, _cancelled=None) -> dict:
    # The underscored arguments (who asks, their waiting note, are they still there) are
    # not part of the cache key: one session's result serves every session.
    sb = get_sandbox()  # its workers' start-up does not count against the limit
    try:
        return {"ok": True, **sb.run(op, *args, timeout=limit, owner=_owner, on_wait=_on_wait,
                                     cancelled=_cancelled, **dict(kwargs))}
    except _TRANSIENT:
        raise  # not cached: the next rerun tries again
    except (SandboxError, ExpressionError) as err:
        # A run past the limit is remembered (for ten minutes), so moving another
        # slider does not start the same runaway again.
        return {"ok": False, "error": str(err)}


def sandboxed(op: str, *args, limit: float, **kwargs) -> dict:
    """``get_sandbox().run(op, *args)`` with a time limit, cached; never raises.

    Returns the worker's result with ``ok=True``, or ``ok=False`` and ``error``
    (e.g. "took longer than 3 s and was stopped"; our own words, never the input),
    with ``transient=True`` when trying again later may work (workers busy, this
    session's computation already running, its rate limit, the page rerun). The
    request counts against this browser (all its tabs; else this session), one at a
    time, first come first served among owners; while it waits, a note says its place
    in line; it is dropped when the page reruns or closes. The limit is at most the
    sandbox's MAX_TIMEOUT.
    """
    on_wait, clear = session.waiting_note()
    try:
        return _sandboxed_cached(op, args, tuple(sorted(kwargs.items())), float(limit),
                                 _owner=session.owner_id(), _on_wait=on_wait, _cancelled=session.cancel_check())
    except SandboxCancelled:
        return {"ok": False, "transient": True, "error": "was stopped because the page reran or was closed"}
    except _TRANSIENT as err:
        return {"ok": False, "transient": True, "error": str(err)}
    finally:
        clear()


def _failed(what: str, result: dict) -> None:
    """A worker's failure: our own headline, then what happened as plain text (it may quote the input)."""
    if result.get("transient"):  # busy, your own request still running, or too many just now
        show_error("This step has to wait: the symbolic workers are shared by everyone on this server. "
                   "Try again in a moment.", f"{what}: {result['error']}", icon="⏳", warning=True)
        return
    show_error("This step did not finish. The rest of the page still works: try a smaller expression, "
               "fewer digits, or a longer time limit in the sidebar.", f"{what}: {result['error']}", icon="⏱️")


def _short(text: str, limit: int = SHOW_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[: limit - 80]} … [{len(text) - limit + 80:,} more characters] … {text[-60:]}"


# --- 1. exact versus approximate -------------------------------------------------------

@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _exact_sqrt(n: int) -> dict:
    return symbolic.exact_sqrt(n)


def exact_numbers(limit: float) -> None:
    st.markdown(
        "A computer algebra system keeps numbers **exact**: √18 stays a square root, only tidied up "
        "(18 = 9·2, so √18 = 3√2). A float is a **rounded** binary number: 53 bits, about 16 "
        "significant digits, and nothing in 4.2426… tells you it was 3√2. `N(·, digits)` asks SymPy "
        "for as many correct digits as you like, computed with arbitrary precision."
    )
    n = st.slider("n in √n", 1, 200, 18, key="sym_n", bind="query-params")
    info = _exact_sqrt(n)
    left, right = st.columns(2)
    with left:
        st.markdown("**SymPy: exact**")
        st.latex(rf"\sqrt{{{n}}} = {info['latex']}")
        st.caption(f"`sqrt({n})` → `{info['text']}`: an exact SymPy number (no dtype, no rounding).")
    with right:
        st.markdown("**Python: a float**")
        st.code(f"import math\n\nmath.sqrt({n})  # {info['float']!r}", language="python")
        st.caption("float64 (IEEE-754 double), `math.sqrt`, correctly rounded. The value it really "
                   f"stores is exactly `{info['float_exact_decimal']}`.")

    c1, c2 = st.columns([1, 1])
    digits = c1.select_slider("digits for N(·, digits)", options=DIGITS, value=8, key="sym_digits",
                              bind="query-params",
                              help="Large values are slow on purpose: they run with the time limit.")
    typed = c2.text_input("…of another constant (optional)", "", key="sym_const", max_chars=120,
                          placeholder="e.g. pi, e, exp(1), sqrt(2) + sqrt(3)",
                          help="Leave empty to evaluate √n.")
    text = typed.strip() or f"sqrt({n})"
    try:
        parse_expression(text, ())
    except ExpressionError as err:
        show_error("This constant cannot be evaluated; see where below.", format_error(text, err), icon="✏️")
        return
    res = sandboxed("evalf", text, (), limit=limit, digits=int(digits))
    if not res["ok"]:
        _failed(f"N({text}, {digits})", res)
        return
    # SymPy's printing of what was parsed (never the typed text); √n as we wrote it, unsimplified.
    shown = sp.sstr(parse_expression(text, ())) if typed.strip() else f"sqrt({n})"
    st.code(f"from sympy import *\n\nN({shown}, {digits})\n# {_short(res['text'])}", language="python",
            wrap_lines=True)
    st.caption(f"A SymPy Float with {digits:,} significant digits (mpmath arbitrary precision), "
               f"computed in a sandbox worker in {res['seconds'] * 1000:.1f} ms.")


# --- 2. the two-variable playground ----------------------------------------------------

#: The lab's manipulations, as buttons: key -> (label, how the text changes).
STEPS = {
    "sym_step_lab": ("x·(expr + xy + x³)", lambda t: f"x*(({t}) + x*y + x^3)"),
    "sym_step_mulx": ("× x", lambda t: f"x*({t})"),
    "sym_step_addxy": ("+ xy", lambda t: f"({t}) + x*y"),
    "sym_step_square": ("squared", lambda t: f"({t})^2"),
    "sym_step_reset": ("2x² − xy", lambda t: DEFAULT_XY),
}


def _apply_step(key: str) -> None:
    current = st.session_state.get("sym_xy", DEFAULT_XY) or DEFAULT_XY
    st.session_state["sym_xy"] = STEPS[key][1](current)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _xy_latex(text: str) -> tuple[str, int]:
    import sympy as sp

    expr = parse_expression(text, ("x", "y"))
    ops = int(sp.count_ops(expr))
    return (sp.latex(expr) if ops <= 400 else r"\text{(%d operations)}" % ops), ops


def playground(limit: float) -> None:
    st.markdown(
        "In SymPy, `x` and `y` are **symbols**: Python objects that stand for numbers. Arithmetic on "
        "them builds a new expression instead of a number, which you can then reshape (`expand`, "
        "`factor`) or evaluate by substituting numbers (`evalf(subs=...)`). Type an expression in x and "
        "y, or build one with the lab's steps."
    )
    if "sym_xy" not in st.session_state and "sym_xy" not in st.query_params:
        st.session_state["sym_xy"] = DEFAULT_XY
    helps = {"sym_step_lab": "The lab's manipulation: multiply (expr + xy + x³) by x.",
             "sym_step_reset": "Start again from the lab's expression."}
    st.caption("Build with the lab's steps (each one rewrites expr):")
    cols = st.columns(len(STEPS))
    for col, (key, (label, _)) in zip(cols, STEPS.items()):
        col.button(label, key=key, on_click=_apply_step, args=(key,), width="stretch",
                   help=helps.get(key, f"expr → {STEPS[key][1]('expr')}"))
    text = st.text_input("expr (in x and y)", key="sym_xy", max_chars=300, bind="query-params",
                         help="Numbers, x, y, pi, e, + - * / ^ and sin cos exp log sqrt abs …")
    try:
        tex, _ = _xy_latex(text)
    except ExpressionError as err:
        show_error("This expression cannot be used; see where below.", format_error(text, err), icon="✏️")
        return
    st.latex(r"\text{expr} = " + tex)

    left, right = st.columns(2)
    for col, op in ((left, "expand"), (right, "factor")):
        with col:
            res = sandboxed(op, text, ("x", "y"), limit=limit)
            if res["ok"]:
                st.latex(rf"\operatorname{{{op}}}(\text{{expr}}) = {res['latex']}")
                st.caption(f"`{op}(expr)` → `{_short(res['text'], 300)}` ({res['ops']} operations; "
                           f"{res['seconds'] * 1000:.1f} ms in a sandbox worker)")
            else:
                _failed(f"{op}(expr)", res)

    c1, c2 = st.columns(2)
    xv = c1.slider("x =", -5.0, 5.0, -1.0, 0.5, key="sym_x", bind="query-params")
    yv = c2.slider("y =", -5.0, 5.0, 2.0, 0.5, key="sym_y", bind="query-params")
    res = sandboxed("subs", text, ("x", "y"), {"x": xv, "y": yv}, limit=limit)
    call = f"expr.evalf(subs={{x: {xv:g}, y: {yv:g}}})"
    if not res["ok"]:
        _failed(call, res)
        return
    shown = repr(res["value"]) if res.get("value") is not None else res["text"]
    st.metric(f"{call}", shown)
    kind = ("a SymPy Float (15 significant digits), shown as a Python float64"
            if res.get("value") is not None else "not a real number: SymPy returns what it could evaluate")
    st.caption(f"{kind}; SymPy prints `{_short(res['text'], 200)}`. Substituted and evaluated in a "
               "sandbox worker.")


# --- 3. an expression is not a function -------------------------------------------------

@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _array_lesson(spec: str) -> dict:
    fn = resolve(spec)
    xs = np.array([1, 2, 3])
    error = symbolic.call_on_array(fn.expr, xs)
    f, source = symbolic.lambdify_source(fn.expr, fn.symbol)
    with np.errstate(all="ignore"):
        out = np.broadcast_to(np.asarray(f(xs.astype(np.float64)), dtype=np.float64), xs.shape)
    return {"error": error, "source": source, "values": out.tolist()}


def arrays(fn: Function) -> None:
    st.markdown(
        "A SymPy expression is a **data structure** (a tree of `Add`, `Mul`, `Pow`, `sin` … objects), "
        "not a Python function, so calling it on an array fails. Here is the chosen f, called on "
        "`np.array([1, 2, 3])` just now, with the error caught:"
    )
    lesson = _array_lesson(state.spec())
    st.code(snippets.sympy_def(fn) + "f_symb = f\ntry:\n    f_symb(np.array([1, 2, 3]))\n"
            "except TypeError as err:\n    print(err)  # " + (lesson["error"] or "(no error)"), language="python")
    st.markdown(
        "`lambdify` **writes a Python function** from the expression: it prints the tree as source code "
        "that calls NumPy, then compiles that source. The generated function works on whole arrays:"
    )
    st.code(lesson["source"], language="python")
    vals = ", ".join(f"{v:.6g}" for v in lesson["values"])
    st.code(snippets.sympy_def(fn) + f"f_symb_numpy = lambdify(x, f, 'numpy')\n"
            f"f_symb_numpy(np.array([1., 2., 3.]))\n# array([{vals}])", language="python")
    st.caption("Evaluated just now in float64 by the generated NumPy code (we pass floats: with the lab's "
               "integer array NumPy computes in int64, which overflows silently for large values).")


def _expr_text(fn: Function) -> str:
    import sympy as sp

    text = sp.sstr(fn.expr)
    return text if len(text) <= 200 else f"...  # {len(text):,} characters"


# --- 4. derivatives, orders 1 to 3 -----------------------------------------------------

PRIMES = {1: "′", 2: "″", 3: "‴"}


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _derivative_curves(spec: str, lo: float, hi: float, n: int, order: int) -> pd.DataFrame:
    fn = resolve(spec)
    xs = np.linspace(lo, hi, int(n))
    return _masked_curves(spec, xs, lo, hi, fn.numpy(xs), symbolic.derivative_values(fn, xs, order), order)


def _masked_curves(spec: str, xs, lo: float, hi: float, f, d, order: int) -> pd.DataFrame:
    """f and its derivative on xs, both nan wherever f is undefined (:func:`core.domain.mask`)."""
    from core import domain

    ok = domain.mask(resolve(spec), np.asarray(xs, dtype=float), data.analysis(spec, float(lo), float(hi)))
    return pd.concat([
        pd.DataFrame({"x": xs, "y": np.where(ok, np.asarray(f, dtype=float), np.nan), "series": "f(x)"}),
        pd.DataFrame({"x": xs, "y": np.where(ok, np.asarray(d, dtype=float), np.nan),
                      "series": f"exact f{PRIMES[order]}"}),
    ], ignore_index=True)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _rules(spec: str) -> list[dict]:
    fn = resolve(spec)
    return symbolic.rule_breakdown(fn.expr, fn.symbol)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _derivative_source(spec: str) -> str:
    return symbolic.derivative_source(resolve(spec), 1, cse=True)


def derivatives(fn: Function) -> None:
    st.markdown(
        "`diff` walks the expression tree and applies the rules you learned by hand (sum, constant "
        "multiple, power, product, quotient, chain) to build a new exact expression. Higher orders "
        "differentiate again."
    )
    lo, hi = state.x_range("sym_range")
    if hi <= lo:
        st.warning("The x-range is empty: move the right end past the left one.")
        return
    # Only the open order is computed and sent (each is a chart of 800 points); it travels in the link.
    tabs = st.tabs([f"f{PRIMES[k]} (order {k})" for k in (1, 2, 3)], key="sym_order", bind="query-params")
    for order, tab in zip((1, 2, 3), tabs):
        if not tab.open:
            continue
        with tab:
            where = ""
            try:
                with st.spinner(f"SymPy differentiates {order} time(s)…"):
                    tex, ops = data.derivative_latex(state.spec(), order)
                    df = _derivative_curves(state.spec(), lo, hi, 400, order)
            except TooLarge as err:  # too big for the shared server: a killable worker does it
                res = sandboxed("curve", state.spec(), order=order, lo=lo, hi=hi, n=400,
                                limit=float(st.session_state.get("sym_limit", 3)))
                if not res["ok"]:
                    st.caption(str(err).capitalize() + ".")
                    _failed(f"diff(f, x, {order}) in a worker", res)
                    continue
                tex, ops = res["latex"], res["ops"]
                xs = np.linspace(lo, hi, 400)
                df = _masked_curves(state.spec(), xs, lo, hi, fn.numpy(xs), res["values"], order)
                where = (f" Too large for the shared server ({err}), so a sandbox worker computed it "
                         f"in {res['seconds']:.2f} s, within the time limit.")
            lhs = r"\frac{d^{%d}f}{dx^{%d}}" % (order, order) if order > 1 else r"\frac{df}{dx}"
            st.latex(lhs + " = " + tex)
            st.caption(f"As a tree this derivative has {ops:,} operation{'' if ops == 1 else 's'} "
                       "(SymPy's count_ops)." + where)
            dom = data.analysis(state.spec(), float(lo), float(hi))
            breaks = {"f(x)": dom.breaks(), "": dom.breaks(derivative=True)}
            # built once for every student with this function and range
            chart = panels.chart_spec(charts.curves, panels.thin_lines(df, breaks=breaks),
                                      title=f"f and its exact derivative of order {order} (float64)",
                                      y_title="value", breaks=breaks)
            deltas = (f"d{order} = d{order}.replace(DiracDelta, lambda *args: 0)  # δ is 0 away from 0, as drawn\n"
                      if fn.expr.has(sp.Abs, sp.sign, sp.Heaviside) else "")
            code = (snippets.sympy_def(fn) + f"d{order} = diff(f, x, {order})\n" + deltas
                    + f"d{order}_numpy = lambdify(x, d{order}, 'numpy', cse=True)\n"
                    f"xs = np.linspace({lo:g}, {hi:g}, 400)\nys = d{order}_numpy(xs)\n")
            panels.chart_panel(chart, df, key=f"sym_d{order}", code=code,
                               caption=f"400 points, float64, `lambdify(diff(f, x, {order}), cse=True)`; "
                                       "f in grey. Dirac deltas (the second derivative of |x|) count as 0 "
                                       "away from 0 and as undefined at 0.")

    st.markdown("#### Which rule does what")
    rows = _rules(state.spec())
    if len(rows) > 1:
        st.markdown(f"f is a sum of {len(rows)} terms, so the **sum rule** applies first: the derivative "
                    "of a sum is the sum of the derivatives of its terms. Each term then needs its own rule:")
    else:
        st.markdown("f is a single term (not a sum); the rule applied at its top:")
    lines = []
    for r in rows:
        inner = f" — inner function ${r['inner']}$, whose derivative multiplies in" if r["inner"] else ""
        lines.append(f"- ${r['term']}$ → ${r['derivative']}$ &nbsp; **{r['rule']}**{inner}")
    st.markdown("\n".join(lines))
    st.caption("Rules are read from the top of each term's SymPy tree (outermost first); "
               "“elementary” means a known derivative such as sin′ = cos.")
    with st.expander("The Python source lambdify generated for f′ (with common subexpressions shared)"):
        st.code(_derivative_source(state.spec()), language="python")


# --- 5. |x| and the symbol's assumptions ---------------------------------------------------

def _plain(report: dict) -> dict:
    """A report without SymPy objects (cacheable as data)."""
    return {k: v for k, v in report.items() if k != "derivative"}


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _abs_report(assumption: str) -> dict:
    import sympy as sp

    s = assumptions.symbol_with(assumption)
    return _plain(assumptions.evaluation_report(sp.Abs(s), s))


def _undefined_at(expr, sym, points) -> set:
    """The points where f (as a function of a real x) is undefined: not a finite real number in float64."""
    try:
        f = sp.lambdify(sym, expr, modules="numpy")
        xs = np.asarray(list(points), dtype=np.float64)
        with np.errstate(all="ignore"):
            vals = np.broadcast_to(np.asarray(f(xs)), xs.shape)
    except Exception:  # noqa: BLE001  (no verdict rather than a wrong one)
        return set()
    ok = np.isfinite(vals) & (np.abs(np.imag(vals)) == 0) if np.iscomplexobj(vals) else np.isfinite(vals)
    return {float(a) for a, good in zip(xs, ok) if not good}


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _assumption_rows(spec: str, assumption: str) -> tuple[pd.DataFrame, str]:
    rows = []
    examples = assumptions.assumption_examples(assumption)
    fn = resolve(spec)
    mine, s = assumptions.with_assumption(fn.expr, fn.symbol, assumption)
    examples.append(("your f", mine, s))
    mine_latex = ""
    for name, expr, sym in examples:
        rep = assumptions.evaluation_report(expr, sym)
        d_text = rep["text"] if len(rep["text"]) <= 160 else f"({len(rep['text']):,} characters)"
        row = {"f": name, "f′ as SymPy gives it": d_text}
        undefined = _undefined_at(expr, sym, [*rep["evalf"], *(rep["values"] or {})])
        for a, (text, kind, _) in rep["evalf"].items():
            shown = text if len(text) <= 60 else text[:57] + "…"
            if a in undefined and kind == "real":  # a real f′ of an f that does not exist there
                row[f"f′({a:g}) by evalf"] = f"— f is undefined at x = {a:g} for a real x (SymPy's {shown})"
            elif a in undefined:
                row[f"f′({a:g}) by evalf"] = f"{kind}: {shown} (f is undefined at x = {a:g} for a real x)"
            else:
                row[f"f′({a:g}) by evalf"] = shown if kind == "real" else f"{kind}: {shown}"
        if rep["lambdify_error"] is not None:
            row["lambdify"] = rep["lambdify_error"][:90]
        else:
            bad = [a for a in (rep["values"] or {}) if a in undefined]
            row["lambdify"] = ("works" if not bad else "runs, but f is undefined at x = "
                               + ", ".join(f"{a:g}" for a in bad) + " for a real x")
        rows.append(row)
        if name == "your f":
            mine_latex = rep["latex"] if len(rep["latex"]) <= 3000 else r"\text{(too long to print)}"
    return pd.DataFrame(rows), mine_latex


def abs_and_assumptions(fn: Function) -> None:
    st.markdown(
        "The lab's |x| example fails for a reason that has nothing to do with swell: `symbols('x')` makes "
        "a **complex** symbol by default, and |x| of a complex number is √(re² + im²), whose derivative "
        "SymPy can only leave in terms of `re`, `im` and unevaluated `Derivative`s."
    )
    plain = _abs_report("complex")
    st.markdown("**With `x = symbols('x')` (complex):**")
    st.latex(r"\frac{d}{dx}|x| = " + plain["latex"])
    text, _, tex = plain["evalf"][-2.0]
    st.markdown("`dfdx_abs.evalf(subs={x: -2})` does not give −1; it stays unevaluated:")
    st.latex(tex)
    st.markdown("`lambdify(x, dfdx_abs, 'numpy')`, tried just now, with the error caught:")
    st.code(plain["lambdify_error"] or "(no error)", language="text")
    if plain["lenient_source"]:
        st.markdown("Current SymPy refuses at `lambdify` time. Older versions (the lab's) printed the "
                    "unknown `Derivative` into the code anyway, as the printer still does with "
                    "`strict=False`; the error then comes when the function is **called**:")
        st.code(plain["lenient_source"].rstrip() + "\n\n# called on np.array([1., -2., 0.]):\n# "
                + (plain["lenient_error"] or "(no error)"), language="python")

    real = _abs_report("real")
    st.markdown("**With `x = symbols('x', real=True)`** (as this dashboard does everywhere):")
    st.latex(r"\frac{d}{dx}|x| = " + real["latex"])
    vals = real["values"] or {}
    st.code("import numpy as np\nfrom sympy import lambdify, sign, symbols\n\nx = symbols('x', real=True)\n"
            "lambdify(x, sign(x), 'numpy')(np.array([1., -2., 0.]))\n# array(["
            + ", ".join(f"{v:g}" for v in vals.values()) + "])", language="python")
    st.caption("float64 via `numpy.sign`. At 0 the derivative of |x| does not exist; `sign` says 0, JAX's "
               "`grad(abs)(0.)` says 1, and any value in [−1, 1] is a valid subgradient.")

    st.markdown("#### What the symbol may be changes the derivative")
    assumption = st.radio("x is …", list(assumptions.ASSUMPTIONS), index=0, horizontal=True, key="sym_assume",
                          bind="query-params",
                          format_func=lambda a: {"complex": "complex: symbols('x') (SymPy's default)",
                                                 "real": "real: symbols('x', real=True)",
                                                 "positive": "positive: symbols('x', positive=True)"}[a])
    with st.spinner("SymPy differentiates with the new symbol…"):
        table, mine_latex = _assumption_rows(state.spec(), assumption)
    st.dataframe(table, hide_index=True, width="stretch")
    st.latex(r"\text{your } f{:}\quad \frac{df}{dx} = " + mine_latex)
    st.caption(
        "Each row is built in a symbol with the chosen assumptions (your f by substituting that symbol "
        "for x; what the parser already simplified with x real, such as √(x²) = |x|, stays simplified). "
        "Values by `evalf(subs=...)`, SymPy Floats with 15 digits. An assumption is a promise: with x "
        "positive, |x| is just x, and SymPy answers 1 even at x = −2."
    )


# --- 6. expression swell, measured ---------------------------------------------------------

SWELL_LABELS = {
    "tree_ops": "SymPy derivative as a tree (count_ops)",
    "cse_ops": "after common subexpressions (cse)",
    "jaxpr_eqns": "JAX jaxpr of grad (equations)",
}
TIME_LABELS = {"no_cse_s": "lambdify, no CSE", "cse_s": "lambdify(cse=True)"}


@st.cache_data(max_entries=16, ttl=24 * 3600, show_spinner=False)
def _swell_row(depth: int) -> dict:
    return swell_metrics(depth)


@st.cache_data(max_entries=64, ttl=600, show_spinner=False)
def _timing_row(depth: int, n: int) -> dict:
    fn = presets.composed_polynomial(depth)
    row = {"depth": depth}
    for cse, col in ((True, "cse_s"), (False, "no_cse_s")):
        t = time_evaluation(fn, n, cse, budget_s=TIMING_BUDGET_S, repeats=3)
        row[col] = np.nan if t["seconds"] is None else t["seconds"]
        row[col.replace("_s", "_note")] = t["skipped"] or ""
        row[col.replace("_s", "_estimate")] = t["estimate"]
    row["measured"] = time.strftime("%H:%M:%S")
    return row


def _long(df: pd.DataFrame, labels: dict[str, str], value: str = "value") -> pd.DataFrame:
    return df.melt(id_vars="depth", value_vars=list(labels), var_name="series", value_name=value).assign(
        series=lambda d: d["series"].map(labels))


def swell() -> None:
    st.markdown(
        "The lab's race differentiates p(p(…p(x))) with p(t) = 2t³ − 3t² + 5 and finds SymPy slow. "
        "Here is where the time goes: the size of the derivative at each depth, counted three ways."
    )
    depth = st.slider("depth of the composition", 1, presets.MAX_DEPTH, 4, key="sym_depth", bind="query-params")
    bar = st.progress(0.0, text="Measuring sizes…")
    rows = []
    for d in range(1, depth + 1):
        bar.progress((d - 1) / depth, text=f"Depth {d}: diff, count_ops, cse and JAX's jaxpr…")
        rows.append(_swell_row(d))
    bar.empty()
    sizes = pd.DataFrame(rows)
    shown = sizes.rename(columns={"tree_ops": "tree ops (count_ops)", "cse_ops": "ops after CSE",
                                  "jaxpr_eqns": "jaxpr equations of grad"})
    st.dataframe(shown, hide_index=True, width="stretch")
    long = _long(sizes, SWELL_LABELS)
    panels.chart_panel(
        panels.chart_spec(charts.swell_lines, long, title="Size of the derivative of p∘…∘p", y_title="operations"),
        long, key="sym_swell_sizes", y="value",
        code=("import sympy as sp, jax\nx = sp.Symbol('x', real=True)\nf = x\nfor d in range(1, 7):\n"
              "    f = 2*f**3 - 3*f**2 + 5\n    df = sp.diff(f, x)\n    repl, red = sp.cse(df)\n"
              "    print(d, sp.count_ops(df), sum(sp.count_ops(e) for _, e in repl) + sp.count_ops(red[0]))\n"),
        caption="count_ops counts a shared subtree every time it appears; after cse each is counted once; "
                "the jaxpr counts the primitive operations JAX's grad records (float64 scalar input).",
    )

    st.markdown("#### Evaluating it: `lambdify` with and without CSE")
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    n = c1.select_slider("points", options=POINTS, value=100_000, key="sym_points", bind="query-params",
                         format_func=lambda v: f"{v:,}")
    go = c2.button("⏱️ time it", key="sym_time", width="stretch")
    result_key = (depth, int(n))
    if go:
        with st.status(f"Timing lambdify at depths 1–{depth} on {n:,} points…", expanded=True) as status:
            prog = st.progress(0.0)
            timing = []
            for d in range(1, depth + 1):
                prog.progress((d - 1) / depth, text=f"Depth {d}: with and without CSE")
                timing.append(_timing_row(d, int(n)))
            prog.progress(1.0, text="done")
            status.update(label="Timed.", state="complete", expanded=False)
        st.session_state["_sym_timing"] = (result_key, timing)
    saved = st.session_state.get("_sym_timing")
    if not saved or saved[0] != result_key:
        st.caption(f"Press the button to time both versions at depths 1–{depth} (each measurement is bounded "
                   f"to about {TIMING_BUDGET_S:g} s; a version estimated to take longer is skipped and "
                   "its estimate shown instead).")
    else:
        times = pd.DataFrame(saved[1])
        table = pd.DataFrame({
            "depth": times["depth"],
            "lambdify(cse=True), ms": times["cse_s"] * 1000,
            "lambdify, no CSE, ms": times["no_cse_s"] * 1000,
            "no CSE: estimate, ms": times["no_cse_estimate"] * 1000,
            "note": (times["cse_note"] + " " + times["no_cse_note"]).str.strip(),
        })
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format="%.3g") for c in table.columns[1:4]})
        skipped = int(times["no_cse_s"].isna().sum() + times["cse_s"].isna().sum())
        if skipped:
            st.info(f"{skipped} measurement(s) skipped: a short trial on 10,000 points predicted more than "
                    f"{TIMING_BUDGET_S:g} s for the full run; the estimate column shows that prediction.")
        tl = _long(times[["depth", "cse_s", "no_cse_s"]], TIME_LABELS)
        panels.chart_panel(
            panels.chart_spec(charts.swell_lines, tl, title=f"Evaluating f′ on {n:,} points (float64)", y_title="seconds per call",
                               y_format=".3g"),
            tl, key="sym_swell_times", y="value",
            code=("import numpy as np, sympy as sp, timeit\n# df from the cell above\n"
                  "f1 = sp.lambdify(x, df, 'numpy')\nf2 = sp.lambdify(x, df, 'numpy', cse=True)\n"
                  f"xs = np.linspace(-1, 1.5, {n})\n"
                  "print(min(timeit.repeat(lambda: f1(xs), number=1, repeat=3)))\n"
                  "print(min(timeit.repeat(lambda: f2(xs), number=1, repeat=3)))\n"),
            caption=f"Median of 3 calls after a warm-up, float64 NumPy on linspace(−1, 1.5, {n:,}), measured on "
                    "this server (shared with other sessions, so treat times as ratios). Skipped runs leave "
                    "their line short.",
        )

    st.markdown("#### Why sharing is the whole story")
    st.markdown(
        "The chain rule says (p∘g)′ = p′(g)·g′. Apply it d times and every factor carries a full copy of "
        "the inner function g: the tree repeats each inner level inside each outer one, so it roughly "
        "triples with every level. But those copies are **the same** value. Name each once "
        "(t₁ = p(x), t₂ = p(t₁), …) and the derivative becomes a product of d small factors "
        "p′(x)·p′(t₁)·p′(t₂)…: a fixed amount of extra work per level. That is what `cse` finds.\n\n"
        "Reverse-mode autodiff gets the same shape by construction: JAX records the program forward once, "
        "keeping every t_k, then walks it backwards multiplying the local derivatives p′(t_k). The jaxpr "
        "above grows by the same number of equations per level. So symbolic differentiation with shared "
        "subexpressions and reverse mode do the same multiplications on the same graph; the only "
        "difference is whether the graph is written down as a formula first (Laue, *On the Equivalence "
        "of Automatic and Symbolic Differentiation*, arXiv:1904.02990). The lab's “expression swell” is "
        "the cost of printing a graph as a tree, not of working with symbols."
    )
