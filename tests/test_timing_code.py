"""core.timing.code: the notebook code printed beside each race figure runs and gives f′."""

from __future__ import annotations

import numpy as np
import pytest

from core import presets, reference, snippets, timing

ALL = list(timing.METHODS)


@pytest.mark.parametrize("method", ALL)
def test_the_printed_code_runs_and_gives_the_derivative(method):
    fn = presets.resolve("composed:2")
    code = timing.race_code(snippets.sympy_def(fn), 1000, "float64", method, 2)
    assert timing.METHODS[method].setup_code in code
    namespace: dict = {}
    exec(compile(code, f"<race_code {method}>", "exec"), namespace)  # our own generated code
    xs = np.linspace(-5, 5, 1000)
    exact = reference.exact(fn, xs)
    tol = 1e-2 if method == "numerical" else 1e-9
    np.testing.assert_allclose(np.asarray(namespace["out"]), exact, rtol=tol, atol=tol * np.abs(exact).max())
    assert namespace["times"] and len(namespace["times"]) == 2
