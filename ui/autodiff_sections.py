"""Sections of the Automatic (JAX) page: each draws one part of the lab's section 4 and beyond.

Every section reads its own widgets, calls ``core`` through a cached wrapper
here (keyed by the function's spec text and plain numbers), hands DataFrames to
a builder in :mod:`ui.charts` and lays the result out. The dtype switch of the
page is passed to each section: every number shown says which dtype made it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import streamlit as st

from core import presets, reference, snippets
from core.reference import SCALED_ERROR
from ui import charts, data, panels
from ui.data import SERIES
from ui.state import resolve

#: The lab's gallery of common derivatives (section 4.2), by preset id.
GALLERY = ["x^3", "2*x^3 - 3*x^2 + 5", "1/x", "exp(x)", "log(x)", "sin(x)", "cos(x)", "abs(x)",
           "abs(x) + sin(x)*cos(x)"]

#: Series names of the exact and the JAX derivative of each order.
EXACT = {1: "exact f′", 2: "exact f″ (SymPy)", 3: "exact f‴ (SymPy)"}
JAXN = {1: SERIES["autodiff"], 2: "JAX grad(grad(f))", 3: "JAX grad(grad(grad(f)))"}
PRIMES = {1: "′", 2: "″", 3: "‴"}

#: Rows of a trace shown at once: the last ones up to the current step.
TRACE_WINDOW = 12

#: Composed polynomials this deep take SymPy seconds for f‴ (lambdify with CSE of a huge tree).
SLOW_SYMPY_DEPTH = 5


def _ad():
    from core import autodiff  # JAX is imported on first use only

    return autodiff


def composed_depth(spec: str) -> int | None:
    return presets.composed_depth(spec)


def sympy_is_slow(spec: str, order: int) -> bool:
    """SymPy's order-th derivative of this function takes seconds to generate."""
    depth = composed_depth(spec)
    return order >= 3 and depth is not None and depth >= SLOW_SYMPY_DEPTH


def num(v: float) -> str:
    """A float as Python source that stays a float (3.0, not 3: grad refuses integers)."""
    return repr(float(v))


# --- numbers as a student reads them ----------------------------------------------------

#: Significant digits shown for a value computed in each dtype (float32 holds about 7).
DIGITS = {"float32": 7, "float64": 10}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sig(v: float, digits: int = 10) -> str:
    """A finite number in ``digits`` significant digits; below 10⁻⁴ or from 10⁷ on as m × 10ᵏ
    (2.681561586 × 10¹⁵⁴, never Python's 2.6815615859885194e+154)."""
    v = float(v)
    if v == 0 or 1e-4 <= abs(v) < 1e7:
        return f"{v:.{digits}g}"
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def why(v: float, dtype: str, where: dict | None = None) -> str:
    """``—`` and the reason a value is not a number (or not one to read) at x₀."""
    where = where or {}
    if where.get("defined") is False:
        return "— f undefined here" + (" (a pole)" if where.get("pole") else "")
    if where.get("overflows") or (isinstance(v, float) and math.isinf(v)):
        return f"— overflows {dtype}"
    return f"— nan in {dtype} (0/0 or ∞ − ∞ on the way)"


def fmt(v, dtype: str = "float64", where: dict | None = None) -> str:
    """A value as computed: significant digits for its dtype, or ``—`` and why it is no number."""
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if not isinstance(v, (float, np.floating)):
        return str(v)
    return sig(v, DIGITS.get(dtype, 10)) if math.isfinite(v) else why(float(v), dtype, where)


def exact_fmt(v, dtype: str, where: dict) -> str:
    """A value that means something only where f exists (a derivative at x₀): ``—`` where it does not."""
    return why(float(v), dtype, where) if where.get("defined") is False else fmt(v, dtype, where)


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def at_x0(spec: str, x0: float, dtype: str, lo: float, hi: float) -> dict:
    """What holds at x₀: f exists there (``defined``), x₀ is a pole (``pole``), and f exists
    but its value does not fit ``dtype`` (``overflows``). The page's x-range is analysed for
    its chart already; an x₀ outside it gets a small range of its own."""
    from core import domain
    from ui import data

    fn = resolve(spec)
    r = 1e-3 * (1 + abs(x0))
    a, b = (lo, hi) if lo <= x0 <= hi else (x0 - r, x0 + r)
    dom = data.analysis(spec, float(a), float(b))
    x = np.array([x0], dtype=np.float64)
    pole = any(abs(p - x0) <= 1e-12 * max(1.0, abs(x0)) for p in dom.poles)
    with np.errstate(all="ignore"):
        f64 = float(np.asarray(fn.numpy(x), dtype=float)[0])
        f = float(np.asarray(fn.numpy(x.astype(dtype)), dtype=float)[0])
    defined = not pole and not math.isnan(f64) and not any(domain.inside(x, span)[0] for span in dom.undefined)
    return {"defined": defined, "pole": pole, "overflows": defined and not math.isfinite(f)}


