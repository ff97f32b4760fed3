"""core.domain_scan: the numerical scan finds spans, poles, jumps and f′'s breaks from float64 alone."""

from __future__ import annotations

import math

import pytest

from core import presets
from core.domain_scan import scan


def _scan(spec, lo=-5.0, hi=5.0):
    return scan(presets.resolve(spec), lo, hi)


def test_runs_of_nan_are_undefined_spans():
    (a, b, *_), = _scan("log(x)")["undefined"]
    assert a == -5.0 and b == 0.0  # ln 0 = -inf: not a number a chart can draw


def test_steep_steps_are_told_apart_into_poles_and_jumps():
    poles = _scan("tan(x)")["poles"]
    assert len(poles) == 4 and all(min(abs(p - k * math.pi / 2) for k in (-3, -1, 1, 3)) < 1e-6 for p in poles)
    found = _scan("sign(x - 1)")
    assert found["jumps"] == pytest.approx((1.0,), abs=1e-9) and found["poles"] == ()
    assert _scan("x^3")["jumps"] == () and _scan("x^3")["poles"] == ()  # steep is not a break


def test_the_derivative_breaks_where_f_does_not():
    assert _scan("abs(x - 0.5)")["kinks"] == pytest.approx((0.5,), abs=1e-9)
    assert _scan("cbrt(x)")["derivative_poles"] == (0.0,)  # ∛x exists at 0, its slope does not
