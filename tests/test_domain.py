"""core.domain: where each function exists, where its lines break, the range it reads on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import domain, presets


def _fn(spec):
    return presets.resolve(spec)


def test_ln_x_is_undefined_up_to_zero_and_reads_on_0_5():
    d = domain.analyse(_fn("log(x)"), -5, 5)
    assert [s[:2] for s in d.undefined] == [(-5.0, 0.0)] and d.source == "sympy"
    assert not d.poles and not d.jumps
    xs = np.linspace(-5, 5, 100)
    assert np.array_equal(domain.mask(_fn("log(x)"), xs, d), xs > 0)
    assert domain.reading_range(_fn("log(x)")) == (0.0, 5.0)


def test_one_over_x_has_one_pole_and_keeps_its_range():
    d = domain.analyse(_fn("1/x"), -5, 5)
    assert d.poles == (0.0,) and not d.undefined
    assert d.breaks() == (0.0,) and d.breaks(derivative=True) == (0.0,)
    assert domain.reading_range(_fn("1/x")) == (-5.0, 5.0)


def test_abs_breaks_only_its_derivative():
    d = domain.analyse(_fn("abs(x)"), -5, 5)
    assert d.everywhere and d.kinks == (0.0,)
    assert d.breaks() == () and d.breaks(derivative=True) == (0.0,)


def test_sign_jumps():
    assert domain.analyse(_fn("sign(x)"), -5, 5).jumps == (0.0,)


def test_tan_poles_at_odd_multiples_of_half_pi():
    d = domain.analyse(_fn("tan(x)"), -5, 5)
    np.testing.assert_allclose(d.poles, [-3 * math.pi / 2, -math.pi / 2, math.pi / 2, 3 * math.pi / 2])


def test_sqrt_one_minus_x_squared_lives_on_minus_one_one():
    fn = _fn("sqrt(1-x^2)")
    d = domain.analyse(fn, -5, 5)
    assert [s[:2] for s in d.undefined] == [(-5.0, -1.0), (1.0, 5.0)]
    xs = np.linspace(-5, 5, 101)
    assert np.array_equal(domain.mask(fn, xs, d), np.abs(xs) <= 1 + 1e-12)
    assert domain.reading_range(fn) == (-1.0, 1.0)


def test_x_to_the_x_is_read_for_positive_x_only():
    fn = _fn("x^x")
    d = domain.analyse(fn, -5, 5)
    assert [s[:2] for s in d.undefined] == [(-5.0, 0.0)]
    xs = np.linspace(-5, 5, 100)
    assert not domain.mask(fn, xs, d)[xs < 0].any()  # (-5)^(-5) is finite in float64, not in ℝ's x^x
    assert domain.reading_range(fn) == (0.0, 5.0)


def test_composed_depth_6_exists_everywhere_and_keeps_the_lab_range():
    fn = _fn("composed:6")
    d = domain.analyse(fn, -1, 1.5)
    assert d.everywhere and not d.kinks and not d.derivative_poles
    assert domain.reading_range(fn, presets.PRESETS["composed:6"].x_range) == (-1.0, 1.5)


def test_a_growing_term_that_dwarfs_the_oscillation_is_left_out():
    assert domain.reading_range(_fn("exp(-2*x) + 3*sin(3*x)")) == (-0.5, 5.0)
    assert domain.reading_range(_fn("x^2")) == (-5.0, 5.0)
    assert domain.reading_range(_fn("2*x^3 - 3*x^2 + 5")) == (-5.0, 5.0)


def test_derivative_poles_where_f_exists():
    assert domain.analyse(_fn("cbrt(x)"), -5, 5).derivative_poles == pytest.approx((0.0,), abs=1e-9)


def test_sympy_is_checked_against_the_numbers():
    """SymPy 1.14 loses (−5, −π) from the domain of ln(sin x); the numbers put it back."""
    fn = _fn("log(sin(x))")
    d = domain.analyse(fn, -5, 5)
    xs = np.linspace(-5, 5, 200)
    want = np.sin(xs) > 0
    assert np.array_equal(domain.mask(fn, xs, d), want)
    assert d.source == "numerical"


def test_analysis_is_fast():
    import time

    t0 = time.process_time()
    for spec in ("tan(x)", "abs(x) + sin(x)*cos(x)", "x^x", "sqrt(1-x^2)"):
        domain.analyse.cache_clear()
        domain.analyse(_fn(spec), -5, 5)
    assert time.process_time() - t0 < 3.0


def test_sympys_domain_tools_run_in_a_worker_with_a_time_limit():
    """continuous_domain took 22 s on this in the server; now a worker has SYMPY_TIMEOUT_S and the
    bounded numerical scan decides when it runs out."""
    import time

    from core import presets

    fn = presets.resolve("sqrt(sin(x)*cos(2x)*tan(3x))")
    t0 = time.monotonic()
    dom = domain.analyse(fn, -4.0, 4.0)
    assert time.monotonic() - t0 < domain.SYMPY_TIMEOUT_S + 8  # the limit, and a worker's restart
    assert dom.source == "numerical" and dom.undefined  # sin·cos·tan < 0 on whole intervals
