"""Sections of the speed-race page: controls, the race, the lab's verdicts, scaling.

Every race goes through :data:`core.timing.QUEUE`, so one runs at a time in the
server process: timings do not disturb each other and memory holds one race's
arrays. A finished race is kept for :data:`RACE_TTL_S` seconds (``st.cache_data``
keyed on the settings) and reused when someone asks for the same one, unless
"fresh run" is ticked. While a race waits or runs, its ``st.status`` label says
where it is: its place in the queue and the estimated wait, then each step.

Progress reaches the status box through a thread-local hook rather than an
argument, so the cached functions are keyed on plain settings only (each
Streamlit script run is one thread).
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import numpy as np
import pandas as pd
import streamlit as st
import sympy as sp

from core import presets, snippets, timing
from core.reference import SCALED_ERROR

from . import charts, session
from .panels import chart_panel
from .safe import md_name
from .state import resolve

#: How long a finished race is reused for the same settings (seconds).
RACE_TTL_S = 300
#: A method predicted to take longer than this in one race is left out (and the page says so).
METHOD_LIMIT_S = 15.0
#: The lab's grid, used for every race on this page.
LO, HI = -5.0, 5.0
#: Time budgets of the two scaling scans (seconds).
SCAN_N_BUDGET_S, SCAN_DEPTH_BUDGET_S = 30.0, 60.0
#: The first look (a race run when the page opens, before anyone presses Run): at most this many
#: points, only methods estimated under FIRST_METHOD_S each and FIRST_BUDGET_S in all, no lab mode.
FIRST_N, FIRST_METHOD_S, FIRST_BUDGET_S = 100_000, 1.0, 3.0

LABELS = {name: f"{name}: {m.label}" for name, m in timing.METHODS.items()}

_HOOKS = threading.local()


def _ordinal(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


def ms(v: float) -> str:
    """A time in words a student reads: 0.412 ms, 37.2 ms, 8.61 s."""
    if not np.isfinite(v):
        return "—"
    return f"{v / 1e3:.3g} s" if v >= 1000 else f"{v:.3g} ms"


# --- progress and waiting, reported into an st.status box ---------------------------------------

@contextmanager
def reporting(status, what: str):
    """Route the harness's progress and the queue's waiting messages to ``status``."""
    start = time.monotonic()

    def progress(msg: str, frac: float) -> None:
        status.update(label=f"{what}: {msg} ({frac:.0%}, {time.monotonic() - start:.0f} s)")

    def on_wait(position: int, wait_s: float) -> None:
        status.update(label=f"⏳ {what}: waiting for your turn, {_ordinal(position)} in line, "
                            f"about {wait_s:.0f} s to go (races run one at a time so they do not "
                            f"disturb each other's timings)")

    _HOOKS.progress, _HOOKS.on_wait = progress, on_wait
    try:
        yield
    finally:
        _HOOKS.progress = _HOOKS.on_wait = None


def _hooks():
    log: list[str] = []
    progress = getattr(_HOOKS, "progress", None)
    on_wait = getattr(_HOOKS, "on_wait", None)
    start = time.monotonic()

    def step(msg: str, frac: float) -> None:
        log.append(f"{time.monotonic() - start:6.2f} s  {msg}")
        if progress:
            progress(msg, frac)

    return step, on_wait, log


def _part(progress, a: float, b: float):
    return lambda msg, frac: progress(msg, a + (b - a) * frac)


# --- the computations: uncached (fresh) and cached (reused for a few minutes) --------------------

def race_now(spec: str, n: int, dtype: str, methods: tuple, repeats: int, lab_methods: tuple) -> dict:
    """The race and the lab's one-shot timing of ``spec``, in this process's turn."""
    fn = resolve(spec)
    step, on_wait, log = _hooks()
    estimate = timing.estimate_seconds(fn, n, methods, repeats, lab=bool(lab_methods))
    with timing.QUEUE.slot(f"race of {spec}, n = {n:,}", estimate, on_wait, owner=session.owner_id(),
                           cancelled=session.cancel_check()) as waited:
        t0 = time.monotonic()
        honest = timing.race(fn, n, list(methods), repeats, dtype, _part(step, 0, 0.75), lo=LO, hi=HI)
        lab = (timing.lab_race(fn, n, list(lab_methods), lo=LO, hi=HI, progress=_part(step, 0.75, 1.0))
               if lab_methods else None)
        seconds = time.monotonic() - t0
    return dict(honest=honest, lab=lab, log=log, waited=waited, seconds=seconds, finished=time.time(),
                settings=dict(spec=spec, n=n, dtype=dtype, methods=methods, repeats=repeats))


@st.cache_data(max_entries=16, ttl=RACE_TTL_S, show_spinner=False)
def race_cached(spec: str, n: int, dtype: str, methods: tuple, repeats: int, lab_methods: tuple) -> dict:
    return race_now(spec, n, dtype, methods, repeats, lab_methods)


def verdicts_now(n: int, dtype: str, repeats: int) -> dict:
    step, on_wait, log = _hooks()
    square = presets.resolve("x^2")
    estimate = 2 * timing.estimate_seconds(presets.composed_polynomial(3), n, ["symbolic", "autodiff"], repeats) \
        + timing.estimate_seconds(square, n, timing.LAB_METHODS, repeats)
    with timing.QUEUE.slot(f"the lab's verdicts, n = {n:,}", estimate, on_wait, owner=session.owner_id(),
                           cancelled=session.cancel_check()) as waited:
        t0 = time.monotonic()
        claims, meas = timing.lab_claims(n, repeats, dtype, progress=step)
        seconds = time.monotonic() - t0
    return dict(claims=claims, measurements=meas, log=log, waited=waited, seconds=seconds,
                finished=time.time(), settings=dict(n=n, dtype=dtype, repeats=repeats))


@st.cache_data(max_entries=8, ttl=RACE_TTL_S, show_spinner=False)
def verdicts_cached(n: int, dtype: str, repeats: int) -> dict:
    return verdicts_now(n, dtype, repeats)


def scan_n_now(spec: str, ns: tuple, methods: tuple, repeats: int, dtype: str) -> dict:
    step, on_wait, log = _hooks()
    with timing.QUEUE.slot(f"time against n for {spec}", SCAN_N_BUDGET_S, on_wait, owner=session.owner_id(),
                           cancelled=session.cancel_check()) as waited:
        t0 = time.monotonic()
        df = timing.scaling_n(resolve(spec), ns, list(methods), repeats, dtype, lo=LO, hi=HI,
                              budget_s=SCAN_N_BUDGET_S, progress=step)
        seconds = time.monotonic() - t0
    return dict(data=df, log=log, waited=waited, seconds=seconds, finished=time.time(),
                settings=dict(spec=spec, ns=ns, methods=methods, repeats=repeats, dtype=dtype))


@st.cache_data(max_entries=8, ttl=RACE_TTL_S, show_spinner=False)
def scan_n_cached(spec: str, ns: tuple, methods: tuple, repeats: int, dtype: str) -> dict:
    return scan_n_now(spec, ns, methods, repeats, dtype)


def scan_depth_now(n: int, repeats: int, dtype: str) -> dict:
    step, on_wait, log = _hooks()
    with timing.QUEUE.slot(f"time against depth, n = {n:,}", SCAN_DEPTH_BUDGET_S, on_wait,
                           owner=session.owner_id(), cancelled=session.cancel_check()) as waited:
        t0 = time.monotonic()
        df = timing.scaling_depth(n, range(1, presets.MAX_DEPTH + 1), timing.DEPTH_METHODS, repeats, dtype,
                                  budget_s=SCAN_DEPTH_BUDGET_S, progress=step)
        seconds = time.monotonic() - t0
    return dict(data=df, log=log, waited=waited, seconds=seconds, finished=time.time(),
                settings=dict(n=n, repeats=repeats, dtype=dtype))


@st.cache_data(max_entries=8, ttl=RACE_TTL_S, show_spinner=False)
def scan_depth_cached(n: int, repeats: int, dtype: str) -> dict:
    return scan_depth_now(n, repeats, dtype)


def run(kind: str, title: str, fresh: bool, now, cached, *args) -> dict | None:
    """Run (or reuse) one computation inside an ``st.status`` box; keep it in the session."""
    pressed = time.time()
    with st.status(f"{title}: starting…", expanded=False) as status:
        try:
            with reporting(status, title):
                result = now(*args) if fresh else cached(*args)
        except timing.QueueCancelled:
            status.update(label=f"{title}: stopped (the page reran)", state="error")
            return None
        except timing.QueueSessionLimit:
            status.update(label=f"{title}: you already have a race in the queue", state="error")
            st.warning("You already have a race running or waiting (perhaps in another tab of this page). "
                       "Races run one at a time for everyone; wait for yours to finish, then start this one.",
                       icon="⏳")
            return None
        except timing.QueueFull:
            status.update(label=f"{title}: the server is busy", state="error")
            st.warning("Too many races are waiting right now. Try again in a minute.", icon="⏳")
            return None
        reused = result["finished"] < pressed
        for line in result["log"]:
            status.write(f"`{line}`")
        if reused:
            again = "" if kind == "first" else "; tick “fresh run” to race again"
            label = (f"{title}: reused the same race, finished {pressed - result['finished']:.0f} s ago "
                     f"(kept {RACE_TTL_S // 60} minutes{again})")
        else:
            waited = f", after waiting {result['waited']:.0f} s for your turn" if result["waited"] >= 1 else ""
            label = f"{title}: done in {result['seconds']:.1f} s{waited}"
        status.update(label=label, state="complete")
    result = dict(result, reused=reused)
    st.session_state[f"race_last_{kind}"] = result
    return result


def last(kind: str) -> dict | None:
    return st.session_state.get(f"race_last_{kind}")


# --- widgets ------------------------------------------------------------------------------------

def pick_function(sidebar_fn) -> tuple[str, object]:
    """The function to race: the lab's x², its composed polynomial, or the sidebar's choice."""
    side = f"the sidebar's f(x) = {md_name(sidebar_fn)}"
    labels = {"x^2": "x² (the lab's first race)", "composed": "p∘…∘p, the composed polynomial (its second)",
              "sidebar": side}
    c1, c2 = st.columns([3, 2])
    choice = c1.radio("Race on", list(labels), index=2, format_func=labels.get, horizontal=True,
                      key="race_fn", bind="query-params")
    if choice == "x^2":
        return "x^2", presets.resolve("x^2")
    if choice == "composed":
        depth = c2.slider("depth of the composition", 1, presets.MAX_DEPTH, 3, key="race_depth",
                          bind="query-params", help="The lab raced depth 3: p(p(p(x))), p = 2x³ − 3x² + 5.")
        return presets.composed_spec(depth), presets.composed_polynomial(depth)
    from .state import spec

    return spec(), sidebar_fn


def n_options() -> list[int]:
    """1-2-5 sizes from 10³ to the largest race that is safe on this host."""
    top = timing.max_points("float64")
    out, k = [], 1000
    while k <= top:
        out += [v for v in (k, 2 * k, 5 * k) if v <= top]
        k *= 10
    return out


def short_n(v: int) -> str:
    """1000 -> '1k', 2_000_000 -> '2M': what the slider shows and the URL carries (?race_n=1M)."""
    return f"{v / 1e6:g}M" if v >= 10**6 else f"{v / 1e3:g}k"


def controls() -> dict:
    options = n_options()
    c1, c2, c3 = st.columns([3, 2, 2])
    default = 10**6 if 10**6 in options else options[-1]
    n = c1.select_slider("points n (log steps; k = thousand, M = million)", options, value=default,
                         format_func=short_n,
                         key="race_n", bind="query-params",
                         help=f"Up to {options[-1]:,}: the most this server can race safely "
                              f"(about {timing.BYTES_PER_POINT} bytes per point at the worst, within "
                              f"{timing.CLOUD_MEMORY // 2**20} MB).")
    dtype = c2.radio("dtype", ["float64", "float32"], horizontal=True, key="race_dtype", bind="query-params",
                     help="Every method of the race computes in this dtype (the lab's own code is always "
                          "float64, with float32 for JAX).")
    repeats = c3.slider("repeats", 1, 15, 5, key="race_repeats", bind="query-params",
                        help="Timed calls per method after the warm-up; the median is shown.")
    methods = st.multiselect("methods", list(timing.METHODS), default=list(timing.LAB_METHODS),
                             format_func=LABELS.get, key="race_methods", bind="query-params")
    c1, c2, c3 = st.columns(3)
    log = c1.toggle("log time axis", True, key="race_log", bind="query-params")
    lab = c2.toggle("the lab's way too", True, key="race_lab", bind="query-params",
                    help="Also time the lab's own lines once with time.time(), first calls included "
                         "(SymPy's cache is cleared first, as in a fresh notebook; JAX's compile caches are shared by "
                         "everyone on this server and stay warm, so its first call is faster than in a fresh notebook).")
    fresh = c3.checkbox("fresh run", False, key="race_fresh",
                        help=f"Race again even if the same race finished in the last {RACE_TTL_S // 60} minutes.")
    return dict(n=int(n), dtype=dtype, repeats=int(repeats), methods=tuple(methods), log=log, lab=lab,
                fresh=fresh)


def device_note() -> None:
    from core.jax64 import backend, device_name

    kind, name = backend(), device_name()
    if kind == "gpu":
        st.success(f"JAX sees a GPU (**{name}**): the autodiff methods race on it, their data copied there "
                   "before the clock starts. SymPy and NumPy always compute on the CPU.", icon="🚀")
    else:
        st.caption(f"JAX computes on the **{kind}** ({name}); with a GPU it would race there. "
                   "SymPy and NumPy always compute on the CPU.")
    q = timing.QUEUE.status(owner=session.owner_id())  # another session's race comes without its text
    if q["running"]:
        who = "your race" if q["mine"] == 0 else "someone"
        st.caption(f"⏳ Now racing for {who} ({q['running_for_s']:.0f} s so far); "
                   f"{q['waiting']} waiting. A race you start joins the queue (about {q['wait_s']:.0f} s).")


# --- the race ------------------------------------------------------------------------------------

def plan(fn, s: dict) -> tuple[tuple, tuple, list[str]]:
    """The methods that fit the time limit (honest race and lab mode), and notes on any left out."""
    notes, keep = [], []
    for m in s["methods"]:
        est = timing.estimate_method_seconds(fn, s["n"], m, s["repeats"])
        if est > METHOD_LIMIT_S:
            notes.append(f"**{m}** left out: about {est:.0f} s at n = {s['n']:,} for this function "
                         f"(the limit is {METHOD_LIMIT_S:.0f} s per method). Lower n to include it.")
        else:
            keep.append(m)
    lab = []
    for m in timing.LAB_METHODS if s.get("lab", True) else ():
        proxy = {"symbolic": "symbolic_nocse", "autodiff": "autodiff_nojit"}.get(m, m)
        est = timing.estimate_method_seconds(fn, s["n"], proxy, 0)
        if est > METHOD_LIMIT_S:
            notes.append(f"The lab's one-shot **{m}** left out: about {est:.0f} s at this n.")
        else:
            lab.append(m)
    top = timing.max_points(s["dtype"], fn=fn)
    if s["n"] > top:
        notes.append(f"This function keeps about {timing.bytes_per_point(fn, s['dtype']):.0f} bytes per point "
                     f"while it races, so this server races it on at most {top:,} points. Lower n to race it.")
        return (), (), notes
    return tuple(keep), tuple(lab), notes


def first_plan(fn, s: dict) -> tuple[int, tuple]:
    """The first look's size and methods: the page's settings, at most FIRST_N points, and only the
    methods that fit its time budget (by the queue's own estimate), in the order chosen."""
    n = min(s["n"], FIRST_N, timing.max_points(s["dtype"], fn=fn))
    keep, total = [], 0.0
    for m in s["methods"]:
        est = timing.estimate_method_seconds(fn, n, m, s["repeats"])
        if est <= FIRST_METHOD_S and total + est <= FIRST_BUDGET_S:
            keep.append(m)
            total += est
    return n, tuple(keep)


def first_look(spec: str, fn, s: dict) -> dict | None:
    """A small race of the page's settings, run when the page opens so it shows a chart at once.

    It takes its turn in the queue like any race and is shared through the same cache, so a
    class opening one link races it once every RACE_TTL_S seconds; never "fresh", never the lab's
    mode. None when no method fits its budget (or the queue refused it)."""
    n, methods = first_plan(fn, s)
    if not methods:
        return None
    result = run("first", "A first look", False, race_now, race_cached, spec, n, s["dtype"], methods,
                 s["repeats"], ())
    return None if result is None else dict(result, first_look=True)


def race_section(spec: str, fn, s: dict, tail=None) -> None:
    """The button, then the chart of the race (this session's last, or a first look): ``tail`` (a
    container below the page's settings) gets the race's full figures and the lab's way."""
    methods, lab_methods, notes = plan(fn, s)
    est = timing.estimate_seconds(fn, s["n"], methods, s["repeats"], lab=bool(lab_methods)) if methods else 0
    st.caption(f"Racing {md_name(fn)} on np.linspace({LO:g}, {HI:g}, {s['n']:,}) in **{s['dtype']}**, "
               f"{s['repeats']} timed calls per method after a warm-up"
               + (", then the lab's one-shot timing of the same function" if lab_methods else "")
               + f"; about {est:.0f} s (a rough estimate).")
    for note in notes:
        st.warning(note, icon="⏱️")
    if st.button("Run the race", type="primary", key="race_run", disabled=not methods,
                 help="Times the settings below; until then the chart is a small first look."):
        run("race", "The race", s["fresh"], race_now, race_cached, spec, s["n"], s["dtype"], methods,
            s["repeats"], lab_methods)
    result = last("race") or first_look(spec, fn, s)
    if result is None:
        st.info("Press **Run the race** to time each method: setup and evaluation apart, then the lab's "
                "one-shot way on the same function.")
        return
    show_race(result, dict(s, spec=spec, methods=methods), tail if tail is not None else st.container())


def _first_look_note(result: dict, s: dict) -> None:
    cfg = result["settings"]
    left = [m for m in s["methods"] if m not in cfg["methods"]]
    st.caption(f"A first look, raced when the page opened: n = {cfg['n']:,}, {cfg['repeats']} timed calls"
               + (f", without {', '.join(left)} (over its time budget)" if left else "")
               + ", no lab's way. Press **Run the race** for the settings under the chart"
               + (f" (n = {s['n']:,})" if s["n"] != cfg["n"] else "") + ".")


#: |f| beyond this on the race grid leaves no digits for a difference (float64 ends at 1.8e308).
OVERFLOW_F = 1e150


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _f_overflows(spec: str, n: int) -> bool:
    """True when f overflows float64 (or comes within reach of it) on the race's grid."""
    with np.errstate(all="ignore"):
        f = np.asarray(resolve(spec).numpy(np.linspace(LO, HI, int(n))), dtype=float)
    finite = f[np.isfinite(f)]
    return bool((np.isinf(f)).any() or (finite.size and np.abs(finite).max() > OVERFLOW_F))


def _error_text(v, overflows: bool) -> str:
    """An error as people read it: 3 significant digits, or — and why."""
    v = float(v) if v is not None else float("nan")
    if overflows and (not np.isfinite(v) or v > 1e100):
        return "— f overflows float64 here"
    if np.isnan(v):
        return "— no finite value to compare"
    if np.isinf(v):
        return "— overflow (beyond float64's 1.8e308)"
    return "0" if v == 0 else f"{v:.3g}"


def _stale_note(result: dict, current: dict) -> None:
    old = result["settings"]
    diff = [k for k in old if k in current and old[k] != current[k]]
    if diff:
        st.caption("These results are for " + ", ".join(f"{k} = {old[k]}" for k in old)
                   + ": press the button again to race the current settings.")


def show_race(result: dict, s: dict, tail) -> None:
    """The race's chart and accuracy table here; every figure, its code and the lab's way in ``tail``."""
    honest, lab = result["honest"], result["lab"]
    cfg = result["settings"]
    fn = resolve(cfg["spec"])
    if result.get("first_look"):
        _first_look_note(result, s)
    else:
        _stale_note(result, s)
    device = ", ".join(sorted(set(honest.device)))
    left, right = st.columns([3, 2])
    with left:
        code = (f"from core import presets, timing\nfn = presets.resolve({cfg['spec']!r})\n"
                f"timing.race(fn, n={cfg['n']}, methods={list(cfg['methods'])}, repeats={cfg['repeats']}, "
                f"dtype={cfg['dtype']!r}, lo={LO:g}, hi={HI:g})")
        chart_panel(
            charts.race_bars(honest, log=s["log"], title=[f"{fn.name}: median time per phase",  # two lines: a phone
                                                          f"n = {cfg['n']:,}, {cfg['dtype']}"]),
            honest, key="race_phases", code=code,
            caption=f"Setup (diff + lambdify; tracing + compiling) and evaluate (one steady-state call), "
                    f"median of the timed calls (min and max in the tooltip); {cfg['dtype']}; on {device}.")
    with right:
        st.markdown("**Accuracy** against the exact derivative (float64)")
        acc = honest[honest.phase == "evaluate"][["method", "max_abs_error", "max_scaled_error", "nonfinite",
                                                   "out_dtype", "device", "runs"]]
        overflows = _f_overflows(cfg["spec"], int(cfg["n"]))
        shown = acc.assign(**{c: [_error_text(v, overflows) for v in acc[c]]
                              for c in ("max_abs_error", "max_scaled_error")})
        st.dataframe(shown.rename(columns={"out_dtype": "dtype", "runs": "timed calls"}), hide_index=True,
                     width="stretch", column_config={
                         "method": st.column_config.TextColumn("method"),
                         "max_abs_error": st.column_config.TextColumn("max abs error"),
                         "max_scaled_error": st.column_config.TextColumn(
                             f"max {SCALED_ERROR}", help="relative where |f′| ≥ 1, absolute below"),
                         "nonfinite": st.column_config.NumberColumn(
                             "nan/inf", help="points where the method gave nan or inf but f′ is finite")})
        st.caption("numerical and central estimate f′ from values of f; the others are exact up to rounding.")
    with tail, st.expander("📋 every figure of the race, and the exact code behind each"):
        st.dataframe(honest, hide_index=True, width="stretch")
        tabs = st.tabs(list(cfg["methods"]))
        for tab, m in zip(tabs, cfg["methods"]):
            tab.code(timing.race_code(snippets.sympy_def(fn), cfg["n"], cfg["dtype"], m, cfg["repeats"], LO, HI),
                     language="python")
    if lab is not None and len(lab):
        with tail:
            lab_section(fn, honest, lab)


def lab_vs_honest(honest: pd.DataFrame, lab: pd.DataFrame) -> pd.DataFrame:
    """Long frame for the comparison chart: the lab's one shot against setup + evaluate and evaluate."""
    ev = honest[honest.phase == "evaluate"].set_index("method")
    su = honest[honest.phase == "setup"].set_index("method")
    rows = []
    for r in lab.itertuples():
        rows.append(dict(method=r.method, phase="lab (one shot)", median_ms=r.ms, dtype=r.dtype))
        if r.ready_ms > r.ms * 1.05:
            rows.append(dict(method=r.method, phase="until the result is ready", median_ms=r.ready_ms,
                             dtype=r.dtype))
        if r.method in ev.index:
            rows.append(dict(method=r.method, phase="setup + evaluate", dtype=ev.loc[r.method, "dtype"],
                             median_ms=su.loc[r.method, "median_ms"] + ev.loc[r.method, "median_ms"]))
            rows.append(dict(method=r.method, phase="evaluate", median_ms=ev.loc[r.method, "median_ms"],
                             min_ms=ev.loc[r.method, "min_ms"], max_ms=ev.loc[r.method, "max_ms"],
                             runs=ev.loc[r.method, "runs"], dtype=ev.loc[r.method, "dtype"]))
    return pd.DataFrame(rows)


def gap_notes(honest: pd.DataFrame, lab: pd.DataFrame) -> list[str]:
    """Why the lab's figure and the steady state differ, method by method, with the numbers."""
    ev = honest[honest.phase == "evaluate"].set_index("method")
    su = honest[honest.phase == "setup"].set_index("method")
    notes = []
    for r in lab.itertuples():
        if r.method not in ev.index:
            continue
        e, s = ev.loc[r.method, "median_ms"], su.loc[r.method, "median_ms"]
        head = f"**{r.method}**: the lab's way {ms(r.ms)}, steady state {ms(e)} (×{r.ms / e:.3g})"
        if r.method == "symbolic":
            nocse = f"; without CSE it evaluates {ms(ev.loc['symbolic_nocse', 'median_ms'])}" \
                if "symbolic_nocse" in ev.index else ""
            why = (f"the lab's line runs `diff` and `lambdify` every time (our setup: {ms(s)}) and "
                   f"evaluates the derivative as a tree, without common subexpressions{nocse}.")
        elif r.method == "numerical":
            why = ("the lab's line does the same work as a steady-state call; any difference is a first "
                   "touch of fresh memory, the CPU's caches, and noise from a shared machine.")
        else:
            wait = f" The clock stopped {ms(r.ready_ms - r.ms)} before the result existed (no " \
                   "`block_until_ready()`)." if r.ready_ms > r.ms * 1.05 else ""
            why = (f"the lab's line runs `vmap(grad(f))` without `jit`: each primitive goes through JAX's "
                   f"dispatcher one by one and is compiled on first use for this shape, in float32. "
                   f"Compiled once (setup {ms(s)}), the whole derivative is one fused call.{wait}")
        notes.append(f"{head}: {why}")
    return notes


def lab_section(fn, honest: pd.DataFrame, lab: pd.DataFrame) -> None:
    st.subheader("The lab's way against the honest way")
    st.markdown("The lab timed each method **once** with `time.time()`, first calls included. "
                "Both stories are true: the one-shot figure is what a student waits for the first time; "
                "the steady-state figure is what each further call costs.")
    data = lab_vs_honest(honest, lab)
    n = int(lab.n.iloc[0])
    spec = fn.text if fn.text in presets.PRESETS else sp.sstr(fn.expr)  # SymPy's printing, never typed text
    code = (f"import time\n\nimport numpy as np\n\nx_array_large = np.linspace(-5, 5, {n})\n\n"
            + "\n\n".join(f"{snippets.lab_race_def(fn, m)}tic = time.time()\n{c}\ntoc = time.time()\n"
                            f"print('{m}:', 1000 * (toc - tic), 'ms')" for m, c in zip(lab.method, lab.code))
            + "\n\n# the same, from core (pip install -e . in the repository first):\n"
              "from core import presets, timing\n"
              f"fn = presets.resolve({spec!r})\ntiming.lab_race(fn, n={n}, methods={list(lab.method)})\n")
    left, right = st.columns([3, 2])
    with left:
        chart_panel(charts.race_bars(data, log=True, title="the lab's one shot against the steady state (ms)"),
                    data, key="race_lab", code=code,
                    caption="Lab mode: the lab's own lines, float64 (float32 for JAX), SymPy's cache cleared first "
                            "as in a fresh notebook (imports excluded; JAX's shared compile caches stay warm, so its "
                            "one shot is lower than a fresh notebook's). Honest mode: the race above.")
    with right:
        table = lab[["method", "ms", "ready_ms", "dtype", "max_scaled_error", "lab_ms"]].rename(columns={
            "ms": "lab's way (ms)", "ready_ms": "until ready (ms)", "lab_ms": "the lab printed (ms)"})
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "max_scaled_error": st.column_config.NumberColumn(f"max {SCALED_ERROR}", format="%.2e")})
    for note in gap_notes(honest, lab):
        st.markdown("- " + note)


