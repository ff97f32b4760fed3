"""The operations a sandbox worker performs (core/sandbox/ops.py): the registry, and a few
operations through a real worker, as the pages call them. Each kind of operation is
checked in-process in its own module's tests (tests/test_sandbox_*_ops.py).
"""

import pytest

from core import ExpressionError
from core.sandbox import OPS, Sandbox


@pytest.fixture(scope="module")
def sandbox():
    sb = Sandbox(workers=1, timeout=10)
    yield sb
    sb.close()


def test_expand_factor_and_substitute_through_a_worker(sandbox):
    assert sandbox.run("expand", "x*(x^3 + 2*x^2)")["text"] == "x**4 + 2*x**3"
    assert sandbox.run("factor", "x^4 + 2*x^3")["text"] == "x**3*(x + 2)"
    res = sandbox.run("subs", "2*x^2 - x*y", ("x", "y"), {"x": -1, "y": 2})
    assert res["value"] == 4.0 and res["seconds"] >= 0


def test_bad_text_comes_back_as_expression_error(sandbox):
    with pytest.raises(ExpressionError, match="did you mean 'sin'"):
        sandbox.run("expand", "sinn(x)")


def test_the_registry_names_every_operation_of_the_three_kinds():
    from core.sandbox import algebra_ops, analysis_ops, derivative_ops

    kinds = [*algebra_ops.__all__, *analysis_ops.__all__, *(n for n in derivative_ops.__all__ if not n.isupper())]
    assert sorted(OPS) == sorted(kinds + ["ping", "sleep"])