def _trace_view(table: pd.DataFrame, dtype: str, where: dict):
    """The trace as read: values in significant digits, ``—`` and a reason where JAX's is no
    number, nothing in the adjoint column of the forward pass (its adjoints come later)."""
    style = table.style.format({c: (lambda v: fmt(v, dtype, where)) for c in ("value", "tangent", "adjoint")
                                if c in table.columns})
    if "adjoint" in table.columns:
        style = style.format(lambda v: "", subset=pd.IndexSlice[table.index[table["pass"] == "forward"], ["adjoint"]])
    if "local derivatives" in table.columns:
        style = style.format(_local_text, subset=["local derivatives"])
    return style


_LOCAL_NUMBER = re.compile(r"= (-?(?:inf|nan|\d+(?:\.\d*)?(?:e[+-]?\d+)?))\b")


def _local_number(m: re.Match) -> str:
    v = float(m.group(1))
    if math.isnan(v):
        return "= — (nan)"
    return ("= −∞" if v < 0 else "= ∞") if math.isinf(v) else "= " + sig(v, 6)


def _local_text(text: str) -> str:
    """A step's local derivatives with each number as read (core prints %g: 3.70269e+37, inf)."""
    return _LOCAL_NUMBER.sub(_local_number, str(text))


# --- cached computations (plain arguments only) ------------------------------------------

@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def derivative_vs_exact(spec: str, lo: float, hi: float, n: int, dtype: str, order: int = 1,
                        with_exact: bool = True) -> tuple[pd.DataFrame, dict]:
    """vmap(grad(...)) of f (``order`` times) in ``dtype`` against SymPy's exact values, long form."""
    ad = _ad()
    fn = resolve(spec)
    xs = np.linspace(lo, hi, int(n)).astype(dtype)
    defined = _defined(spec, xs, lo, hi)
    raw = np.asarray(ad.derivative(fn, xs, order), dtype=float)
    # no derivative where there is no function: JAX's rule for log gives 1/x at x < 0 too
    got = np.where(defined, raw, np.nan)
    frames = []
    stats = {"max_abs": math.nan, "max_scaled": math.nan,
             "nonfinite": int((defined & ~np.isfinite(raw)).sum()), "points": int(defined.sum())}
    if with_exact:
        exact = np.where(defined, reference.exact(fn, xs.astype(np.float64), order), np.nan)
        frames.append(pd.DataFrame({"x": xs.astype(float), "y": exact, "series": EXACT[order]}))
        stats = reference.errors(got, exact)
    stats["undefined"] = int((~defined).sum())
    stats["compared"] = bool(with_exact)
    stats["jax_where_f_undefined"] = int((~defined & np.isfinite(raw)).sum())
    frames.append(pd.DataFrame({"x": xs.astype(float), "y": got, "series": JAXN[order]}))
    return pd.concat(frames, ignore_index=True), stats


def _defined(spec: str, xs, lo: float, hi: float) -> np.ndarray:
    """Where f is defined on ``xs`` (:func:`core.domain.mask`, the domain cached per range)."""
    from core import domain
    from ui import data

    return domain.mask(resolve(spec), np.asarray(xs, dtype=np.float64), data.analysis(spec, float(lo), float(hi)))


def _breaks(spec: str, lo: float, hi: float, f_names=("f(x)",)) -> dict:
    """Where lines break: f at its poles, jumps and domain edges, every derivative also at kinks."""
    from ui import data

    dom = data.analysis(spec, float(lo), float(hi))
    return {**{name: dom.breaks() for name in f_names}, "": dom.breaks(derivative=True)}


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def point_values(spec: str, x0: float, dtype: str) -> dict:
    """f(x₀) and grad(f)(x₀) in ``dtype``, and the exact f′(x₀) in float64."""
    ad = _ad()
    fn = resolve(spec)
    x = np.array([x0], dtype=dtype)
    return {
        "f": float(fn.numpy(x)[0]),
        "grad": ad.grad_at(fn, x0, 1, dtype),
        "exact": float(reference.exact(fn, np.array([x0]), 1)[0]),
    }


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def failures(spec: str, x0: float, dtype: str) -> dict:
    """The messages of grad(f)(int) and grad(f)(array), and the values of their fixes."""
    ad = _ad()
    fn = resolve(spec)
    k = int(round(x0))
    xs = np.array([1.0, 2.0, 3.0], dtype=dtype)
    return {
        "k": k,
        "int_error": ad.integer_input_error(fn, k),
        "int_fixed": ad.grad_at(fn, float(k), 1, dtype),
        "array_error": ad.array_output_error(fn, xs, dtype),
        "array_fixed": [float(v) for v in ad.derivative(fn, xs, 1, jit=False)],
    }


