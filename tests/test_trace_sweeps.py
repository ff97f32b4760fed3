"""core.trace_sweeps: forward and reverse mode over hand-written steps, as on paper."""

import numpy as np

from core.trace_sweeps import forward_sweep, reverse_sweep
from core.traces import Step


def _square_plus_constant():
    """f(x) = x·x + log(0) at x = 3: log 0 = −inf does not depend on x, so it must add nothing to f′."""
    f64 = np.float64
    return [
        Step(0, "a", "input", (), (), "", value=f64(3.0)),
        Step(1, "b", "mul", ("a", "a"), ("a", "a"), "", value=f64(9.0), partials=(f64(3.0), f64(3.0))),
        Step(2, "c", "log", ("0.0",), (None,), "", value=f64(-np.inf), partials=(f64(np.inf),), active=False),
        Step(3, "d", "add", ("b", "c"), ("b", "c"), "", value=f64(-np.inf), partials=(f64(1.0), f64(1.0))),
    ]


def test_forward_sweep_carries_tangents():
    steps = _square_plus_constant()
    forward_sweep(steps, np.float64)
    assert [float(s.tangent) for s in steps] == [1.0, 6.0, 0.0, 6.0]  # d(x²)/dx = 2x; the constant adds 0


def test_reverse_sweep_sums_adjoints_over_uses():
    steps = _square_plus_constant()
    reverse_sweep(steps, "d", np.float64)
    assert float(steps[0].adjoint) == 6.0  # two uses of a in the product: 3 + 3
    assert float(steps[1].adjoint) == 1.0 and float(steps[3].adjoint) == 1.0
    assert not np.isnan(steps[0].adjoint)  # the inactive constant passes nothing back (no 0·inf)
