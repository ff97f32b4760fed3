"""core.traces: the jaxpr walked one primitive at a time; its forward and reverse sweeps agree with JAX and SymPy."""

import math

import numpy as np
import pytest

from core import presets, reference, traces
from core.jax64 import jax, jnp

TYPED = [
    "x^2", "exp(-2*x) + 3*sin(3*x)", "abs(x) + sin(x)*cos(x)", "x^3*sin(x) - 2/x", "log(x)*sqrt(x)",
    "tan(x) + tanh(x) + atan(x)", "asin(x/9) + acos(x/11)", "sinh(x)/cosh(x)", "x^0.5 + 2^x - x^(-2)",
    "exp(sin(x))^2", "composed:3", "-x + 1/(1 + x^2)",
]
POINTS = [0.7, 1.3, 2.9]


def _jax_grad(fn, x0, dtype="float64"):
    return float(jax.grad(lambda z: fn.jax(z))(jnp.asarray(x0, dtype=dtype)))


@pytest.mark.parametrize("spec", TYPED)
def test_forward_and_reverse_sweeps_equal_jax_grad(spec):
    fn = presets.resolve(spec)
    for x0 in POINTS:
        prog = traces.trace_program(fn, x0)
        g = _jax_grad(fn, x0)
        assert prog.derivative_forward == pytest.approx(g, rel=1e-12, abs=1e-12)
        assert prog.derivative_reverse == pytest.approx(g, rel=1e-12, abs=1e-12)
        assert prog.jax_tangent == pytest.approx(g, rel=1e-12, abs=1e-12)
        assert not prog.unknown  # every primitive of a typed function has a rule here


@pytest.mark.parametrize("spec", ["exp(-2*x) + 3*sin(3*x)", "x^3*sin(x) - 2/x", "log(x)*sqrt(x)"])
def test_last_tangent_is_the_exact_derivative(spec):
    fn = presets.resolve(spec)
    for x0 in POINTS:
        table = traces.forward_table(traces.trace_program(fn, x0))
        exact = float(reference.exact(fn, np.array([x0]))[0])
        assert table["tangent"].iloc[-1] == pytest.approx(exact, rel=1e-12)
        assert table["value"].iloc[-1] == pytest.approx(float(fn.numpy(np.array([x0]))[0]), rel=1e-12)


def test_float32_trace_is_computed_in_float32():
    fn = presets.resolve("exp(-2*x) + 3*sin(3*x)")
    prog = traces.trace_program(fn, 1.0, "float32")
    assert prog.dtype == "float32"
    assert all(np.asarray(s.value).dtype == np.float32 for s in prog.steps)
    g32 = _jax_grad(fn, 1.0, "float32")
    assert prog.derivative_forward == pytest.approx(g32, rel=1e-6)
    exact = float(reference.exact(fn, np.array([1.0]))[0])
    assert prog.derivative_forward != exact  # float32 rounding is visible, not hidden
    assert prog.derivative_forward == pytest.approx(exact, rel=1e-5)


def test_kink_and_undefined_points_follow_jax_conventions():
    # |x| at 0: JAX's rule takes the slope of the x >= 0 branch
    prog = traces.trace_program(presets.resolve("abs(x)"), 0.0)
    assert prog.derivative_forward == 1.0 and prog.derivative_reverse == 1.0
    cases = {"log(x)": math.inf, "sqrt(x)": math.inf, "1/x": -math.inf}
    for spec, expected in cases.items():
        prog = traces.trace_program(presets.resolve(spec), 0.0)
        assert prog.derivative_forward == expected == prog.jax_tangent, spec
    # log at a negative point: the value is nan but the rule 1/x still gives a number (as JAX does)
    prog = traces.trace_program(presets.resolve("log(x)"), -2.0)
    assert math.isnan(float(prog.steps[-1].value)) and prog.derivative_forward == -0.5 == prog.jax_tangent


def test_constant_and_identity_functions():
    prog = traces.trace_program(presets.resolve("3"), 1.5)
    table = traces.forward_table(prog)
    assert list(table["equation"]) == ["a = x₀", "f = 3"]
    assert table["tangent"].iloc[-1] == 0.0 and prog.derivative_reverse == 0.0
    prog = traces.trace_program(presets.resolve("x"), 1.5)
    assert prog.derivative_forward == 1.0 == prog.derivative_reverse


def test_unused_literal_branch_contributes_no_nan():
    # pow(2, x) at x where the base's partial would be 0·inf if it were not skipped
    fn = presets.resolve("2^x + x")
    prog = traces.trace_program(fn, 0.0)
    assert prog.derivative_forward == pytest.approx(math.log(2) + 1, rel=1e-12)
