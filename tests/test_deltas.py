"""core.deltas: the one rule that drops Dirac deltas before a derivative meets numbers."""

import sympy as sp

from core.deltas import drop_deltas
from core.expressions import X


def test_deltas_become_zero_and_the_rest_stays():
    assert drop_deltas(2 * sp.DiracDelta(X) + X) == X
    assert drop_deltas(sp.sin(X) * sp.DiracDelta(X - 1, 1)) == 0
    assert drop_deltas(X**2) == X**2


def test_it_imports_only_sympy():
    import ast
    import pathlib

    import core.deltas

    tree = ast.parse(pathlib.Path(core.deltas.__file__).read_text())
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert mods <= {"__future__", "sympy"}