# --- the lab's verdicts --------------------------------------------------------------------------

def verdicts_section(s: dict) -> None:
    st.markdown("The lab concludes: *numerical is slowest*, *symbolic and autodiff are similar for x²*, and "
                "*autodiff wins as the graph grows* (the composed polynomial). Each is tested here twice: with "
                "the lab's one-shot timing (**lab**) and with the harness's steady-state medians (**honest**; "
                "symbolic with CSE, autodiff jitted, and symbolic without CSE for the last claim).")
    st.caption(f"Races x² and p composed 1× and 3× at n = {s['n']:,}, {s['dtype']} (the lab's mode is always "
               f"float64 with float32 for JAX), {s['repeats']} repeats. “Similar” means within "
               f"{timing.SIMILAR:g}× of each other.")
    if st.button("Test the lab's verdicts", key="race_verdicts_run"):
        run("verdicts", "The lab's verdicts", s["fresh"], verdicts_now, verdicts_cached, s["n"], s["dtype"],
            s["repeats"])
    result = last("verdicts")
    if result is None:
        st.info("Press **Test the lab's verdicts** to race x² and the composed polynomial both ways.")
        return
    _stale_note(result, s)
    claims = result["claims"]
    table = claims.assign(verdict=np.where(claims.holds, "✅ holds", "❌ does not hold"))
    st.dataframe(table[["claim", "mode", "verdict", "ratio", "test", "comparison", "dtype"]], hide_index=True,
                 width="stretch", column_config={"ratio": st.column_config.NumberColumn(format="%.3g")})
    cfg = result["settings"]
    chart_panel(charts.claims_chart(claims, title="each verdict's ratio, lab mode and honest mode"), claims,
                key="race_claims", caption="A ratio above 1 means the first-named method is slower. "
                                           "Crosses mark claims that do not hold.",
                code=f"from core import timing\nclaims, times = timing.lab_claims(n={cfg['n']}, "
                     f"repeats={cfg['repeats']}, dtype={cfg['dtype']!r})\nclaims")
    with st.expander("the times behind the ratios (ms)"):
        st.dataframe(result["measurements"], hide_index=True, width="stretch")


