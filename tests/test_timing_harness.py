"""core.timing.harness: race()'s rows, its honesty (setup apart, warm-up, timed calls) and its
accuracy columns. No wall-clock assertions: the clock is replaced where times are checked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sympy as sp

from core import parse_function, presets, reference, timing
from core.timing import harness

ALL = list(timing.METHODS)
COLUMNS = {"method", "phase", "median_ms", "min_ms", "max_ms", "runs", "max_abs_error", "max_scaled_error",
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
    assert (df[~df.method.str.startswith("autodiff")].device == "cpu (NumPy)").all()


def test_accuracy_columns_are_core_reference_errors():
    fn = presets.resolve("exp(-2*x) + 3*sin(3*x)")
    xs = timing.grid(4000, "float32", -1.0, 1.0)
    want = reference.exact(fn, xs)
    got = np.gradient(fn.numpy(xs), xs)
    e = reference.errors(got, want)
    assert timing.accuracy(got, want) == dict(max_abs_error=e["max_abs"], max_scaled_error=e["max_scaled"],
                                              nonfinite=e["nonfinite"])
    df = timing.race(fn, n=4000, methods=["numerical"], repeats=1, dtype="float32", lo=-1.0, hi=1.0)
    ev = df[df.phase == "evaluate"].iloc[0]
    assert ev.max_scaled_error == pytest.approx(e["max_scaled"], rel=1e-6)
    assert ev.max_abs_error == pytest.approx(e["max_abs"], rel=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_method_computes_in_the_chosen_dtype(dtype):
    df = timing.race(presets.resolve("sin(x)"), n=500, methods=ALL, repeats=1, dtype=dtype)
    assert (df.dtype == dtype).all()
    assert (df.out_dtype == dtype).all(), df[["method", "out_dtype"]]


@pytest.mark.parametrize("spec", ["x^2", "exp(-2*x) + 3*sin(3*x)", "composed:2", "sin(x)*cos(x)"])
def test_errors_are_small_for_smooth_functions(spec):
    df = timing.race(presets.resolve(spec), n=20_000, methods=ALL, repeats=1, lo=-1.0, hi=1.2)
    err = df[df.phase == "evaluate"].set_index("method").max_scaled_error
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


def test_grid_is_the_labs_interval():
    xs = timing.grid(11, "float32")
    assert xs.dtype == np.float32 and xs[0] == -5.0 and xs[-1] == 5.0 and len(xs) == 11
    with pytest.raises(ValueError, match="n must be"):
        timing.grid(2)


# --- the clock, the warm-up and the timed calls, on a fake clock ---------------------------------

class _FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _spy_method(monkeypatch, clock, setup_s=1000.0, call_s=1.0):
    """Register a method whose setup and calls advance a fake clock, and count everything."""
    seen = {"setups": 0, "calls": 0, "inputs": []}

    def setup(fn, dtype, n):
        seen["setups"] += 1
        clock.now += setup_s

        def run(xs):
            seen["calls"] += 1
            seen["inputs"].append(xs)
            clock.now += call_s
            return 2 * xs  # computed afresh from the input every time

        return run

    monkeypatch.setattr(harness, "clock", clock)
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


def test_one_warm_up_then_every_timed_call_really_runs(monkeypatch):
    clock = _FakeClock()
    seen = _spy_method(monkeypatch, clock, setup_s=0.001)
    timing.race(presets.resolve("x^2"), n=100, methods=["spy"], repeats=4, setup_runs=2)
    assert seen["setups"] == 2
    assert seen["calls"] == 1 + 4  # one warm-up, then every timed call really runs
    assert all(x is seen["inputs"][0] for x in seen["inputs"])  # on the same grid


def test_warm_up_returns_the_result_and_its_time(monkeypatch):
    clock = _FakeClock()
    monkeypatch.setattr(harness, "clock", clock)

    def run(xs):
        clock.now += 0.5
        return xs + 1

    result, seconds = timing.warm_up(run, np.arange(3.0))
    assert list(result) == [1.0, 2.0, 3.0] and seconds == 0.5


def test_methods_give_fewer_runs_when_over_budget(monkeypatch):
    clock = _FakeClock()
    _spy_method(monkeypatch, clock, setup_s=0.0, call_s=10.0)
    df = timing.race(presets.resolve("x^2"), n=100, methods=["spy"], repeats=7, budget_s=25.0)
    assert df.set_index("phase").loc["evaluate", "runs"] == 2  # 25 s budget / 10 s per call


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


def test_progress_goes_up_to_done():
    seen = []
    timing.race(presets.resolve("x^2"), n=100, methods=["symbolic", "numerical"], repeats=1,
                progress=lambda msg, frac: seen.append((msg, frac)))
    fracs = [f for _, f in seen]
    assert fracs == sorted(fracs) and fracs[0] == 0.0 and seen[-1] == ("done", 1.0)
    assert any(m.startswith("numerical: warm-up call") for m, _ in seen)
