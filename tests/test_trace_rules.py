"""core.trace_rules: each primitive's value and partials are the ones JAX computes."""

import math

import numpy as np
import pytest

from core.jax64 import jax, jnp
from core.trace_rules import RULES

# primitive -> (the jax.numpy function that binds it, a point in its domain)
UNARY = {
    "neg": (jnp.negative, 0.7), "square": (jnp.square, 0.7), "sqrt": (jnp.sqrt, 0.7),
    "rsqrt": (jax.lax.rsqrt, 0.7), "cbrt": (jnp.cbrt, 0.7), "exp": (jnp.exp, 0.7), "exp2": (jnp.exp2, 0.7),
    "expm1": (jnp.expm1, 0.7), "log": (jnp.log, 0.7), "log1p": (jnp.log1p, 0.7),
    "logistic": (jax.nn.sigmoid, 0.7), "sin": (jnp.sin, 0.7), "cos": (jnp.cos, 0.7), "tan": (jnp.tan, 0.7),
    "asin": (jnp.arcsin, 0.7), "acos": (jnp.arccos, 0.7), "atan": (jnp.arctan, 0.7),
    "sinh": (jnp.sinh, 0.7), "cosh": (jnp.cosh, 0.7), "tanh": (jnp.tanh, 0.7), "asinh": (jnp.arcsinh, 0.7),
    "acosh": (jnp.arccosh, 1.7), "atanh": (jnp.arctanh, 0.7), "abs": (jnp.abs, -0.7), "sign": (jnp.sign, 0.7),
}
BINARY = {"add": jnp.add, "sub": jnp.subtract, "mul": jnp.multiply, "div": jnp.divide, "pow": jnp.power}


def _jvp(f, args, i):
    tangents = [jnp.zeros_like(a) for a in args]
    tangents[i] = jnp.ones_like(args[i])
    return float(jax.jvp(f, tuple(args), tuple(tangents))[1])


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_rule_matches_jax(name):
    f, x = UNARY[name]
    rule = RULES[name]
    a = np.float64(x)
    out = rule.value(a)
    assert float(out) == pytest.approx(float(f(jnp.float64(x))), rel=1e-14)
    (d,) = rule.partials(a, out=out)
    assert float(d) == pytest.approx(_jvp(f, [jnp.float64(x)], 0), rel=1e-14, abs=1e-300)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_rule_matches_jax(name):
    a, b = np.float64(1.3), np.float64(0.6)
    rule = RULES[name]
    out = rule.value(a, b)
    assert float(out) == pytest.approx(float(BINARY[name](a, b)), rel=1e-14)
    parts = rule.partials(a, b, out=out)
    for i in (0, 1):
        assert float(parts[i]) == pytest.approx(_jvp(BINARY[name], [jnp.float64(a), jnp.float64(b)], i), rel=1e-14)


def test_integer_pow_takes_its_exponent_by_name():
    rule = RULES["integer_pow"]
    out = rule.value(np.float64(2.0), y=3)
    assert out == 8.0 and rule.partials(np.float64(2.0), out=out, y=3) == (12.0,)
    assert rule.partials(np.float64(0.0), out=np.float64(1.0), y=0) == (0.0,)  # 0·x^(−1) is 0, as in JAX
    assert rule.text == ("{p}·{0}^({p}−1)",)


def test_conventions_at_the_kink_and_at_zero():
    assert RULES["abs"].partials(np.float64(0.0), out=np.float64(0.0)) == (1.0,)  # the x ≥ 0 branch
    dx, dy = RULES["pow"].partials(np.float64(0.0), np.float64(2.0), out=np.float64(0.0))
    assert dx == 0.0 and dy == 0.0 and not math.isnan(dy)  # ln 0 never reaches the sum


def test_aliases_share_their_rule():
    assert RULES["add_any"].text == RULES["add"].text == ("1", "1")
    assert RULES["copy_p"].value(np.float64(2.5)) == 2.5