@st.cache_data(max_entries=256, ttl=600, show_spinner=False)
def jit_timing(spec: str, n: int, dtype: str, run: int) -> pd.DataFrame:
    """Timed once per (function, size, dtype, press of "time again")."""
    return _ad().jit_timing(resolve(spec), n=int(n), dtype=dtype, repeats=5, budget_s=2.0)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def gallery_data(gid: str, n: int, dtype: str) -> tuple[pd.DataFrame, dict]:
    """f, JAX's f′ and the exact f′ on the lab's [−5, 5]; f′ is undefined wherever f is."""
    ad = _ad()
    fn = resolve(gid)
    xs = np.linspace(-5.0, 5.0, int(n)).astype(dtype)
    defined = _defined(gid, xs, -5.0, 5.0)
    f = np.where(defined, np.asarray(fn.numpy(xs), dtype=float), np.nan)
    raw = np.asarray(ad.derivative(fn, xs), dtype=float)
    got = np.where(defined, raw, np.nan)  # no f′ where there is no f, whatever JAX's rule returns
    exact = np.where(defined, reference.exact(fn, xs.astype(np.float64)), np.nan)
    stats = reference.errors(got, exact)
    stats["jax_where_f_undefined"] = int((~defined & np.isfinite(raw)).sum())
    df = pd.concat([
        pd.DataFrame({"x": xs.astype(float), "y": f, "series": "f(x)"}),
        pd.DataFrame({"x": xs.astype(float), "y": exact, "series": "exact f′"}),
        pd.DataFrame({"x": xs.astype(float), "y": got, "series": SERIES["autodiff"]}),
    ], ignore_index=True)
    return df, stats


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def kink(dtype: str) -> pd.DataFrame:
    from core import compare  # JAX on first use

    return compare.kink_table(dtype)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def jaxprs(spec: str, dtype: str) -> tuple[str, str]:
    ad = _ad()
    fn = resolve(spec)
    return str(ad.jaxpr(fn, dtype)), str(ad.grad_jaxpr(fn, 1, dtype))


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def trace(spec: str, x0: float, dtype: str) -> dict:
    """Forward and reverse tables, the graph, and the checks, for f at x₀ in ``dtype``."""
    from core import traces

    prog = traces.trace_program(resolve(spec), x0, dtype)
    nodes, edges = traces.graph(prog)
    return {
        "forward": traces.forward_table(prog), "reverse": traces.reverse_table(prog),
        "nodes": nodes, "edges": edges, "forward_d": prog.derivative_forward,
        "reverse_d": prog.derivative_reverse, "jax_d": prog.jax_tangent, "unknown": list(prog.unknown),
    }


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def higher_at(spec: str, x0: float, dtype: str, with_third: bool) -> pd.DataFrame:
    ad = _ad()
    fn = resolve(spec)
    rows = []
    for order in (1, 2, 3):
        got = ad.grad_at(fn, x0, order, dtype)
        exact = math.nan
        if order < 3 or with_third:
            exact = float(reference.exact(fn, np.array([x0]), order)[0])
        scaled = reference.errors([got], [exact])["max_scaled"]
        rows.append({"order": order, "JAX": "grad(" * order + "f" + ")" * order,
                     f"JAX value ({dtype})": got, "SymPy value (float64)": exact,
                     SCALED_ERROR: scaled})
    return pd.DataFrame(rows)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def composed_overflow(depth: int) -> pd.DataFrame:
    """Non-finite values of the composed polynomial and its derivative on the lab's grid, per dtype."""
    ad = _ad()
    fn = presets.composed_polynomial(depth)
    rows = []
    for dtype in ("float32", "float64"):
        xs = np.linspace(-5.0, 5.0, 1000).astype(dtype)
        f = fn.numpy(xs)
        d = ad.derivative(fn, xs)
        rows.append({"dtype": dtype, "largest finite number": f"{float(np.finfo(dtype).max):.3g}",
                     "f non-finite (of 1000)": int((~np.isfinite(f)).sum()),
                     "JAX f′ non-finite (of 1000)": int((~np.isfinite(d)).sum())})
    return pd.DataFrame(rows)


# --- sections ------------------------------------------------------------------------

