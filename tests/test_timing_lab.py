"""core.timing.lab: the lab's one-shot time.time() measurement, reproduced."""

from __future__ import annotations

import numpy as np
import pytest

from core import presets, timing


def test_lab_mode_reproduces_the_labs_measurement():
    df = timing.lab_race(presets.resolve("x^2"), n=2000)
    assert list(df.method) == ["symbolic", "numerical", "autodiff"]
    lab = df.set_index("method")
    assert lab.loc["autodiff", "dtype"] == "float32" and lab.loc["symbolic", "dtype"] == "float64"
    assert (df.ms > 0).all() and (df.ready_ms >= df.ms).all()
    assert lab.loc["symbolic", "lab_ms"] == pytest.approx(timing.LAB_FIGURES["x^2"]["symbolic"]) == 4.97
    assert lab.loc["symbolic", "max_abs_error"] == 0
    assert 0 < lab.loc["autodiff", "max_scaled_error"] < 1e-6  # float32
    assert "lambdify(x, diff(f(x), x), 'numpy')" in lab.loc["symbolic", "code"]
    assert list(lab.code) == [timing.LAB_CODE[m] for m in lab.index]


@pytest.mark.parametrize("spec", list(presets.PRESETS))
def test_lab_mode_works_for_every_preset(spec):
    df = timing.lab_race(presets.resolve(spec), n=300, cold=False)
    assert len(df) == 3 and (df.ms > 0).all()
    err = df.set_index("method").max_scaled_error
    assert err["symbolic"] < 1e-12
    if not spec.startswith("composed"):  # float32 overflows there
        assert err["autodiff"] < 1e-5 and np.isfinite(err["numerical"])  # np.gradient: big at kinks, poles


def test_lab_refuses_a_method_it_never_raced():
    with pytest.raises(ValueError, match="the lab only raced"):
        timing.lab_race(presets.resolve("x^2"), n=100, methods=["central"])


def test_the_labs_f_of_x_is_its_loop_for_the_composed_polynomial():
    from core.timing.lab import lab_f_of_x

    fn = presets.resolve("composed:2")
    assert lab_f_of_x(fn) == fn.expr  # p(p(x)), built as the lab's loop does
    square = presets.resolve("x^2")
    assert lab_f_of_x(square) is square.expr
