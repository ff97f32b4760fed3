"""The race harness: its structure and its honesty (no wall-clock assertions here)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest
import sympy as sp

from core import parse_function, presets, snippets, timing

ALL = list(timing.METHODS)
COLUMNS = {"method", "phase", "median_ms", "min_ms", "max_ms", "runs", "max_abs_error", "max_rel_error",
           "nonfinite", "n", "dtype", "out_dtype", "device"}


@pytest.fixture(scope="module")
def square_race() -> pd.DataFrame:
    return timing.race(presets.resolve("x^2"), n=3000, methods=ALL, repeats=2)


def test_one_row_per_method_and_phase(square_race):
    df = square_race
    assert COLUMNS <= set(df.columns)
    assert len(df) == 2 * len(ALL)
    assert sorted(zip(df.method, df.phase)) == sorted((m, p) for m in ALL for p in ("setup", "evaluate"))
    assert (df.median_ms > 0).all() and (df.min_ms <= df.median_ms).all() and (df.median_ms <= df.max_ms).all()
    assert (df[df.phase == "evaluate"].runs == 2).all()
    assert (df[df.phase == "setup"].runs == 2).all()  # min(repeats, 3)
    assert (df.n == 3000).all()
    assert (df[df.method.str.startswith("autodiff")].device == timing.device_label("autodiff")).all()
    from core._jax import backend

    assert timing.device_label("autodiff").startswith(backend())
    assert (df[~df.method.str.startswith("autodiff")].device == "cpu (NumPy)").all()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_method_computes_in_the_chosen_dtype(dtype):
    df = timing.race(presets.resolve("sin(x)"), n=500, methods=ALL, repeats=1, dtype=dtype)
    assert (df.dtype == dtype).all()
    assert (df.out_dtype == dtype).all(), df[["method", "out_dtype"]]


@pytest.mark.parametrize("spec", ["x^2", "exp(-2*x) + 3*sin(3*x)", "composed:2", "sin(x)*cos(x)"])
def test_errors_are_small_for_smooth_functions(spec):
    df = timing.race(presets.resolve(spec), n=20_000, methods=ALL, repeats=1, lo=-1.0, hi=1.2)
    err = df[df.phase == "evaluate"].set_index("method").max_rel_error
    for exact_method in ("symbolic", "symbolic_nocse", "autodiff", "autodiff_nojit"):
        assert err[exact_method] < 1e-12, (exact_method, err[exact_method])
    assert err["central"] < 1e-6  # truncation h²·f‴/6 with h ≈ 6e-6
    assert 0 < err["numerical"] < 0.1  # np.gradient: O(h) at the two ends, h = 1e-4
    assert (df.nonfinite == 0).all()


def test_float32_errors_are_float32_sized():
    df = timing.race(presets.resolve("exp(-2*x) + 3*sin(3*x)"), n=5000, methods=ALL, repeats=1,
                     dtype="float32", lo=-1.0, hi=1.0)
    err = df[df.phase == "evaluate"].set_index("method").max_abs_error
    assert err["symbolic"] < 1e-4 and err["autodiff"] < 1e-4
    assert err["symbolic"] > 1e-9  # it really ran in float32, not float64


class _FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _spy_method(monkeypatch, clock, setup_s=1000.0, call_s=1.0):
    """Register a method whose setup and calls advance a fake clock, and count everything."""
    seen = {"setups": 0, "calls": 0, "inputs": [], "outputs": []}

    def setup(fn, dtype, n):
        seen["setups"] += 1
        clock.now += setup_s

        def run(xs):
            seen["calls"] += 1
            seen["inputs"].append(xs)
            clock.now += call_s
            out = 2 * xs  # computed afresh from the input every time
            seen["outputs"].append(id(out))
            return out

        return run

    monkeypatch.setattr(timing, "_clock", clock)
    monkeypatch.setitem(timing.METHODS, "spy", timing.Method("spy", "spy", setup, "", ""))
    return seen


def test_setup_is_timed_apart_from_evaluate(monkeypatch):
    clock = _FakeClock()
    _spy_method(monkeypatch, clock, setup_s=1000.0, call_s=0.25)
    df = timing.race(presets.resolve("x^2"), n=100, methods=["spy"], repeats=5).set_index("phase")
    assert df.loc["setup", "median_ms"] == pytest.approx(1e6)
    assert df.loc["evaluate", "median_ms"] == pytest.approx(250.0)  # not a trace of the setup in it
    assert df.loc["evaluate", "max_ms"] == pytest.approx(250.0)
    assert df.loc["evaluate", "max_abs_error"] == 0  # the spy computes 2x exactly


def test_each_timed_call_recomputes_nothing_cached(monkeypatch):
    clock = _FakeClock()
    seen = _spy_method(monkeypatch, clock, setup_s=0.001)
    timing.race(presets.resolve("x^2"), n=100, methods=["spy"], repeats=4, setup_runs=2)
    assert seen["setups"] == 2
    assert seen["calls"] == 1 + 4  # one warm-up, then every timed call really runs
    assert all(x is seen["inputs"][0] for x in seen["inputs"])  # on the same grid


def test_numerical_evaluates_f_and_gradient_on_every_timed_call(monkeypatch):
    calls = []
    real = np.gradient
    monkeypatch.setattr(np, "gradient", lambda *a, **k: calls.append(1) or real(*a, **k))
    timing.race(presets.resolve("x^2"), n=1000, methods=["numerical"], repeats=3)
    assert len(calls) == 1 + 3


def test_symbolic_setup_is_fresh_every_time(monkeypatch):
    diffs, lambdas, clears = [], [], []
    real_diff, real_lambdify, real_clear = sp.diff, sp.lambdify, sp.core.cache.clear_cache
    monkeypatch.setattr(sp, "diff", lambda *a, **k: diffs.append(1) or real_diff(*a, **k))
    monkeypatch.setattr(sp, "lambdify", lambda *a, **k: lambdas.append(k.get("cse")) or real_lambdify(*a, **k))
    monkeypatch.setattr(sp.core.cache, "clear_cache", lambda: clears.append(1) or real_clear())
    timing.race(presets.resolve("composed:2"), n=1000, methods=["symbolic", "symbolic_nocse"], repeats=3)
    assert len(diffs) == 6 and len(clears) == 6      # 3 setups each, SymPy's cache cleared before each
    assert lambdas == [True] * 3 + [False] * 3


def test_autodiff_setup_compiles_for_the_race_shape():
    import jax

    xs = jax.block_until_ready(jax.numpy.linspace(0.0, 1.0, 777))
    counts = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, *a, **k: counts.append(event) if "backend_compile" in event else None)
    run = timing.METHODS["autodiff"].setup(presets.resolve("x^3"), np.dtype("float64"), 777)
    n_compiles = len(counts)
    assert n_compiles >= 1
    out = run(xs)
    assert len(counts) == n_compiles  # evaluating compiles nothing more
    np.testing.assert_allclose(np.asarray(out), 3 * np.linspace(0.0, 1.0, 777) ** 2, rtol=1e-14)


def test_methods_give_fewer_runs_when_over_budget(monkeypatch):
    clock = _FakeClock()
    _spy_method(monkeypatch, clock, setup_s=0.0, call_s=10.0)
    df = timing.race(presets.resolve("x^2"), n=100, methods=["spy"], repeats=7, budget_s=25.0)
    assert df.set_index("phase").loc["evaluate", "runs"] == 2  # 25 s budget / 10 s per call


def test_constant_function_races_without_error():
    df = timing.race(parse_function("5"), n=200, methods=ALL, repeats=1)
    ev = df[df.phase == "evaluate"]
    assert (ev.max_abs_error == 0).all()


def test_bad_arguments_are_refused():
    fn = presets.resolve("x^2")
    with pytest.raises(ValueError, match="unknown method"):
        timing.race(fn, 100, ["magic"])
    with pytest.raises(ValueError, match="dtype"):
        timing.race(fn, 100, dtype="int32")
    with pytest.raises(ValueError, match="n must be"):
        timing.race(fn, timing.MAX_POINTS + 1)


def test_lab_mode_reproduces_the_labs_measurement():
    df = timing.lab_race(presets.resolve("x^2"), n=2000)
    assert list(df.method) == ["symbolic", "numerical", "autodiff"]
    lab = df.set_index("method")
    assert lab.loc["autodiff", "dtype"] == "float32" and lab.loc["symbolic", "dtype"] == "float64"
    assert (df.ms > 0).all() and (df.ready_ms >= df.ms).all()
    assert lab.loc["symbolic", "lab_ms"] == pytest.approx(4.97)
    assert lab.loc["symbolic", "max_abs_error"] == 0
    assert 0 < lab.loc["autodiff", "max_rel_error"] < 1e-6  # float32
    assert "lambdify(x, diff(f(x), x), 'numpy')" in lab.loc["symbolic", "code"]


@pytest.mark.parametrize("spec", list(presets.PRESETS))
def test_lab_mode_works_for_every_preset(spec):
    df = timing.lab_race(presets.resolve(spec), n=300, cold=False)
    assert len(df) == 3 and (df.ms > 0).all()
    err = df.set_index("method").max_rel_error
    assert err["symbolic"] < 1e-12
    if not spec.startswith("composed"):  # float32 overflows there
        assert err["autodiff"] < 1e-5 and np.isfinite(err["numerical"])  # np.gradient: big at kinks, poles


def test_verdicts_report_ratios_consistent_with_their_measurements():
    claims, meas = timing.verdicts(n=2000, repeats=1)
    assert set(claims.claim) == {"numerical is slowest", "symbolic and autodiff are similar for x²",
                                 "autodiff wins as the graph grows"}
    assert set(claims["mode"]) == {"lab", "honest", "honest (CSE)", "honest without CSE"}
    assert (claims.ratio > 0).all() and np.isfinite(claims.ratio).all()

    def t(spec, mode, method):
        return meas[(meas.function == spec) & (meas["mode"] == mode) & (meas.method == method)].ms.iloc[0]

    for mode in ("lab", "honest"):
        row = claims[(claims.claim == "numerical is slowest") & (claims["mode"] == mode)].iloc[0]
        expect = t("x^2", mode, "numerical") / max(t("x^2", mode, "symbolic"), t("x^2", mode, "autodiff"))
        assert row.ratio == pytest.approx(expect)
        assert row.holds == (expect > 1)
        row = claims[(claims.claim.str.startswith("symbolic and")) & (claims["mode"] == mode)].iloc[0]
        assert row.ratio >= 1 and row.holds == (row.ratio <= timing.SIMILAR)
    row = claims[claims["mode"] == "honest without CSE"].iloc[0]
    assert row.ratio == pytest.approx(t("composed:3", "honest", "symbolic_nocse") / t("composed:3", "honest", "autodiff"))


def test_scaling_in_n_and_its_budget():
    fn = presets.resolve("x^2")
    df = timing.scaling_n(fn, ns=(1000, 4000), methods=["symbolic", "autodiff"], repeats=1)
    assert len(df) == 4 and (df.status == "ok").all() and (df.median_ms > 0).all()
    assert sorted(df.n.unique()) == [1000, 4000]
    tight = timing.scaling_n(fn, ns=(1000, 4000), methods=["symbolic"], repeats=1, budget_s=0.0)
    assert tight.status.iloc[0] == "ok" and tight.status.iloc[1].startswith("skipped: about")
    assert np.isnan(tight.median_ms.iloc[1]) and tight.runs.iloc[1] == 0


def test_scaling_in_depth_counts_the_tree_and_skips_over_budget():
    df = timing.scaling_depth(n=1000, depths=(1, 2), repeats=1)
    assert set(df.method) == set(timing.DEPTH_METHODS)
    assert (df.status == "ok").all()
    assert df.groupby("depth").tree_ops.first().to_dict() == {1: 4, 2: 26}
    tight = timing.scaling_depth(n=1000, depths=(1, 2), methods=["symbolic_nocse"], repeats=1, budget_s=0.0)
    assert list(tight.status.str[:7]) == ["ok", "skipped"]
    assert "budget" in tight.status.iloc[1]


def test_max_points_follows_memory_and_never_exceeds_the_cloud():
    big = timing.max_points(available=64 * 2**30)
    assert big * timing.BYTES_PER_POINT <= timing.CLOUD_MEMORY
    assert big == 1_000_000
    small = timing.max_points(available=200 * 2**20)
    assert small * timing.BYTES_PER_POINT <= 100 * 2**20 and small == 200_000
    assert timing.max_points(available=0) == 1000
    assert 1000 <= timing.max_points() <= big


def test_estimates_grow_with_work():
    fn2, fn6 = presets.resolve("composed:2"), presets.resolve("composed:6")
    assert timing.estimate_seconds(fn6, 10**6, ["symbolic_nocse"], 3) > 10 * timing.estimate_seconds(
        fn2, 10**6, ["symbolic_nocse"], 3)
    assert timing.estimate_method_seconds(fn2, 10**6, "symbolic", 5) > timing.estimate_method_seconds(
        fn2, 10**4, "symbolic", 5)


@pytest.mark.parametrize("method", ALL)
def test_the_printed_code_runs_and_gives_the_derivative(method):
    fn = presets.resolve("composed:2")
    code = timing.race_code(snippets.sympy_def(fn), 1000, "float64", method, 2)
    namespace: dict = {}
    exec(compile(code, f"<race_code {method}>", "exec"), namespace)  # our own generated code
    xs = np.linspace(-5, 5, 1000)
    exact = timing._exact(fn, xs)
    tol = 1e-2 if method == "numerical" else 1e-9
    np.testing.assert_allclose(np.asarray(namespace["out"]), exact, rtol=tol, atol=tol * np.abs(exact).max())
    assert namespace["times"] and len(namespace["times"]) == 2


# --- the queue: one race at a time ------------------------------------------------------------

def test_queue_runs_one_at_a_time_and_tells_the_waiter():
    q = timing.RaceQueue()
    inside, order, waits = [], [], []
    first_in = threading.Event()
    release = threading.Event()

    def first():
        with q.slot("first", estimate_s=5.0):
            inside.append("first")
            order.append("first")
            first_in.set()
            release.wait(5)
            inside.remove("first")

    def second():
        first_in.wait(5)
        with q.slot("second", 1.0, on_wait=lambda pos, wait: waits.append((pos, wait)), poll_s=0.01):
            order.append(("second", list(inside)))

    t1, t2 = threading.Thread(target=first), threading.Thread(target=second)
    t1.start()
    t2.start()
    for _ in range(500):
        if waits:
            break
        time.sleep(0.01)
    status = q.status()  # asked by another owner: no label, only the estimate
    assert status["running"] == "a race (≈5 s)" and status["waiting"] == 1 and status["mine"] is None
    release.set()
    t1.join(5)
    t2.join(5)
    assert order == ["first", ("second", [])]  # second ran only once first had left
    assert waits and waits[0][0] == 1 and 0 < waits[0][1] <= 5.0
    assert q.status() == dict(running=None, running_for_s=0.0, waiting=0, wait_s=0.0, mine=None)


def test_queue_leaves_cleanly_when_the_waiter_is_stopped():
    q = timing.RaceQueue()
    holding, release = threading.Event(), threading.Event()

    def hold():
        with q.slot("holder", 1.0):
            holding.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    holding.wait(5)

    class Stop(Exception):
        pass

    def stop(pos, wait):
        raise Stop

    with pytest.raises(Stop):
        with q.slot("stopped", 1.0, on_wait=stop):
            pass
    assert q.status()["waiting"] == 0
    release.set()
    t.join(5)
    with q.slot("after", 1.0) as waited:  # the queue still works
        assert waited < 1.0


def test_queue_is_reentrant_and_bounded():
    q = timing.RaceQueue(max_waiting=1)
    with q.slot("outer"):
        with q.slot("inner") as waited:  # the same thread passes straight through
            assert waited == 0.0
        result = []

        def other():
            try:
                with q.slot("other"):
                    pass
            except timing.QueueFull as err:
                result.append(str(err))

        t = threading.Thread(target=other)
        t.start()
        t.join(5)
        assert result and "already queued" in result[0]


def test_races_share_the_process_queue():
    seen = []
    with timing.QUEUE.slot("outer race"):
        seen.append(timing.QUEUE.status()["running"])
        timing.race(presets.resolve("x^2"), n=100, methods=["symbolic"], repeats=1)  # nested: passes
    assert seen == ["outer race"]
    assert timing.QUEUE.status()["running"] is None
