"""The grammar's table (core/grammar.py): every function, alias and unsupported name it lists.

Every supported function is differentiated four ways (SymPy, central differences,
JAX and the complex step) on its real domain; every alias builds the same
expression as its function; every known unsupported name is refused with its
own words; every character of the UNICODE table reads as the ASCII it stands for.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
import sympy as sp

from core import ExpressionError, parse_function
from core.deltas import drop_deltas
from core.function import X, numeric_form
from core.grammar import ALIASES, FUNCTIONS, UNICODE, UNSUPPORTED, function_names

x = X


# --- every supported function, differentiated four ways ------------------------------

DOMAINS = {
    "asin": [-0.5, 0.2, 0.7], "acos": [-0.5, 0.2, 0.7], "atanh": [-0.5, 0.3], "asec": [1.5, 2.5, -3.0],
    "acsc": [1.5, 2.5, -3.0], "acosh": [1.5, 3.0], "asech": [0.2, 0.7], "acoth": [1.5, -3.0],
    "log": [0.5, 2.0, 3.0], "log10": [0.5, 2.0], "log2": [0.5, 2.0], "sqrt": [0.5, 2.0],
    "cbrt": [-2.0, 0.5, 3.0], "acsch": [0.5, -2.0],
}
NOT_ANALYTIC = {"abs", "sign"}  # the complex step does not apply


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_differentiates_four_ways(name):
    fn = parse_function(f"{name}(x)")
    xs = np.array(DOMAINS.get(name, [-0.8, 0.3, 1.2]))
    exact = sp.lambdify(x, numeric_form(drop_deltas(sp.diff(fn.expr, x))), "numpy")
    want = np.broadcast_to(np.asarray(exact(xs), dtype=float), xs.shape)
    assert np.isfinite(want).all()
    h = 1e-6
    central = (fn.numpy(xs + h) - fn.numpy(xs - h)) / (2 * h)
    np.testing.assert_allclose(central, want, rtol=1e-6, atol=1e-8)
    jgrad = np.asarray(jax.vmap(jax.grad(fn.jax))(jax.numpy.asarray(xs)))
    np.testing.assert_allclose(jgrad, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.asarray(jax.jit(fn.jax)(xs)), fn.numpy(xs), rtol=1e-12)
    if name not in NOT_ANALYTIC:
        cs = fn.numpy(xs + 1e-30j).imag / 1e-30
        np.testing.assert_allclose(cs, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_aliases_are_the_same_function(alias):
    assert parse_function(f"{alias}(x/3 + 1.5)").expr == parse_function(f"{ALIASES[alias]}(x/3 + 1.5)").expr



@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_known_unsupported_functions_say_so(name):
    with pytest.raises(ExpressionError) as err:
        parse_function(f"{name}(x)")
    assert f"'{name}' at column 1 is not supported" in str(err.value)
    assert "did you mean" not in str(err.value)



@pytest.mark.parametrize("ch", sorted(UNICODE))
def test_every_unicode_character_reads_as_its_ascii(ch):
    code = UNICODE[ch]
    if code in ("^-", "^+"):  # a superscript sign, then a superscript digit: x⁻¹ is x^-1
        typed, ascii_ = f"x{ch}²", f"x{code}2"
    elif code.startswith("^"):
        typed, ascii_ = f"x{ch}", f"x{code}"
    elif code in ("sqrt", "cbrt"):
        typed, ascii_ = f"{ch}(x + 2)", f"{code}(x + 2)"
    elif code == "pi":
        typed, ascii_ = f"2{ch}x", "2*pi*x"
    else:
        typed, ascii_ = f"x {ch} 3", f"x {code} 3"
    assert parse_function(typed).expr == parse_function(ascii_).expr


def test_function_names_are_the_functions_and_their_aliases():
    names = function_names()
    assert set(names) == set(FUNCTIONS) | set(ALIASES)
    assert not set(names) & set(UNSUPPORTED)
    for name in names:
        with pytest.raises(ExpressionError, match="needs an argument"):
            parse_function(name)
