"""core.gradient_cost: the scan's structure with a fake clock, counted evaluations (central differences call f 2n times), budget and caps, slopes."""

import itertools

import numpy as np
import pandas as pd
import pytest

from core import gradient_cost as gc


class FakeClock:
    """Advances one second per reading: every timed span is a count of clock readings."""

    def __init__(self):
        self.t = itertools.count()

    def __call__(self) -> float:
        return float(next(self.t))


@pytest.mark.parametrize("kind", list(gc.LOSSES))
def test_exact_gradient_is_jax_grad_and_f_numpy_is_f_jax(kind):
    from core.jax64 import jax

    prob = gc.problem(kind, 50)
    np.testing.assert_allclose(np.asarray(jax.grad(prob.f_jax)(prob.w)), prob.exact_gradient(), atol=1e-13)
    assert float(prob.f_jax(prob.w)) == pytest.approx(prob.f_numpy(prob.w), rel=1e-13)


def test_data_are_seeded():
    a, b = gc.problem("logistic", 20), gc.problem("logistic", 20)
    assert np.array_equal(a.A, b.A) and np.array_equal(a.w, b.w) and set(np.unique(a.b)) <= {-1.0, 1.0}


@pytest.mark.parametrize("n", [1, 4, 9])
def test_central_differences_call_f_two_n_times(n):
    prob = gc.problem("rosenbrock", n)
    counter = {}
    grad = gc.prepare("central", prob, counter)
    grad(prob.w)
    assert counter == {"f": 2 * n}
    r = gc.time_method("central", prob, repeats=3, clock=FakeClock())
    assert r["f_evals"] == 2 * n and r["jvps"] == r["vjps"] == 0


def test_scan_structure_with_a_fake_clock():
    ns = (1, 2, 5)
    df = gc.scan("rosenbrock", ns, repeats=2, budget_s=1e9, clock=FakeClock())
    assert list(df.columns[:3]) == ["kind", "n", "method"]
    assert len(df) == len(ns) * len(gc.METHODS)
    assert (df.status == "ok").all()
    for r in df.itertuples():
        # setup and each timed gradient are one clock reading apart; f is too. SymPy's setup
        # also reads the clock once per partial derivative (its deadline)
        assert r.setup_s == (1.0 + r.n if r.method == "symbolic" else 1.0)
        assert r.eval_s == 1.0 and r.f_s == 1.0 and r.ratio == 1.0
        assert r.f_evals == (2 * r.n if r.method == "central" else 0)
        assert r.jvps == (r.n if r.method == "forward" else 0)
        assert r.vjps == (1 if r.method == "reverse" else 0)
        assert r.rel_error < 1e-7
    assert gc.slopes(df, lo=1) == pytest.approx({m: 0.0 for m in gc.METHODS}, abs=1e-9)


def test_scan_caps_budget_and_cancel():
    df = gc.scan("rosenbrock", (1, 2, 3), methods=("central", "symbolic"), repeats=1, budget_s=1e9,
                 clock=FakeClock(), max_n={"symbolic": 2})
    sym = df[df.method == "symbolic"].set_index("n").status
    assert sym[1] == sym[2] == "ok" and sym[3].startswith("skipped: above")
    # a budget the fake clock passes at once: the first case runs, the next is predicted over it
    df = gc.scan("rosenbrock", (1, 10, 100), methods=("reverse",), repeats=1, budget_s=10, clock=FakeClock())
    assert df.status.iloc[0] == "ok" and all(s.startswith("skipped") for s in df.status.iloc[1:])
    with pytest.raises(gc.ScanCancelled):
        gc.scan("rosenbrock", (1,), cancelled=lambda: True)


def test_slope_and_verdict_from_a_made_table():
    ns = np.array([10, 100, 1000])
    rows = [dict(n=n, method="central", eval_s=1e-5 * n, status="ok") for n in ns]
    rows += [dict(n=n, method="reverse", eval_s=2e-5, status="ok") for n in ns]
    df = pd.DataFrame(rows)
    assert gc.slope(df, "central") == pytest.approx(1.0)
    assert gc.slope(df, "reverse") == pytest.approx(0.0, abs=1e-12)
    v = gc.verdict(df)
    assert v["n"] == 1000 and v["ratio"] == pytest.approx(500)
    assert v["text"] == "at n = 1,000 parameters, reverse mode is 500× faster than central differences"


def test_memory_analysis_has_forward_and_reverse():
    m = gc.memory("rosenbrock", 1000)
    assert list(m.what) == ["f alone", "forward (n JVPs)", "reverse (jax.grad)"]
    assert (m["arguments (bytes)"] == 8000).all()