def main_chart(fn, spec: str, lo: float, hi: float, dtype: str) -> dict:
    """f′ by vmap(grad(f)) on the x-range against the exact f′."""
    n = 400
    df, stats = derivative_vs_exact(spec, lo, hi, n, dtype, 1)
    chart = charts.curves(df, title=f"jax.vmap(jax.grad(f)) against the exact f′ ({dtype})",
                          y_title="f′(x)", dashed=(SERIES["autodiff"],), breaks=_breaks(spec, lo, hi))
    code = (snippets.jax_def(fn) + f"\nxs = jnp.linspace({lo:g}, {hi:g}, {n}, dtype=jnp.{dtype})\n"
            "dfdx = jax.jit(jax.vmap(jax.grad(f)))(xs)\n")
    panels.chart_panel(chart, df, key="ad_main", code=code,
                       caption=f"{n} points; JAX in {dtype}, the exact f′ from SymPy in float64. "
                               + _largest(stats) + _undefined_note(stats))
    if stats["nonfinite"]:
        st.warning(f"In {dtype}, JAX's f′ is not finite at {stats['nonfinite']} of {stats['points']} points "
                   "where the exact f′ is finite: the computation overflowed.", icon="⚠️")
    return stats


def _largest(stats: dict) -> str:
    """The largest scaled error, over the points where f and the exact f′ exist."""
    if not stats.get("compared", True):
        return f"Largest {SCALED_ERROR}: — (SymPy's derivative is not computed here)."
    if not stats.get("points"):
        return f"Largest {SCALED_ERROR}: — (f′ exists at none of these points)."
    if not math.isfinite(stats.get("max_scaled", math.nan)):
        return f"Largest {SCALED_ERROR}: — (JAX's f′ is not finite wherever the exact f′ is)."
    return f"Largest {SCALED_ERROR}, over the {stats['points']} points where f′ exists: {stats['max_scaled']:.3g}."


def _undefined_note(stats: dict) -> str:
    k = stats.get("jax_where_f_undefined", 0)
    if not k:
        return ""
    return (f" At {k} points where f is undefined JAX still returns a finite f′ (it applies the derivative "
            "rule without checking the domain); they are left out, of the chart and of the comparison.")


def arrays(dtype: str) -> None:
    """np.array next to jnp.array; item assignment fails; .at[i].set(v) works, out of place."""
    ad = _ad()
    st.markdown("`jax.numpy` looks like NumPy, but its arrays live on a *device* (CPU here, or a GPU) "
                "and can never be changed in place: JAX's transformations rely on values not changing "
                "under them.")
    st.dataframe(ad.array_facts(dtype=dtype), hide_index=True, width="stretch")
    st.markdown("**Trying `x[2] = 4.0` on the jnp array** (run live, the error caught):")
    st.code(snippets.JAX_HEAD + f"\nx = jnp.array([1., 2., 3.], dtype=jnp.{dtype})\ntry:\n    x[2] = 4.0\n"
            "except TypeError as err:\n    print(err)", language="python")
    st.code(ad.item_assignment_error(dtype=dtype), language=None, wrap_lines=True)
    st.markdown("**The fix: `x.at[i].set(v)`** returns a new array and leaves `x` as it was.")
    c1, c2 = st.columns(2)
    i = c1.slider("index i", 0, 2, 2, key="ad_i", bind="query-params")
    v = c2.slider("value v", -10.0, 10.0, 4.0, step=0.5, key="ad_v", bind="query-params")
    before, after = ad.at_set([1.0, 2.0, 3.0], i, v, dtype)
    st.code(snippets.JAX_HEAD + f"\nx = jnp.array([1., 2., 3.], dtype=jnp.{dtype})\n"
            f"y = x.at[{i}].set({v:g})\nprint(x)   # {before}   (unchanged)\nprint(y)   # {after}",
            language="python")


def grad_point(fn, spec: str, x0: float, dtype: str, where: dict) -> dict:
    """grad(f)(x₀) from the x₀ slider, next to the exact value (``where``: :func:`at_x0`)."""
    p = point_values(spec, x0, dtype)
    c1, c2, c3 = st.columns(3)
    c1.metric(f"f(x₀), {dtype}", fmt(p["f"], dtype, where))
    c2.metric(f"jax.grad(f)(x₀), {dtype}", fmt(p["grad"], dtype, where))  # JAX's number, even where f is not
    c3.metric("exact f′(x₀), SymPy, float64", exact_fmt(p["exact"], "float64", where))
    st.code(snippets.jax_def(fn) + f"\nprint(f({num(x0)}))\nprint(jax.grad(f)(jnp.{dtype}({num(x0)})))",
            language="python")
    if not math.isfinite(p["f"]) and math.isfinite(p["grad"]):
        st.info(f"f is undefined at x₀ = {x0:g}, yet grad returns a number: it applies each primitive's "
                "derivative rule (for log, 1/x) without checking that the value itself exists.")
    rounding_note(spec, x0, dtype)
    return reference.errors([p["grad"]], [p["exact"]])


