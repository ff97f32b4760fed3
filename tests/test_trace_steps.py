"""core.trace_steps: the jaxpr flattened into rows named as JAX prints them; nested calls
inlined; primitives without a rule here evaluated, and differentiated, by JAX itself."""

import pytest

from core import presets, traces
from core.jax64 import jax, jnp
from core.trace_steps import INLINE, var_name


def test_variable_names_and_equations_match_jax_printed_jaxpr():
    fn = presets.resolve("abs(x) + sin(x)*cos(x)")
    prog = traces.trace_program(fn, 0.5)
    text = prog.jaxpr_text
    assert text.startswith("{ lambda ; a:f64[]. let")
    for s in prog.steps[1:]:
        assert f"{s.out}:f64[] = {s.op} {' '.join(s.args)}" in text
    assert [s.out for s in prog.steps] == ["a", "b", "c", "d", "e", "f"]
    assert var_name(25) == "z" and var_name(26) == "ba" and var_name(27) == "bb"


class _Raw:
    """A stand-in for a Function: any jax callable of a scalar."""

    def __init__(self, f):
        self.jax = f


NESTED = [
    lambda x: jnp.sinc(x) + jax.nn.relu(x) + jax.nn.softplus(x) + jnp.where(x > 0, x, 0.0) + jax.jit(jnp.sin)(x),
    lambda x: jnp.maximum(x, 0.3) * jax.nn.sigmoid(x),
    lambda x: jax.scipy.special.erf(x) * jnp.log1p(x * x),
]


@pytest.mark.parametrize("k", range(len(NESTED)))
def test_nested_jaxprs_are_inlined_and_unknown_primitives_fall_back_to_jax(k):
    f = NESTED[k]
    for x0 in (0.0, 0.3, -0.4, 1.7):
        prog = traces.trace_program(_Raw(f), x0)
        g = float(jax.grad(f)(jnp.asarray(x0)))
        assert prog.derivative_forward == pytest.approx(g, rel=1e-12, abs=1e-14)
        assert prog.derivative_reverse == pytest.approx(g, rel=1e-12, abs=1e-14)
    ops = {s.op for s in prog.steps}
    assert not ops & INLINE  # jit calls were inlined, not kept as one opaque step
    if k == 0:
        assert "custom_jvp_call" in prog.unknown  # custom rules (relu, logaddexp) come from jax.jvp
