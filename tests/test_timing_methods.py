"""core.timing.methods: each method's setup gives f′, with its label and its notebook code beside it."""

from __future__ import annotations

import numpy as np
import pytest

from core import numerical, presets, reference, timing

ALL = list(timing.METHODS)


def test_every_method_carries_its_label_and_code():
    assert set(timing.LAB_METHODS) <= set(ALL)
    assert {"symbolic", "symbolic_nocse", "numerical", "central", "autodiff", "autodiff_nojit"} == set(ALL)
    for name, m in timing.METHODS.items():
        assert m.name == name and m.label and m.setup_code and m.evaluate_code
        assert callable(m.setup)
    assert timing.METHODS["autodiff"].jax and not timing.METHODS["symbolic"].jax
    assert timing.METHODS["symbolic"].symbolic and not timing.METHODS["central"].symbolic


@pytest.mark.parametrize("name", ALL)
def test_each_setup_returns_a_call_that_gives_the_derivative(name):
    fn = presets.resolve("sin(x)")
    xs = timing.grid(2000, "float64", -3.0, 3.0)
    m = timing.METHODS[name]
    data = xs
    if m.jax:
        import jax

        data = jax.device_put(xs)
    got = np.asarray(m.setup(fn, np.dtype("float64"), xs.size)(data))
    tol = 3e-3 if name == "numerical" else 1e-9  # np.gradient: h = 3e-3, first order at the two ends
    assert reference.errors(got, np.cos(xs))["max_abs"] < tol


def test_central_steps_by_core_numericals_rule():
    fn = presets.resolve("exp(x)")
    for dtype in ("float32", "float64"):
        xs = timing.grid(101, dtype, -3.0, 3.0)
        h = np.dtype(dtype).type(numerical.optimal_step("central", np.dtype(dtype))) * np.maximum(1, np.abs(xs))
        xp, xm = xs + h, xs - h
        want = (np.exp(xp) - np.exp(xm)) / (xp - xm)
        got = timing.METHODS["central"].setup(fn, np.dtype(dtype), xs.size)(xs)
        np.testing.assert_allclose(got, want, rtol=8 * np.finfo(dtype).eps)


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


def test_device_label_says_where_a_method_computes():
    from core.jax64 import backend

    assert timing.device_label("autodiff").startswith(backend())
    assert timing.device_label("autodiff_nojit") == timing.device_label("autodiff")
    assert timing.device_label("symbolic") == "cpu (NumPy)"
