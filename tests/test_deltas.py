"""core.deltas: the one rule that drops Dirac deltas before a derivative meets numbers."""

import numpy as np
import sympy as sp

from core import presets, symbolic
from core.deltas import delta_value, drop_deltas, on_spike
from core.expressions import X


def test_deltas_become_zero_and_the_rest_stays():
    assert drop_deltas(2 * sp.DiracDelta(X) + X) == X
    assert drop_deltas(sp.sin(X) * sp.DiracDelta(X - 1, 1)) == 0
    assert drop_deltas(X**2) == X**2


def test_a_delta_is_not_a_number_on_its_spike_wherever_that_is():
    xs = np.array([0.0, 1.0, 2.0])
    assert list(on_spike(X + sp.DiracDelta(X - 1), X, xs)) == [False, True, False]
    assert np.isnan(delta_value(xs - 1)[1]) and delta_value(xs - 1)[0] == 0.0
    d2 = symbolic.derivative_values(presets.resolve("abs(x - 1)"), xs, 2)  # 2·δ(x − 1)
    assert d2[0] == 0.0 and np.isnan(d2[1]) and d2[2] == 0.0


def test_it_imports_only_sympy_and_numpy():
    import ast
    import pathlib

    import core.deltas

    tree = ast.parse(pathlib.Path(core.deltas.__file__).read_text())
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert mods <= {"__future__", "sympy", "numpy"}