# --- scaling --------------------------------------------------------------------------------------

def scan_sizes(n: int) -> tuple:
    sizes = [10**k for k in range(3, 8) if 10**k < n]
    return tuple(sizes + [n])


def scaling_section(spec: str, fn, s: dict) -> None:
    st.markdown("**Time against n** (log-log): how each method's evaluation grows with the number of points. "
                "A slope of 1 is linear; flat at small n means fixed overheads (Python calls, JAX dispatch) "
                "dominate.")
    ns = scan_sizes(s["n"])
    methods = s["methods"] or timing.LAB_METHODS
    reps = min(s["repeats"], 3)
    if st.button("Time against n", key="race_scan_n_run",
                 help=f"{md_name(fn)}, n = {', '.join(f'{k:,}' for k in ns)}, within {SCAN_N_BUDGET_S:.0f} s"):
        run("scan_n", "Time against n", s["fresh"], scan_n_now, scan_n_cached, spec, ns, tuple(methods), reps,
            s["dtype"])
    result = last("scan_n")
    if result is not None:
        df, cfg = result["data"], result["settings"]
        _stale_note(result, dict(spec=spec, ns=ns, methods=tuple(methods), repeats=reps, dtype=s["dtype"]))
        chart_panel(charts.race_scaling(df, x="n", x_title="points n", log_x=True,
                                        title=f"{resolve(cfg['spec']).name}: evaluate time against n, {cfg['dtype']}"),
                    df, key="race_scan_n", caption=_skips(df),
                    code=f"from core import presets, timing\nfn = presets.resolve({cfg['spec']!r})\n"
                         f"timing.scaling_n(fn, ns={list(cfg['ns'])}, methods={list(cfg['methods'])}, "
                         f"repeats={cfg['repeats']}, dtype={cfg['dtype']!r}, budget_s={SCAN_N_BUDGET_S:g})")
    st.markdown("**Time against depth**: the composed polynomial p∘…∘p at depth 1 to 6, symbolic with and "
                "without CSE, autodiff with and without jit. Without CSE the derivative is a tree that "
                "grows about threefold per level; with CSE (or in JAX) it is a graph that grows by a constant.")
    if st.button("Time against depth", key="race_scan_depth_run",
                 help=f"n = {s['n']:,}, within {SCAN_DEPTH_BUDGET_S:.0f} s; cases that would overrun are skipped"):
        run("scan_depth", "Time against depth", s["fresh"], scan_depth_now, scan_depth_cached, s["n"], reps,
            s["dtype"])
    result = last("scan_depth")
    if result is not None:
        df, cfg = result["data"], result["settings"]
        _stale_note(result, dict(n=s["n"], repeats=reps, dtype=s["dtype"]))
        chart_panel(charts.race_scaling(df, x="depth", x_title="depth of the composition", log_x=False,
                                        title=f"evaluate time against depth, n = {cfg['n']:,}, {cfg['dtype']}"),
                    df, key="race_scan_depth", caption=_skips(df),
                    code=f"from core import timing\ntiming.scaling_depth(n={cfg['n']}, depths=range(1, 7), "
                         f"repeats={cfg['repeats']}, dtype={cfg['dtype']!r}, budget_s={SCAN_DEPTH_BUDGET_S:g})")
        sizes = df.groupby("depth")[["tree_ops", "cse_ops"]].first().reset_index()
        st.dataframe(sizes.rename(columns={"tree_ops": "ops in the derivative's tree",
                                           "cse_ops": "ops after CSE"}), hide_index=True)


def _skips(df: pd.DataFrame) -> str:
    skipped = df[df.status != "ok"]
    if skipped.empty:
        return "Every case ran; median of the timed calls, log time axis."
    key = "depth" if "depth" in df.columns else "n"
    parts = [f"{r.method} at {key} {getattr(r, key):,} ({r.status.removeprefix('skipped: ')})"
             for r in skipped.itertuples()]
    return "Skipped to stay within the time budget: " + "; ".join(parts) + "."