def rounding_note(spec: str, x0: float, dtype: str) -> str | None:
    """Say so (and return the sentence) when grad's difference from SymPy at x₀ is rounding amplified
    by a huge f″: within Home's computed bound (:func:`ui.data.agreement`, float64 only), large only
    because |x₀·f″(x₀)| dwarfs |f′(x₀)|. Nothing when the difference is 0 or not explained."""
    if dtype != "float64":
        return None
    agree = data.agreement(spec, float(x0))
    if not (agree["finite"] and agree["agree"] and agree["amplified"] and agree["difference"] > 0):
        return None
    text = (f"At x₀ = {sig(x0, 6)}, |grad − SymPy| = {sig(agree['difference'], 3)} is rounding, not a wrong "
            f"derivative: it is within the rounding bound 8ε(|f′| + |x₀·f″|) = {sig(agree['bound'], 3)}, which is "
            f"large because f″(x₀) = {sig(agree['second'], 3)} is huge next to f′(x₀) = {sig(agree['symbolic'], 3)} "
            "(rounding x₀ to float64 alone moves f′ by about ε·|x₀·f″|).")
    st.caption(text)
    return text


def pitfalls(fn, spec: str, x0: float, dtype: str) -> None:
    """The three classic failures, live, each with its fix."""
    r = failures(spec, x0, dtype)
    k = r["k"]
    st.markdown(f"**1 · An integer input.** `grad` differentiates with respect to a real number; "
                f"`{k}` is an integer (x₀ rounded).")
    st.code(snippets.jax_def(fn) + f"\ntry:\n    jax.grad(f)({k})\nexcept TypeError as err:\n    print(err)",
            language="python")
    st.code(r["int_error"] or "(no error)", language=None, wrap_lines=True)
    st.markdown(f"Fix: pass a float. `jax.grad(f)({float(k)!r})` = **{fmt(r['int_fixed'], dtype)}** ({dtype}).")

    st.markdown("**2 · A non-scalar output.** `grad` needs f to return one number; "
                "f of an array of three points returns three.")
    st.code(snippets.jax_def(fn) + f"\nxs = jnp.array([1., 2., 3.], dtype=jnp.{dtype})\ntry:\n"
            "    jax.grad(f)(xs)\nexcept TypeError as err:\n    print(err)", language="python")
    st.code(r["array_error"] or "(no error)", language=None, wrap_lines=True)
    vals = ", ".join(fmt(v, dtype) for v in r["array_fixed"])
    st.markdown(f"Fix: map the scalar derivative over the array. `jax.vmap(jax.grad(f))(xs)` = "
                f"**[{vals}]** ({dtype}).")

    st.markdown("**3 · A missing `jit`.** Nothing fails, it is just slow: without `jit` every call "
                "traces f again and runs its primitives one at a time from Python; with `jit` the "
                "first call compiles the whole derivative with XLA and later calls reuse it.")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    n = c1.select_slider("points", [1_000, 10_000, 100_000], value=10_000, key="ad_jit_n",
                         bind="query-params")
    if c2.button("⏱️ time again", key="ad_jit_again"):
        st.session_state["_ad_jit_run"] = st.session_state.get("_ad_jit_run", 0) + 1
    with st.spinner("Timing vmap(grad(f)) with and without jit (at most a few seconds)…"):
        df = jit_timing(spec, n, dtype, st.session_state.get("_ad_jit_run", 0))
    panels.chart_panel(
        charts.jit_bars(df, title=f"vmap(grad(f)) on {n:,} points, {dtype}"), df, key="ad_jit",
        code=snippets.jax_def(fn) + f"""
import time
xs = jnp.linspace(-1, 1, {n}, dtype=jnp.{dtype})
slow = jax.vmap(jax.grad(f))
fast = jax.jit(jax.vmap(jax.grad(f)))
for g in (slow, fast):
    for call in range(6):              # the first call pays tracing (and, for jit, compiling)
        t = time.perf_counter()
        g(xs).block_until_ready()      # JAX returns before the work is done: wait for it
        print((time.perf_counter() - t) * 1e3, "ms")
""",
        caption="Each call is timed up to block_until_ready(); steady state is the median of up to 5 "
                "later calls (stopped after 2 s). Times on a shared server are noisy: compare ratios.",
    )
    t = df.set_index(["variant", "phase"])["ms"]
    try:
        slow = t[("vmap(grad(f)), no jit", "steady state (median)")]
        fast = t[("jit(vmap(grad(f)))", "steady state (median)")]
        compile_ms = t[("jit(vmap(grad(f)))", "first call")]
        st.info(f"Without jit: {slow:.3g} ms per call in steady state; with jit: {fast:.3g} ms "
                f"({slow / max(fast, 1e-9):.0f}× faster), after a first call of {compile_ms:.3g} ms that "
                f"traces and compiles ({dtype}, {n:,} points).")
    except KeyError:
        st.info("The timing budget ran out before a steady-state call: only first calls are shown.")


