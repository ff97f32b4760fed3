"""Property tests (Hypothesis) of the three derivatives on parsed formulas.

(That any text at all parses or is refused, quickly, is checked in tests/test_parser.py.)

* Formulas generated from the whitelist parse, and where their derivative is
  finite SymPy's exact derivative, JAX's ``vmap(grad)`` and the complex step
  agree. The complex step needs complex-analytic code, so it is not compared for
  formulas whose expression contains ``Abs`` (it gives 0 there, see FACTS.md),
  typed or made by SymPy (``sqrt(x*x)`` is ``|x|`` for real x).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core import ExpressionError, autodiff, numerical, parse_function, symbolic
from core.grammar import FUNCTIONS

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- generated valid formulas --------------------------------------------------

UNARY = sorted(FUNCTIONS)
LEAVES = st.sampled_from(["x", "x", "x", "1", "2", "3", "0.5", "pi", "e"])


def _extend(children):
    unary = st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})")
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: f"({t[0]}) {t[1]} ({t[2]})")
    power = st.tuples(children, st.sampled_from(["2", "3", "-1", "0.5", "(1/3)"])).map(
        lambda t: f"({t[0]})^{t[1]}")
    return st.one_of(unary, binary, power)


FORMULAS = st.recursive(LEAVES, _extend, max_leaves=6)
XS = np.linspace(-2.0, 2.0, 17) + 0.0123  # off the kinks and poles at simple points


def _agree(a, b, where):
    a, b = a[where], b[where]
    scale = 1.0 + np.abs(a) + np.abs(b)
    return np.all(np.abs(a - b) <= 1e-6 * scale)


@SETTINGS
@given(FORMULAS)
def test_sympy_jax_and_complex_step_agree(text):
    try:
        fn = parse_function(text)
    except ExpressionError:
        assume(False)  # e.g. log(1 - 1): a constant the parser rightly refuses
    with np.errstate(all="ignore"):
        f = fn.numpy(XS)
        exact = symbolic.derivative_values(fn, XS)
        ad = autodiff.derivative(fn, XS)
    assert ad.shape == exact.shape == XS.shape and ad.dtype == np.float64
    # Where f and f' are finite and moderate (not at the edge of overflow, where
    # the methods may round differently into inf), the methods agree.
    ok = np.isfinite(f) & np.isfinite(exact) & np.isfinite(ad) & (np.abs(exact) < 1e12)
    assume(ok.any())
    assert _agree(exact, ad, ok), (text, XS[ok], exact[ok], ad[ok])
    # Not complex-analytic: abs typed, or made by SymPy (sqrt(x*x) is |x| for real x).
    if not fn.expr.has(sp.Abs, sp.sign):
        with np.errstate(all="ignore"):
            cs = numerical.difference(fn, XS, 1e-30, "complex")
        ok_cs = ok & np.isfinite(cs)
        assert _agree(exact, cs, ok_cs), (text, XS[ok_cs], exact[ok_cs], cs[ok_cs])