def gallery(dtype: str) -> dict:
    """The lab's gallery of common derivatives, picked from a list."""
    gid = st.selectbox("function", GALLERY, format_func=lambda g: presets.PRESETS[g].label,
                       key="ad_gallery", bind="query-params",
                       help="The lab comments lines in and out; here you pick one.")
    n = st.slider("points on [−5, 5]", 11, 1001, 101, step=2, key="ad_gallery_n", bind="query-params",
                  help="An odd number puts x = 0 on the grid (the lab's 100 points skip it).")
    df, stats = gallery_data(gid, n, dtype)
    fn = resolve(gid)
    chart = charts.curves(df, title=f"{presets.PRESETS[gid].label}: f and f′ by vmap(grad(f)) ({dtype})",
                          y_title="y", dashed=(SERIES["autodiff"],), breaks=_breaks(gid, -5.0, 5.0))
    code = snippets.jax_def(fn) + (
        f"\nxs = jnp.linspace(-5, 5, {n}, dtype=jnp.{dtype})\nys = f(xs)\n"
        "dfdx = jax.vmap(jax.grad(f))(xs)\n")
    panels.chart_panel(chart, df, key="ad_gallery", code=code,
                       caption=f"JAX in {dtype} against the exact f′. " + _largest(stats))
    if stats["jax_where_f_undefined"]:
        st.caption(f"At {stats['jax_where_f_undefined']} points where f itself is undefined JAX still "
                   "returns a finite f′: it applies the derivative rule without checking the domain. "
                   "The chart leaves f′ out there, JAX's as well as the exact one, and so does the comparison.")
    if gid in ("abs(x)", "abs(x) + sin(x)*cos(x)") and n % 2 == 1:
        st.caption("At x = 0 JAX gives the right-hand slope (|x|′ = 1) where SymPy's sign(0) gives 0: "
                   "see the kink tab.")
    return {"what": f"gallery: {presets.PRESETS[gid].label}", **stats}


def kink_panel(dtype: str) -> None:
    """d|x|/dx at 0, four answers, and the interval of valid subgradients."""
    df = kink(dtype)
    st.markdown("|x| has a corner at 0: no tangent line touches it there, so there is no derivative, "
                "only **subgradients**: every slope g with |x| ≥ g·x for all x, which is every g in "
                "**[−1, 1]**. Each method answers anyway:")
    st.dataframe(df.drop(columns="why"), hide_index=True, width="stretch")
    st.markdown("\n".join(f"- **{r['method']}, {r['where']} → {r['d|x|/dx']:g}**: {r['why']}"
                           for r in df.to_dict("records")))
    inside = bool(((df["d|x|/dx"] >= -1) & (df["d|x|/dx"] <= 1)).all())
    st.markdown("- **Subgradient interval [−1, 1]**: any slope between the two one-sided slopes keeps the "
                "line g·x under |x|, so each is a fair stand-in for the missing derivative"
                + (" — and every answer above is one of them." if inside else "."))
    st.caption(f"Computed in {dtype}; the NumPy rows use the lab's grid np.linspace(−5, 5, 100), "
               "whose points nearest 0 are ±0.0505.")


def inside(fn, spec: str, x0: float, dtype: str, where: dict) -> dict:
    """The jaxpr of f and grad f, and the evaluation trace, forward or reverse, step by step."""
    jf, jg = jaxprs(spec, dtype)
    st.markdown("JAX first *traces* f into a **jaxpr**: a straight-line program of primitives. "
                "`grad` turns it into another jaxpr that computes f′.")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"`jax.make_jaxpr(f)(x₀)` ({dtype})")
        st.code(jf, language=None)
    with c2:
        st.markdown(f"`jax.make_jaxpr(jax.grad(f))(x₀)` ({dtype})")
        if jg.count("\n") > 60:
            with st.expander(f"{jg.count(chr(10)) + 1} lines"):
                st.code(jg, language=None)
        else:
            st.code(jg, language=None)
    t = trace(spec, x0, dtype)
    p = point_values(spec, x0, dtype)
    mode = st.radio("mode", ["forward (jvp)", "reverse (grad)"], horizontal=True, key="ad_mode",
                    bind="query-params",
                    help="Forward carries dv/dx along with each value; reverse computes all values "
                         "first, then ∂f/∂v backwards from the output.")
    forward = mode.startswith("forward")
    table = t["forward"] if forward else t["reverse"]
    last = len(table) - 1
    step = st.slider("step", 0, last, last,
                     help=f"Walk through the rows (the last {TRACE_WINDOW} up to this step are shown); "
                     "the graph below colours what is computed so far.") \
        if last > 0 else 0
    if forward:
        st.markdown(f"**Forward mode at x₀ = {x0:g}** ({dtype}): seed the input's tangent ȧ = 1, then each "
                    "primitive's tangent is the sum of its local derivatives times its arguments' tangents.")
    else:
        st.markdown(f"**Reverse mode at x₀ = {x0:g}** ({dtype}): compute every value forwards, seed the "
                    "output's adjoint with 1, then each variable's adjoint is the sum, over the primitives "
                    "that use it, of their adjoint times their local derivative.")
    first = max(0, step + 1 - TRACE_WINDOW)
    shown = table.iloc[first: step + 1]
    # Significant digits for the dtype, and — with a reason where JAX's value is no number.
    st.dataframe(_trace_view(shown, dtype, where), hide_index=True, width="stretch")
    if first or step < last:
        with st.expander(f"the whole table ({last + 1} rows)"):
            st.dataframe(_trace_view(table, dtype, where), hide_index=True, width="stretch")
    row = table.iloc[step]
    if forward:
        st.caption(f"Step {step}: {row['equation']} → value {fmt(row['value'], dtype, where)}; "
                   f"{row['tangent rule']} = {fmt(row['tangent'], dtype, where)}.")
    elif row["pass"] == "forward":
        st.caption(f"Step {step} (forward pass): {row['equation']} → value {fmt(row['value'], dtype, where)}.")
    else:
        st.caption(f"Step {step} (backward pass): {row['adjoint rule']} = {fmt(row['adjoint'], dtype, where)}.")
    found = t["forward_d"] if forward else t["reverse_d"]
    agree = (found == p["exact"]) or abs(found - p["exact"]) <= 1e-6 * max(1.0, abs(p["exact"]))
    st.markdown(f"f′(x₀) from this table: **{fmt(found, dtype, where)}** ({dtype}) · `jax.jvp`: "
                f"{fmt(t['jax_d'], dtype, where)} · exact (SymPy, float64): {exact_fmt(p['exact'], 'float64', where)}"
                + (" ✓" if agree else ""))
    if t["unknown"]:
        st.caption("Primitives evaluated by JAX itself (their local derivatives from jax.jvp): "
                   + ", ".join(t["unknown"]) + ".")
    nodes = t["nodes"].copy()
    if forward:
        cur = step
        nodes["status"] = np.select([nodes["step"] < cur, nodes["step"] == cur], ["done", "current"], "to come")
    else:
        n_fwd = len(t["forward"])
        if step < n_fwd:
            nodes["status"] = np.select([nodes["step"] < step, nodes["step"] == step],
                                        ["done", "current"], "to come")
        else:
            back = step - n_fwd  # 0 is the last variable
            order = nodes["step"].max() - nodes["step"]
            nodes["status"] = np.select([order < back, order == back], ["done", "current"], "to come")
    show = "tangent" if forward else "adjoint"
    chart = charts.trace_graph(nodes, t["edges"], show=show,
                               title=f"The computation as a graph ({'values and tangents' if forward else 'values and adjoints'})")
    panels.chart_panel(chart, nodes, key="ad_graph", y="value", series="name",
                       code=snippets.jax_def(fn) + f"\nprint(jax.make_jaxpr(f)({num(x0)}))\n"
                       f"print(jax.jvp(f, ({num(x0)},), (1.0,)))   # (f(x₀), f′(x₀)) by forward mode\n",
                       caption="Each node is one jaxpr variable, placed by how many primitives separate it "
                               "from x; hover a node for its value and "
                               f"{'tangent' if forward else 'adjoint'}, an edge for its local derivative.")
    return reference.errors([found], [p["exact"]])


def higher_order(fn, spec: str, lo: float, hi: float, x0: float, dtype: str, where: dict) -> list[dict]:
    """f″ and f‴ by nested grad against SymPy's."""
    slow = sympy_is_slow(spec, 3)
    with_third = True
    if slow:
        with_third = st.toggle("also compute SymPy's f‴ (several seconds for this deep composition)",
                               key="ad_sym3", bind="query-params")
    st.markdown("`grad` of `grad` is just another program, so higher derivatives cost nothing new to "
                "write: `jax.grad(jax.grad(f))` for f″, three times for f‴.")
    with st.spinner("Differentiating twice and three times…"):
        table = higher_at(spec, x0, dtype, with_third)
    st.dataframe(_higher_view(table, dtype, where, with_third), hide_index=True, width="stretch")
    rounding_note(spec, x0, dtype)
    out = []
    cols = st.columns(2)
    for col, order in zip(cols, (2, 3)):
        with col:
            df, stats = derivative_vs_exact(spec, lo, hi, 200, dtype, order, order < 3 or with_third)
            chart = charts.curves(df, title=f"f{PRIMES[order]} by nested grad ({dtype})",
                                  y_title=f"f{PRIMES[order]}(x)", dashed=(JAXN[order],),
                                  breaks=_breaks(spec, lo, hi))
            g = "jax.grad(" * order + "f" + ")" * order
            panels.chart_panel(chart, df, key=f"ad_d{order}",
                               code=snippets.jax_def(fn) + f"\nxs = jnp.linspace({lo:g}, {hi:g}, 200)\n"
                               f"d{order} = jax.vmap({g})(xs)\n",
                               caption="Against SymPy. " + _largest(stats))
            out.append({"what": f"f{PRIMES[order]} on the x-range (200 points), nested grad", **stats})
    if slow and not with_third:
        st.caption("SymPy's f‴ is skipped for this composition until you switch it on: generating its "
                   "code takes seconds (the tree swells), while JAX's nested grad stays quick.")
    return out


def _higher_view(table: pd.DataFrame, dtype: str, where: dict, with_third: bool):
    """f′, f″, f‴ at x₀ as read: significant digits, ``—`` and why where there is no number."""
    jax_col, sym_col = f"JAX value ({dtype})", "SymPy value (float64)"
    reasons = {}  # an error with no number says why: the reason of the value that is missing
    for i, row in table.iterrows():
        for col, dt in ((jax_col, dtype), (sym_col, "float64")):
            if where.get("defined") is False or not math.isfinite(row[col]):
                reasons.setdefault(i, why(float(row[col]), dt, where))
    style = table.style.format({jax_col: lambda v: exact_fmt(v, dtype, where),
                                sym_col: lambda v: exact_fmt(v, "float64", where),
                                SCALED_ERROR: lambda v: sig(v, 3) if math.isfinite(v) else "—"})
    for i, reason in reasons.items():
        style = style.format(lambda v, r=reason: r, subset=pd.IndexSlice[[i], [SCALED_ERROR]])
    if not with_third:
        skipped = table.index[table["order"] == 3]
        style = style.format(lambda v: "— not computed (switch it on above)",
                             subset=pd.IndexSlice[skipped, [sym_col, SCALED_ERROR]])
    return style


def precision_rows(spec: str, lo: float, hi: float, x0: float, dtype: str) -> list[dict]:
    """The page's other computations, for the precision tab (cached: no tab has to be open)."""
    p = point_values(spec, x0, dtype)
    rows = [{"what": "grad(f)(x₀)", **reference.errors([p["grad"]], [p["exact"]])}]
    third = st.session_state.get("ad_sym3", False) or not sympy_is_slow(spec, 3)
    for order in (2, 3):
        _, stats = derivative_vs_exact(spec, lo, hi, 200, dtype, order, order < 3 or third)
        rows.append({"what": f"f{PRIMES[order]} on the x-range (200 points), nested grad", **stats})
    return rows


def _error_text(stats: dict, dtype: str, unit: float = 1.0) -> str:
    """A computation's largest scaled error (in ``unit``), or ``—`` and why there is none."""
    v = stats.get("max_scaled", math.nan)
    if math.isfinite(v):
        return sig(v / unit, 3)
    if not stats.get("compared", True):
        return "— SymPy's value not computed"
    if not stats.get("points"):
        return "— f′ exists at none of these points"
    return f"— JAX's value overflows {dtype}" if stats.get("nonfinite") else "— no finite value to compare"


def precision(spec: str, dtype: str, rows: list[dict]) -> None:
    """The largest scaled error (|error| / max(|f′|, 1)) of each computation on the page, in the chosen dtype."""
    eps = float(np.finfo(dtype).eps)
    st.markdown(f"Everything on this page runs in **{dtype}** (machine epsilon {eps:.3g}). Switch at the "
                "top to rerun it all in the other precision. The exact derivative is SymPy's, in float64.")
    df = pd.DataFrame([{
        "computation": r["what"], "dtype": dtype,
        f"largest {SCALED_ERROR}": _error_text(r, dtype),
        "in epsilons": _error_text(r, dtype, eps),
        "non-finite where exact is finite": r.get("nonfinite", 0),
    } for r in rows])
    st.dataframe(df, hide_index=True, width="stretch")
    depth = composed_depth(spec)
    st.markdown("**The composed polynomial in float32.** Each level of p(t) = 2t³ − 3t² + 5 cubes its "
                "input, so the values grow like x^(3^depth): float32 (largest number 3.4e38) overflows to "
                "inf from depth 4 on the lab's range [−5, 5], float64 (1.8e308) holds out longer.")
    d = depth or 4
    ov = composed_overflow(d)
    st.dataframe(ov, hide_index=True, width="stretch")
    st.caption(f"The composed polynomial of depth {d} on np.linspace(−5, 5, 1000)"
               + ("" if depth else " (pick a composed polynomial in the sidebar to see your depth)") + ".")
